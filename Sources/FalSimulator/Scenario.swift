import Foundation
import Yams

/// How a simulated model (or one request) misbehaves, deterministically. Every field defaults to a
/// well-behaved fal. Selected per request by the `X-Sim-Scenario: NAME` header, else per model
/// from the scenario file, else the file's default.
public struct Scenario: Codable, Sendable, Equatable {
    /// Status polls answered IN_QUEUE (with a falling queue position), then IN_PROGRESS.
    public var queuePolls = 1
    public var progressPolls = 1
    /// The first N submits answer `failStatus` (503, 429, 500, 502, 504), then they succeed.
    public var failSubmits = 0
    public var failStatus = 503
    /// With failStatus 502-504: answer as fal's nginx ingress does (HTML body, no request id).
    public var failFromIngress = false
    /// The request completes with this model error on the result endpoint: 500 internal_server_error,
    /// 504 generation_timeout, 422 content_policy_violation...
    public var resultStatus: Int?
    public var resultErrorType: String?
    /// The start deadline passed: the result answers 504 with X-Fal-Request-Timeout-Type: user.
    public var userStartTimeout = false
    /// 403 "User is locked" on submit and on upload tokens; status calls still answer 200.
    public var locked = false
    /// Every key is refused (401).
    public var invalidKey = false
    /// The result is 200 but not JSON.
    public var malformedResult = false
    /// The connection closes after this many bytes of an upload body.
    public var dropUploadAfter: Int?
    /// The connection closes half-way through the result body.
    public var dropResult = false
    /// Multipart part N (1-based) fails `failPartTimes` times with a 500, then succeeds.
    public var failPart: Int?
    public var failPartTimes = 1
    /// Milliseconds added to every answer.
    public var delayMs = 0
    /// The result is gone (404) once completed: results live an hour (6 minutes above 10 KB).
    public var resultExpired = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case queuePolls = "queue_polls", progressPolls = "progress_polls", failSubmits = "fail_submits"
        case failStatus = "fail_status", failFromIngress = "fail_from_ingress", resultStatus = "result_status"
        case resultErrorType = "result_error_type", userStartTimeout = "user_start_timeout", locked
        case invalidKey = "invalid_key", malformedResult = "malformed_result", dropUploadAfter = "drop_upload_after"
        case dropResult = "drop_result", failPart = "fail_part", failPartTimes = "fail_part_times", delayMs = "delay_ms"
        case resultExpired = "result_expired"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Scenario()
        queuePolls = try c.decodeIfPresent(Int.self, forKey: .queuePolls) ?? d.queuePolls
        progressPolls = try c.decodeIfPresent(Int.self, forKey: .progressPolls) ?? d.progressPolls
        failSubmits = try c.decodeIfPresent(Int.self, forKey: .failSubmits) ?? 0
        failStatus = try c.decodeIfPresent(Int.self, forKey: .failStatus) ?? d.failStatus
        failFromIngress = try c.decodeIfPresent(Bool.self, forKey: .failFromIngress) ?? false
        resultStatus = try c.decodeIfPresent(Int.self, forKey: .resultStatus)
        resultErrorType = try c.decodeIfPresent(String.self, forKey: .resultErrorType)
        userStartTimeout = try c.decodeIfPresent(Bool.self, forKey: .userStartTimeout) ?? false
        locked = try c.decodeIfPresent(Bool.self, forKey: .locked) ?? false
        invalidKey = try c.decodeIfPresent(Bool.self, forKey: .invalidKey) ?? false
        malformedResult = try c.decodeIfPresent(Bool.self, forKey: .malformedResult) ?? false
        dropUploadAfter = try c.decodeIfPresent(Int.self, forKey: .dropUploadAfter)
        dropResult = try c.decodeIfPresent(Bool.self, forKey: .dropResult) ?? false
        failPart = try c.decodeIfPresent(Int.self, forKey: .failPart)
        failPartTimes = try c.decodeIfPresent(Int.self, forKey: .failPartTimes) ?? 1
        delayMs = try c.decodeIfPresent(Int.self, forKey: .delayMs) ?? 0
        resultExpired = try c.decodeIfPresent(Bool.self, forKey: .resultExpired) ?? false
    }
}

/// A scenario file: named scenarios for the header, scenarios per model, and a default.
public struct ScenarioBook: Codable, Sendable {
    public var defaultScenario = Scenario()
    public var named: [String: Scenario] = [:]
    public var models: [String: Scenario] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey { case defaultScenario = "default", named = "scenarios", models }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        defaultScenario = try c.decodeIfPresent(Scenario.self, forKey: .defaultScenario) ?? Scenario()
        named = try c.decodeIfPresent([String: Scenario].self, forKey: .named) ?? [:]
        models = try c.decodeIfPresent([String: Scenario].self, forKey: .models) ?? [:]
    }

    /// Reads a YAML (or JSON) scenario file.
    public static func load(_ path: String) throws -> ScenarioBook {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try YAMLDecoder().decode(ScenarioBook.self, from: text)
    }

    func scenario(named name: String?, model: String?) -> Scenario {
        if let name, let s = named[name] { return s }
        if let model, let s = models[model] { return s }
        return defaultScenario
    }
}
