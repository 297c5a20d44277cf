import FalClient
import Foundation
import PreflightCore
import MediaAdapt
import MediaProbe
import ModelCatalog

/// One model's run, step by step, each step journaled before the next depends on it.
extension SubmissionEngine {
    /// Returns the journal problem that stopped it, if one did.
    func drive(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal) async -> String? {
        var run = start
        do {
            // A submit that was going out when the process died may have been accepted: it is
            // uncertain, never resubmitted blindly.
            if run.state == .submitting {
                run.state = .uncertain
                run.errorMessage = "the process stopped while this submit was being sent; fal may have accepted (and will bill) it"
                try journal.update(run, event: "uncertain", run.errorMessage ?? "")
            }
            if run.state == .pending { run = try await prepareAndSubmit(run, context, cancel) }
            // Settled against fal's request history: found there, it is followed like any other.
            if run.state == .uncertain {
                switch try await settle(&run) {
                case .adopted(let id):
                    observe(run.jobID, .note(model: run.model, "the submit's answer was lost, and fal's request history lists it: request \(id), followed (not sent again)"))
                case .notAtFal(let why):
                    observe(run.jobID, .finished(model: run.model, .uncertain,
                                                 "\(why); `preflight retry \(context.job.id) --model \(run.model) --uncertain` sends it (once)"))
                    return nil
                case .unknown(let why):
                    observe(run.jobID, .finished(model: run.model, .uncertain, Self.uncertainAdvice(context.job.id, run.model) + " (\(why))"))
                    return nil
                }
            }
            if run.state == .submitted { run = try await follow(run, context, cancel) }
            if run.state == .completed { run = try await download(run, context, cancel) }
            observe(run.jobID, .finished(model: run.model, run.state, run.errorMessage ?? ""))
            return nil
        } catch let error as JournalError {
            // The journal could not be written: the run is where it was last recorded (a request
            // fal accepted was recorded, or rescued, before anything waited on it). Not failed:
            // `resume` takes it up once the state folder can be written again.
            let message = "\(error.description) The run stays as last recorded (\(run.state.rawValue)); `preflight resume \(run.jobID)` continues once it can be written."
            observe(run.jobID, .alert(model: run.model, message))
            observe(run.jobID, .finished(model: run.model, run.state, message))
            return message
        } catch {
            // Stopped part-way (a cancelled wait): the journal has every step taken.
            observe(run.jobID, .finished(model: run.model, run.state, run.errorMessage ?? "stopped: \(error)"))
            return nil
        }
    }

    static func uncertainAdvice(_ job: String, _ model: String) -> String {
        "the submit's answer was lost, so fal may have accepted (and may bill) it; nothing was sent again. Look for it in https://fal.ai/dashboard/requests, "
            + "or submit it again knowingly with `preflight retry \(job) --model \(model) --uncertain`"
    }

    // MARK: - Prepare, upload, submit

    func prepareAndSubmit(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
        var run = start
        let spec: ModelSpec
        do { spec = try catalog.model(run.model) } catch {
            return try finish(run, .refused, category: "usage", "\(error)")
        }
        // 1. Pre-flight: the media and the payload against everything known of the model.
        guard let prepared = try await prepare(&run, spec, context) else { return run }
        // 2. Upload (a still-valid upload of the same bytes is reused).
        var options = UploadOptions()
        options.lifetime = context.settings.objectLifetime
        let url: URL
        let client = self.client, journal = self.journal, uploadOptions = options
        do {
            url = try await uploads.upload(prepared.path) { () async throws(FalError) -> URL in
                try await client.upload(file: prepared.path, options: uploadOptions, cache: JournalUploadCache(journal))
            }
        } catch {
            return try finish(run, .failed, error: error, "the upload failed")
        }
        run.mediaURL = url.absoluteString
        try journal.update(run, event: "uploaded", "media at \(FalEndpoints.redactedURL(url)) (sent now, or a still-trusted upload of the same bytes)")
        observe(run.jobID, .note(model: run.model, "uploaded \(Redactor.printable((prepared.path as NSString).lastPathComponent))"))
        // 3. Submit, retrying what can succeed; the request id is journaled before anyone waits on it.
        var input = context.payload
        input[prepared.field] = .string(url.absoluteString)
        return try await submit(run, input: input, context, cancel)
    }

