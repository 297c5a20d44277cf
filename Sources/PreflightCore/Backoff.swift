import Foundation

/// The one formula for waiting before trying again: `base` x 2^(attempt-1), capped at `maximum`,
/// times a random factor in `jitter` (so many clients do not retry in step). The engine's retries
/// (submits, result fetches, polls after a failure) and the uploader's (each storage step) use it
/// with their own numbers.
package struct Backoff: Sendable, Equatable {
    package var base: Double
    package var maximum: Double
    package var jitter: ClosedRange<Double>

    package init(base: Double, maximum: Double, jitter: ClosedRange<Double>) {
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Seconds to wait after failed attempt number `attempt` (1 for the first).
    package func delay(attempt: Int) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        return min(maximum, base * pow(2, exponent)) * Double.random(in: jitter)
    }
}
