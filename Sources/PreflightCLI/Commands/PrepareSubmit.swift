import ArgumentParser
import Batch
import FalClient
import Foundation
import MediaAdapt
import ModelCatalog
import Submission

/// `prepare --submit`: what to send with each prepared file, and where results go.
struct PrepareSubmitOptions: ParsableArguments {
    @Flag(name: .customLong("submit"), help: "Then send every ready file (compliant or fixed) to the models through the submission engine; one or two --model.")
    var enabled = false

    @OptionGroup var payloadInput: PayloadInput

    @Option(name: .customLong("per-file"), help: ArgumentHelp(
        "A CSV of per-file payload values: a `source` column (the path relative to SRC, as in the manifest) and one column per field; only the files it lists are sent.",
        valueName: "sheet.csv"), completion: .file(extensions: ["csv"]))
    var perFile: String?

    @Option(name: .customLong("results"), help: ArgumentHelp("Where results go with --submit; each job gets its own folder.", valueName: "dir"))
    var results: String = "preflight-out"

    @Option(name: .customLong("submit-jobs"), help: ArgumentHelp("Jobs at fal at once with --submit.", valueName: "n"))
    var submitJobs: Int = 8

    @Option(name: .customLong("max-cost"), help: ArgumentHelp(
        "A budget for the whole batch (USD): files are sent in order while the estimate of everything the batch has sent stays within it; the rest stay ready, not sent (a re-run with a larger budget sends them).",
        valueName: "usd"))
    var maxCost: Money?

    @Flag(name: .customLong("allow-unpriced"), help: "With --max-cost: send files to a model whose price is unknown (its cost cannot be bounded); without it, they are held back.")
    var allowUnpriced = false

    @OptionGroup var fal: FalOptions

    func validate() throws {
        if !enabled && (maxCost != nil || allowUnpriced) { throw ValidationError("--max-cost and --allow-unpriced are for --submit.") }
        if !enabled && (payloadInput.given || perFile != nil) {
            throw ValidationError("--set, --input and --per-file say what to send: add --submit.")
        }
        if !(1...256).contains(submitJobs) { throw ValidationError("--submit-jobs takes 1 to 256.") }
        var isFolder: ObjCBool = false
        if enabled, FileManager.default.fileExists(atPath: results, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("--results \(results) is a file; name a folder (it is made if missing).")
        }
    }

    /// Read before anything is prepared: a bad sheet is a usage mistake, found in a second, not
    /// after an hour of encoding.
    func sheet() throws -> SubmitSheet? {
        guard enabled, let perFile else { return nil }
        do { return try SubmitSheet.load(perFile) } catch {
            Terminal.error(Redactor.printable(error.description))
            throw Exit.usage
        }
    }
}

/// Wires `prepare --submit` to the library's submit stage (`Batch.PrepareSubmission`) and renders
/// what it did: the checks that must pass before anything is prepared, the engine with this
/// machine's key and journal, the signals, the summary line and the exit code.
struct BatchSubmitter {
    let stage: PrepareSubmission
    let destination: String
    let quiet: Bool
    let engine: SubmissionEngine

    /// Everything that can refuse the submission is asked before anything is prepared: the
    /// journal, the key, the payload (a missing prompt), not after hours of encoding.
    init(options: PrepareSubmitOptions, sheet: SubmitSheet?, context: CatalogContext, specs: [ModelSpec], source: String, destination: String,
         policy: MediaPolicy, retryFailed: Bool, quiet: Bool) throws {
        self.destination = destination
        self.quiet = quiet
        let common: [String: JSONValue]
        do { common = try options.payloadInput.payload(for: specs.first) } catch let f as CLIFailure { throw Terminal.report(f) }
        stage = PrepareSubmission(models: specs, payload: common, sheet: sheet, results: URL(fileURLWithPath: options.results), policy: policy,
                                  retryFailed: retryFailed, concurrency: options.submitJobs,
                                  budget: options.maxCost.map { BatchBudget(limit: $0.value, allowUnpriced: options.allowUnpriced) })
        let problems = stage.payloadProblems()
        if !problems.isEmpty {
            for p in problems { Terminal.error(p) }
            Terminal.err("nothing prepared or sent: give the payload with --set key=value, --input payload.json or --per-file sheet.csv")
            throw Exit.doesNotComply
        }
        // Results walked as sources would be prepared and sent again on every run.
        let resolved = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        if resolved(options.results) == resolved(source) {
            Terminal.error("--results \(Redactor.printable(options.results)) is the source folder; results would be prepared and sent as sources on the next run")
            throw Exit.usage
        }
        engine = try SubmissionSession.engine(context: context, fal: options.fal, quiet: quiet)
    }

