import Foundation
import PreflightCore

/// The result of probing one file of a run.
public struct ProbeOutcome: Sendable {
    /// Position of the file in the run's input order.
    public var position: Int
    /// The file's path, as given.
    public var path: String
    /// What the probe learned, or why it failed.
    public var result: Result<MediaInfo, ProbeError>
}

/// Probes many files concurrently on the CPU pool (FFmpeg's calls block; they must not hold the
/// Swift concurrency pool) and hands back each outcome as soon as it is ready.
public struct ProbeRunner: Sendable {
    /// Files probed at once (at least 1); by default one per processor.
    public var width: Int
    /// How deep each file is read (headers, packets, decoded frames).
    public var options: ProbeOptions

    /// A runner probing `width` files at once with `options`.
    public init(width: Int = ProcessInfo.processInfo.activeProcessorCount, options: ProbeOptions = ProbeOptions()) {
        self.width = max(1, width)
        self.options = options
    }

    /// Outcomes in completion order; the stream ends when every file is done.
    public func outcomes(for paths: [String]) -> AsyncStream<ProbeOutcome> {
        let (stream, continuation) = AsyncStream.makeStream(of: ProbeOutcome.self, bufferingPolicy: .unbounded)
        let queue = WorkQueue(count: paths.count)
        let options = self.options
        let workers = min(width, max(paths.count, 1))
        let finished = Countdown(workers) { continuation.finish() }
        for _ in 0..<workers {
            // The pool's threads have 8 MiB stacks: FFmpeg's probing recurses through demuxers and parsers.
            WorkerPool.cpu.submit {
                while let i = queue.next() {
                    let result: Result<MediaInfo, ProbeError>
                    result = Result { () throws(ProbeError) in try Prober.probe(paths[i], options: options) }
                    continuation.yield(ProbeOutcome(position: i, path: paths[i], result: result))
                }
                finished.signal()
            }
        }
        return stream
    }

    /// Every outcome, in input order.
    public func probeAll(_ paths: [String]) async -> [ProbeOutcome] {
        var outcomes: [ProbeOutcome] = []
        outcomes.reserveCapacity(paths.count)
        for await outcome in self.outcomes(for: paths) { outcomes.append(outcome) }
        return outcomes.sorted { $0.position < $1.position }
    }
}

/// Hands out indices 0..<count once each, to any thread.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        defer { nextIndex += 1 }
        return nextIndex
    }
}

/// Runs `done` once, when `signal()` has been called `count` times.
private final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    private let done: @Sendable () -> Void

    init(_ count: Int, done: @escaping @Sendable () -> Void) {
        self.remaining = count
        self.done = done
        if count == 0 { done() }
    }

    func signal() {
        lock.lock()
        remaining -= 1
        let last = remaining == 0
        lock.unlock()
        if last { done() }
    }
}
