import Foundation
import MediaAdapt

/// Ctrl-C, `kill` (SIGTERM) and a closed terminal (SIGHUP) all stop a conversion the same way: the
/// flag is raised, the conversion stops between frames and removes its partial file. The exit code
/// says which signal it was, as a shell reports a process killed by it: 128 + the signal number
/// (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
final class InterruptWatch: @unchecked Sendable {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    init(cancel: CancellationFlag) {
        for number in Self.signals {
            // Ignored first, so the default action (die at once, leaving the partial file) never runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.record(number)
                cancel.cancel()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal that stopped the run, if any.
    var caught: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// 128 + the signal's number; 130 (SIGINT) when cancelled some other way.
    var exitCode: Int32 { 128 + (caught ?? SIGINT) }

    /// Back to the default actions.
    func stop() {
        for source in sources { source.cancel() }
        for number in Self.signals { signal(number, SIG_DFL) }
    }

    private func record(_ number: Int32) {
        lock.lock()
        if received == nil { received = number }
        lock.unlock()
    }
}
