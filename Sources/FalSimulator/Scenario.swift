import Foundation
import Yams

/// How a simulated model (or one request) misbehaves, deterministically. Every field defaults to a
/// well-behaved fal. Selected per request by the `X-Sim-Scenario: NAME` header, else per model
/// from the scenario file, else the file's default.
public struct Scenario: Codable, Sendable, Equatable {
    /// Milliseconds a request spends IN_QUEUE, then IN_PROGRESS: time moves it, not polls.
    public var queueMs = 100
    /// Milliseconds a request spends IN_PROGRESS after leaving the queue.
    public var progressMs = 100
    /// A keep-alive comment on the status stream every this many ms (0: none, a dead-quiet stream).
    public var keepaliveMs = 1000
    /// Line endings of the status stream: "lf", "crlf" or "cr".
    public var streamLineEnding = "lf"
    /// The first N submits answer `failStatus` (503, 429, 500, 502, 504, 408, 409), then they succeed.
    public var failSubmits = 0
    /// The HTTP status of the failing submits (see `failSubmits`).
    public var failStatus = 503
    /// With failStatus 502-504: answer as fal's nginx ingress does (HTML body, no request id).
    public var failFromIngress = false
    /// The request completes with this model error on the result endpoint: 500 internal_server_error,
    /// 504 generation_timeout, 422 content_policy_violation...
    public var resultStatus: Int?
    /// The `error_type` of the scripted result error, e.g. "generation_timeout"; nil: fal's for the status.
    public var resultErrorType: String?
    /// X-Fal-Retryable sent with a scripted result error ("true", "false", "maybe"...); nil: none.
    public var resultRetryable: String?
    /// The start deadline passed: the result answers 504 with X-Fal-Request-Timeout-Type: user.
    public var userStartTimeout = false
    /// 403 "User is locked" on submit, the status stream and upload tokens; status polls still answer 200.
    public var locked = false
    /// The account is locked after the submit: the status stream answers 403 "User is locked".
    public var streamLocked = false
    /// Every key is refused (401).
    public var invalidKey = false
    /// The result is 200 but not JSON.
    public var malformedResult = false
    /// The connection closes after this many bytes of an upload body.
    public var dropUploadAfter: Int?
    /// The connection closes half-way through the result body.
    public var dropResult = false
    /// The submit is accepted (the request exists and runs) but its answer is cut off: the client
    /// cannot know the request id.
    public var dropSubmitAnswer = false
    /// Multipart part N (1-based) fails `failPartTimes` times with a 500, then succeeds.
    public var failPart: Int?
    /// How many times part `failPart` fails before it succeeds.
    public var failPartTimes = 1
    /// Part PUTs that do not ask for `Accept-Encoding: identity` get a gzip-compressed answer and a
    /// weak ETag (as a compressing proxy gives), which the complete step then refuses.
    public var compressPartAnswers = false
    /// fal's CDN path fails (every POST /files/upload and multipart start answers 500); the
    /// signed-URL path still works.
    public var cdnUploadFails = false
    /// Milliseconds added to every answer.
    public var delayMs = 0
    /// The result is gone (404) once completed (the account's retention ran out).
    public var resultExpired = false
    /// fal's `expires_in` for outputs: the output files answer 404 this many ms after the request
    /// completed (fal's shortest, `immediate`, is 60 s).
    public var outputsExpireMs: Int?
    /// A buffering proxy in the way of the status stream: it answers 200 and then delivers
    /// nothing at all (no event, no keep-alive) while the request runs and after it completes.
    public var silentStream = false
    /// The result's shape: "default" (by media kind) or "audio_url" (a plain `audio_url` string field).
    public var outputShape = "default"
    /// A cancel answers 202 but the request, already running, completes anyway.
    public var cancelLosesRace = false

    // Hostile servers (issue: no crash, no leak, no lie).

