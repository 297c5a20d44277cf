import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import PreflightCore

/// upload -> submit -> follow -> result -> download for every model of a job, concurrently, with
/// the journal written before each step that depends on it: a request id is committed before the
/// first status call, so no paid request is ever lost, and a submit whose answer was lost is
/// marked uncertain instead of being sent again.
public final class SubmissionEngine: Sendable {
    /// The client every upload, submit, status call and download goes through.
    public let client: FalClient
    /// The journal every job, run and event is written to before the step that depends on it.
    public let journal: Journal
    /// The catalog the media is checked and fixed against before anything is paid for.
    public let catalog: Catalog
    /// When and how often a failed submit or fetch is tried again.
    public let policy: RetryPolicy
    /// Each step of each job as it happens (the job id first): progress lines on a terminal.
    let observe: @Sendable (_ job: String, SubmissionEvent) -> Void
    /// How often to poll when the status stream is not available.
    public let pollInterval: Double
    let uploads = UploadGate()
    let sharedFixes = SharedFix()

    /// An engine that sends through `client`, records every step in `journal` and judges media by `catalog`; `observe` hears each step.
    public init(client: FalClient, journal: Journal, catalog: Catalog, policy: RetryPolicy = RetryPolicy(), pollInterval: Double = 0.5,
                observe: @escaping @Sendable (_ job: String, SubmissionEvent) -> Void = { _, _ in }) {
        self.client = client
        self.journal = journal
        self.catalog = catalog
        self.policy = policy
        self.pollInterval = pollInterval
        self.observe = observe
    }

    // MARK: - Jobs

    /// Journals a new job (one run per model) and returns it; `run(job:)` carries it out.
    /// `batchKey`: the batch's name for this job (unique in the journal; see `BatchJobs`).
    /// `name`: the clip's path in its batch ("Day 1/clip (1).mp4"): its results mirror those
    /// folders (RESULTS/Day 1/clip (1)/...), so two clips of one name in two folders stay apart.
    public func create(source: String, models: [String], payload: [String: JSONValue], settings: SubmitSettings,
                       outRoot: URL, batchKey: String? = nil, name: String? = nil) throws(SubmissionError) -> JobRecord {
        var st = stat()
        guard stat(source, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw SubmissionError(.inputMissing, code: "not_a_file", message: "\(Redactor.printable(source)) is not a regular file", hint: "Submit a media file (not a folder, device or pipe).")
        }
        let fingerprint: String
        do { fingerprint = try SHA256.file(source) } catch {
            throw SubmissionError(.inputMissing, code: "unreadable", message: "cannot read \(Redactor.printable(source))", hint: "Check the path.")
        }
        var id = Self.newJobID()
        for _ in 0..<16 where (try? journal.job(id)) != nil { id = Self.newJobID() }
        // The results' folder is named after the clip (RESULTS/<clip>/<model>/<clip>.<model>.<ext>),
        // made now, before anything is paid for, not found unwritable after. Its model folders are
        // made without leniency, so two jobs never share one (a, a-2, a-3...), while a clip's jobs
        // for different models (a dual batch whose models got their own files) share the clip's.
        let stem = FileNames.stem(of: name ?? source)
        // Each folder of the batch name, made safe (never "..": a name cannot climb out of RESULTS).
        let folders = (name ?? "").split(separator: "/").dropLast().map { FileNames.safe(String($0), fallback: "_") }.filter { $0 != ".." }
        let parent = folders.reduce(outRoot) { $0.appendingPathComponent($1) }
        var outDir = parent.appendingPathComponent(stem)
        let fm = FileManager.default
        do {
            var n = 1
            while true {
                var made: [URL] = []
                do {
                    try fm.createDirectory(at: outDir, withIntermediateDirectories: true)
                    for model in Set(models).sorted() {
                        let folder = outDir.appendingPathComponent(ModelName.short(model))
                        try fm.createDirectory(at: folder, withIntermediateDirectories: false)
                        made.append(folder)
                    }
                    break
                } catch CocoaError.fileWriteFileExists where n < 10_000 {
                    for folder in made { rmdir(folder.path) }
                    n += 1
                    outDir = parent.appendingPathComponent("\(stem)-\(n)")
                }
            }
        } catch {
            let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError) ?? (error as NSError)
            throw SubmissionError(.usage, code: "results_folder", message: "cannot make the results folder \(Redactor.printable(outDir.path)): \(underlying.localizedDescription)",
                                  hint: "Choose a writable results folder (--out for submit, --results for prepare).")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let job = JobRecord(id: id, createdAt: Date(), source: URL(fileURLWithPath: source).standardizedFileURL.path, sourceFingerprint: fingerprint,
                            payloadJSON: payloadJSON(payload),
                            settingsJSON: String(decoding: (try? encoder.encode(settings)) ?? Data("{}".utf8), as: UTF8.self),
                            outDir: outDir.path, state: .open, batchKey: batchKey)
        do { _ = try journal.insert(job: job, models: models) } catch { throw SubmissionError(error) }
        return job
    }

