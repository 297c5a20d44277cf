import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog

/// One model's run, step by step, each step journaled before the next depends on it.
extension SubmissionEngine {
    func drive(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal) async {
        var run = start
        do {
            // A submit that was going out when the process died may have been accepted: it is
            // uncertain, never resubmitted blindly.
            if run.state == .submitting {
                run.state = .uncertain
                run.errorMessage = "the process stopped while this submit was being sent; fal may have accepted (and will bill) it"
                try journal.update(run, event: "uncertain", run.errorMessage ?? "")
            }
            if run.state == .uncertain {
                observe(run.jobID, .finished(model: run.model, .uncertain, Self.uncertainAdvice(context.job.id, run.model)))
                return
            }
            if run.state == .pending { run = try await prepareAndSubmit(run, context, cancel) }
            if run.state == .submitted { run = try await follow(run, context, cancel) }
            if run.state == .completed { run = try await download(run, context) }
            observe(run.jobID, .finished(model: run.model, run.state, run.errorMessage ?? ""))
        } catch {
            run.state = .failed
            run.errorCategory = run.errorCategory ?? "journal"
            run.errorMessage = "\(error)"
            try? journal.update(run, event: "failed", "\(error)")
            observe(run.jobID, .finished(model: run.model, .failed, "\(error)"))
        }
    }

    static func uncertainAdvice(_ job: String, _ model: String) -> String {
        "the submit's answer was lost, so fal may have accepted (and may bill) it; nothing was sent again. Look for it in https://fal.ai/dashboard/requests, "
            + "or submit it again knowingly with `preflight retry \(job) --model \(model) --uncertain`"
    }

    // MARK: - Prepare, upload, submit

