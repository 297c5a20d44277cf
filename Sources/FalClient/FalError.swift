import Foundation
import PreflightCore

/// Every way a call to fal can fail, classified into what users meet, each with a plain
/// explanation, what to do next, and whether a retry can help. The client reports; the submission
/// engine decides whether to retry.
public struct FalError: PreflightError {
    /// What went wrong, in fal's terms (journaled as a run's error category).
    public enum Kind: String, Sendable, Codable {
        /// Too many requests, no runner free, or fal's ingress overloaded (429, 503, nginx 5xx).
        case capacity
        /// The model refused the input (422): `rejections` says which field and limit.
        case inputRejected = "input_rejected"
        /// DNS, refused connection, reset, timeout, TLS.
        case network
        /// 401: the key is wrong or malformed.
        case auth
        /// 403 "User is locked" (balance exhausted, admin lock) or 402.
        case billing
        /// content_policy_violation.
        case moderation
        /// 504 with X-Fal-Request-Timeout-Type: user: the start deadline we set passed. Never retried.
        case userStartTimeout = "user_start_timeout"
        /// Other 5xx: not charged, often worth a retry.
        case server
        /// A 2xx body that is not the documented shape (kept raw).
        case unexpectedOutput = "unexpected_output"
        /// 404: unknown request or model.
        case notFound = "not_found"
        /// The result is not there yet (400 "still in progress").
        case notReady = "not_ready"
        /// A mistake found before sending: key format, base URL, arguments.
        case usage
        /// Other 4xx.
        case client
    }

    /// What went wrong, in fal's terms: decides the retry and the exit code.
    public var kind: Kind
    /// What went wrong, in a sentence a user reads (redacted).
    public var message: String
    /// What to do next.
    public var hint: String
    /// Whether trying again can help (capacity, network, most 5xx); the retry policy still decides.
    public var retryable: Bool
    /// The HTTP status fal answered; nil when no answer came (network) or the mistake was found before sending.
    public var status: Int?
    /// The request id the error belongs to, when there is one (from the answer or the call).
    public var requestID: String?
    /// fal's machine type: `error_type`, `X-Fal-Error-Type`, or the first `detail[].type`.
    public var errorType: String?
    /// Parsed `detail[]` entries of a 422.
    public var rejections: [Rejection]
    /// The body as received (truncated to 64 KB), for what nothing else explains.
    public var rawBody: String?
    /// A POST whose answer was lost after the body was sent: fal may have accepted (and will bill)
    /// it. Never resubmit blindly.
    public var mayHaveBeenAccepted: Bool

