import Foundation
import MediaAdapt
import ModelCatalog
import PreflightCore
import Submission

/// `prepare --submit`: the stage of a prepare run that sends every ready file (compliant or fixed)
/// to the models through the submission engine and records each row's job in the manifest. Jobs
/// are named in the journal by what they send (`BatchJobs`), and DEST's manifest says what an
/// earlier run finished with another journal, so running the same batch again never pays twice.
public struct PrepareSubmission: Sendable {
    /// The models every ready file is sent to (one, or two for a dual run).
    public var models: [ModelSpec]
    /// The payload every file gets (`--set`, `--input`); a sheet's cells go over it.
    public var payload: [String: JSONValue]
    /// A spreadsheet of per-file payload cells (`--sheet`); nil sends every file the same payload.
    public var sheet: SubmitSheet?
    /// Where results go: a folder per job.
    public var results: URL
    /// How the prepared files were made: submit judges them under the same policy, so it finds
    /// nothing more to change.
    public var policy: MediaPolicy
    /// Send again the jobs whose generation failed (a new paid attempt).
    public var retryFailed: Bool
    /// Jobs at fal at once.
    public var concurrency: Int
    /// `--max-cost` for the whole batch (nil: no budget).
    public var budget: BatchBudget?

    /// The stage for one or two `models`, sending `payload` (a sheet's cells over it) with results under `results`; `budget` bounds the batch.
    public init(models: [ModelSpec], payload: [String: JSONValue], sheet: SubmitSheet? = nil, results: URL, policy: MediaPolicy,
                retryFailed: Bool = false, concurrency: Int = 8, budget: BatchBudget? = nil) {
        self.models = models
        self.payload = payload
        self.sheet = sheet
        self.results = results
        self.policy = policy
        self.retryFailed = retryFailed
        self.concurrency = concurrency
        self.budget = budget
    }

    /// How the stage ended, counted for the summary line and the exit code.
    public struct Summary: Sendable {
        /// Ready files given to the stage (after the sheet, when there is one).
        public var items = 0
        /// Ready files the sheet does not list (not sent), and sheet rows that name no file of SRC.
        public var unlisted = 0
        /// Sheet rows that name no ready file of the source folder (nothing is sent for them).
        public var strangers: [String] = []
        /// Ready files sent as new jobs by this run.
        public var fresh = 0
        /// Of those, files made for one model alone (a dual run whose models got their own files).
        public var freshForOneModel = 0
        /// Jobs an earlier run left unfinished, carried on by this one.
        public var resumed = 0
        /// Finished by an earlier run with this journal.
        public var kept = 0
        /// Recorded done (results on disk) in DEST's manifest by a run with another journal.
        public var doneElsewhere = 0
        /// Ready files the budget held back (not sent, no job): by source, why.
        public var held: [String: String] = [:]
        /// Estimate in USD of what this run sends (its fresh jobs).
        public var sendingCost = 0.0
        /// Estimate in USD of the whole batch so far (every job, fresh, resumed or kept; held files not counted).
        public var batchCost = 0.0
        /// Jobs done: every model's results on disk (those done elsewhere included).
        public var done = 0
        /// Jobs still at fal (detached, or a result not fetched yet): a later run finishes them.
        public var unfinished = 0
        /// Jobs with a submit whose answer was lost: fal may have billed it; settle before sending again.
        public var uncertain = 0
        /// Jobs that failed, were cancelled, or got only some models' results.
        public var failed = 0
        /// Signalled before anything was sent: nothing was.
        public var stoppedBeforeSending = false
        /// The manifest could not record the jobs (the journal has them).
        public var manifestProblem: String?
        /// What `run(job:)` said of each job it carried out.
        public var outcomes: [String: Result<JobOutcome, SubmissionError>] = [:]

        /// nil when every job is done; uncertain first (fal may have billed a request nobody
        /// follows: no rerun settles it); then failures; else the rest is still at fal (or driven
        /// by another process) and a later run finishes it.
        public var category: ErrorCategory? {
            if stoppedBeforeSending { return nil }
            if uncertain > 0 { return .uncertain }
            if failed > 0 { return .someFailed }
            if unfinished > 0 { return .temporary }
            // Held back by the budget: not all was sent, by the user's own guard (1, as --max-cost on submit).
            return held.isEmpty ? nil : .refused
        }
    }

    /// What would make every job refuse (a missing prompt): asked before anything is prepared,
    /// not after hours of encoding.
    public func payloadProblems() -> [String] {
        models.flatMap { spec in
            let supplied = Set(spec.media.map(\.name)).union(sheet?.fields ?? [])
            return Checker().checkPayload(payload, model: spec, supplying: supplied).filter { $0.severity == .error }.map(\.message)
        }
    }