    /// A payload as the journal keeps it: sorted keys, and a key typed into a prompt by mistake removed.
    func payloadJSON(_ payload: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return client.key.redactor(String(decoding: (try? encoder.encode(payload)) ?? Data("{}".utf8), as: UTF8.self))
    }

    /// The right to drive job `id` (see `JobLease`); exit 75 while another process has it.
    func lease(job id: String) throws(SubmissionError) -> JobLease {
        guard let lease = try JobLease.take(job: id, folder: journal.path.deletingLastPathComponent().appendingPathComponent("locks")) else {
            throw SubmissionError(.temporary, code: "busy", message: "job \(id) is being carried out by another preflight process right now",
                                  hint: "`preflight status \(id)` shows how it goes; run this again once that process has stopped.")
        }
        return lease
    }

    /// Job ids sort by time and are short enough to type: YYYYMMDD-HHMMSS-xxxxxx (a unique prefix will do).
    static func newJobID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        // 24 random bits, always six digits: a batch makes hundreds of jobs in one second, and a
        // clash is still caught by the journal's key (`create` draws again).
        let random = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        return "\(f.string(from: Date()))-\(String(repeating: "0", count: 6 - random.count))\(random)"
    }

    /// Carries out (or continues) every unfinished run of a job, concurrently. `resuming`: a new
    /// wait, not bound by the submit's --timeout (Ctrl-C still stops it).
    public func run(job id: String, cancel: CancelSignal = CancelSignal(), resuming: Bool = false) async throws(SubmissionError) -> JobOutcome {
        // The lease first, the runs after: runs read before it could be ones another process has
        // just finished driving.
        let lease = try lease(job: id)
        defer { lease.release() }
        let job: JobRecord
        let runs: [RunRecord]
        do {
            guard let j = try journal.job(id) else { throw SubmissionError(.usage, code: "no_such_job", message: "no job \(id)", hint: "`preflight jobs` lists them.") }
            job = j
            runs = try journal.runs(job: id)
        } catch let e as SubmissionError { throw e } catch { throw SubmissionError(error) }
        let context = try JobContext(job: job, resuming: resuming)
        // Requests fal accepted while the journal could not record them (a full state disk) are
        // adopted first: they are followed, never sent again.
        var current = runs
        do {
            if try journal.adoptRescued(job: id, resultsFolder: URL(fileURLWithPath: job.outDir)) > 0 { current = try journal.runs(job: id) }
        } catch { throw SubmissionError(error) }
        let problems = LocalStateProblems()
        // A run may add another while it goes (a --fallback after the first model's capacity
        // retries are spent): it is journaled first, then driven here in the same run, so a crash
        // between them leaves it pending for `resume`, never lost and never sent twice.
        var driven = Set<Int64>()
        while true {
            let waiting = current.filter { !$0.state.isFinished && !driven.contains($0.id ?? -1) }
            if waiting.isEmpty || cancel.isRaised { break }
            for run in waiting { driven.insert(run.id ?? -1) }
            await withTaskGroup(of: Void.self) { group in
                for run in waiting {
                    group.addTask { if let problem = await self.drive(run, context, cancel) { problems.add(problem) } }
                }
            }
            do { current = try journal.runs(job: id) } catch { throw SubmissionError(error) }
        }
        var result = try outcome(job: id)
        result.localStateProblem = problems.first
        Self.removeEmptyResults(result)
        return result
    }

    /// A job that ended with nothing sent (every run refused here or never accepted) leaves no
    /// empty results folder behind; anything in it (a fix, a rescue file) keeps it.
    static func removeEmptyResults(_ outcome: JobOutcome) {
        guard [.failed, .cancelled].contains(outcome.job.state), outcome.runs.allSatisfy({ $0.requestID == nil && $0.state != .uncertain }) else { return }
        let folder = URL(fileURLWithPath: outcome.job.outDir)
        let fm = FileManager.default
        let prepared = folder.appendingPathComponent(".prepared")
        // Empty model folders inside .prepared first, then .prepared, then the job's folder: each only when empty.
        for sub in (try? fm.contentsOfDirectory(atPath: prepared.path)) ?? [] {
            let path = prepared.appendingPathComponent(sub).path
            if (try? fm.contentsOfDirectory(atPath: path))?.isEmpty == true { rmdir(path) }
        }
        rmdir(prepared.path)
        for model in Set(outcome.runs.map(\.model)) { rmdir(folder.appendingPathComponent(ModelName.short(model)).path) }
        rmdir(folder.path)
    }

    /// Carries out several jobs, `concurrency` at a time, each as `run(job:)` does; `finished` is
    /// told as each ends (a progress display reports it then). The outcomes by job id.
    public func run(jobs ids: [String], concurrency: Int, cancel: CancelSignal = CancelSignal(), resuming: Bool = false,
                    finished: @escaping @Sendable (String, Result<JobOutcome, SubmissionError>) -> Void = { _, _ in })
        async -> [String: Result<JobOutcome, SubmissionError>] {
        var results: [String: Result<JobOutcome, SubmissionError>] = [:]
        await withTaskGroup(of: (String, Result<JobOutcome, SubmissionError>).self) { group in
            var next = 0
            func launch() {
                let id = ids[next]
                next += 1
                group.addTask {
                    let result: Result<JobOutcome, SubmissionError>
                    do throws(SubmissionError) { result = .success(try await self.run(job: id, cancel: cancel, resuming: resuming)) } catch {
                        result = .failure(error)
                    }
                    finished(id, result)
                    return (id, result)
                }
            }
            while next < min(ids.count, max(1, concurrency)) { launch() }
            while let (id, result) = await group.next() {
                results[id] = result
                if next < ids.count { launch() }
            }
        }
        return results
    }

    /// The job as the journal has it now: its runs and their downloaded outputs.
    public func outcome(job id: String) throws(SubmissionError) -> JobOutcome {
        do {
            guard let job = try journal.job(id) else { throw SubmissionError(.usage, code: "no_such_job", message: "no job \(id)", hint: "`preflight jobs` lists them.") }
            let runs = try journal.runs(job: id)
            var outputs: [Int64: [OutputRecord]] = [:]
            for r in runs { if let rid = r.id { outputs[rid] = try journal.outputs(run: rid) } }
            let state = Self.jobState(runs)
            // The state column is a summary of the runs (recomputed each time): a full state disk
            // must not turn reading an outcome into a failure.
            try? journal.set(job: id, state: state)
            var j = job
            j.state = state
            return JobOutcome(job: j, runs: runs, outputs: outputs)
        } catch let e as SubmissionError { throw e } catch { throw SubmissionError(error) }
    }

    /// A run that failed but whose fallback succeeded counts as done.
    static func jobState(_ runs: [RunRecord]) -> JobState {
        if !runs.allSatisfy(\.state.isFinished) { return runs.contains { $0.state == .submitted } ? .detached : .open }
        func covered(_ r: RunRecord) -> Bool {
            r.state == .downloaded || runs.contains { other in other.fallbackOf == r.model && other.state == .downloaded }
        }
        if runs.allSatisfy(covered) { return .done }
        if runs.contains(where: { $0.state == .downloaded }) { return .partial }
        return runs.allSatisfy { $0.state == .cancelled } ? .cancelled : .failed
    }

    /// Makes failed (and, with `includeUncertain`, uncertain) runs pending again, with the same
    /// prompt, settings and media; `model` limits it to one.
    /// `onlyUnsent`: only runs fal never accepted (no request id: refused here, or failed before or
    /// at the submit), which cost nothing, so running a batch again may send them without asking.
    public func reopen(job id: String, model: String?, includeUncertain: Bool, onlyUnsent: Bool = false, force: Bool = false,
                       changes: [String: JSONValue]? = nil, skipUnchangeable: Bool = false) throws(SubmissionError) -> Int {
        // Not under a process that is driving the job: it would find its runs changed under it.
        let lease = try lease(job: id)
        defer { lease.release() }
        do {
            let runs = try journal.runs(job: id)
            let events = try journal.events(job: id)
            var count = 0
            var blocked: [(String, String)] = []
            // New values must change what is sent, and pass the payload's own check, before
            // anything is reopened: the same refused prompt, an unknown field or an empty required
            // one would be paid for and refused again.
            var changes = changes
            if let asked = changes {
                guard let job = try journal.job(id) else { return 0 }
                let before = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(job.payloadJSON.utf8))) ?? [:]
                var after = before
                for (key, value) in asked { after[key] = value }
                // Only fields a model takes count as a change: an unknown one is not read by fal.
                let specs = Set(runs.map(\.model)).compactMap { try? catalog.model($0) }
                let known = Set(specs.flatMap { $0.payload.fields.map(\.name) + $0.media.map(\.name) })
                let changed = asked.keys.filter { before[$0] != asked[$0] && (specs.isEmpty || known.contains($0)) }
                if changed.isEmpty && !force {
                    throw SubmissionError(.refused, code: "retry_unchanged",
                                          message: "--set/--input change nothing the model reads (the same values, or fields it does not take); the same request would be sent",
                                          hint: "Give a different value (the prompt fal refused is in `preflight status \(id)`), or send it unchanged with --force.")
                }
                if after == before { changes = nil }
                for model in Set(runs.map(\.model)) {
                    guard let spec = try? catalog.model(model) else { continue }
                    let supplied = Set(spec.media.map(\.name))
                    let problems = Checker().checkPayload(after, model: spec, supplying: supplied).filter { $0.severity == .error }
                    if let first = problems.first {
                        throw SubmissionError(.refused, code: "retry_payload", message: "\(model): \(first.message)",
                                              hint: "Nothing was sent. Correct the values (`preflight models show \(model)` lists the fields).")
                    }
                }
            }
            // A run a successful fallback stands in for is covered: resent only when named.
            let covered = Set(runs.filter { $0.fallbackOf != nil && [.completed, .downloaded].contains($0.state) }.compactMap(\.fallbackOf))
            for var run in runs where model == nil || run.model == model {
                if model == nil && covered.contains(run.model) && run.fallbackOf == nil { continue }
                if onlyUnsent {
                    guard [.failed, .refused, .cancelled].contains(run.state), run.requestID == nil else { continue }
                } else {
                    guard [.failed, .refused, .cancelled].contains(run.state) || (includeUncertain && run.state == .uncertain) else { continue }
                }
                // A failure the same request meets again (moderation, an input fal rejected and
                // preflight learned nothing from) is not resent as it was: it would be paid again.
                if !force, changes == nil, let why = RetryJudgement.wouldRepeat(run, events: events.filter { $0.runID == run.id }) {
                    if skipUnchangeable { continue }
                    blocked.append((run.model, why))
                    continue
                }
                let was = run.state
                // An uncertain submit resent without fal's history saying it never arrived may be
                // billed twice: its estimate is kept in the history, so `jobs` counts it.
                // So is a request fal accepted and that failed (fal may charge a failure): the run
                // is reset for the new attempt, its estimate stays counted.
                if (was == .uncertain && !events.contains(where: { $0.runID == run.id && $0.kind == "not-at-fal" }))
                    || (was != .uncertain && run.requestID != nil) {
                    try journal.note(job: id, run: run.id, "maybe-billed", run.estimateJSON ?? "")
                }
                run.state = .pending
                run.attempts = 0
                run.requestID = nil
                run.statusURL = nil; run.responseURL = nil; run.cancelURL = nil
                run.errorCategory = nil; run.errorMessage = nil; run.errorBody = nil
                try journal.update(run, event: "retry", "reopened from \(was.rawValue) by the user" + (changes == nil ? "" : " with a changed payload") + (force ? " (forced)" : ""))
                count += 1
            }
            if let (model, why) = blocked.first {
                throw SubmissionError(.refused, code: "retry_would_repeat",
                                      message: "\(model): \(why); sent again as it was, it would be refused (and may be billed) again",
                                      hint: "Change what is sent: `preflight retry \(id) --set prompt=...` (or --input payload.json), which is checked again before anything is paid; or send it unchanged with --force.")
            }
            if let changes, count > 0 {
                // The new values go over the job's payload; the pre-flight checks them before paying.
                guard let job = try journal.job(id) else { return count }
                var payload = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(job.payloadJSON.utf8))) ?? [:]
                for (key, value) in changes { payload[key] = value }
                try journal.set(job: id, payloadJSON: payloadJSON(payload))
                try journal.note(job: id, run: nil, "payload", "changed by retry: " + changes.keys.sorted().joined(separator: ", "))
            }
            // A finished job with nothing to reopen stays as it was (`retry` of a done job is a no-op).
            if count > 0 { try journal.set(job: id, state: .open) }
            return count
        } catch let error as SubmissionError { throw error } catch let error as JournalError { throw SubmissionError(error) } catch {
            throw SubmissionError(.localState, code: "journal", message: "\(error)", hint: "")
        }
    }

    /// Asks fal to cancel every request of the job still running.
    public func cancel(job id: String) async throws(SubmissionError) -> [(String, CancelOutcome?)] {
        let runs: [RunRecord]
        do { runs = try journal.runs(job: id) } catch { throw SubmissionError(error) }
        var said: [(String, CancelOutcome?)] = []
        for run in runs where run.state == .submitted {
            guard let submission = submission(of: run) else { continue }
            let outcome = try? await client.cancel(submission)
            try? journal.note(job: id, run: run.id, "cancel", "asked fal to cancel: \(outcome?.rawValue ?? "no answer")")
            said.append((run.model, outcome))
        }
        return said
    }

    func submission(of run: RunRecord) -> QueueSubmission? {
        guard let id = run.requestID else { return nil }
        if let s = run.statusURL.flatMap(URL.init(string:)), let r = run.responseURL.flatMap(URL.init(string:)), let c = run.cancelURL.flatMap(URL.init(string:)),
           let rebuilt = try? client.submission(model: run.model, requestID: id) {
            var known = rebuilt
            known.statusURL = s
            known.responseURL = r
            known.cancelURL = c
            return known
        }
        return try? client.submission(model: run.model, requestID: id)
    }
}