    private func prepareAndSubmit(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
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

    /// Checks media and payload; fixes when allowed. Nil when the run was refused (journaled).
    private func prepare(_ run: inout RunRecord, _ spec: ModelSpec, _ context: JobContext) async throws -> Prepared? {
        let source = context.job.source
        let info: MediaInfo
        do { info = try Prober.probe(source) } catch {
            run = try finish(run, .refused, category: "media", error.description)
            return nil
        }
        if (try? SHA256.file(source)) != context.job.sourceFingerprint {
            run = try finish(run, .refused, category: "media", "\(source) changed since the job was created; submit it again")
            return nil
        }
        let report = Checker().check(info, models: [spec], payload: context.payload, field: context.settings.field)
        guard let verdict = report.verdicts.first, let field = verdict.field else {
            run = try finish(run, .refused, category: "media", "\(spec.name) has no field for \(info.kind.rawValue) files")
            return nil
        }
        let payloadProblems = verdict.violations.filter { $0.rule.hasPrefix("payload.") && $0.field != field }
        if !payloadProblems.isEmpty {
            run = try finish(run, .refused, category: "input_rejected", "the payload fails: " + payloadProblems.map(\.message).joined(separator: "; "))
            return nil
        }
        if let max = context.settings.maxCost, let cost = verdict.cost, cost.amount > max {
            run = try finish(run, .refused, category: "cost", String(format: "the estimate is %.2f %@ (%@), above --max-cost %.2f", cost.amount, cost.currency, cost.basis, max))
            return nil
        }
        let failures = FixPipeline.mediaFailures(report)
        if failures.isEmpty {
            run.preparedPath = source
            try journal.update(run, event: "checked", "the media passes \(spec.id) as it is")
            return Prepared(path: source, field: field)
        }
        guard context.settings.fix == .auto else {
            run = try finish(run, .refused, category: "media", "the media fails (nothing was uploaded or paid): " + failures.map(\.message).joined(separator: "; "))
            return nil
        }
        // Two models: one shared fix when one file can satisfy both.
        let models = Set((try? journal.runs(job: context.job.id))?.filter { $0.fallbackOf == nil }.map(\.model) ?? [])
        if models.count > 1, let specs = try? models.sorted().map({ try catalog.model($0) }),
           let shared = await sharedFixes.path(job: context, specs: specs, field: context.settings.field),
           let sharedInfo = try? Prober.probe(shared),
           FixPipeline.mediaFailures(Checker().check(sharedInfo, models: [spec], payload: context.payload, field: field)).isEmpty {
            run.preparedPath = shared
            try journal.update(run, event: "fixed", "one file fixed for every model of the job, verified against \(spec.id)")
            observe(run.jobID, .note(model: run.model, "fixed and verified (one file for both models)"))
            return Prepared(path: shared, field: field)
        }
        let folder = URL(fileURLWithPath: context.job.outDir).appendingPathComponent(".prepared")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let slug = Self.slug(spec.id)
        let ext = (source as NSString).pathExtension.isEmpty ? "mp4" : (source as NSString).pathExtension
        let target = folder.appendingPathComponent("\(slug).\(info.kind == .video ? "mp4" : ext)")
        observe(run.jobID, .note(model: run.model, "fixing: " + failures.map(\.message).joined(separator: "; ")))
        let outcome: FixPipeline.Outcome
        do throws(FixError) { outcome = try await FixPipeline(models: [spec], payload: context.payload, field: field).run(source: source, output: target) } catch {
            run = try finish(run, .refused, category: "media", "cannot be made acceptable (nothing was uploaded or paid): \(error.description)")
            return nil
        }
        switch outcome {
        case .compliant:
            run.preparedPath = source
        case .fixed(let result):
            run.preparedPath = result.output ?? target.path
            try journal.update(run, event: "fixed", "plan: " + result.plan.steps.joined(separator: "; ") + "; verified against \(spec.id)")
            observe(run.jobID, .note(model: run.model, "fixed and verified: " + result.plan.steps.joined(separator: "; ")))
        }
        return Prepared(path: run.preparedPath ?? source, field: field)
    }

    static func slug(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    private func submit(_ start: RunRecord, input: [String: JSONValue], _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
        var run = start
        let began = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        run.inputJSON = client.key.redactor(String(decoding: (try? encoder.encode(input)) ?? Data(), as: UTF8.self))
        while true {
            if cancel.isRaised { return try finish(run, .cancelled, category: "cancelled", "stopped before submitting; nothing was sent") }
            run.attempts += 1
            run.state = .submitting
            try journal.update(run, event: "submitting", "attempt \(run.attempts)")
            let answer: Result<QueueSubmission, FalError>
            do throws(FalError) { answer = .success(try await client.submit(model: run.model, input: input, options: context.settings.submitOptions)) } catch {
                answer = .failure(error)
            }
            switch answer {
            case .success(let s):
                run.state = .submitted
                run.requestID = s.requestID
                run.statusURL = s.statusURL.absoluteString
                run.responseURL = s.responseURL.absoluteString
                run.cancelURL = s.cancelURL.absoluteString
                try journal.update(run, event: "submitted", "request \(s.requestID)")
                observe(run.jobID, .note(model: run.model, "submitted: request \(s.requestID)"))
                return run
            case .failure(let error):
                if error.mayHaveBeenAccepted {
                    run.state = .uncertain
                    run.errorCategory = error.category.rawValue
                    run.errorMessage = error.description
                    try journal.update(run, event: "uncertain", error.description)
                    return run
                }
                switch policy.decide(error, attempt: run.attempts, elapsed: Date().timeIntervalSince(began)) {
                case .retry(let delay):
                    run.state = .pending
                    try journal.update(run, event: "retry", String(format: "%@; again in %.1f s", error.message, delay))
                    observe(run.jobID, .retrying(model: run.model, attempt: run.attempts, after: delay, reason: error.message))
                    try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                case .stop:
                    var failed = try finish(run, .failed, error: error, "the submit failed")
                    if error.category == .capacity { failed = try capacityAdvice(failed, context) }
                    return failed
                }
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
        if !similar.isEmpty { run.errorMessage = (run.errorMessage ?? "") + ". Similar models: " + similar.joined(separator: ", ") }
        if let fallback = context.settings.fallback, run.fallbackOf == nil, fallback != run.model {
            _ = try journal.add(runFor: context.job.id, model: fallback, fallbackOf: run.model)
            run.errorMessage = (run.errorMessage ?? "") + ". Switching to --fallback \(fallback)"
            observe(run.jobID, .note(model: run.model, "capacity retries spent: switching to --fallback \(fallback)"))
        }
        try journal.update(run, event: "advice", run.errorMessage ?? "")
        return run
    }

    // MARK: - Follow and fetch

    private func follow(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
        var run = start
        guard let submission = submission(of: run) else { return try finish(run, .failed, category: "journal", "no request id was journaled") }
        let deadline = context.deadline
        var last: QueueStatus.State?
        var done: QueueStatus?
        // The stream first; when it fails (it ends, stalls or errs), polling takes over. A quiet
        // stream sends nothing for minutes, so Ctrl-C and the deadline are watched beside it, not
        // only when an event arrives.
        let client = self.client, journal = self.journal, observe = self.observe, runNow = run
        done = await withTaskGroup(of: QueueStatus?.self) { group in
            group.addTask {
                var seen: QueueStatus.State?
                do {
                    for try await status in client.statusStream(submission) {
                        if status.status != seen { seen = status.status; try? journal.note(job: runNow.jobID, run: runNow.id, "status", status.status.rawValue) }
                        observe(runNow.jobID, .status(model: runNow.model, status))
                        if status.status == .completed { return status }
                    }
                } catch {
                    try? journal.note(job: runNow.jobID, run: runNow.id, "stream", "the status stream stopped (\(error)); polling instead")
                }
                return nil
            }
            group.addTask {
                while !Task.isCancelled, !cancel.isRaised, !(deadline.map { Date() > $0 } ?? false) {
                    try? await Task.sleep(nanoseconds: 100_000_000)
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        while done == nil {
            if cancel.isRaised || (deadline.map { Date() > $0 } ?? false) {
                if context.settings.detach {
                    try journal.note(job: run.jobID, run: run.id, "detached", "left running at fal; `preflight resume \(run.jobID)` fetches it")
                    return run
                }
                let said = try? await client.cancel(submission)
                try journal.note(job: run.jobID, run: run.id, "cancel", "asked fal to cancel: \(said?.rawValue ?? "no answer")")
                // Finished meanwhile: it is paid for, so its result comes home (once: the flag that
                // asked for the cancel is still raised, and asking again would never end).
                if said == .alreadyCompleted { return try await fetch(run, submission, context, cancel) }
                return try await settleCancel(run, submission, context, cancel, reason: cancel.isRaised ? "cancelled on request" : "cancelled: --timeout passed")
            }
            let polled: Result<QueueStatus, FalError>
            do throws(FalError) { polled = .success(try await client.status(submission)) } catch { polled = .failure(error) }
            switch polled {
            case .success(let status):
                if status.status != last { last = status.status; try journal.note(job: run.jobID, run: run.id, "status", status.status.rawValue) }
                observe(run.jobID, .status(model: run.model, status))
                if status.status == .completed { done = status; break }
            case .failure(let error) where error.retryable:
                try? journal.note(job: run.jobID, run: run.id, "poll", error.message)
            case .failure(let error):
                return try finish(run, .failed, error: error, "following the request failed")
            }
            if done != nil { break }
            try await Task.sleep(nanoseconds: UInt64(pollInterval * 1_000_000_000))
        }
        return try await fetch(run, submission, context, cancel)
    }

    /// fal took the cancel, but "a running request may still complete": watch it briefly. Completed
    /// anyway: the result is paid for and is fetched. Cancelled: the run ends so. Still going when
    /// the wait ends: the run stays `submitted` (not finished), so `resume` settles it later, and
    /// a result that arrives after all is never lost.
    private func settleCancel(_ run: RunRecord, _ submission: QueueSubmission, _ context: JobContext, _ cancel: CancelSignal,
                              reason: String) async throws -> RunRecord {
        let until = Date().addingTimeInterval(3)
        while Date() < until {
            if let status = try? await client.status(submission), status.status == .completed {
                return try await fetch(run, submission, context, cancel)
            }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        var open = run
        open.errorMessage = "\(reason); fal had not confirmed the cancel yet: `preflight resume \(run.jobID)` settles it (and fetches the result if it finished after all)"
        try journal.update(open, event: "cancel", open.errorMessage ?? "")
        return open
    }

    private func fetch(_ start: RunRecord, _ submission: QueueSubmission, _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
        var run = start
        var attempt = 0
        while true {
            attempt += 1
            let fetched: Result<QueueResult, FalError>
            do throws(FalError) { fetched = .success(try await client.result(submission)) } catch { fetched = .failure(error) }
            switch fetched {
            case .success(let result):
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                run.resultJSON = String(decoding: (try? encoder.encode(result.body)) ?? Data(), as: UTF8.self)
                run.state = .completed
                try journal.update(run, event: "completed", "\(result.mediaURLs.count) output file(s)")
                return run
            case .failure(let error):
                if error.category == .inputRejected { learn(from: error, run: run) }
                if error.errorType == "file_download_error", let url = run.mediaURL {
                    forgetUpload(url)
                    // fal could not fetch the media: most often a reused upload whose stored copy
                    // is gone (past its lifetime, a restarted simulator). Upload it again and send
                    // once more; a second such failure is the input's own and is reported.
                    let tried = (try? journal.events(job: run.jobID))?.contains { $0.runID == run.id && $0.kind == "reupload" } ?? true
                    if !tried {
                        var again = run
                        again.state = .pending
                        again.mediaURL = nil
                        again.requestID = nil
                        again.statusURL = nil; again.responseURL = nil; again.cancelURL = nil
                        try journal.update(again, event: "reupload", "fal could not download the media (\(error.message)); uploading it again and submitting once more")
                        observe(run.jobID, .note(model: run.model, "fal could not download the uploaded media (gone or expired): uploading it again"))
                        let sent = try await prepareAndSubmit(again, context, cancel)
                        return sent.state == .submitted ? try await follow(sent, context, cancel) : sent
                    }
                }
                // The answer was lost on the way (the network, a cut body, not the documented shape):
                // the request is done and paid for, so its result is fetched again, never resubmitted.
                if error.status == nil || error.category == .network || error.category == .unexpectedOutput {
                    if attempt < max(1, policy.maxAttempts) {
                        let delay = min(policy.maxDelay, policy.baseDelay * pow(2, Double(attempt - 1)))
                        try journal.note(job: run.jobID, run: run.id, "result", "fetching the result failed (\(error.message)); again in \(String(format: "%.1f", delay)) s")
                        observe(run.jobID, .retrying(model: run.model, attempt: attempt, after: delay, reason: "fetching the result: \(error.message)"))
                        try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                        continue
                    }
                    run.errorCategory = error.category.rawValue
                    run.errorMessage = "the request completed but its result could not be fetched (\(error.message)); `preflight resume \(run.jobID)` fetches it again"
                    try journal.update(run, event: "result", run.errorMessage ?? "")
                    return run // still `submitted`: resume takes it up, nothing is sent again
                }
                // A model's server-side failure (an answer, 5xx, not charged) gets a new request, within the policy.
                if error.retryable, error.category == .server || error.category == .capacity,
                   case .retry(let delay) = policy.decide(error, attempt: run.attempts, elapsed: 0) {
                    run.state = .pending
                    try journal.update(run, event: "retry", "request \(run.requestID ?? "?") failed: \(error.message); submitting again in \(String(format: "%.1f", delay)) s")
                    observe(run.jobID, .retrying(model: run.model, attempt: run.attempts, after: delay, reason: error.message))
                    try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                    guard let input = run.inputJSON.flatMap({ try? JSONDecoder().decode([String: JSONValue].self, from: Data($0.utf8)) }) else {
                        return try finish(run, .failed, error: error, "the result failed")
                    }
                    let again = try await submit(run, input: input, context, cancel)
                    return again.state == .submitted ? try await follow(again, context, cancel) : again
                }
                // Cancelled at fal (`preflight cancel`, or by someone else): not a model failure.
                if error.errorType == "client_cancelled" || (error.status == 400 && error.message.lowercased().contains("cancelled")) {
                    return try finish(run, .cancelled, category: "cancelled", "cancelled at fal before it finished; nothing to download")
                }
                if error.category == .notReady, attempt < 20 {
                    try await Task.sleep(nanoseconds: UInt64(pollInterval * 1_000_000_000))
                    continue
                }
                return try finish(run, .failed, error: error, "the model failed")
            }
        }
    }

    /// fal could not download an upload: its URL must not be reused from the cache.
    private func forgetUpload(_ url: String) {
        try? journal.forgetUpload(url: url)
    }

    /// A 422 that carries a limit becomes a learned requirement, so the next check stops locally.
    private func learn(from error: FalError, run: RunRecord) {
        let lessons = LearnedRequirement.from(error.rejections, modelID: run.model, field: run.mediaField)
        guard !lessons.isEmpty else { return }
        do {
            try JournalLearnedStore(journal).record(lessons)
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
        run.errorCategory = error.category.rawValue
        run.errorMessage = "\(what): \(error.description)"
        run.errorBody = error.rawBody.map { String($0.prefix(65_536)) }
        try journal.update(run, event: state.rawValue, run.errorMessage ?? "")
        return run
    }
}
