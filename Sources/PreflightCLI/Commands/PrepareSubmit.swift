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

    @OptionGroup var fal: FalOptions

    func validate() throws {
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

/// Sends a prepared batch and records each row's job in the manifest. The journal names each job
/// by what it sends, so running the same command again resumes the batch: finished jobs are
/// kept, unfinished ones followed, and nothing is paid for twice.
struct BatchSubmitter {
    var options: PrepareSubmitOptions
    var sheet: SubmitSheet?
    var specs: [ModelSpec]
    var destination: String
    var retryFailed: Bool
    var quiet: Bool
    let engine: SubmissionEngine
    let common: [String: JSONValue]

    /// Everything that can refuse the submission is asked before anything is prepared: the
    /// journal, the key, the payload (a missing prompt), not after hours of encoding.
    init(options: PrepareSubmitOptions, sheet: SubmitSheet?, context: CatalogContext, specs: [ModelSpec], source: String, destination: String,
         retryFailed: Bool, quiet: Bool) throws {
        self.options = options
        self.sheet = sheet
        self.specs = specs
        self.destination = destination
        self.retryFailed = retryFailed
        self.quiet = quiet
        do { common = try options.payloadInput.payload(for: specs.first) } catch let f as CLIFailure {
            throw Terminal.report(f)
        }
        var problems: [String] = []
        for spec in specs {
            let supplied = Set(spec.media.map(\.name)).union(sheet?.fields ?? [])
            problems += Checker().checkPayload(common, model: spec, supplying: supplied).filter { $0.severity == .error }.map(\.message)
        }
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

    /// Returns the exit code of the submissions: 0 all done, 75 the rest still at fal (or driven
    /// by another process), 2 some failed or uncertain, 128+n interrupted.
    func run(_ summary: PrepareSummary, manifest: URL, csv: URL?, policy: MediaPolicy) async throws -> ExitCode {
        // Until the engine takes the signals over, a signal means: send nothing.
        let caught = CaughtSignal()
        SignalHub.shared.handle { sig in caught.record(sig) }
        let ready = summary.rows.filter { ($0.status == .compliant || $0.status == .fixed) && $0.output != nil }
        var items: [BatchItem] = []
        for row in ready {
            guard let output = row.output, let hash = row.outputHash ?? row.fingerprint else { continue }
            var payload = common
            if let sheet {
                guard let values = sheet.rows[row.source] else { continue }
                for (key, raw) in values { payload[key] = PayloadInput.typed(raw, as: specs.first?.payload.field(key)?.type) }
            }
            items.append(BatchItem(name: row.source, file: destination + "/" + output, fileHash: hash, payload: payload))
        }
        if let sheet {
            let known = Set(summary.rows.map(\.source))
            let strangers = sheet.rows.keys.filter { !known.contains($0) }.sorted()
            if !strangers.isEmpty {
                Terminal.err("warning: the sheet lists \(strangers.count) file(s) not in SRC (not sent): "
                             + strangers.prefix(5).map(Redactor.printable).joined(separator: ", ") + (strangers.count > 5 ? ", ..." : ""))
            }
            let unlisted = ready.count - items.count
            if unlisted > 0 && !quiet { Terminal.err("\(unlisted) ready file(s) not in the sheet: not sent") }
        }
        guard !items.isEmpty else {
            Terminal.err("nothing to send: no file is ready" + (sheet == nil ? "" : " and listed in the sheet"))
            return Exit.success
        }

        let models = specs.map(\.id)
        let entries: [BatchEntry]
        // What DEST's manifest says an earlier run finished (with whichever journal it used).
        let recorded = Set(summary.rows.compactMap { row in row.submission.flatMap { $0.isDoneWithResults ? $0.sent : nil } })
        do {
            // The prepared files were made under this policy: submit judges them under it too, so
            // it finds nothing more to change.
            var settings = SubmitSettings()
            settings.policy = policy
            entries = try BatchJobs.plan(items, engine: engine, models: models, settings: settings,
                                         outRoot: URL(fileURLWithPath: options.results), retryFailed: retryFailed, doneElsewhere: recorded)
        } catch {
            throw Terminal.report(error)
        }
        if let sig = caught.number {
            Terminal.err("stopped before sending anything; run the same command again to send the batch")
            return ExitCode(128 + sig)
        }
        let toRun = entries.filter { $0.action == .submit || $0.action == .resume }
        let elsewhere = entries.filter { $0.action == .doneElsewhere }.count
        if !quiet {
            let fresh = entries.filter { $0.action == .submit }.count
            let kept = entries.filter { $0.action == .keep }.count
            Terminal.err("sending \(fresh) file(s) to \(models.joined(separator: " + "))"
                         + (toRun.count > fresh ? "; taking up \(toRun.count - fresh) unfinished from an earlier run" : "")
                         + (kept > 0 ? "; \(kept) finished earlier (kept)" : "")
                         + (elsewhere > 0 ? "; \(elsewhere) done by a run with another journal (DEST's manifest has their results on disk): not sent again" : ""))
        }
        var interrupted: ExitCode?
        if !toRun.isEmpty {
            do {
                try await SubmissionSession.carryOut(engine, jobs: toRun.compactMap(\.job?.id), concurrency: options.submitJobs, detach: false, quiet: quiet)
            } catch let code as ExitCode where code.rawValue > 128 {
                interrupted = code
            } catch is ExitCode {
                // Per-job failures were reported as they happened; the tally below decides the code.
            }
        }
        let (notes, uncertain) = try record(entries, engine: engine, manifest: manifest, csv: csv)
        let done = notes.values.filter { $0.state == JobState.done.rawValue }.count
        let kept = entries.count - toRun.count - elsewhere
        let unfinished = notes.values.filter { [JobState.open.rawValue, JobState.detached.rawValue].contains($0.state) }.count
        let failed = notes.count - done - unfinished
        var line = String(format: "submitted: %d of %d job(s) done", done + elsewhere, notes.count + elsewhere)
        if kept > 0 { line += " (\(kept) finished by an earlier run, not sent again)" }
        if elsewhere > 0 { line += " (\(elsewhere) recorded done in DEST's manifest by a run with another journal, not sent again)" }
        if unfinished - uncertain > 0 { line += "; \(unfinished - uncertain) still at fal: run the same command again (or `preflight resume`) to bring them home" }
        if uncertain > 0 { line += "; \(uncertain) uncertain (a submit whose answer was lost: `preflight status JOB`, then `preflight retry JOB --uncertain` only if fal has no such request)" }
        if failed > 0 { line += "; \(failed) failed: `preflight status JOB` says why, and --retry-failed sends them again (a new paid attempt)" }
        Terminal.out(line)
        if let interrupted { return interrupted }
        if done == notes.count { return Exit.success }
        // Uncertain first: fal may have billed a request nobody follows; no blind rerun settles it.
        if uncertain > 0 { return Exit.uncertain }
        // Nothing failed: the rest is still at fal or driven by another process, so later (the
        // same command, or `resume`) finishes it; as `submit --detach` says.
        return failed == 0 ? Exit.temporary : Exit.someItemsFailed
    }

    /// Each sent row's job, state and result files, written into the manifest (atomically).
    private func record(_ entries: [BatchEntry], engine: SubmissionEngine, manifest url: URL, csv: URL?) throws -> ([String: SubmissionNote], Int) {
        var notes: [String: SubmissionNote] = [:]
        var uncertain = 0
        for entry in entries {
            // Done elsewhere: the manifest's note stays as it is.
            guard let job = entry.job, let outcome = try? engine.outcome(job: job.id) else { continue }
            if outcome.runs.contains(where: { $0.state == .uncertain }) { uncertain += 1 }
            let files = outcome.outputs.values.flatMap { $0 }.map(\.path).sorted()
            notes[entry.item.name] = SubmissionNote(job: job.id, state: outcome.job.state.rawValue, results: files, sent: entry.key)
        }
        do { try Manifest.record(notes, at: url, csv: csv) } catch {
            Terminal.err("warning: the manifest could not record the jobs (\(Redactor.printable(error.description))); the journal has them: `preflight jobs`")
        }
        return (notes, uncertain)
    }
}