/// The job's journaled inputs, decoded once.
struct JobContext: Sendable {
    let job: JobRecord
    let payload: [String: JSONValue]
    let settings: SubmitSettings
    /// --timeout counts from here: this run of the job (a resume gets its own wait).
    let deadline: Date?

    init(job: JobRecord, resuming: Bool = false) throws(SubmissionError) {
        self.job = job
        guard let p = try? JSONDecoder().decode([String: JSONValue].self, from: Data(job.payloadJSON.utf8)),
              let s = try? JSONDecoder().decode(SubmitSettings.self, from: Data(job.settingsJSON.utf8)) else {
            throw SubmissionError(.localState, code: "unreadable_job", message: "job \(job.id) has an unreadable payload or settings in the journal", hint: "Submit it again.")
        }
        payload = p
        settings = s
        deadline = resuming ? nil : s.timeout.map { Date().addingTimeInterval($0) }
    }
}

/// The journal problems met while driving a job's runs at once.
final class LocalStateProblems: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ problem: String) { lock.lock(); list.append(problem); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return list.first }
}

/// Set by Ctrl-C: the first asks to stop (cancel the requests, or detach), the engine checks it
/// between steps and while waiting.
public final class CancelSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var leaving = false
    /// A signal not yet raised.
    public init() {}
    /// Asks every run watching this signal to stop: a request at fal is cancelled there, or, with
    /// `leavingRunning` (a scheduler's stop: SIGTERM on preemption, SIGHUP), left running for the
    /// next run to take up, since fal may already be billing it.
    public func raise(leavingRunning: Bool = false) { lock.lock(); raised = true; leaving = leaving || leavingRunning; lock.unlock() }
    /// Whether `raise()` was called.
    public var isRaised: Bool { lock.lock(); defer { lock.unlock() }; return raised }
    /// Whether the stop leaves requests running at fal (as `--detach` does).
    public var leavesRunning: Bool { lock.lock(); defer { lock.unlock() }; return leaving }
}

/// Why a job could not be created or carried out, with what to do next.
public struct SubmissionError: PreflightError {
    /// What kind of failure it is (decides the exit code in the CLI).
    public var category: ErrorCategory
    /// What went wrong, in a sentence a user reads.
    public var message: String
    /// What to do next.
    public var hint: String
    /// "submission.busy", "journal.damaged"...
    public var errorCode: String

    /// An error of `category` (which decides the exit code), with a code for scripts and what to do next.
    public init(_ category: ErrorCategory, code: String, message: String, hint: String) {
        self.category = category
        self.errorCode = "submission." + code
        self.message = message
        self.hint = hint
    }

    init(_ e: JournalError) {
        self.init(e.category, code: e.kind.rawValue, message: e.message, hint: e.hint)
        errorCode = e.errorCode
    }

    init(_ e: any Error) {
        if let j = e as? JournalError { self.init(j) } else { self.init(.refused, code: "other", message: "\(e)", hint: "") }
    }

    /// Another process drives the job right now: step aside, later works.
    public var isBusy: Bool { errorCode == "submission.busy" }
}
