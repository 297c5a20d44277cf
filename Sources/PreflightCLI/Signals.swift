import Foundation
import MediaAdapt

/// The one owner of SIGINT, SIGTERM and SIGHUP in the process. The signals are ignored (so the
/// default action, dying at once with partial files, never runs) and watched by dispatch sources
/// made once and never cancelled; each phase of a command says what a signal does now by
/// replacing the handler. (Cancelling a command's sources and making new ones for the next phase,
/// as `prepare --submit` once did, left the second phase deaf to Ctrl-C.)
final class SignalHub: @unchecked Sendable {
    static let shared = SignalHub()
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let lock = NSLock()
    private var handler: (@Sendable (Int32) -> Void)?
    private var sources: [DispatchSourceSignal] = []

    /// From now on a signal calls `handler` (nil: exit at once with 128 + its number, as the
    /// default action would, minus the partial files: nothing is being written then).
    func handle(_ handler: (@Sendable (Int32) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        self.handler = handler
        guard sources.isEmpty else { return }
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func deliver(_ number: Int32) {
        lock.lock()
        let current = handler
        lock.unlock()
        if let current { current(number) } else { exit(128 + number) }
    }
}

/// Ctrl-C, `kill` (SIGTERM) and a closed terminal (SIGHUP) all stop a conversion the same way: the
/// flag is raised, the conversion stops between frames and removes its partial file. The exit code
/// says which signal it was, as a shell reports a process killed by it: 128 + the signal number
/// (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
final class InterruptWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?

    init(cancel: CancellationFlag) {
        SignalHub.shared.handle { [weak self] number in
            self?.record(number)
            cancel.cancel()
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

    /// Back to the default: a signal ends the process.
    func stop() { SignalHub.shared.handle(nil) }

    private func record(_ number: Int32) {
        lock.lock()
        if received == nil { received = number }
        lock.unlock()
    }
}

/// The first signal a phase received, for its exit code.
final class CaughtSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    func record(_ number: Int32) {
        lock.lock()
        if first == nil { first = number }
        lock.unlock()
    }
    var number: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }
}
