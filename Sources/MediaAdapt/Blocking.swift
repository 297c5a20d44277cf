import Foundation
import PreflightCore

/// Runs long blocking work (FFmpeg encodes) on the CPU pool, so the Swift concurrency pool is never
/// held and no more encodes run at once than the pool's width, and awaits the result.
package enum Blocking {
    package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await WorkerPool.cpu.run(work)
    }
}