    private struct Prepared { var path: String; var field: String }

    /// Checks media and payload through the one pipeline `check`, `fix` and `prepare` use, and
    /// carries out its plan when allowed (the plan decides: a compliant clip the policy changes is
    /// converted here as `fix` converts it). Nil when the run was refused (journaled).
    private func prepare(_ run: inout RunRecord, _ spec: ModelSpec, _ context: JobContext) async throws -> Prepared? {
        let source = context.job.source
        if (try? SHA256.file(source)) != context.job.sourceFingerprint {
            run = try finish(run, .refused, category: "media", "\(source) changed since the job was created; submit it again")
            return nil
        }
        let pipeline = MediaPipeline(models: [spec], payload: context.payload, field: context.settings.field, policy: context.settings.policy,
                                     checksPayload: true, health: context.settings.health)
        let info: MediaInfo
        do { info = try await pipeline.probe(source) } catch {
            run = try finish(run, .refused, category: "media", error.description)
            return nil
        }
        let report = pipeline.check(info)
        guard let verdict = report.verdicts.first, let field = verdict.field else {
            run = try finish(run, .refused, category: "media", "\(spec.name) has no field for \(info.kind.rawValue) files")
            return nil
        }
        run.mediaField = field
        let payloadProblems = verdict.violations.filter { $0.rule.isPayload && $0.field != field }
        if !payloadProblems.isEmpty {
            run = try finish(run, .refused, category: "input_rejected", "the payload fails: " + payloadProblems.map(\.message).joined(separator: "; "))
            return nil
        }
        let plan: FixPlan
        do throws(FixError) { plan = try pipeline.plan(report) } catch {
            run = try finish(run, .refused, category: "media", "cannot be made acceptable (nothing was uploaded or paid): \(error.description)")
            return nil
        }
        // Priced as it will be sent (after the planned cut), and refused when it cannot be priced.
        let estimate = pipeline.cost(report, plan: plan).lines.first?.estimate
        run.estimateJSON = estimate.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        if let refusal = CostGuard.refusal(estimate, model: spec.id, maxCost: context.settings.maxCost, allowUnpriced: context.settings.allowUnpriced) {
            run = try finish(run, .refused, category: "cost", refusal)
            return nil
        }
        if plan.action == .none {
            run.preparedPath = source
            try journal.update(run, event: "checked", "the media passes \(spec.id) as it is")
            return Prepared(path: source, field: field)
        }
        let failures = MediaPipeline.mediaFailures(report)
        // Why it changes: the limits it fails, or else what the policy acts on in a compliant clip
        // (HDR, interlacing, a rotation flag), never the steps themselves again.
        var seen = Set<String>()
        let advice = report.verdicts.flatMap(\.warnings).map(\.message).filter { seen.insert($0).inserted }
        let why = !failures.isEmpty ? failures.map(\.message).joined(separator: "; ")
            : !advice.isEmpty ? advice.joined(separator: "; ") : "the policy asks for it (--reencode)"
        guard context.settings.fix == .auto else {
            run = try finish(run, .refused, category: "media", "the media needs changing (nothing was uploaded or paid; --fix auto does it): " + why)
            return nil
        }
        // Two models: one shared fix when one file can satisfy both.
        let models = Set((try? journal.runs(job: context.job.id))?.filter { $0.fallbackOf == nil }.map(\.model) ?? [])
        if models.count > 1, let specs = try? models.sorted().map({ try catalog.model($0) }),
           let shared = await sharedFixes.path(job: context, specs: specs, field: context.settings.field, announce: { [journal, observe, jobID = run.jobID, runID = run.id, model = run.model] plan in
               // Said, and journaled, before the shared file is encoded (`status` shows it).
               let steps = plan.steps.joined(separator: "; ")
               try? journal.note(job: jobID, run: runID, "plan", "\(plan.action.rawValue), one file for every model of the job: \(steps) (because: \(why))")
               observe(jobID, .note(model: model, "plan (\(plan.action.rawValue), one file for every model), because \(why):" + plan.steps.map { "\n    - \($0)" }.joined()))
           }),
           let sharedInfo = try? await pipeline.probe(shared),
           (try? pipeline.plan(pipeline.check(sharedInfo)))?.action == FixPlan.Action.none {
            run.preparedPath = shared
            try journal.update(run, event: "fixed", "one file fixed for every model of the job, verified against \(spec.id)")
            observe(run.jobID, .note(model: run.model, "fixed and verified (one file for both models)"))
            return Prepared(path: shared, field: field)
        }
        // Uploaded under the clip's own name (fal's storage keeps it): one folder per model, since
        // each model's fix differs here.
        let folder = URL(fileURLWithPath: context.job.outDir).appendingPathComponent(".prepared").appendingPathComponent(ModelName.short(spec.id))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent("\(FileNames.stem(of: context.job.source)).\(plan.format)")
        // The plan is said, and journaled, before anything is encoded or uploaded (`status` shows it).
        try journal.note(job: run.jobID, run: run.id, "plan", "\(plan.action.rawValue): " + plan.steps.joined(separator: "; ") + " (because: \(why))")
        observe(run.jobID, .note(model: run.model, "plan (\(plan.action.rawValue)), because \(why):" + plan.steps.map { "\n    - \($0)" }.joined()))
        let result: FixResult
        do throws(FixError) { result = try await pipeline.conform(plan, source: info, output: target) } catch {
            run = try finish(run, .refused, category: "media", "cannot be made acceptable (nothing was uploaded or paid): \(error.description)")
            return nil
        }
        run.preparedPath = result.output ?? target.path
        try journal.update(run, event: "fixed", "plan: " + result.plan.steps.joined(separator: "; ") + "; verified against \(spec.id)")
        observe(run.jobID, .note(model: run.model, "fixed and verified: " + result.plan.steps.joined(separator: "; ")))
        return Prepared(path: run.preparedPath ?? source, field: field)
    }

