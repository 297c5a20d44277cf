import Foundation

/// A fixed set of threads for one kind of blocking work (FFmpeg encodes and probes, libcurl
/// transfers), so the Swift concurrency pool is never held by a blocking call and no call spawns a
/// thread of its own. The width bounds how many run at once; more wait their turn in order.
package final class WorkerPool: @unchecked Sendable {
    package let name: String
    private let stackSize: Int
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var limit: Int

    package init(name: String, width: Int, stackSize: Int = 8 << 20) {
        self.name = name
        self.limit = max(1, width)
        self.stackSize = stackSize
    }

    /// CPU work: decoding, encoding, probing, hashing. As wide as the machine by default.
    package static let cpu = WorkerPool(name: "preflight.cpu", width: ProcessInfo.processInfo.activeProcessorCount)
    /// Network transfers: uploads, API calls, downloads.
    package static let transfers = WorkerPool(name: "preflight.transfers", width: 32, stackSize: 1 << 20)
    /// Status streams: each holds its thread while a request waits (minutes), so they get a pool of
    /// their own and never starve the transfers.
    package static let streams = WorkerPool(name: "preflight.streams", width: 256, stackSize: 512 << 10)

    /// How many jobs run at once (`-j`, `--max-transfers`); threads already started stay.
    package var width: Int {
        get { condition.lock(); defer { condition.unlock() }; return limit }
        set { condition.lock(); limit = max(1, newValue); condition.unlock() }
    }

    /// Runs `work` on one of the pool's threads and awaits its result.
    package func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: work()) }
        }
    }

    /// Queues `job` without waiting for it.
    package func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if idle == 0 && threads < limit {
            threads += 1
            let thread = Thread { [self] in loop() }
            thread.stackSize = stackSize
            thread.name = "\(name).\(threads)"
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func busy() -> Int { threads - idle }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count || busy() > limit {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count { jobs.removeFirst(head); head = 0 }
            condition.unlock()
            job()
        }
    }
}
