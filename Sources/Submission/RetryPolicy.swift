import FalClient
import Foundation

/// What the engine retries, and how long it waits. The client only reports (`FalError.retryable`);
/// the decision lives here: retry what can succeed (capacity, front-door 5xx, the network,
/// 408/409/429, what fal marks retryable) with exponential backoff and jitter, bounded in attempts
/// and in total time; never an input rejection, the key, billing, moderation or the user's own
/// start deadline, and never a submit whose answer was lost (it may have been accepted).
public struct RetryPolicy: Sendable {
    public var maxAttempts = 5
    /// First wait, doubled each attempt, times a jitter in [0.75, 1.25] (the JS client's ±25 %).
    public var baseDelay = 1.0
    public var maxDelay = 30.0
    /// No new attempt starts after this many seconds of retrying.
    public var maxTotal = 600.0

    public init() {}

    public enum Decision: Sendable, Equatable {
        case retry(after: Double)
        case stop
    }

    public func decide(_ error: FalError, attempt: Int, elapsed: Double) -> Decision {
        guard error.retryable, !error.mayHaveBeenAccepted else { return .stop }
        let never: Set<FalError.Category> = [.inputRejected, .auth, .billing, .moderation, .userStartTimeout, .usage, .notFound]
        guard !never.contains(error.category), attempt < maxAttempts else { return .stop }
        let delay = min(maxDelay, baseDelay * pow(2, Double(attempt - 1))) * Double.random(in: 0.75...1.25)
        guard elapsed + delay <= maxTotal else { return .stop }
        return .retry(after: delay)
    }
}