    /// Error answers with this status echo the caller's Authorization header in their body:
    /// 400, 401, 403, 422 or 500, on submit and on the upload token.
    public var echoKeyStatus: Int?
    /// The upload token's `base_url` is this text (not a URL, or plain http to a non-loopback host).
    public var tokenBaseURL: String?
    /// The signed-URL path answers an `upload_url` on plain http to a non-loopback host.
    public var signedURLOnHTTP = false
    /// Statuses and results carry absurd numbers (huge, negative, 1e308).
    public var absurdNumbers = false
    /// Every answer is mutated at random from this seed (status, retry headers, body bytes).
    public var chaosSeed: UInt64?
    /// A proxy's faults: the Nth call to a route answered otherwise (Faults.swift).
    public var faults: [Fault] = []
    /// fal's request history (`/v1/models/requests/by-endpoint`) does not list this scenario's
    /// requests: an uncertain submit cannot be found there (the no-match path).
    public var unlisted = false

    /// A well-behaved fal: every fault off, 100 ms in the queue and 100 ms in progress.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case queueMs = "queue_ms", progressMs = "progress_ms", keepaliveMs = "keepalive_ms", streamLineEnding = "stream_line_ending"
        case failSubmits = "fail_submits"
        case failStatus = "fail_status", failFromIngress = "fail_from_ingress", resultStatus = "result_status"
        case resultErrorType = "result_error_type", resultRetryable = "result_retryable", userStartTimeout = "user_start_timeout", locked, streamLocked = "stream_locked"
        case invalidKey = "invalid_key", malformedResult = "malformed_result", dropUploadAfter = "drop_upload_after"
        case dropResult = "drop_result", dropSubmitAnswer = "drop_submit_answer", failPart = "fail_part", failPartTimes = "fail_part_times", compressPartAnswers = "compress_part_answers"
        case cdnUploadFails = "cdn_upload_fails", delayMs = "delay_ms", resultExpired = "result_expired", outputShape = "output_shape"
        case cancelLosesRace = "cancel_loses_race", echoKeyStatus = "echo_key_status", tokenBaseURL = "token_base_url"
        case signedURLOnHTTP = "signed_url_on_http", absurdNumbers = "absurd_numbers", chaosSeed = "chaos_seed", faults
        case unlisted, outputsExpireMs = "outputs_expire_ms", silentStream = "silent_stream"
    }

    /// Every key is optional; an unknown key is an error (a typo must not silently do nothing).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let known = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = known.first(where: { CodingKeys(stringValue: $0) == nil }) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown scenario key '\(unknown)'"))
        }
        let d = Scenario()
        queueMs = try c.decodeIfPresent(Int.self, forKey: .queueMs) ?? d.queueMs
        progressMs = try c.decodeIfPresent(Int.self, forKey: .progressMs) ?? d.progressMs
        keepaliveMs = try c.decodeIfPresent(Int.self, forKey: .keepaliveMs) ?? d.keepaliveMs
        streamLineEnding = try c.decodeIfPresent(String.self, forKey: .streamLineEnding) ?? d.streamLineEnding
        failSubmits = try c.decodeIfPresent(Int.self, forKey: .failSubmits) ?? 0
        failStatus = try c.decodeIfPresent(Int.self, forKey: .failStatus) ?? d.failStatus
        failFromIngress = try c.decodeIfPresent(Bool.self, forKey: .failFromIngress) ?? false
        resultStatus = try c.decodeIfPresent(Int.self, forKey: .resultStatus)
        resultErrorType = try c.decodeIfPresent(String.self, forKey: .resultErrorType)
        resultRetryable = try c.decodeIfPresent(String.self, forKey: .resultRetryable)
        userStartTimeout = try c.decodeIfPresent(Bool.self, forKey: .userStartTimeout) ?? false
        locked = try c.decodeIfPresent(Bool.self, forKey: .locked) ?? false
        streamLocked = try c.decodeIfPresent(Bool.self, forKey: .streamLocked) ?? false
        invalidKey = try c.decodeIfPresent(Bool.self, forKey: .invalidKey) ?? false
        malformedResult = try c.decodeIfPresent(Bool.self, forKey: .malformedResult) ?? false
        dropUploadAfter = try c.decodeIfPresent(Int.self, forKey: .dropUploadAfter)
        dropResult = try c.decodeIfPresent(Bool.self, forKey: .dropResult) ?? false
        dropSubmitAnswer = try c.decodeIfPresent(Bool.self, forKey: .dropSubmitAnswer) ?? false
        failPart = try c.decodeIfPresent(Int.self, forKey: .failPart)
        failPartTimes = try c.decodeIfPresent(Int.self, forKey: .failPartTimes) ?? 1
        compressPartAnswers = try c.decodeIfPresent(Bool.self, forKey: .compressPartAnswers) ?? false
        cdnUploadFails = try c.decodeIfPresent(Bool.self, forKey: .cdnUploadFails) ?? false
        delayMs = try c.decodeIfPresent(Int.self, forKey: .delayMs) ?? 0
        resultExpired = try c.decodeIfPresent(Bool.self, forKey: .resultExpired) ?? false
        outputShape = try c.decodeIfPresent(String.self, forKey: .outputShape) ?? d.outputShape
        cancelLosesRace = try c.decodeIfPresent(Bool.self, forKey: .cancelLosesRace) ?? false
        echoKeyStatus = try c.decodeIfPresent(Int.self, forKey: .echoKeyStatus)
        tokenBaseURL = try c.decodeIfPresent(String.self, forKey: .tokenBaseURL)
        signedURLOnHTTP = try c.decodeIfPresent(Bool.self, forKey: .signedURLOnHTTP) ?? false
        absurdNumbers = try c.decodeIfPresent(Bool.self, forKey: .absurdNumbers) ?? false
        chaosSeed = try c.decodeIfPresent(UInt64.self, forKey: .chaosSeed)
        faults = try c.decodeIfPresent([Fault].self, forKey: .faults) ?? []
        unlisted = try c.decodeIfPresent(Bool.self, forKey: .unlisted) ?? false
        outputsExpireMs = try c.decodeIfPresent(Int.self, forKey: .outputsExpireMs)
        silentStream = try c.decodeIfPresent(Bool.self, forKey: .silentStream) ?? false
        guard queueMs >= 0, progressMs >= 0, keepaliveMs >= 0, delayMs >= 0, failSubmits >= 0, (outputsExpireMs ?? 0) >= 0,
              ["lf", "crlf", "cr"].contains(streamLineEnding) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                   debugDescription: "times and counts must be 0 or more; stream_line_ending is lf, crlf or cr"))
        }
    }

    /// The line ending the status stream uses.
    var lineEnding: String { ["crlf": "\r\n", "cr": "\r"][streamLineEnding] ?? "\n" }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A scenario file: named scenarios for the header, scenarios per model, and a default.
public struct ScenarioBook: Codable, Sendable {
    /// The scenario for requests that neither name one nor go to a model listed in `models`.
    public var defaultScenario = Scenario()
    /// Scenarios by the name an `X-Sim-Scenario` header picks.
    public var named: [String: Scenario] = [:]
    /// Scenarios by model endpoint id, for requests without an `X-Sim-Scenario` header.
    public var models: [String: Scenario] = [:]

    /// A book whose every request gets a well-behaved fal.
    public init() {}

    enum CodingKeys: String, CodingKey { case defaultScenario = "default", named = "scenarios", models }

    /// Reads a scenario file's `default`, `scenarios` and `models`; refuses an unknown top-level key.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // `platform` belongs to PlatformScenario (documents and prices), read from the same file.
        let allowed: Set<String> = ["default", "scenarios", "models", "platform"]
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown top-level key '\(unknown)' (default, scenarios, models, platform)"))
        }
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
