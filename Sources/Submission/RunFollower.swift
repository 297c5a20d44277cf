import FalClient
import Foundation
import MediaAdapt
import PreflightCore

/// Following a submitted request and fetching its result, as `RunMachine` decides: the status
/// stream and polls watched together, every answer judged by the machine, every wait bounded.
extension SubmissionEngine {
    /// How a watch over a request ended.
    enum Watch {
        case completed(RunMachine.Completion)
        /// Stop for now (patience or the longest wait spent): the run stays `submitted`.
        case leave(String)
        /// Ctrl-C, or --timeout passed.
        case stopped(byUser: Bool)
    }

    /// What the watchers report to the one place that decides.
    private enum Observation: Sendable {
        case status(Result<QueueStatus, FalError>)
        case streamEnded(String)
        case tick
    }

    func follow(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal) async throws -> RunRecord {
        var run = start
        guard let submission = submission(of: run) else {
            // A submitted run always has its id (it is journaled with the state): a journal edited by hand.
            return try finish(run, .failed, category: "journal", "the journal has no request id for this submitted run")
        }
        switch await watch(run, submission, context, cancel) {
        case .completed(let completion):
            return try await fetch(run, submission, completion, context, cancel)
        case .leave(let reason):
            run.errorMessage = "\(reason); `preflight resume \(run.jobID)` follows it again"
            try journal.update(run, event: "left", run.errorMessage ?? "")
            return run
        case .stopped(let byUser):
            if context.settings.detach || cancel.leavesRunning {
                try journal.note(job: run.jobID, run: run.id, "detached", "left running at fal; `preflight resume \(run.jobID)` fetches it")
                return run
            }
            let said = try? await client.cancel(submission)
            try journal.note(job: run.jobID, run: run.id, "cancel", "asked fal to cancel: \(said?.rawValue ?? "no answer")")
            // Finished meanwhile: it is paid for, so its result comes home (once: the flag that
            // asked for the cancel is still raised, and asking again would never end).
            if said == .alreadyCompleted {
                let completion = (try? await client.status(submission)).map(RunMachine.Completion.init) ?? .unseen
                return try await bringHome(run, submission, completion, context, cancel)
            }
            return try await settleCancel(run, submission, context, cancel, reason: byUser ? "cancelled on request" : "cancelled: --timeout passed")
        }
    }

