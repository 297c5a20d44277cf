import Foundation

/// Runs long blocking work (FFmpeg encodes) on its own thread, so the Swift concurrency pool is never
/// held, and awaits the result.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