    /// An error of `kind`; everything but the message and hint is optional.
    public init(kind: Kind, message: String, hint: String, retryable: Bool = false, status: Int? = nil,
                requestID: String? = nil, errorType: String? = nil, rejections: [Rejection] = [], rawBody: String? = nil,
                mayHaveBeenAccepted: Bool = false) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.retryable = retryable
        self.status = status
        self.requestID = requestID
        self.errorType = errorType
        self.rejections = rejections
        self.rawBody = rawBody
        self.mayHaveBeenAccepted = mayHaveBeenAccepted
    }

    /// The message, the HTTP status and error type, the request id, then the hint: one line.
    public var description: String {
        var text = message
        if let status { text += " (HTTP \(status)" + (errorType.map { ", \($0)" } ?? "") + ")" }
        if let requestID { text += " [request \(requestID)]" }
        return text + ". " + hint
    }

    /// What kind of failure it is for a caller (the CLI turns it into an exit code).
    public var category: ErrorCategory {
        switch kind {
        case .auth, .billing: .notPermitted
        case .capacity, .network: .temporary
        case .server: .unavailable
        case .usage: .usage
        case .inputRejected, .moderation, .userStartTimeout, .unexpectedOutput, .notFound, .notReady, .client: .refused
        }
    }

    /// "fal.capacity", "fal.input_rejected"...
    public var errorCode: String { "fal." + kind.rawValue }

    // MARK: - Classification

    /// fal's retry headers, read as fal documents them: `X-Fal-Retryable` (errors page) first, then
    /// `X-Fal-Needs-Retry` (retries page). `1/true/yes` and `0/false/no` in any case; a value that
    /// does not parse (or no header) is nil and changes nothing.
    package static func retryHeader(_ response: HTTPResponse) -> Bool? {
        for name in ["x-fal-retryable", "x-fal-needs-retry"] {
            if let value = response.header(name), let verdict = parseFlag(value) { return verdict }
        }
        return nil
    }

    static func parseFlag(_ raw: String) -> Bool? {
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes": true
        case "0", "false", "no": false
        default: nil
        }
    }

    /// Model error types that fal's errors page lists as server-side: not the input's fault and
    /// worth another try; `downstream_service_error` (400) is the downstream refusing the request,
    /// retried only when fal's header says so.
    static let retryableServerTypes: Set<String> = ["internal_server_error", "generation_timeout", "downstream_service_unavailable"]

    /// Classifies an HTTP answer that is not a success.
    package static func classify(_ response: HTTPResponse, operation: String) -> FalError {
        let status = response.status
        let requestID = response.header("x-fal-request-id")
        let body = response.text
        let json = try? JSONDecoder().decode(JSONValue.self, from: response.body)
        let rejections = Rejection.parse(response.body, requestID: requestID)
        // `detail` as a string, or the first `msg` of a `detail[]` list (kept for every status).
        let detailText: String? = json?["detail"]?.stringValue ?? rejections.first.map { r in (r.field.map { "\($0): " } ?? "") + r.message }
        let flatType = json?["error_type"]?.stringValue ?? response.header("x-fal-error-type")
        let firstType = rejections.first?.type
        let type = firstType ?? flatType
        let header = retryHeader(response)
        let raw = String(body.prefix(65_536))
        func make(_ c: Kind, _ message: String, _ hint: String, retry: Bool, type override: String? = nil) -> FalError {
            // Never retried whatever a header says: the user's own start deadline, the key, the
            // account, moderation and input rejections (a retry is refused again, and may be billed).
            let fixed: Set<Kind> = [.userStartTimeout, .auth, .billing, .moderation, .inputRejected, .usage]
            return FalError(kind: c, message: "\(operation): \(Redactor.printable(message))", hint: hint,
                            retryable: fixed.contains(c) ? retry : (header ?? retry), status: status,
                            requestID: requestID, errorType: override ?? flatType ?? firstType, rejections: rejections, rawBody: raw)
        }

        if status == 401 {
            let wrongFormat = (detailText ?? "").contains("format")
            return make(.auth, detailText ?? "the key was refused",
                        wrongFormat ? "fal expects 'Authorization: Key <key_id>:<key_secret>': check FAL_KEY is the whole key."
                                    : "Check FAL_KEY: the key may be deleted or mistyped (https://fal.ai/dashboard/keys).", retry: false)
        }
        if status == 402 || (status == 403 && (detailText ?? "").lowercased().contains("locked")) {
            return make(.billing, detailText ?? "the account cannot pay for this",
                        "Top up or unlock the account at https://fal.ai/dashboard/billing; nothing was charged.", retry: false, type: "user_locked")
        }
        if status == 403 {
            return make(.auth, detailText ?? "not permitted",
                        "The key is valid but may not do this (a key's scope, or the endpoint is not open to the account): check https://fal.ai/dashboard/keys.",
                        retry: false)
        }
        if status == 504, response.header("x-fal-request-timeout-type")?.lowercased() == "user" {
            return make(.userStartTimeout, "the request did not start before its start deadline (X-Fal-Request-Timeout)",
                        "Raise the start timeout, or submit when the queue is shorter; it was not run and not charged.", retry: false)
        }
        if type == "content_policy_violation" {
            return make(.moderation, rejections.first?.message ?? detailText ?? "the content was refused by the model's safety checks",
                        "Change the prompt or the media; retrying the same request will be refused again.", retry: false)
        }
        if type == "no_media_generated" {
            return make(.server, detailText ?? "the model finished without producing media",
                        "Not retried automatically: this may be charged. Change the prompt or settings before trying again.", retry: false)
        }
        if let t = type, retryableServerTypes.contains(t) {
            return make(.server, detailText ?? t, "A server-side failure (\(t)); 5xx failures are not charged and a retry may succeed.", retry: true)
        }
        if type == "downstream_service_error" {
            return make(.server, detailText ?? "a service behind the model refused the request",
                        "Retried only when fal marks it retryable; otherwise change the input or try later.", retry: false)
        }
        if status == 422 {
            let what = rejections.first.map { r in (r.field.map { "\($0): " } ?? "") + r.message } ?? detailText ?? "the input was refused"
            return make(.inputRejected, what, "Run `preflight check` with this model; fix the input with `preflight fix`. A 422 may be charged.", retry: false)
        }
        if status == 429 {
            return make(.capacity, detailText ?? "too many requests at once", "Wait and retry; fal accounts start with 2 requests running at a time.", retry: true)
        }
        if status == 408 {
            return make(.network, detailText ?? "the server timed out waiting for the request", "Retry; the official clients do.", retry: true)
        }
        if status == 409 {
            return make(.capacity, detailText ?? "a conflicting request is in progress", "Retry shortly; the official clients do.", retry: true)
        }
        // fal's ingress answers overload with nginx pages and no request id.
        let ingress = requestID == nil && body.lowercased().contains("nginx")
        if [502, 503, 504].contains(status) && ingress {
            return make(.capacity, "fal's front door is overloaded (\(status) from the ingress)", "Retry in a few seconds.", retry: true, type: "ingress")
        }
        if status == 503 {
            return make(.capacity, detailText ?? "no runner is free for this model", "Retry shortly; fal requeues runner failures too.", retry: true)
        }
        if status == 404 {
            return make(.notFound, detailText ?? "not found",
                        "Check the model id (owner/app/...) and the request id; a finished request's result is kept only as long as the account's retention settings allow.",
                        retry: false)
        }
        if status == 400, (detailText ?? "").lowercased().contains("in progress") {
            return make(.notReady, "the result is not ready yet", "Poll the status until COMPLETED.", retry: true)
        }
        if status >= 500 {
            return make(.server, detailText ?? flatType ?? "fal had a server error", "5xx failures are not charged; a retry may succeed.", retry: true)
        }
        return make(.client, detailText ?? "the request was refused", "Check the request; see the raw body for details.", retry: false)
    }

    /// Classifies a transfer that produced no (complete) answer.
    package static func network(_ error: TransportError, operation: String, isSubmit: Bool) -> FalError {
        let accepted = isSubmit && error.requestSent
        let hint: String = switch error.kind {
        case .dns: "Check the network and the base URL's host name."
        case .refused: "Nothing answers at that address: check the base URL (is the simulator running?)."
        case .timeout: "The network or fal is slow; retry."
        case .tls: "TLS failed: check the system's CA certificates and the URL."
        case .reset, .partial, .other: "The connection broke; retry."
        case .insecure: "Use https, or a loopback address for a local simulator."
        case .cancelled: "Stopped on request."
        }
        if error.kind == .insecure {
            return FalError(kind: .usage, message: "\(operation): \(error.message)", hint: hint, errorType: "insecure_url")
        }
        return FalError(kind: .network, message: "\(operation): \(error.message)",
                        hint: accepted ? "The request was sent before the connection broke, so fal may have accepted it: check `preflight status` before submitting again." : hint,
                        retryable: !accepted, errorType: "curl_\(error.code)", mayHaveBeenAccepted: accepted)
    }
}