    /// The files to send: every ready row of the prepare run (with the sheet's values, when there is one).
    public func items(of prepared: PrepareSummary, destination: String) -> (items: [BatchItem], unlisted: Int, strangers: [String]) {
        let ready = prepared.rows.filter(\.isReady)
        var items: [BatchItem] = []
        var listed = 0
        for row in ready {
            var values = payload
            if let sheet {
                guard let cells = sheet.rows[row.source] else { continue }
                for (key, raw) in cells { values[key] = PayloadText.value(raw, as: models.first?.payload.field(key)?.type) }
            }
            listed += 1
            // One item for every model, or one per model that got its own file.
            for delivery in row.deliveries {
                items.append(BatchItem(name: row.source, file: destination + "/" + delivery.output, fileHash: delivery.hash, payload: values,
                                       cost: delivery.cost, models: delivery.models))
            }
        }
        let known = Set(prepared.rows.map(\.source))
        let strangers = (sheet?.rows.keys.filter { !known.contains($0) } ?? []).sorted()
        return (items, sheet == nil ? 0 : ready.count - listed, strangers)
    }

    /// Plans, sends and records. `sending` is told what is about to be sent once everything is
    /// journaled, before anything is sent (false: a signal came; nothing is sent); `cancel` stops the jobs in flight
    /// (Ctrl-C: cancelled at fal, as `submit` does); `finished` hears of each job as it ends.
    public func run(_ prepared: PrepareSummary, destination: String, engine: SubmissionEngine, manifest: URL, csv: URL?,
                    cancel: CancelSignal, sending: (Summary) -> Bool = { _ in true },
                    finished: @escaping @Sendable (String, Result<JobOutcome, SubmissionError>) -> Void = { _, _ in })
        async throws(SubmissionError) -> Summary {
        var summary = Summary()
        let (items, unlisted, strangers) = items(of: prepared, destination: destination)
        summary.items = items.count
        summary.unlisted = unlisted
        summary.strangers = strangers
        guard !items.isEmpty else { return summary }
        var settings = SubmitSettings()
        settings.policy = policy
        // What DEST's manifest says an earlier run finished (with whichever journal it used).
        let recorded = Set(prepared.rows.flatMap { row in
            ([row.submission] + (row.perModel ?? []).map(\.submission)).compactMap { $0.flatMap { $0.isDoneWithResults ? $0.sent : nil } }
        })
        let entries = try BatchJobs.plan(items, engine: engine, models: models.map(\.id), settings: settings, outRoot: results,
                                         retryFailed: retryFailed, doneElsewhere: recorded, budget: budget)
        summary.fresh = entries.filter { $0.action == .submit }.count
        summary.freshForOneModel = entries.filter { $0.action == .submit && $0.item.models != nil }.count
        summary.resumed = entries.filter { $0.action == .resume }.count
        summary.kept = entries.filter { $0.action == .keep }.count
        summary.doneElsewhere = entries.filter { $0.action == .doneElsewhere }.count
        for entry in entries { if case .held(let why) = entry.action { summary.held[SubmissionNote.key(entry.item.name, models: entry.item.models)] = why } }
        summary.sendingCost = entries.filter { $0.action == .submit }.reduce(0) { $0 + ($1.item.cost?.total ?? 0) }
        summary.batchCost = entries.filter { if case .held = $0.action { false } else { true } }.reduce(0) { $0 + ($1.item.cost?.total ?? 0) }
        guard sending(summary) else {
            summary.stoppedBeforeSending = true
            do throws(BatchError) { try Manifest.record([:], held: summary.held, at: manifest, csv: csv) } catch { summary.manifestProblem = error.description }
            return summary
        }
        let toRun = entries.filter { $0.action == .submit || $0.action == .resume }.compactMap(\.job?.id)
        if !toRun.isEmpty {
            summary.outcomes = await engine.run(jobs: toRun, concurrency: concurrency, cancel: cancel, finished: finished)
        }
        // Each sent row's job, state and result files, written into the manifest (atomically).
        var notes: [String: SubmissionNote] = [:]
        for entry in entries {
            // Done elsewhere: the manifest's note stays as it is.
            guard let job = entry.job, let outcome = try? engine.outcome(job: job.id) else { continue }
            if outcome.runs.contains(where: { $0.state == .uncertain }) { summary.uncertain += 1 }
            let files = outcome.outputs.values.flatMap { $0 }.map(\.path).sorted()
            notes[SubmissionNote.key(entry.item.name, models: entry.item.models)] = SubmissionNote(job: job.id, state: outcome.job.state.rawValue, results: files, sent: entry.key)
            switch outcome.job.state {
            case .done: summary.done += 1
            case .open, .detached: summary.unfinished += 1
            case .failed, .partial, .cancelled: summary.failed += 1
            }
        }
        summary.done += summary.doneElsewhere
        // An uncertain run keeps its job open: it is counted as uncertain, not as still at fal.
        summary.unfinished -= min(summary.unfinished, summary.uncertain)
        do throws(BatchError) { try Manifest.record(notes, held: summary.held, at: manifest, csv: csv) } catch { summary.manifestProblem = error.description }
        return summary
    }
}
