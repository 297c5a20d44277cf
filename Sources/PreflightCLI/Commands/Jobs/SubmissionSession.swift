import ArgumentParser
import FalClient
import Foundation
import PreflightCore
import ModelCatalog
import Submission

/// What submit, resume and retry share: the engine wired to this machine's key, endpoints,
/// journal and catalog; the progress lines; Ctrl-C; the final report and exit code.
enum SubmissionSession {
    static func engine(context: CatalogContext, fal: FalOptions, quiet: Bool) throws -> SubmissionEngine {
        guard let journal = context.journal else {
            Terminal.error("the journal cannot be opened at \(context.paths.database.path); submitting without it could lose a paid result")
            throw Exit.localState
        }
        do { try journal.verify() } catch { throw Terminal.report(error) }
        let client: FalClient
        do throws(FalError) { client = try fal.client() } catch {
            throw Terminal.report(error)
        }
        let progress = ProgressLines(enabled: !quiet, journal: journal)
        return SubmissionEngine(client: client, journal: journal, catalog: context.catalog, observe: progress.show)
    }

    static func carryOut(_ engine: SubmissionEngine, job: String, detach: Bool, quiet: Bool, resuming: Bool = false) async throws {
        try await carryOut(engine, jobs: [job], concurrency: 1, detach: detach, quiet: quiet, resuming: resuming)
    }

    /// Runs the jobs, `concurrency` at a time. One job: its own exit code; several: 0 when all
    /// succeeded, 2 when some did not.
    static func carryOut(_ engine: SubmissionEngine, jobs: [String], concurrency: Int, detach: Bool, quiet: Bool, resuming: Bool = false) async throws {
        // What to type to take it up again: the job, or every unfinished job.
        let resume = jobs.count == 1 ? "preflight resume \(jobs[0])" : "preflight resume"
        // Ctrl-C (or TERM/HUP) once: stop waiting (cancel at fal, or detach). Twice: exit now; every
        // step so far is already in the journal.
        let cancel = CancelSignal()
        let presses = PressCounter()
        SignalHub.shared.handle { sig in
            presses.last = sig
            if presses.increment() >= 2 { Terminal.err("stopped; `\(resume)` takes it up again"); exit(128 + sig) }
            // TERM or HUP (a scheduler's stop, a closed session) leaves the requests running, as --detach does.
            let leave = detach || sig == SIGTERM || sig == SIGHUP
            Terminal.err(leave ? "detaching: the requests keep running at fal; `\(resume)` fetches them (Ctrl-C again to quit now)"
                               : "cancelling the requests at fal (Ctrl-C again to quit now)")
            cancel.raise(leavingRunning: leave)
        }
        let results = await engine.run(jobs: jobs, concurrency: concurrency, cancel: cancel, resuming: resuming) { _, result in
            switch result {
            case .success(let outcome): report(outcome, quiet: quiet)
            case .failure(let error): Terminal.report(error)
            }
        }
        let codes = jobs.compactMap { results[$0] }.map { result -> Int32 in
            switch result {
            case .success(let outcome): Exit.code(for: outcome.category).rawValue
            case .failure(let error): Exit.code(for: error.category).rawValue
            }
        }
        // Stopped by a signal: 128 + its number (130 Ctrl-C, 143 TERM, 129 HUP), as shells expect.
        if presses.count > 0 { throw ExitCode(128 + presses.last) }
        if jobs.count == 1, let code = codes.first, code != 0 { throw ExitCode(code) }
        // Several jobs: an uncertain one or a journal problem first (neither is worth a blind rerun).
        for urgent in [Exit.uncertain, Exit.localState] where codes.contains(urgent.rawValue) { throw urgent }
        if jobs.count > 1, codes.contains(where: { $0 != 0 }) { throw codes.allSatisfy { $0 != 0 } ? Exit.doesNotComply : Exit.someItemsFailed }
    }

    static func report(_ outcome: JobOutcome, quiet: Bool) {
        // Every line names the clip: with -j many jobs end at once, and a model alone says nothing.
        let clip = Redactor.printable((outcome.job.source as NSString).lastPathComponent)
        for run in outcome.runs {
            let files = run.id.flatMap { outcome.outputs[$0] } ?? []
            let who = "\(clip) -> \(ModelName.short(run.model))"
            switch run.state {
            case .downloaded:
                for f in files { Terminal.out(f.path) }
                if !quiet { Terminal.err("\(who): done, \(files.count) file(s)" + (run.fallbackOf.map { " (fallback for \(ModelName.short($0)))" } ?? "")) }
            case .submitted:
                // Completed but its result not fetched (the answer cut off) says so; else it is still running.
                Terminal.err("\(who): " + (run.errorMessage.map(Redactor.printable)
                    ?? "still running at fal (request \(run.requestID ?? "?")); `preflight resume \(outcome.job.id)` fetches it"))
            default:
                Terminal.err(Terminal.red("\(who): \(run.state.rawValue): ") + (run.errorMessage ?? ""))
            }
        }
        if !quiet { Terminal.err("job \(outcome.job.id) (\(clip)): \(outcome.job.state.rawValue) (`preflight status \(outcome.job.id)`)") }
    }
}

/// Counts Ctrl-C presses across threads.
final class PressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    private var signal: Int32 = SIGINT
    /// The last signal received.
    var last: Int32 {
        get { lock.lock(); defer { lock.unlock() }; return signal }
        set { lock.lock(); signal = newValue; lock.unlock() }
    }
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// One line per step on stderr; queue positions and logs only when they change. Each line names
/// its clip and the model's short name, so interleaved lines of many jobs can be told apart.
final class ProgressLines: @unchecked Sendable {
    private let enabled: Bool
    private let journal: Journal
    private let lock = NSLock()
    private var last: [String: String] = [:]
    private var names: [String: String] = [:]
    init(enabled: Bool, journal: Journal) {
        self.enabled = enabled
        self.journal = journal
    }

    private func name(of job: String) -> String {
        if let known = names[job] { return known }
        let source = (try? journal.job(job))?.source ?? job
        let name = Redactor.printable((source as NSString).lastPathComponent)
        names[job] = name
        return name
    }

    func show(_ job: String, _ event: SubmissionEvent) {
        if case .alert(let model, let text) = event {
            lock.lock()
            let file = name(of: job)
            lock.unlock()
            Terminal.err(Terminal.red("\(file) -> \(ModelName.short(model)): ") + Redactor.printable(text))
            return
        }
        guard enabled else { return }
        let line: String
        let model: String
        switch event {
        case .note(let m, let text): model = m; line = text
        case .status(let m, let s):
            model = m
            var text = s.status.rawValue.lowercased().replacingOccurrences(of: "_", with: " ")
            if let p = s.queuePosition { text += " (position \(p))" }
            if let log = s.logs?.last?.message { text += ": \(Redactor.printable(String(log.prefix(120))))" }
            line = text
        case .retrying(let m, let attempt, let after, let reason):
            model = m; line = String(format: "attempt %d failed (%@); retrying in %.1f s", attempt, Redactor.printable(reason), after)
        case .finished, .alert:
            return // the final report says how each run ended, once
        }
        lock.lock()
        defer { lock.unlock() }
        let key = job + "\n" + model
        guard last[key] != line else { return }
        last[key] = line
        Terminal.err("\(name(of: job)) -> \(ModelName.short(model)): \(line)")
    }
}
