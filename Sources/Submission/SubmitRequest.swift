import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import PreflightCore

/// What the user asked `submit` to do; journaled with the job so `resume` and `retry` repeat it
/// exactly (same prompt, settings and media).
public struct SubmitSettings: Codable, Sendable {
    /// Whether submit fixes the media it can (auto) or refuses it (never).
    public enum FixMode: String, Codable, Sendable, CaseIterable { case auto, never }

    /// auto (the default): fix what can be fixed before sending; never: refuse media that fails a check.
    public var fix: FixMode = .auto
    /// How the media is made ready (the same policy `fix` and `prepare` use).
    public var policy = MediaPolicy()
    /// Decode the frames before paying (every one, or samples); nil: no decode check. `submit`
    /// asks for every frame; files `prepare` already checked need none.
    public var health: DecodeHealth.Scope?
    /// The media field, when the model has several of the file's kind.
    public var field: String?
    /// Seconds for a request to start (sent to fal as X-Fal-Request-Timeout).
    public var startTimeout: Double?
    /// Seconds for the whole wait; then the request is cancelled, or left running with `detach`.
    public var timeout: Double?
    /// With `timeout`: leave the request running at fal when the wait ends (resume later) instead of cancelling it.
    public var detach = false
    /// Refuse to submit when the catalog's estimate is higher (USD).
    public var maxCost: Double?
    /// Switch to this model when one keeps failing for capacity after its retries.
    public var fallback: String?
    /// fal's queue priority (normal or low; X-Fal-Queue-Priority); nil leaves fal's default.
    public var priority: FalClient.SubmitOptions.Priority?
    /// X-Fal-No-Retry: ask fal not to requeue the request on runner failures.
    public var noRetry = false
    /// Seconds fal keeps the files the request makes (X-Fal-Object-Lifecycle-Preference); nil: fal's default.
    public var objectLifetime: Int?
    /// X-Fal-Store-IO: 0 asks fal not to keep inputs and outputs.
    public var storeIO: Bool?
    /// X-Fal-Runner-Hint: route to a runner that already holds some state (a session id); nil: none.
    public var runnerHint: String?
    /// Let fal reroute to an "equivalent" endpoint (its own fallbacks); off: the chosen model runs.
    public var allowFalFallbacks = false
    /// With `maxCost`: send to a model whose price is unknown (its cost cannot be bounded).
    public var allowUnpriced = false

    /// The defaults: fix automatically, no deadlines, no cost limit, retries on, fal's fallbacks off.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case fix, policy, health, field, startTimeout, timeout, detach, maxCost, fallback, priority, noRetry, objectLifetime, storeIO, runnerHint
        case allowFalFallbacks, allowUnpriced
    }

    /// A job journaled by an earlier version lacks the newer settings: they take their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fix = try c.decodeIfPresent(FixMode.self, forKey: .fix) ?? .auto
        policy = try c.decodeIfPresent(MediaPolicy.self, forKey: .policy) ?? MediaPolicy()
        health = try c.decodeIfPresent(DecodeHealth.Scope.self, forKey: .health)
        field = try c.decodeIfPresent(String.self, forKey: .field)
        startTimeout = try c.decodeIfPresent(Double.self, forKey: .startTimeout)
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
        detach = try c.decodeIfPresent(Bool.self, forKey: .detach) ?? false
        maxCost = try c.decodeIfPresent(Double.self, forKey: .maxCost)
        fallback = try c.decodeIfPresent(String.self, forKey: .fallback)
        priority = try c.decodeIfPresent(FalClient.SubmitOptions.Priority.self, forKey: .priority)
        noRetry = try c.decodeIfPresent(Bool.self, forKey: .noRetry) ?? false
        objectLifetime = try c.decodeIfPresent(Int.self, forKey: .objectLifetime)
        storeIO = try c.decodeIfPresent(Bool.self, forKey: .storeIO)
        runnerHint = try c.decodeIfPresent(String.self, forKey: .runnerHint)
        allowFalFallbacks = try c.decodeIfPresent(Bool.self, forKey: .allowFalFallbacks) ?? false
        allowUnpriced = try c.decodeIfPresent(Bool.self, forKey: .allowUnpriced) ?? false
    }

    var submitOptions: FalClient.SubmitOptions {
        var o = FalClient.SubmitOptions(startTimeout: startTimeout, priority: priority)
        o.noRetry = noRetry
        o.objectLifetime = objectLifetime
        o.storeIO = storeIO
        o.runnerHint = runnerHint
        o.allowFalFallbacks = allowFalFallbacks
        return o
    }
}

/// Something that happened, for a progress display. The journal has the durable record.
public enum SubmissionEvent: Sendable {
    case note(model: String, String)
    case status(model: String, QueueStatus)
    case retrying(model: String, attempt: Int, after: Double, reason: String)
    case finished(model: String, RunState, String)
    /// Something a person must see even with --quiet (a paid request the journal could not record).
    case alert(model: String, String)
}

/// How a job ended: each run's state and, for failures, what went wrong and what to do.
public struct JobOutcome: Sendable {
    /// The job as journaled.
    public var job: JobRecord
    /// Every run of the job, one per model (and per fallback used).
    public var runs: [RunRecord]
    /// The downloaded outputs of each run, by run id.
    public var outputs: [Int64: [OutputRecord]]
    /// Set when this run of the job could not write the journal (a full or unwritable state
    /// folder): each run is as last recorded, and `resume` continues once it can be written.
    public var localStateProblem: String?

    /// nil: every run succeeded (a failed run whose fallback succeeded counts as covered).
    /// Otherwise what kind of ending it is, most urgent first: uncertain (fal may have billed a
    /// request nobody can follow: never worth a blind retry), the journal, one of two, still at
    /// fal (resume later), then why the runs failed.
    public var category: ErrorCategory? {
        let active = runs.filter { r in !runs.contains { $0.fallbackOf == r.model && $0.state == .downloaded } }
        let good = active.filter { $0.state == .downloaded }.count
        if good == active.count, localStateProblem == nil { return nil }
        if active.contains(where: { $0.state == .uncertain }) { return .uncertain }
        if localStateProblem != nil || active.contains(where: { !$0.state.isFinished && $0.errorCategory == ErrorCategory.localState.rawValue }) {
            return .localState
        }
        if good > 0 { return .someFailed }
        // Left at fal (--detach, a result not fetched yet, patience spent): nothing failed; resume later.
        if active.allSatisfy({ !$0.state.isFinished || $0.state == .downloaded }) {
            let refused = active.contains { [FalError.Kind.auth.rawValue, FalError.Kind.billing.rawValue].contains($0.errorCategory ?? "") }
            return refused ? .notPermitted : .temporary
        }
        let failed = active.filter { $0.state != .downloaded }
        let temporary: Set<String> = [FalError.Kind.capacity.rawValue, FalError.Kind.network.rawValue]
        if failed.allSatisfy({ $0.errorCategory.map(temporary.contains) ?? false }) { return .temporary }
        if failed.allSatisfy({ $0.errorCategory == FalError.Kind.server.rawValue }) { return .unavailable }
        if failed.contains(where: { [FalError.Kind.auth.rawValue, FalError.Kind.billing.rawValue].contains($0.errorCategory ?? "") }) { return .notPermitted }
        return .refused
    }
}
