import FalClient
import Foundation
import MediaAdapt
import ModelCatalog

/// What the user asked `submit` to do; journaled with the job so `resume` and `retry` repeat it
/// exactly (same prompt, settings and media).
public struct SubmitSettings: Codable, Sendable {
    public enum FixMode: String, Codable, Sendable, CaseIterable { case auto, never }

    public var fix: FixMode = .auto
    /// The media field, when the model has several of the file's kind.
    public var field: String?
    /// Seconds for a request to start (sent to fal as X-Fal-Request-Timeout).
    public var startTimeout: Double?
    /// Seconds for the whole wait; then the request is cancelled, or left running with `detach`.
    public var timeout: Double?
    public var detach = false
    /// Refuse to submit when the catalog's estimate is higher (USD).
    public var maxCost: Double?
    /// Switch to this model when one keeps failing for capacity after its retries.
    public var fallback: String?
    public var priority: FalClient.SubmitOptions.Priority?
    public var noRetry = false
    public var objectLifetime: Int?
    /// X-Fal-Store-IO: 0 asks fal not to keep inputs and outputs.
    public var storeIO: Bool?
    public var runnerHint: String?

    public init() {}

    var submitOptions: FalClient.SubmitOptions {
        var o = FalClient.SubmitOptions(startTimeout: startTimeout, priority: priority)
        o.noRetry = noRetry
        o.objectLifetime = objectLifetime
        o.storeIO = storeIO
        o.runnerHint = runnerHint
        return o
    }
}

/// Something that happened, for a progress display. The journal has the durable record.
public enum SubmissionEvent: Sendable {
    case note(model: String, String)
    case status(model: String, QueueStatus)
    case retrying(model: String, attempt: Int, after: Double, reason: String)
    case finished(model: String, RunState, String)
}

/// How a job ended: each run's state and, for failures, what went wrong and what to do.
public struct JobOutcome: Sendable {
    public var job: JobRecord
    public var runs: [RunRecord]
    public var outputs: [Int64: [OutputRecord]]

    /// 0 every run succeeded; 2 some did and some did not; 1 none did; 75 when every failure is
    /// temporary (capacity, network) or the runs are still at fal (detached), so later may work.
    public var exitCode: Int32 {
        let active = runs.filter { r in !runs.contains { $0.fallbackOf == r.model && $0.state == .downloaded } }
        let good = active.filter { $0.state == .downloaded }.count
        if good == active.count { return 0 }
        if good > 0 { return 2 }
        // Left running at fal (--detach, or a result not fetched yet): nothing failed; resume later.
        if active.allSatisfy({ $0.state == .downloaded || $0.state == .submitted }) { return 75 }
        let temporary: Set<String> = [FalError.Category.capacity.rawValue, FalError.Category.network.rawValue]
        if active.allSatisfy({ $0.errorCategory.map(temporary.contains) ?? false }) { return 75 }
        if active.allSatisfy({ $0.errorCategory == FalError.Category.server.rawValue }) { return 69 }
        if active.contains(where: { [FalError.Category.auth.rawValue, FalError.Category.billing.rawValue].contains($0.errorCategory ?? "") }) { return 77 }
        return 1
    }
}