    /// The status stream and polls, together: the stream for prompt news, polls beside it (every
    /// `quietPoll` s while the stream lives, so a buffering proxy cannot hide a completion; at the
    /// poll interval once it has died), and a tick for Ctrl-C and the deadlines.
    private func watch(_ run: RunRecord, _ submission: QueueSubmission, _ context: JobContext, _ cancel: CancelSignal) async -> Watch {
        let client = self.client, policy = self.policy, pollInterval = self.pollInterval
        let (observations, sink) = AsyncStream.makeStream(of: Observation.self, bufferingPolicy: .bufferingNewest(256))
        let streamDown = CancelSignal()
        let began = Date()
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await status in client.statusStream(submission) {
                        sink.yield(.status(.success(status)))
                        if status.status == .completed { return }
                    }
                } catch {
                    streamDown.raise()
                    sink.yield(.streamEnded("\(error)"))
                }
            }
            group.addTask {
                var failures = 0
                while !Task.isCancelled {
                    let wait = failures > 0 ? min(policy.delay(attempt: failures), 10) : streamDown.isRaised ? pollInterval : policy.quietPoll
                    // Sleep in short steps: the stream may die meanwhile, and then polls speed up.
                    let until = Date().addingTimeInterval(wait)
                    while Date() < until, !Task.isCancelled {
                        if streamDown.isRaised, failures == 0, until.timeIntervalSinceNow > pollInterval { break }
                        try? await Task.sleep(nanoseconds: 50_000_000)
                    }
                    if Task.isCancelled { return }
                    let polled: Result<QueueStatus, FalError>
                    do throws(FalError) { polled = .success(try await client.status(submission)) } catch { polled = .failure(error) }
                    if case .failure = polled { failures += 1 } else { failures = 0 }
                    sink.yield(.status(polled))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 200_000_000)
                    sink.yield(.tick)
                }
            }
            defer { group.cancelAll() }
            var failingSince: Date?
            var lastState: QueueStatus.State?
            var lastProblem = ""
            for await observation in observations {
                let now = Date()
                switch observation {
                case .tick:
                    if cancel.isRaised { return .stopped(byUser: true) }
                    if let deadline = context.deadline, now > deadline { return .stopped(byUser: false) }
                    if context.deadline == nil, now.timeIntervalSince(began) > policy.maxWait {
                        return .leave("followed for \(Int(policy.maxWait / 60)) min without COMPLETED (the longest wait without --timeout)")
                    }
                case .streamEnded(let why):
                    try? journal.note(job: run.jobID, run: run.id, "stream", "the status stream stopped (\(why)); polling instead")
                case .status(let outcome):
                    switch outcome {
                    case .success(let status):
                        failingSince = nil
                        if status.status != lastState {
                            lastState = status.status
                            try? journal.note(job: run.jobID, run: run.id, "status", status.status.rawValue)
                        }
                        observe(run.jobID, .status(model: run.model, status))
                    case .failure(let error):
                        failingSince = failingSince ?? now
                        if error.message != lastProblem {
                            lastProblem = error.message
                            try? journal.note(job: run.jobID, run: run.id, "poll", "\(error.message) (not fal's verdict on the request: still following)")
                        }
                    }
                    switch RunMachine.afterStatus(outcome, failingSince: failingSince, now: now, policy: policy) {
                    case .completed(let completion): return .completed(completion)
                    case .leave(let why): return .leave(why)
                    case .waiting: break
                    }
                }
            }
            return .leave("the watch ended")
        }
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
                return try await bringHome(run, submission, RunMachine.Completion(status), context, cancel)
            }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        var open = run
        open.errorMessage = "\(reason); fal had not confirmed the cancel yet: `preflight resume \(run.jobID)` settles it (and fetches the result if it finished after all)"
        try journal.update(open, event: "cancel", open.errorMessage ?? "")
        return open
    }

    /// A request that completed although it was asked to stop (the cancel came too late): it is
    /// paid for, so its result and outputs come home now, whatever stop was asked (each transfer
    /// is still bounded by its stall limit, and a second Ctrl-C still quits at once).
    private func bringHome(_ run: RunRecord, _ submission: QueueSubmission, _ completion: RunMachine.Completion, _ context: JobContext,
                           _ cancel: CancelSignal) async throws -> RunRecord {
        let fetched = try await fetch(run, submission, completion, context, cancel, ignoringStop: true)
        return fetched.state == .completed ? try await download(fetched, context, cancel, ignoringStop: true) : fetched
    }

    /// Where a run's result and outputs go.
    func resultsFolder(_ run: RunRecord, _ context: JobContext) -> URL {
        let jobFolder = URL(fileURLWithPath: context.job.outDir)
        // Jobs made before results were named after their clip keep their layout (<job id>/<slug>).
        if Self.isLegacyLayout(context.job) { return jobFolder.appendingPathComponent(Self.slug(run.model)) }
        return jobFolder.appendingPathComponent(ModelName.short(run.model))
    }

    static func isLegacyLayout(_ job: JobRecord) -> Bool { (job.outDir as NSString).lastPathComponent == job.id }

    /// What the outputs of a run are called: `<clip>.<model>` (and the URL's extension), or the
    /// URL's own name in a job of the older layout.
    static func outputBase(_ run: RunRecord, _ job: JobRecord) -> String? {
        isLegacyLayout(job) ? nil : FileNames.stem(of: job.source) + "." + ModelName.short(run.model)
    }

    /// Fetches a completed request's result into its folder; `ignoringStop`: a result fetched
    /// because fal said the cancel came too late (the stop flag is already raised).
    func fetch(_ start: RunRecord, _ submission: QueueSubmission, _ completion: RunMachine.Completion, _ context: JobContext,
               _ cancel: CancelSignal, ignoringStop: Bool = false) async throws -> RunRecord {
        var run = start
        let folder = resultsFolder(run, context)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            run.errorMessage = "cannot make \(folder.path) (\((error as NSError).localizedDescription)); the result stays at fal: fix that, then `preflight resume \(run.jobID)`"
            try journal.update(run, event: "result", run.errorMessage ?? "")
            return run
        }
        OutputTarget.removeStalePartials(in: folder)
        let stop = Self.stop(cancel, context.deadline, ignoring: ignoringStop)
        let since = Date()
        var attempt = 0
        while true {
            if stop() {
                run.errorMessage = "stopped before its result was fetched; `preflight resume \(run.jobID)` fetches it"
                try journal.update(run, event: "result", run.errorMessage ?? "")
                return run
            }
            attempt += 1
            let fetched: Result<SavedResult, FalError>
            do throws(FalError) {
                fetched = .success(try await client.result(submission, saveTo: folder.appendingPathComponent("result.json"), inlineFolder: folder,
                                                           inlineName: { i, type in "output-\(i).\(Self.fileExtension(for: type))" },
                                                           stallTimeout: policy.stallTimeout, shouldStop: stop))
            } catch { fetched = .failure(error) }
            let failure: FalError? = if case .failure(let e) = fetched { e } else { nil }
            if let failure, failure.kind == .inputRejected { learn(from: failure, run: run) }
            let reuploadTried = (try? journal.events(job: run.jobID))?.contains { $0.runID == run.id && $0.kind == "reupload" } ?? true
            switch RunMachine.afterFetch(failure, completion: completion, attempt: attempt, since: since, now: Date(),
                                         reuploadTried: reuploadTried, submits: run.attempts, policy: policy) {
            case .got:
                guard case .success(let saved) = fetched else { continue }
                return try saveResult(run, saved, context)
            case .again(let delay):
                let message = failure?.message ?? "?"
                try journal.note(job: run.jobID, run: run.id, "result", "fetching the result failed (\(message)); again in \(String(format: "%.1f", delay)) s (fal completed it: it is never sent again)")
                observe(run.jobID, .retrying(model: run.model, attempt: attempt, after: delay, reason: "fetching the result: \(message)"))
                let until = Date().addingTimeInterval(delay)
                while Date() < until, !stop() { try await Task.sleep(nanoseconds: 50_000_000) }
            case .leave(let reason):
                run.errorCategory = failure?.kind.rawValue
                run.errorMessage = "\(reason); `preflight resume \(run.jobID)` fetches it (it is never sent again)"
                try journal.update(run, event: "result", run.errorMessage ?? "")
                return run // still `submitted`: resume takes it up
            case .reupload:
                guard let failure else { continue }
                if let url = run.mediaURL { forgetUpload(url) }
                // fal could not fetch the media: most often a reused upload whose stored copy is
                // gone (past its lifetime, a restarted simulator). Nothing was generated.
                var again = run
                again.state = .pending
                again.mediaURL = nil
                again.requestID = nil
                again.statusURL = nil; again.responseURL = nil; again.cancelURL = nil
                try journal.update(again, event: "reupload", "fal could not download the media (\(failure.message)); uploading it again and submitting once more")
                observe(run.jobID, .note(model: run.model, "fal could not download the uploaded media (gone or expired): uploading it again"))
                let sent = try await prepareAndSubmit(again, context, cancel)
                return sent.state == .submitted ? try await follow(sent, context, cancel) : sent
            case .resubmit(let delay):
                guard let failure else { continue }
                // fal's verdict: a server-side failure of this request, which is not charged.
                run.state = .pending
                try journal.update(run, event: "retry", "request \(run.requestID ?? "?") failed at fal: \(failure.message); a new request in \(String(format: "%.1f", delay)) s")
                observe(run.jobID, .retrying(model: run.model, attempt: run.attempts, after: delay, reason: failure.message))
                try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                guard let input = run.inputJSON.flatMap({ try? JSONDecoder().decode([String: JSONValue].self, from: Data($0.utf8)) }) else {
                    return try finish(run, .failed, error: failure, "the request failed")
                }
                let again = try await submit(run, input: input, context, cancel)
                return again.state == .submitted ? try await follow(again, context, cancel) : again
            case .cancelled:
                return try finish(run, .cancelled, category: "cancelled", "cancelled at fal before it finished; nothing to download")
            case .failed:
                if let failure, RunMachine.isFalsWord(failure) || RunMachine.isModelRejection(failure) {
                    return try finish(run, .failed, error: failure, "the model failed")
                }
                return try finish(run, .failed, category: FalError.Kind.server.rawValue,
                                  "fal completed the request with an error: \(completion.error ?? "no reason given")" + (completion.errorType.map { " (\($0))" } ?? ""))
            }
        }
    }

    /// Whether a transfer should stop now: Ctrl-C or --timeout, unless the result is being
    /// brought home after a cancel that came too late.
    static func stop(_ cancel: CancelSignal, _ deadline: Date?, ignoring: Bool) -> @Sendable () -> Bool {
        { !ignoring && (cancel.isRaised || (deadline.map { Date() > $0 } ?? false)) }
    }

    /// The result is on disk: the run records it (and the outputs fal inlined), then downloads.
    private func saveResult(_ start: RunRecord, _ saved: SavedResult, _ context: JobContext) throws -> RunRecord {
        var run = start
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        run.resultJSON = saved.json.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        run.resultFile = saved.file
        run.outputsJSON = String(decoding: (try? JSONEncoder().encode(saved.outputs.remote.map(\.absoluteString))) ?? Data("[]".utf8), as: UTF8.self)
        run.errorCategory = nil
        run.errorMessage = nil
        if let runID = run.id {
            for inline in saved.outputs.inline {
                try journal.record(output: OutputRecord(id: nil, runID: runID, url: inline.key, path: inline.path, bytes: inline.bytes, sha256: inline.sha256))
            }
        }
        let count = saved.outputs.remote.count + saved.outputs.inline.count
        // A result that names nothing to bring home is not a success for a model that makes media.
        if count == 0, !saved.outputs.unusable.isEmpty || Self.makesMedia(catalog.models[run.model]?.category) {
            let what = saved.outputs.unusable.isEmpty ? "no output file at all" : saved.outputs.unusable.prefix(3).joined(separator: "; ")
            run.state = .failed
            run.errorCategory = "no_output"
            run.errorMessage = "fal completed request \(run.requestID ?? "?"), but its result names nothing that can be downloaded (\(what)); the result is in \(saved.file)"
            try journal.update(run, event: "failed", run.errorMessage ?? "")
            return run
        }
        run.state = .completed
        let inlined = saved.outputs.inline.isEmpty ? "" : " (\(saved.outputs.inline.count) inlined in the result, already on disk)"
        try journal.update(run, event: "completed", "\(count) output file(s)\(inlined); result saved to \(saved.file)")
        return run
    }

    /// Whether a model of this category makes media (`...-to-video`, `text-to-image`...).
    static func makesMedia(_ category: String?) -> Bool {
        guard let last = category?.lowercased().components(separatedBy: "-to-").last, category?.contains("-to-") == true else { return false }
        return ["video", "image", "images", "audio", "speech", "music", "3d", "mesh"].contains(last)
    }

    /// A file extension for an inlined output's content type.
    static func fileExtension(for contentType: String) -> String {
        switch contentType.lowercased() {
        case "video/mp4": "mp4"
        case "video/quicktime": "mov"
        case "video/webm": "webm"
        case "image/png": "png"
        case "image/jpeg", "image/jpg": "jpg"
        case "image/webp": "webp"
        case "image/gif": "gif"
        case "audio/mpeg", "audio/mp3": "mp3"
        case "audio/wav", "audio/x-wav", "audio/wave": "wav"
        case "audio/ogg": "ogg"
        case "application/json": "json"
        case "text/plain": "txt"
        default: "bin"
        }
    }
}