    /// Sends the ready files and returns the exit code of the submissions: 0 all done, 3 some
    /// uncertain, 2 some failed, 75 the rest still at fal (or driven by another process), 128+n
    /// interrupted.
    func run(_ summary: PrepareSummary, manifest: URL, csv: URL?) async throws -> ExitCode {
        // A signal before anything is sent: nothing is sent. While jobs run: Ctrl-C cancels them at
        // fal (as `submit` does); TERM or HUP (a scheduler preempting the shard, a closed session)
        // leaves them running, and the same command again takes them up: work fal may already bill
        // is never thrown away by a stop the user did not type. A second signal: quit now (the
        // journal is whole).
        let cancel = CancelSignal()
        let presses = PressCounter()
        SignalHub.shared.handle { sig in
            presses.last = sig
            if presses.increment() >= 2 { Terminal.err("stopped; run the same command again to take the batch up"); exit(128 + sig) }
            let leave = sig == SIGTERM || sig == SIGHUP
            Terminal.err(leave ? "stopping: the requests keep running at fal; the same command again takes them up"
                               : "cancelling the requests at fal (Ctrl-C again to quit now)")
            cancel.raise(leavingRunning: leave)
        }
        let sent: PrepareSubmission.Summary
        do {
            sent = try await stage.run(summary, destination: destination, engine: engine, manifest: manifest, csv: csv, cancel: cancel,
                                       sending: { planned in
                                           if !quiet { Terminal.err(Self.plannedLine(planned, models: stage.models.map(\.id))) }
                                           return !cancel.isRaised
                                       }, finished: { _, result in
                                           switch result {
                                           case .success(let outcome): SubmissionSession.report(outcome, quiet: quiet)
                                           case .failure(let error): Terminal.report(error)
                                           }
                                       })
        } catch {
            throw Terminal.report(error)
        }
        if !sent.strangers.isEmpty {
            Terminal.err("warning: the sheet lists \(sent.strangers.count) file(s) not in SRC (not sent): "
                         + sent.strangers.prefix(5).map(Redactor.printable).joined(separator: ", ") + (sent.strangers.count > 5 ? ", ..." : ""))
        }
        if sent.unlisted > 0 && !quiet { Terminal.err("\(sent.unlisted) ready file(s) not in the sheet: not sent") }
        guard sent.items > 0 else {
            Terminal.err("nothing to send: no file is ready" + (stage.sheet == nil ? "" : " and listed in the sheet"))
            return Exit.success
        }
        if sent.stoppedBeforeSending {
            Terminal.err("stopped before sending anything; run the same command again to send the batch")
            return ExitCode(128 + presses.last)
        }
        if let problem = sent.manifestProblem {
            Terminal.err("warning: the manifest could not record the jobs (\(Redactor.printable(problem))); the journal has them: `preflight jobs`")
        }
        Terminal.out(Self.line(sent))
        if presses.count > 0 { return ExitCode(128 + presses.last) }
        return Exit.code(for: sent.category)
    }

    static func plannedLine(_ s: PrepareSubmission.Summary, models: [String]) -> String {
        "sending \(s.fresh) file(s) to \(models.joined(separator: " + "))"
            + (s.freshForOneModel > 0 ? " (\(s.freshForOneModel) of them each to one model: its own file)" : "")
            + (s.resumed > 0 ? "; taking up \(s.resumed) unfinished from an earlier run" : "")
            + (s.kept > 0 ? "; \(s.kept) finished earlier (kept)" : "")
            + (s.doneElsewhere > 0 ? "; \(s.doneElsewhere) done by a run with another journal (DEST's manifest has their results on disk): not sent again" : "")
            + (s.fresh > 0 ? "; estimated \(CostSheet.money(s.sendingCost)) (the batch: \(CostSheet.money(s.batchCost)))" : "")
            + (s.held.isEmpty ? "" : "; \(s.held.count) held back (\(Self.heldReasons(s.held)))")
    }

    /// The reasons files were held back, each once ("budget", "no price for M").
    static func heldReasons(_ held: [String: String]) -> String {
        Set(held.values.map { $0.replacingOccurrences(of: "ready, not sent: ", with: "").components(separatedBy: " (").first ?? $0 })
            .sorted().joined(separator: "; ")
    }

    static func line(_ s: PrepareSubmission.Summary) -> String {
        let total = s.done + s.unfinished + s.uncertain + s.failed
        var line = "submitted: \(s.done) of \(total) job(s) done"
        if s.kept > 0 { line += " (\(s.kept) finished by an earlier run, not sent again)" }
        if s.doneElsewhere > 0 { line += " (\(s.doneElsewhere) recorded done in DEST's manifest by a run with another journal, not sent again)" }
        if s.unfinished > 0 { line += "; \(s.unfinished) still at fal: run the same command again (or `preflight resume`) to bring them home" }
        if s.uncertain > 0 { line += "; \(s.uncertain) uncertain (a submit whose answer was lost: `preflight status JOB`, then `preflight retry JOB --uncertain` only if fal has no such request)" }
        if s.failed > 0 { line += "; \(s.failed) failed: `preflight status JOB` says why, and --retry-failed sends them again (a new paid attempt)" }
        if !s.held.isEmpty {
            let unpriced = s.held.values.contains { $0.contains("no price") || $0.contains("no estimate") }
            let budget = s.held.values.contains { $0.contains(": budget") }
            line += "\nready, not sent: \(s.held.count) file(s) (\(heldReasons(s.held))); the manifest names each (`notSent`); the same command "
                + [budget ? "with a larger --max-cost" : nil, unpriced ? "with --allow-unpriced (models without a price)" : nil].compactMap { $0 }.joined(separator: " or ")
                + " sends only those"
        }
        return line
    }
}