    static func slug(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    func submit(_ start: RunRecord, input: [String: JSONValue], _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
        var run = start
        let began = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        run.inputJSON = client.key.redactor(String(decoding: (try? encoder.encode(input)) ?? Data(), as: UTF8.self))
        let resultsFolder = URL(fileURLWithPath: context.job.outDir)
        while true {
            if cancel.isRaised { return try finish(run, .cancelled, category: "cancelled", "stopped before submitting; nothing was sent") }
            // Nothing goes out unless its answer can be recorded.
            do { try journal.ensureRoomForSubmit() } catch {
                run.state = .pending
                run.errorCategory = "local_state"
                run.errorMessage = error.description
                try? journal.update(run, event: "waiting", error.description)
                throw error
            }
            run.attempts += 1
            run.state = .submitting
            try journal.update(run, event: "submitting", "attempt \(run.attempts)")
            let answer: Result<QueueSubmission, FalError>
            do throws(FalError) { answer = .success(try await client.submit(model: run.model, input: input, options: context.settings.submitOptions)) } catch {
                answer = .failure(error)
            }
            switch RunMachine.afterSubmit(answer, attempt: run.attempts, elapsed: Date().timeIntervalSince(began), policy: policy) {
            case .submitted:
                guard case .success(let s) = answer else { continue }
                run.accept(s)
                switch journal.recordAccepted(run, event: "request \(s.requestID)", resultsFolder: resultsFolder) {
                case .journal:
                    observe(run.jobID, .note(model: run.model, "submitted: request \(s.requestID)"))
                case .rescued(let files):
                    observe(run.jobID, .alert(model: run.model, "fal accepted request \(s.requestID), but the journal could not record it (the state folder is full or unwritable); "
                        + "it is kept in \(files.joined(separator: " and ")): free space, then `preflight resume \(run.jobID)` follows it. Do not submit this file again."))
                    throw JournalError(.unwritable, message: "the journal could not record request \(s.requestID)", hint: "It is kept in \(files.joined(separator: " and "))")
                case .lost(let why):
                    observe(run.jobID, .alert(model: run.model, "fal accepted request \(s.requestID) for \(run.model), and it could not be written anywhere (\(why)). "
                        + "Keep this id: fal's dashboard (https://fal.ai/dashboard/requests) has its result. Do not submit this file again."))
                    throw JournalError(.unwritable, message: "request \(s.requestID) could not be recorded", hint: "Its id was printed above")
                }
                return run
            case .uncertain:
                guard case .failure(let error) = answer else { continue }
                run.state = .uncertain
                run.errorCategory = error.kind.rawValue
                run.errorMessage = error.description
                try journal.update(run, event: "uncertain", error.description)
                return run
            case .retry(let delay):
                guard case .failure(let error) = answer else { continue }
                run.state = .pending
                try journal.update(run, event: "retry", String(format: "%@; again in %.1f s", error.message, delay))
                observe(run.jobID, .retrying(model: run.model, attempt: run.attempts, after: delay, reason: error.message))
                try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            case .failed:
                guard case .failure(let error) = answer else { continue }
                var failed = try finish(run, .failed, error: error, "the submit failed")
                if error.kind == .capacity { failed = try capacityAdvice(failed, context) }
                return failed
            }
        }
    }

    /// A model that keeps failing for capacity: name similar models, and switch to `--fallback`.
    private func capacityAdvice(_ run: RunRecord, _ context: JobContext) throws -> RunRecord {
        var run = run
        guard let spec = try? catalog.model(run.model) else { return run }
        let kinds = Set(spec.media.map(\.kind.element))
        let similar = catalog.models.values.filter { $0.id != spec.id && $0.category == spec.category && Set($0.media.map(\.kind.element)) == kinds }
            .map(\.id).sorted().prefix(3)
        // Sentences joined once: the message may already end with its own full stop.
        func add(_ sentence: String) {
            let before = (run.errorMessage ?? "").trimmingCharacters(in: .whitespaces)
            run.errorMessage = before.isEmpty ? sentence : (before.hasSuffix(".") ? before + " " : before + ". ") + sentence
        }
        if !similar.isEmpty { add("Similar models: " + similar.joined(separator: ", ") + ".") }
        // One fallback run per model of the job: a retried primary that fails again does not add a second.
        if let fallback = context.settings.fallback, run.fallbackOf == nil, fallback != run.model,
           !(try journal.runs(job: context.job.id)).contains(where: { $0.fallbackOf == run.model }) {
            _ = try journal.add(runFor: context.job.id, model: fallback, fallbackOf: run.model)
            add("Switching to --fallback \(fallback), in this run.")
            observe(run.jobID, .note(model: run.model, "capacity retries spent: sending to --fallback \(fallback) now"))
        }
        try journal.update(run, event: "advice", run.errorMessage ?? "")
        return run
    }

    /// fal could not download an upload: its URL must not be reused from the cache.
    func forgetUpload(_ url: String) {
        try? journal.forgetUpload(url: url)
    }

    /// A 422 that carries a limit becomes a learned requirement, so the next check stops locally.
    func learn(from error: FalError, run: RunRecord) {
        let lessons = LearnedRequirement.from(error.rejections, modelID: run.model, field: run.mediaField)
        guard !lessons.isEmpty else { return }
        do {
            try JournalLearnedStore(journal, queue: client.endpoints.queue).record(lessons)
            let text = lessons.map { "\($0.field).\($0.key.rawValue) = \($0.value)" }.joined(separator: ", ")
            try journal.note(job: run.jobID, run: run.id, "learned", text)
            observe(run.jobID, .note(model: run.model, "learned from this rejection: \(text); the next check stops before uploading"))
        } catch {
            observe(run.jobID, .note(model: run.model, "could not remember the rejection's limits: \(error)"))
        }
    }

    // MARK: - Endings

    func finish(_ start: RunRecord, _ state: RunState, category: String, _ message: String) throws -> RunRecord {
        var run = start
        run.state = state
        run.errorCategory = category
        run.errorMessage = message
        try journal.update(run, event: state.rawValue, message)
        return run
    }

    func finish(_ start: RunRecord, _ state: RunState, error: FalError, _ what: String) throws -> RunRecord {
        var run = start
        run.state = state
        run.errorCategory = error.kind.rawValue
        run.errorMessage = "\(what): \(error.description)"
        run.errorBody = error.rawBody.map { String($0.prefix(65_536)) }
        try journal.update(run, event: state.rawValue, run.errorMessage ?? "")
        return run
    }
}
