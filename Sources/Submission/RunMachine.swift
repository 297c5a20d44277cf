import FalClient
import Foundation

/// The life of one model's run, and every transition of it, decided here and nowhere else.
/// `RunDriver` carries out what these functions decide and journals each step before the next
/// depends on it.
///
/// ```
///  pending ──refused here (media, payload, cost)───────────────────────────────▶ refused
///     │  (upload, then)
///     ▼
///  submitting ──refused by fal (4xx, key, billing) or retries spent─────────────▶ failed (nothing accepted)
///     │     └──answer lost / a 2xx naming no request / process died meanwhile──▶ uncertain
///     │ 2xx naming a request
///     ▼
///  submitted ──status: odd answers, errors, silence──▶ submitted (followed again; after
///     │                                                 `followPatience` or `maxWait`: left for resume)
///     │ COMPLETED
///     ▼
///  (fetch) ──answers that are not fal's verdict (a proxy's 5xx, 404, 429, not JSON, cut off)──▶
///     │        fetched again with backoff; after `fetchPatience`: left submitted for resume
///     ├──fal's verdict: the model failed──────────────────────────────────────▶ failed
///     ├──fal's verdict: cancelled─────────────────────────────────────────────▶ cancelled
///     ├──fal's verdict: a server failure (5xx, not charged)───────────────────▶ pending (a new request)
///     ├──fal's verdict: it could not fetch our upload─────────────────────────▶ pending (upload again, once)
///     ▼ result saved
///  completed ──outputs on disk──▶ downloaded      (a failed download: stays completed for resume)
/// ```
///
/// The promise: once fal has accepted a request, nothing but fal's own word that it failed or was
/// cancelled ends the run, and nothing sends it again; a run with a request id and no downloaded
/// result is always taken up by `resume`.
enum RunMachine {
    // MARK: - Submit

    enum AfterSubmit: Equatable {
        /// fal took it: journal the id, then follow.
        case submitted
        /// fal may have it (the answer was lost, or named no request): never sent again blindly.
        case uncertain
        /// Nothing was accepted and a retry can succeed: send again after the wait.
        case retry(after: Double)
        /// Nothing was accepted and retrying will not help (or retries are spent).
        case failed
    }

    static func afterSubmit(_ outcome: Result<QueueSubmission, FalError>, attempt: Int, elapsed: Double, policy: RetryPolicy) -> AfterSubmit {
        switch outcome {
        case .success: return .submitted
        case .failure(let error):
            if error.mayHaveBeenAccepted || (error.status.map { (200..<300).contains($0) } ?? false) { return .uncertain }
            if case .retry(let delay) = policy.decide(error, attempt: attempt, elapsed: elapsed) { return .retry(after: delay) }
            return .failed
        }
    }

    // MARK: - Follow

    /// What fal's COMPLETED status said: a failed request carries `error` (and `error_type`).
    struct Completion: Equatable, Sendable {
        var error: String?
        var errorType: String?
        var failed: Bool { error != nil }

        init(error: String? = nil, errorType: String? = nil) {
            self.error = error
            self.errorType = errorType
        }

        init(_ status: QueueStatus) { self.init(error: status.error, errorType: status.errorType) }

        /// A completion nobody saw (fal said ALREADY_COMPLETED to a cancel and the status could
        /// not be read): judged as a clean one, so no answer that is not fal's verdict ends the run.
        static let unseen = Completion()
    }

    enum AfterStatus: Equatable {
        case completed(Completion)
        /// Keep following.
        case waiting
        /// Stop following for now: the run stays `submitted` and `resume` takes it up.
        case leave(String)
    }

