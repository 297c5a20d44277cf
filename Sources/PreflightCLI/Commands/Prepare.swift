import ArgumentParser
import Batch
import Foundation
import MediaAdapt
import ModelCatalog
import PreflightCore

struct Prepare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a whole folder of footage ready for one or more models, resumably.",
        discussion: """
        Walks SRC recursively (media recognised by content, not by name; hidden files, partial \
        downloads (.part, .crdownload, .partial...) and the output folder skipped; symlink loops \
        survived), probes and checks every file against every --model, and mirrors SRC's tree into \
        --out: compliant files copied (a copy-on-write clone where the filesystem offers one, or \
        --link symlink|hard), the others fixed with the cheapest change and verified (probed and \
        checked again), unfixable ones listed with the reason. Sources are never modified; every \
        output is written under a temporary name and renamed when complete.

        OUT/preflight-manifest.json (and preflight-manifest.csv with --csv) has one row per source \
        file: its path, SHA-256, probe summary, verdict per model, the plan applied, the output \
        and its SHA-256, timings and any error. It is rewritten atomically as files finish.

        Running it again does only what is left: a file whose bytes, settings and tool version are \
        unchanged and whose output is still the one recorded is skipped; a changed file is redone \
        alone. Ctrl-C or SIGTERM stops cleanly (no partial outputs; the manifest matches OUT); after \
        a crash or SIGKILL the next run removes the leftovers and finishes the rest.

        --submit then sends every ready file to the models (one or two) through the submission \
        engine, with --set/--input for all or --per-file sheet.csv (a `source` column and one column \
        per field). Jobs are named in the journal by what they send, so running the same command \
        again keeps finished jobs, takes up unfinished ones, and never pays twice; each manifest row \
        records its job. Failed generations are sent again only with --retry-failed.

        --health decodes the frames before anything is planned: full (every frame), sample (a few \
        seconds at the start, the quarters and the end; clips up to 12 s whole) or off. A file whose \
        frames do not decode cannot be fixed (it is listed, FFmpeg's words and the times in the \
        manifest's health field and the report); a cut-short file is converted up to its last whole \
        frame. The default is sample, and full with --submit: a paid upload of a file whose middle \
        does not decode is what preflight exists to prevent. Asking for more on a later run decodes \
        the earlier files again without converting them again.

        --report FILE.html writes one self-contained page (no network, no server: pictures are \
        embedded) from the manifest at the end of the run, so a resumed run's page covers every \
        file: a row per file with a picture before and after (decoded by FFmpeg, a third into a \
        clip), what each model found wrong, what was changed, and filters (click a count; \
        FILE.html#needs-attention opens filtered). The path is checked before the run starts; it \
        may not be inside SRC unless it is inside --out. It is written when preparing ends, and \
        again once --submit's jobs end (each row then shows what came back). Run again with another --report to make only a new page: nothing \
        else is redone.

        --shard K/N does a deterministic share of the files (`preflight manifest merge` joins the \
        shards' manifests); --shard auto takes K and N from a Slurm job array (SLURM_ARRAY_TASK_ID, \
        _COUNT, _MIN), --shard auto/N takes K from a Kubernetes indexed Job (JOB_COMPLETION_INDEX) or \
        an AWS Batch array (AWS_BATCH_JOB_ARRAY_INDEX); anything that does not map to one K of N is \
        refused (64). A runner may retry 69, 75 and 129, 130, 143 (the run resumes where it stopped), \
        and should not retry 0, 1, 2 (the shard ran to its end: the manifest lists what needs a \
        person), 3, 64, 66, 74 or 77.

        Exit codes: 0 every media file is compliant or fixed; 1 some cannot be fixed (none failed); \
        2 some failed (corrupt, unreadable, conversion failed; with --submit also a job that failed or \
        is uncertain); 75 with --submit, every file ready and the jobs not failed but still at fal \
        (or driven by another process): run the same command again later; \
        64 usage (or the report cannot be written: the outputs and the manifest are complete all \
        the same); 66 SRC missing; \
        130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP (run again to finish).
        """
    )

    @Argument(help: "The folder of source media.", completion: .directory)
    var source: String

    @Option(name: .customLong("model"), help: ArgumentHelp("A model endpoint id; repeat for several (one file for all when one can serve them, else a file for each model that can take the clip).", valueName: "id"), completion: ModelCompletion.kind)
    var models: [String] = []

    @Option(name: .customLong("out"), help: ArgumentHelp("The output folder (created when missing).", valueName: "folder"))
    var output: String

    @Option(name: .short, parsing: .unconditional,
            help: ArgumentHelp("Probes, hashes and copies at once, 1 to \(Count.limit).", valueName: "n"))
    var jobs: Count = .processors

    @Option(help: "Re-encodes at once (default: half the cores, at most one per GiB of memory).")
    var encodes: Int?

    @Option(help: "Compliant files as: copy (a clone where possible), symlink, or hard (editing a hard link edits the source).")
    var link: String = "copy"

    @Flag(help: "Also write OUT/preflight-manifest.csv.")
    var csv = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML page: a row per file with pictures before and after, violations, changes and verdicts.", valueName: "file.html"), completion: .file(extensions: ["html"]))
    var report: String?

    @Flag(name: .customLong("retry-failed"), help: "Try files that failed before again, even when unchanged.")
    var retryFailed = false

    @Option(help: ArgumentHelp("Decode the frames first: full, sample (a few seconds at several points) or off (default: sample; full with --submit).", valueName: "full|sample|off"))
    var health: HealthMode?

    @OptionGroup(title: "How the media is made ready (the same on fix, submit and prepare)") var media: MediaPolicyOptions

    @Option(help: ArgumentHelp("Only a deterministic share of the files (by a hash of the path), for running N shards at once; `preflight manifest merge` joins their manifests. `auto` takes K and N from a Slurm job array; `auto/N` takes K from a Kubernetes indexed Job or an AWS Batch array.", valueName: "K/N|auto|auto/N"))
    var shard: String?

    @Flag(name: .shortAndLong, help: "No progress line and no per-file lines: the summary only.")
    var quiet = false

    @OptionGroup(title: "Sending the prepared files") var submission: PrepareSubmitOptions

    func validate() throws {
        if models.isEmpty { throw ValidationError("Name at least one model: --model fal-ai/kling-video/o1/video-to-video/edit.") }
        if submission.enabled && models.count > 2 { throw ValidationError("--submit sends to one or two --model (a dual run each).") }
        if let encodes, encodes < 1 { throw ValidationError("--encodes must be at least 1.") }
        guard LinkMode(rawValue: link) != nil else { throw ValidationError("--link takes copy, symlink or hard.") }
        if let report, report.isEmpty { throw ValidationError("--report takes a file name, e.g. --report report.html.") }
        if let shard {
            do { _ = try Shard.resolve(shard, environment: ProcessInfo.processInfo.environment) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        let context = try await CatalogContext.load(using: models, falURL: submission.fal.falURL)
        let specs = try models.map(context.model)
        let sheet = try submission.sheet()
        let submitter = submission.enabled
            ? try BatchSubmitter(options: submission, sheet: sheet, context: context, specs: specs, source: source, destination: output,
                                 policy: media.policy, retryFailed: retryFailed, quiet: quiet)
            : nil
        WorkerPool.cpu.width = jobs.value
        // Checked in validate(); resolved again here only to keep the result (the environment is the same).
        let sharding = try shard.map { text throws(BatchError) in try Shard.resolve(text, environment: ProcessInfo.processInfo.environment) }
        if let sharding, let origin = sharding.origin, !quiet { Terminal.err("shard \(sharding.shard) from \(origin)") }
        var options = PrepareOptions(source: source, output: output, models: specs, policy: media.policy, link: LinkMode(rawValue: link) ?? .copy,
                                     width: jobs.value, encodeWidth: encodes, csv: csv, retryFailed: retryFailed, tool: "preflight \(Preflight.version)",
                                     shard: sharding?.shard)
        if submission.enabled { options.skip = [submission.results] }
        options.health = (health ?? (submission.enabled ? .full : .sample)).scope

        if let report {
            do { try PrepareReport.checkDestination(report, source: source, output: output) } catch {
                Terminal.error(Printable.escape(error.description))
                throw Exit.usage
            }
        }

        let cancel = CancellationFlag()
        let caught = CaughtSignal()
        SignalHub.shared.handle { sig in
            caught.record(sig)
            if !cancel.isCancelled { Terminal.err("stopping: finishing the manifest; run the same command again to finish the rest") }
            cancel.cancel()
        }

        let progress = PrepareProgress(enabled: !quiet && Terminal.stderrIsTTY)
        let run = PrepareRun(options: options, cancel: cancel) { progress.handle($0) }
        let summary: PrepareSummary
        do {
            summary = try await run.run()
        } catch {
            progress.finish()
            throw Terminal.report(error)
        }
        progress.finish()
        Terminal.out(PrepareRenderer.summary(summary, manifest: run.manifestURL.path, verbose: !quiet))
        // Stopped by a signal: 128 + its number (130 Ctrl-C, 143 TERM, 129 HUP), as shells expect.
        let prepared = summary.interrupted ? ExitCode(128 + (caught.number ?? SIGINT)) : Self.exitCode(summary)
        // The page shows the preparation, so it is written before --submit sends anything (and
        // while Ctrl-C still stops it): a person can look at it while the jobs run.
        if let report {
            try await writeReport(report, summary: summary, manifest: run.manifestURL, models: specs, cancel: cancel)
        }
        guard submission.enabled, !summary.interrupted else { throw prepared }
        // Ctrl-C after the last file but before anything is sent: nothing is sent.
        if cancel.isCancelled { throw ExitCode(128 + (caught.number ?? SIGINT)) }
        // The submission engine answers Ctrl-C its own way (cancel at fal, twice: quit now); the
        // submitter takes the signals over before it journals or sends anything.
        guard let submitter else { throw prepared }
        let sent = try await submitter.run(summary, manifest: run.manifestURL, csv: options.csv ? run.csvURL : nil)
        // The page again, now with what came back: each row's job, results and their first picture.
        if let report, sent.rawValue < 128 {
            try await writeReport(report, summary: summary, manifest: run.manifestURL, models: specs, cancel: cancel,
                                  results: submission.results)
        }
        // The worse of the two: an interruption, then some failed (2), then some unfixable (1).
        if sent.rawValue > 128 { throw sent }
        // Uncertain first: fal may have billed a request nobody follows, and no rerun settles it.
        if sent == Exit.uncertain { throw Exit.uncertain }
        if [prepared, sent].contains(Exit.someItemsFailed) { throw Exit.someItemsFailed }
        // Ready files the budget held back: not everything asked for was sent (1, as a refusal).
        if prepared == Exit.success && sent == Exit.doesNotComply { throw Exit.doesNotComply }
        throw prepared == Exit.success && sent == Exit.temporary ? Exit.temporary : prepared
    }

    /// The page, from the manifest as it is on disk (this run's rows and the earlier runs' alike).
    private func writeReport(_ path: String, summary: PrepareSummary, manifest url: URL, models: [ModelSpec], cancel: CancellationFlag,
                             results: String? = nil) async throws {
        if summary.interrupted {
            Terminal.err("report: not written (the run was interrupted; run the same command again to finish and write it)")
            return
        }
        let progress = ReportProgress(enabled: !quiet && Terminal.stderrIsTTY)
        do throws(BatchError) {
            guard let manifest = try Manifest.load(url) else { throw BatchError(.report, "\(url.path) is missing") }
            var page = PrepareReport(manifest: manifest, sourceFolder: URL(fileURLWithPath: source).standardizedFileURL.path,
                                     outputFolder: URL(fileURLWithPath: output).standardizedFileURL.path,
                                     modelNames: Dictionary(models.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }), width: jobs.value)
            page.progress = { done, total in progress.show(done, total) }
            page.resultsFolder = results
            let written = try await page.write(to: path, cancel: cancel)
            progress.finish()
            let missing = written.placeholders > 0 ? ", \(written.placeholders) could not be made" : ""
            Terminal.out("report: \(Printable.escape(path)) (\(written.pictures) pictures\(missing), " + String(format: "%.1f s)", written.seconds))
        } catch {
            progress.finish()
            if cancel.isCancelled { throw ExitCode(130) }
            Terminal.error(Printable.escape(error.description) + ". The outputs and the manifest are complete; run the same command with another --report to write only the page.")
            throw Exit.usage
        }
    }

    static func exitCode(_ summary: PrepareSummary) -> ExitCode {
        if summary.interrupted { return ExitCode(130) }
        if summary.count(.failed) > 0 { return Exit.someItemsFailed }
        // A model that refused a clip (the other model took it) is a verdict like any refusal.
        if summary.count(.unfixable) > 0 || summary.count(.partial) > 0 { return Exit.doesNotComply }
        return Exit.success
    }
}

