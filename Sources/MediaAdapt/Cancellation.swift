import Foundation

/// Set from another thread (a Ctrl-C handler) to stop a conversion between frames.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    /// A flag not yet set.
    public init() {}

    /// Whether `cancel()` was called; a conversion checks it between frames.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }

    /// Asks the conversion to stop at the next frame (it removes its partial output).
    public func cancel() {
        lock.lock()
        set = true
        lock.unlock()
    }
}

/// How far a conversion has come.
public struct FixProgress: Sendable {
    /// Frames written so far.
    public var frames: Int
    /// Frames the output will have, when known.
    public var totalFrames: Int?
    /// Seconds of output written.
    public var seconds: Double
    /// Seconds the output will run, when known.
    public var totalSeconds: Double?
}
