import Foundation
import PreflightCore

extension FalClient {
    /// What a submit may ask of fal's platform, each checked before anything is sent.
    public struct SubmitOptions: Sendable {
        /// fal's queue priority for a request.
        public enum Priority: String, Codable, Sendable, CaseIterable { case normal, low }

        /// A URL fal calls when the request completes (sent as `fal_webhook`; https required); nil: none.
        public var webhook: URL?
        /// Seconds for the request to start (X-Fal-Request-Timeout); past it fal answers 504 "user".
        public var startTimeout: Double?
        /// fal's queue priority (X-Fal-Queue-Priority); nil leaves fal's default (normal).
        public var priority: Priority?
        /// fal refuses the submit when more requests than this wait for the model (`fal_max_queue_length`); nil: no limit.
        public var maxQueueLength: Int?
        /// X-Fal-No-Retry: ask fal not to requeue the request on runner failures.
        public var noRetry = false
        /// X-Fal-Store-IO: 0 asks fal not to keep the request's inputs and outputs.
        public var storeIO: Bool?
        /// X-Fal-Object-Lifecycle-Preference: how long fal keeps the files this request makes.
        public var objectLifetime: Int?
        /// X-Fal-Runner-Hint: route to a runner that already holds some state (a session id).
        public var runnerHint: String?
        /// fal may reroute a request to an "equivalent" endpoint after repeated runner failures;
        /// preflight asks it not to (`x-fal-disable-fallbacks`), so the model the user chose is the
        /// model that runs and is billed, unless this is set (`--allow-fal-fallbacks`).
        public var allowFalFallbacks = false

        /// Options with the most used parts given; the rest are set after. Checked by `validate()`, not here.
        public init(webhook: URL? = nil, startTimeout: Double? = nil, priority: Priority? = nil, maxQueueLength: Int? = nil) {
            self.webhook = webhook
            self.startTimeout = startTimeout
            self.priority = priority
            self.maxQueueLength = maxQueueLength
        }

        /// Mistakes caught before sending, as usage errors that say what to type instead.
        public func validate() throws(FalError) {
            if let t = startTimeout, !(t.isFinite && t > 1 && t <= 86_400) {
                throw FalError(kind: .usage, message: "the start timeout must be more than 1 second (and at most a day)",
                               hint: "fal refuses shorter deadlines; e.g. --start-timeout 60.")
            }
            if let n = maxQueueLength, n < 1 {
                throw FalError(kind: .usage, message: "the maximum queue length must be at least 1", hint: "e.g. --max-queue-length 10.")
            }
            if let s = objectLifetime, s < 1 {
                throw FalError(kind: .usage, message: "an object lifetime must be at least 1 second", hint: "e.g. --object-lifetime 86400 (a day).")
            }
            if let w = webhook { try FalEndpoints.requireSecure(w, name: "webhook") }
            if let hint = runnerHint, hint.isEmpty || hint.count > 256 || hint.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
                throw FalError(kind: .usage, message: "the runner hint must be 1 to 256 printable ASCII characters", hint: "Use the session id fal gave you.")
            }
        }

        var headers: [(String, String)] {
            var h: [(String, String)] = []
            if let t = startTimeout { h.append(("X-Fal-Request-Timeout", t == t.rounded() ? String(Int(t)) : String(t))) }
            if let p = priority { h.append(("X-Fal-Queue-Priority", p.rawValue)) }
            if noRetry { h.append(("X-Fal-No-Retry", "1")) }
            if let s = storeIO { h.append(("X-Fal-Store-IO", s ? "1" : "0")) }
            if let l = objectLifetime { h.append(("X-Fal-Object-Lifecycle-Preference", FalClient.lifecyclePreference(seconds: l))) }
            if let r = runnerHint { h.append(("X-Fal-Runner-Hint", r)) }
            if !allowFalFallbacks { h.append(("x-fal-disable-fallbacks", "true")) }
            return h
        }

        var query: [(String, String)] {
            var q: [(String, String)] = []
            if let w = webhook { q.append(("fal_webhook", w.absoluteString)) }
            if let m = maxQueueLength { q.append(("fal_max_queue_length", String(m))) }
            return q
        }
    }

    static func lifecyclePreference(seconds: Int) -> String { "{\"expiration_duration_seconds\":\(seconds)}" }

    /// A query string with every reserved character percent-encoded (`+` included: in a query, a
    /// raw `+` is read as a space, which would break a signed webhook URL).
    static func url(_ base: URL, query items: [(String, String)]) -> URL {
        guard !items.isEmpty, var parts = URLComponents(url: base, resolvingAgainstBaseURL: false) else { return base }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = items.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }
        parts.percentEncodedQuery = ((parts.percentEncodedQuery.map { [$0] } ?? []) + encoded).joined(separator: "&")
        return parts.url ?? base
    }
}
