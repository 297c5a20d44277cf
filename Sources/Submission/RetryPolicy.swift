import FalClient
import Foundation
import PreflightCore

/// What the engine retries, and how long it waits: the one backoff formula (submits, result
/// fetches, status polls after a failure, uploads) and the bounds on every wait. The client only
/// reports (`FalError.retryable`); the decisions live here: retry what can succeed (capacity,
/// front-door 5xx, the network, 408/409/429, what fal marks retryable) with exponential backoff
/// and jitter, bounded in attempts and in total time; never an input rejection, the key, billing,
/// moderation or the user's own start deadline, and never a submit whose answer was lost (it may
/// have been accepted).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included; none starts after this many.
    public var maxAttempts = 5
    /// First wait, doubled each attempt, times a jitter in [0.75, 1.25] (the JS client's ±25 %).
    public var baseDelay = 1.0
    /// Longest wait between attempts, in seconds, before jitter.
    public var maxDelay = 30.0
    /// No new attempt starts after this many seconds of retrying.
    public var maxTotal = 600.0
    /// A paid request whose status cannot be read (errors, odd answers, an unreachable host) is
    /// followed this long after the last good answer, then left `submitted` for `resume`.
    public var followPatience = 600.0
    /// A completed request whose result cannot be fetched is tried again this long, then left
    /// `submitted` for `resume` (never submitted again).
    public var fetchPatience = 300.0
    /// Without --timeout, a request is followed at most this long (a queue that never moves, a
    /// stream of keep-alives that never says COMPLETED), then left running at fal for `resume`.
    public var maxWait = 3 * 3600.0
    /// While the status stream is quiet, the status is also polled this often, so a completion is
    /// noticed whatever a buffering proxy does to the stream.
    public var quietPoll = 2.0
    /// Bound on one output download's silence (no byte for this long: the transfer is stalled).
    public var stallTimeout = 30.0
    /// How long after a submit fal's request history may take to list it: an uncertain submit
    /// that the history does not list is known never to have been accepted only once this has
    /// passed (PREFLIGHT_HISTORY_LAG overrides it, in seconds).
    public var historyLag = 600.0

    /// The defaults, with `historyLag` from PREFLIGHT_HISTORY_LAG when it holds 0 to 86400 seconds.
    public init() {
        if let text = ProcessInfo.processInfo.environment["PREFLIGHT_HISTORY_LAG"], let lag = Double(text), lag.isFinite, lag >= 0, lag <= 86_400 {
            historyLag = lag
        }
    }

    /// Retry after a delay, or stop.
    public enum Decision: Sendable, Equatable {
        case retry(after: Double)
        case stop
    }

    /// The wait before attempt `attempt + 1` (the one `Backoff` formula, ±25 % jitter).
    public func delay(attempt: Int) -> Double {
        Backoff(base: baseDelay, maximum: maxDelay, jitter: 0.75...1.25).delay(attempt: attempt)
    }

    /// Whether to try `error` again after `attempt` tries and `elapsed` seconds, and after how long: never
    /// for a refusal, a billing or key problem, or a submit fal may have accepted; not past
    /// `maxAttempts`, nor when the wait would go past `maxTotal`.
    public func decide(_ error: FalError, attempt: Int, elapsed: Double) -> Decision {
        guard error.retryable, !error.mayHaveBeenAccepted else { return .stop }
        let never: Set<FalError.Kind> = [.inputRejected, .auth, .billing, .moderation, .userStartTimeout, .usage, .notFound]
        guard !never.contains(error.kind), attempt < maxAttempts else { return .stop }
        let delay = delay(attempt: attempt)
        guard elapsed + delay <= maxTotal else { return .stop }
        return .retry(after: delay)
    }
}
