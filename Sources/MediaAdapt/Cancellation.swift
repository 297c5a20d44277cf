import Foundation

/// Set from another thread (a Ctrl-C handler) to stop a conversion between frames.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    public init() {}

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return set
    }

    public func cancel() {
        lock.lock()
        set = true
        lock.unlock()
    }
}

/// How far a conversion has come.
public struct FixProgress: Sendable {
    public var frames: Int
    public var totalFrames: Int?
    /// Seconds of output written.
    public var seconds: Double
    public var totalSeconds: Double?
}