/// One line on stderr while a run goes: files done of total, what is running, time left.
final class PrepareProgress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private let started = Date()
    private var total = 0, done = 0, reused = 0
    private var totalBytes: Int64 = 0, doneBytes: Int64 = 0
    private var running: [String: String] = [:]
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func handle(_ event: PrepareEvent) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .scanned(let total, let reused, let bytes):
            self.total = total
            self.reused = reused
            self.totalBytes = bytes
        case .started(let path, let what):
            running[path] = what
        case .finished(let row):
            running[row.source] = nil
            done += 1
            doneBytes &+= max(0, row.sourceStamp?.size ?? 0)
        }
        guard Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(started)
        let worked = done - reused
        var line = total > 0 ? "  \(done)/\(total) files" : "  scanning and probing"
        if totalBytes > 0 { line += ", " + Self.size(doneBytes) + " of " + Self.size(totalBytes) }
        if worked > 0, total > done {
            let eta = elapsed / Double(worked) * Double(total - done)
            if eta.isFinite { line += String(format: ", ETA %.0f s", eta) }
        }
        let busy = running.sorted { $0.key < $1.key }.prefix(3).map { "\($0.value) \($0.key)" }
        if !busy.isEmpty { line += " | " + busy.joined(separator: ", ") + (running.count > 3 ? " +\(running.count - 3)" : "") }
        if line.count > 150 { line = String(line.prefix(149)) + "…" }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    /// Decimal units, as file managers show sizes.
    static func size(_ bytes: Int64) -> String {
        let b = Double(bytes)
        if b >= 1e9 { return String(format: "%.1f GB", b / 1e9) }
        if b >= 1e6 { return String(format: "%.1f MB", b / 1e6) }
        return String(format: "%.0f kB", b / 1e3)
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// "report: 120/5000 rows" on stderr while the page's pictures are made.
final class ReportProgress: @unchecked Sendable {
    private let enabled: Bool
    init(enabled: Bool) { self.enabled = enabled }
    func show(_ done: Int, _ total: Int) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r  report: \(done)/\(total) rows\u{1B}[K".utf8))
    }
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

enum PrepareRenderer {
    static func summary(_ s: PrepareSummary, manifest: String, verbose: Bool) -> String {
        var lines: [String] = []
        if verbose {
            for row in s.rows where row.needsAttention {
                let refusals = (row.perModel ?? []).filter { $0.error != nil }.map { "\(ModelName.short($0.model)): \($0.error ?? "")" }
                lines.append("\(row.status.rawValue): \(row.source): " + (refusals.isEmpty ? row.error ?? "" : refusals.joined(separator: "; ")))
            }
            if !lines.isEmpty { lines.append("") }
        }
        var table = Table("result", "files")
        let statuses: [(RowStatus, String)] = [(.compliant, "compliant (copied)"), (.fixed, "fixed and verified"),
                                               (.partial, "ready for some models only"), (.unfixable, "cannot be fixed"),
                                               (.failed, "failed"), (.notMedia, "not media (passed over)"), (.pending, "not done (interrupted)")]
        for (status, label) in statuses {
            let n = s.count(status)
            if n > 0 || [.compliant, .fixed, .unfixable, .failed].contains(status) { table.add([label, String(n)]) }
        }
        table.add(["total", String(s.rows.count)])
        lines.append(table.render())
        var tail = String(format: "%d done by an earlier run; %.1f s", s.reused, s.wallSeconds)
        if let saved = s.secondsSaved { tail += String(format: "; about %.0f s saved against re-encoding everything", saved) }
        lines.append(tail)
        if !s.fixOutputsPassedOver.isEmpty {
            let n = s.fixOutputsPassedOver.count
            lines.append("passed over \(n) file(s) `preflight fix` made beside their sources (NAME.preflight.EXT: copies, not footage)"
                         + (verbose ? ": " + s.fixOutputsPassedOver.prefix(3).map { Printable.escape($0) }.joined(separator: ", ") + (n > 3 ? ", ..." : "") : ""))
        }
        // The manifest's own total, so the line and the file never disagree.
        if s.rows.contains(where: { $0.cost != nil }) { lines.append(ManifestCost(rows: s.rows).line) }
        lines.append("manifest: \(manifest)")
        return lines.joined(separator: "\n")
    }
}
