import ArgumentParser
import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import Submission

/// Opens the journal for the job commands, with one clear error when it cannot: a missing one is
/// said (jobs were made with another state folder), never silently made anew.
func openJournal() throws -> Journal {
    do { return try Journal(path: PreflightPaths().database, mustExist: true) } catch { throw Terminal.report(error) }
}

func findJob(_ journal: Journal, _ id: String) throws -> JobRecord {
    if let job = (try? journal.job(id)) ?? nil { return job }
    if let job = (try? journal.resolve(jobPrefix: id)) ?? nil { return job }
    Terminal.error("no job '\(Redactor.printable(id))' (or more than one starts so); `preflight jobs` lists them")
    throw Exit.usage
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List submitted jobs, newest first, with what each was estimated to cost.",
        discussion: """
        Each job with its state, each model's run and COST: the estimate journaled when its requests \
        were sent (a request fal accepted, or may have; "unpriced" when no price was known). With \
        --since, the total over those jobs. Exit codes: 0; 74 the journal cannot be read.
        """)

    @Flag(help: "As JSON.")
    var json = false

    @Option(help: "How many jobs.")
    var limit: Int = 20

    @Option(help: ArgumentHelp("Only jobs made since then, with their total: a date (2026-12-01), a time (2026-12-01T09:00:00Z) or an age (24h, 7d).", valueName: "when"))
    var since: String?

    func validate() throws {
        if limit < 1 || limit > 100_000 { throw ValidationError("--limit takes 1 to 100000.") }
        if let since, Self.date(since) == nil { throw ValidationError("--since takes a date (2026-12-01), a time (2026-12-01T09:00:00Z) or an age (24h, 7d).") }
    }

    static func date(_ text: String, now: Date = Date()) -> Date? {
        if let unit = text.last, "hdw".contains(unit), let n = Double(text.dropLast()), n.isFinite, n >= 0, n <= 100_000 {
            return now.addingTimeInterval(-n * (unit == "h" ? 3600 : unit == "d" ? 86_400 : 604_800))
        }
        let full = ISO8601DateFormatter()
        if let d = full.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }

    func run() async throws {
        let paths = PreflightPaths()
        guard FileManager.default.fileExists(atPath: paths.database.path) else {
            Terminal.out("no jobs: there is no journal at \(Redactor.printable(paths.database.path)) (jobs are kept in the state folder they were made with: PREFLIGHT_HOME or XDG_DATA_HOME)")
            return
        }
        let journal = try openJournal()
        let from = since.flatMap { Self.date($0) }
        let jobs = try from.map { try journal.jobs(since: $0, limit: limit) } ?? journal.jobs(limit: limit)
        if json {
            struct Row: Encodable { var job: JobRecord; var runs: [RunRecord]; var estimatedCost: Double; var unpricedRequests: Int
                enum CodingKeys: String, CodingKey { case job, runs, estimatedCost = "estimated_cost", unpricedRequests = "unpriced_requests" } }
            Terminal.out(try CLIJSON.string(try jobs.map { job in
                let runs = try journal.runs(job: job.id)
                let spend = Spend(runs: runs, events: try journal.events(job: job.id))
                return Row(job: job, runs: runs, estimatedCost: spend.amount, unpricedRequests: spend.unpriced)
            }))
            return
        }
        guard !jobs.isEmpty else {
            Terminal.out(from == nil ? "no jobs yet: `preflight submit FILE --model ID --set prompt=...` makes one" : "no jobs since \(since ?? "")")
            return
        }
        var table = Table("JOB", "STATE", "SOURCE", "COST", "RUNS")
        var total = Spend()
        for job in jobs {
            let runs = try journal.runs(job: job.id)
            let spend = Spend(runs: runs, events: try journal.events(job: job.id))
            total = total + spend
            let states = runs.map { "\(ModelName.short($0.model)): \($0.state.rawValue)" }
            // Refused here before anything was sent is not a failure at fal: said apart.
            let state = job.state == .failed && runs.allSatisfy({ $0.state == .refused }) ? "refused (nothing sent)" : job.state.rawValue
            // The clip with its folder: two clip (1).mp4 of two days stay apart.
            let source = job.source.split(separator: "/").suffix(2).joined(separator: "/")
            table.add([job.id, state, Redactor.printable(source), spend.text, states.joined(separator: ", ")])
        }
        Terminal.out(table.render())
        if let since {
            Terminal.out("since \(since): \(jobs.count) job(s)\(jobs.count == limit ? " (the first \(limit): --limit shows more)" : ""), "
                         + "\(total.requests) request(s) sent, estimated \(CostSheet.money(total.amount))"
                         + (total.unpriced > 0 ? " + \(total.unpriced) unpriced request(s) (no price was known when they were sent)" : ""))
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one job: each model's run, request id, outputs and history.",
        discussion: "Reads the journal only (it can run while a submit is writing). Exit codes: 0; 64 unknown job.")

    @Argument(help: "The job id (or its first characters).")
    var job: String

    @Flag(help: "As JSON.")
    var json = false

    func run() async throws {
        let journal = try openJournal()
        let record = try findJob(journal, job)
        let runs = try journal.runs(job: record.id)
        if json {
            struct Doc: Encodable { var job: JobRecord; var runs: [RunRecord]; var outputs: [OutputRecord]; var events: [EventRecord] }
            let outputs = try runs.compactMap(\.id).flatMap { try journal.outputs(run: $0) }
            Terminal.out(try CLIJSON.string(Doc(job: record, runs: runs, outputs: outputs, events: try journal.events(job: record.id))))
            return
        }
        Terminal.out("job \(record.id)  \(record.state.rawValue)  \(Redactor.printable(record.source))")
        for run in runs {
            Terminal.out("  \(run.model)\(run.fallbackOf.map { " (fallback for \($0))" } ?? ""): \(run.state.rawValue)"
                         + (run.requestID.map { ", request \($0)" } ?? "") + (run.attempts > 1 ? ", \(run.attempts) attempts" : ""))
            if let message = run.errorMessage { Terminal.out("    \(Redactor.printable(message))") }
            if run.state == .uncertain {
                let settled = try journal.events(job: record.id).contains { $0.runID == run.id && $0.kind == "not-at-fal" }
                Terminal.out(settled
                    ? "    fal's request history has no such request: `preflight retry \(record.id) --model \(run.model) --uncertain` sends it (once)"
                    : "    `preflight resume \(record.id)` asks fal's request history for it (a request found there is followed, never sent again)")
            }
            for o in try run.id.map(journal.outputs(run:)) ?? [] { Terminal.out("    \(o.path) (\(Format.bytes(o.bytes)))") }
        }
        Terminal.out("history:")
        let f = ISO8601DateFormatter()
        for e in try journal.events(job: record.id) { Terminal.out("  \(f.string(from: e.at))  \(e.kind)  \(Redactor.printable(e.detail))") }
    }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take up unfinished jobs: follow running requests, download what completed, report uncertain submits.",
        discussion: """
        Without a job id, every unfinished job. A request whose id is journaled is followed and its \
        outputs downloaded (each file once, whatever ran before). A submit whose answer was lost is \
        never sent again here: it is reported, with how to check it and how to resubmit knowingly \
        (`preflight retry JOB --uncertain`).

        Exit codes: as submit's, for the last job; 0 when nothing was unfinished.
        """)

    @Argument(help: "The job id (default: every unfinished job).")
    var job: String?

    @Flag(name: .shortAndLong, help: "Only errors and the output paths.")
    var quiet = false

    @OptionGroup var fal: FalOptions

    func run() async throws {
        _ = try openJournal()
        let context = try await CatalogContext.load(falURL: fal.falURL)
        let engine = try SubmissionSession.engine(context: context, fal: fal, quiet: quiet)
        let ids: [String]
        if let job { ids = [try findJob(engine.journal, job).id] } else { ids = try engine.journal.unfinishedJobs().map(\.id) }
        if ids.isEmpty { if !quiet { Terminal.err("nothing to resume: no unfinished job in \(Redactor.printable(engine.journal.path.path))") }; return }
        var worst: ExitCode?
        for id in ids {
            do { try await SubmissionSession.carryOut(engine, job: id, detach: true, quiet: quiet, resuming: true) } catch let code as ExitCode { worst = code }
        }
        if let worst { throw worst }
    }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run again what failed in a job, with the same prompt, settings and media, or with new values.",
        discussion: """
        Failed and cancelled runs (or only --model's) are submitted again. A failure the same \
        request would meet again is not resent as it was: fal's moderation, or an input fal \
        rejected when preflight learned nothing from the rejection. Change what is sent with \
        --set key=value or --input payload.json (checked again before anything is paid), or send \
        it unchanged with --force.

        --uncertain also resubmits runs whose first submit's answer was lost: fal may have \
        accepted that one, so this may be billed twice. preflight first asks fal's request history \
        (`preflight resume JOB`); once it says fal never accepted it, this is the one command that \
        sends it.

        Exit codes: as submit's; 1 when a retry would repeat a refusal.
        """)

    @Argument(help: "The job id.")
    var job: String

    @Option(help: ArgumentHelp("Only this model's run.", valueName: "id"))
    var model: String?

    @Flag(help: "Also resubmit runs whose submit may have been accepted (may be billed twice).")
    var uncertain = false

    @Flag(help: "Resend a run even though it failed in a way the same request fails again (moderation, an input fal rejected).")
    var force = false

    @OptionGroup var payloadInput: PayloadInput

    @Flag(name: .shortAndLong, help: "Only errors and the output paths.")
    var quiet = false

    @OptionGroup var fal: FalOptions

    func run() async throws {
        _ = try openJournal()
        let context = try await CatalogContext.load(falURL: fal.falURL)
        let engine = try SubmissionSession.engine(context: context, fal: fal, quiet: quiet)
        let record = try findJob(engine.journal, job)
        var changes: [String: JSONValue]?
        if payloadInput.given {
            let runs = (try? engine.journal.runs(job: record.id)) ?? []
            let spec = runs.first.flatMap { try? context.model($0.model) }
            do { changes = try payloadInput.payload(for: spec) } catch let f as CLIFailure { throw Terminal.report(f) }
        }
        let reopened: Int
        do { reopened = try engine.reopen(job: record.id, model: model, includeUncertain: uncertain, force: force, changes: changes) } catch {
            throw Terminal.report(error)
        }
        if reopened == 0 && changes != nil {
            Terminal.err("nothing to retry in \(record.id): no run failed, so --set/--input changed nothing (the job is \(record.state.rawValue)); submit the file again for a new job")
            return
        }
        if reopened == 0 {
            let uncertainRuns = ((try? engine.journal.runs(job: record.id)) ?? []).filter { $0.state == .uncertain }
            Terminal.err("nothing to retry in \(record.id)" + (model.map { " for \($0)" } ?? "") + " (`preflight status \(record.id)` shows each run)"
                         + (uncertainRuns.isEmpty || uncertain ? "" : "; \(uncertainRuns.count) uncertain run(s) are resent only with --uncertain (fal may have accepted them: `preflight resume \(record.id)` asks fal's request history first)"))
            return
        }
        try await SubmissionSession.carryOut(engine, job: record.id, detach: false, quiet: quiet)
    }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask fal to cancel a job's running requests.",
        discussion: "A running request may still complete (fal says CANCELLATION_REQUESTED); `preflight resume` then fetches it. Exit codes: 0; 64 unknown job.")

    @Argument(help: "The job id.")
    var job: String

    @OptionGroup var fal: FalOptions

    func run() async throws {
        _ = try openJournal()
        let context = try await CatalogContext.load(falURL: fal.falURL)
        let engine = try SubmissionSession.engine(context: context, fal: fal, quiet: true)
        let record = try findJob(engine.journal, job)
        let said: [(String, CancelOutcome?)]
        do { said = try await engine.cancel(job: record.id) } catch {
            throw Terminal.report(error)
        }
        if said.isEmpty { Terminal.out("nothing running in \(record.id)") }
        for (model, outcome) in said { Terminal.out("\(model): \(outcome?.rawValue ?? "no answer from fal")") }
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a redacted diagnostic bundle for a job (for a support request).",
        discussion: """
        One JSON document: the job, its runs (request ids, inputs sent, error bodies, results), every \
        journal event, the source's probe, versions. The key never appears: every configured key is \
        removed from every string. Exit codes: 0; 64 unknown job.
        """)

    @Argument(help: "The job id.")
    var job: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var output: String?

    func run() async throws {
        let journal = try openJournal()
        let record = try findJob(journal, job)
        let runs = try journal.runs(job: record.id)
        struct Bundle: Encodable {
            var preflight: String
            var job: JobRecord
            var runs: [RunRecord]
            var outputs: [OutputRecord]
            var events: [EventRecord]
            var probe: JSONValue?
        }
        let probe = (try? CLIJSON.string(Prober.probe(record.source))).flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        let bundle = Bundle(preflight: Preflight.version, job: record, runs: runs,
                            outputs: try runs.compactMap(\.id).flatMap { try journal.outputs(run: $0) }, events: try journal.events(job: record.id), probe: probe)
        let text = Terminal.redactor(try CLIJSON.string(bundle))
        if let output {
            if let problem = OutputTarget.problem(output: output, protecting: PreflightPaths().stateFiles + [record.source], what: "report") {
                Terminal.error(Redactor.printable(problem))
                throw Exit.usage
            }
            do { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                Terminal.error("cannot write \(Redactor.printable(output)): \(error.localizedDescription)")
                throw Exit.inputMissing
            }
            Terminal.err("wrote \(output)")
        } else {
            Terminal.out(text)
        }
    }
}