    /// `failingSince`: when the answers started failing (nil while they are good).
    static func afterStatus(_ outcome: Result<QueueStatus, FalError>, failingSince: Date?, now: Date, policy: RetryPolicy) -> AfterStatus {
        switch outcome {
        case .success(let status):
            return status.status == .completed ? .completed(Completion(status)) : .waiting
        case .failure(let error):
            // Nothing a status answer says ends a paid request: not a 404, a 401, nor a page that
            // is not JSON. Only patience runs out.
            guard let since = failingSince, now.timeIntervalSince(since) >= policy.followPatience else { return .waiting }
            return .leave("fal's status could not be read for \(Int(now.timeIntervalSince(since))) s (last: \(error.message)); the request is still at fal")
        }
    }

    // MARK: - Fetch

    enum AfterFetch: Equatable {
        /// The result is saved: download its outputs.
        case got
        /// Not fal's verdict: fetch again after the wait.
        case again(after: Double)
        /// Patience spent: the run stays `submitted`; `resume` fetches it (never a new submit).
        case leave(String)
        /// fal's verdict: it could not fetch the uploaded media (expired, a restarted store).
        /// Nothing was generated: upload again and send once more.
        case reupload
        /// fal's verdict: a server-side failure (5xx, not charged): a new request after the wait.
        case resubmit(after: Double)
        case cancelled
        /// fal's verdict: the model failed (or the request did).
        case failed
    }

    /// - Parameters:
    ///   - error: the fetch's failure, or nil when the result was saved.
    ///   - completion: what fal's COMPLETED status said.
    ///   - attempt: fetches so far (1 for the first).
    ///   - since: when the first fetch of this completion began.
    ///   - submits: submits of this run so far (bounds resubmits by the retry policy).
    static func afterFetch(_ error: FalError?, completion: Completion, attempt: Int, since: Date, now: Date,
                           reuploadTried: Bool, submits: Int, policy: RetryPolicy) -> AfterFetch {
        guard let error else { return .got }
        let verdict = completion.failed ? isFalsWord(error) : isModelRejection(error)
        guard verdict else {
            if now.timeIntervalSince(since) < policy.fetchPatience {
                return .again(after: min(policy.delay(attempt: attempt), 10))
            }
            // fal's status said the request failed, and its result still cannot be read: the
            // status is fal's word.
            if completion.failed { return cancelledByStatus(completion) ? .cancelled : .failed }
            return .leave("the request completed but its result could not be fetched for \(Int(now.timeIntervalSince(since))) s (last: \(error.message))")
        }
        if error.errorType == "client_cancelled" || cancelledByStatus(completion)
            || (error.status == 400 && error.message.lowercased().contains("cancelled")) {
            return .cancelled
        }
        if error.errorType == "file_download_error", !reuploadTried { return .reupload }
        if error.retryable, error.kind == .server || error.kind == .capacity,
           case .retry(let delay) = policy.decide(error, attempt: submits, elapsed: 0) {
            return .resubmit(after: delay)
        }
        return .failed
    }

    /// An answer on the result endpoint that is fal speaking for the request (the model's error,
    /// fal's request error), as opposed to a front door, a proxy or the network: an answer, not
    /// from the ingress, not a rate limit or a "not ready", and marked with the request's id or
    /// shaped as fal's errors are.
    static func isFalsWord(_ e: FalError) -> Bool {
        guard let status = e.status, !(200..<300).contains(status) else { return false }
        if e.errorType == "ingress" || e.kind == .notReady || [408, 409, 429].contains(status) { return false }
        if e.requestID != nil { return true }
        if [502, 503, 504].contains(status) || status == 404 { return false }
        return !e.rejections.isEmpty || e.errorType != nil
    }

    /// After a clean COMPLETED, only a model's typed refusal of its input, marked with the
    /// request's id, is taken as fal's word; anything else is the way, not the request.
    static func isModelRejection(_ e: FalError) -> Bool {
        e.status == 422 && e.requestID != nil && !e.rejections.isEmpty
    }

    static func cancelledByStatus(_ c: Completion) -> Bool {
        c.errorType == "client_cancelled" || (c.error ?? "").lowercased().contains("cancelled")
    }
}
