import Foundation
import ModelCatalog

/// fal's queue and storage over libcurl. Reports every failure as a classified `FalError` and never
/// retries on its own (the submission engine decides); logs request ids, never the key.
public struct FalClient: Sendable {
    public var key: FalKey
    public var endpoints: FalEndpoints
    public var transport: HTTPTransport
    /// Called with one line per exchange ("POST .../requests -> 200 [request abc]"); never holds the key.
    public var log: (@Sendable (String) -> Void)?
    /// The CDN upload token, shared by copies of this client.
    let tokens = StorageTokens()

    public init(key: FalKey, endpoints: FalEndpoints = .fal, transport: HTTPTransport = HTTPTransport(), log: (@Sendable (String) -> Void)? = nil) {
        self.key = key
        self.endpoints = endpoints
        self.transport = transport
        self.log = log
    }

    // MARK: - Queue

    public struct SubmitOptions: Sendable {
        public var webhook: URL?
        /// Seconds for the request to start (X-Fal-Request-Timeout); past it fal answers 504 "user".
        public var startTimeout: Int?
        /// "normal" or "low".
        public var priority: String?
        public var maxQueueLength: Int?

        public init(webhook: URL? = nil, startTimeout: Int? = nil, priority: String? = nil, maxQueueLength: Int? = nil) {
            self.webhook = webhook
            self.startTimeout = startTimeout
            self.priority = priority
            self.maxQueueLength = maxQueueLength
        }
    }

    /// `POST {queue}/{model id}` with the input as JSON.
    public func submit(model: String, input: [String: JSONValue], options: SubmitOptions = SubmitOptions()) async throws(FalError) -> QueueSubmission {
        var url = endpoints.queue.appendingPathComponent(model)
        var query: [URLQueryItem] = []
        if let webhook = options.webhook { query.append(URLQueryItem(name: "fal_webhook", value: webhook.absoluteString)) }
        if let max = options.maxQueueLength { query.append(URLQueryItem(name: "fal_max_queue_length", value: String(max))) }
        if !query.isEmpty, var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            parts.queryItems = query
            url = parts.url ?? url
        }
        var headers = [("Content-Type", "application/json")]
        if let t = options.startTimeout { headers.append(("X-Fal-Request-Timeout", String(t))) }
        if let p = options.priority { headers.append(("X-Fal-Queue-Priority", p)) }
        let body: Data
        do { body = try JSONEncoder().encode(input) } catch { throw FalError(category: .usage, message: "the input is not JSON", hint: "\(error)") }
        let response = try await send("POST", url, headers: headers, body: .data(body), operation: "submit to \(model)", isSubmit: true)
        return try decode(QueueSubmission.self, response, operation: "submit to \(model)")
    }

    /// `GET {status_url}?logs=1`: 202 while queued or running, 200 when done.
    public func status(_ submission: QueueSubmission, logs: Bool = true) async throws(FalError) -> QueueStatus {
        let url = Self.with(submission.statusURL, query: "logs", logs ? "1" : "0")
        let response = try await send("GET", url, operation: "status of \(submission.requestID)")
        return try decode(QueueStatus.self, response, operation: "status of \(submission.requestID)")
    }

    /// `GET {status_url}/stream?logs=1`: each status as fal sends it (server-sent events), ending
    /// after COMPLETED.
    public func statusStream(_ submission: QueueSubmission, logs: Bool = true) -> AsyncThrowingStream<QueueStatus, Error> {
        let url = Self.with(submission.statusURL.appendingPathComponent("stream"), query: "logs", logs ? "1" : "0")
        let request = HTTPRequest(method: "GET", url: url, headers: [("Authorization", key.authorization), ("Accept", "text/event-stream")], timeout: nil)
        let chunks = transport.stream(request)
        let operation = "status stream of \(submission.requestID)"
        return AsyncThrowingStream { continuation in
            let task = Task {
                var buffer = ""
                do {
                    for try await chunk in chunks {
                        buffer += String(decoding: chunk, as: UTF8.self)
                        while let end = buffer.range(of: "\n\n") {
                            let event = String(buffer[..<end.lowerBound])
                            buffer.removeSubrange(..<end.upperBound)
                            // "data:" lines carry a status; ":" lines are keep-alive comments.
                            let data = event.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }.joined()
                            guard !data.isEmpty else { continue }
                            guard let status = try? JSONDecoder().decode(QueueStatus.self, from: Data(data.utf8)) else {
                                throw FalError(category: .unexpectedOutput, message: "\(operation): an event that is not a status", hint: "The raw event is kept.", rawBody: data)
                            }
                            continuation.yield(status)
                        }
                    }
                    continuation.finish()
                } catch let e as TransportError {
                    continuation.finish(throwing: FalError.network(e, operation: operation, isSubmit: false))
                } catch let e as HTTPStatusError {
                    continuation.finish(throwing: FalError.classify(e.response, operation: operation))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `GET {response_url}`: the model's output, or the model's error classified.
    public func result(_ submission: QueueSubmission) async throws(FalError) -> QueueResult {
        let operation = "result of \(submission.requestID)"
        let response = try await send("GET", submission.responseURL, operation: operation)
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: response.body), case .object = body else {
            throw FalError(category: .unexpectedOutput, message: "\(operation): the result is not a JSON object",
                           hint: "The raw body is kept; the request completed, so do not resubmit: fetch it again or contact fal.",
                           status: response.status, requestID: response.header("x-fal-request-id"), rawBody: String(response.text.prefix(65_536)))
        }
        return QueueResult(requestID: response.header("x-fal-request-id") ?? submission.requestID, body: body, mediaURLs: Self.mediaURLs(in: body))
    }

    /// `PUT {cancel_url}`.
    public func cancel(_ submission: QueueSubmission) async throws(FalError) -> CancelOutcome {
        let operation = "cancel \(submission.requestID)"
        let response = try await exchange("PUT", submission.cancelURL, headers: [], body: .none, operation: operation, isSubmit: false)
        switch response.status {
        case 202: return .requested
        case 400 where response.text.contains("ALREADY_COMPLETED"): return .alreadyCompleted
        case 404: return .notFound
        case 200..<300: return .requested
        default: throw FalError.classify(response, operation: operation)
        }
    }

    // MARK: - Plumbing

    func send(_ method: String, _ url: URL, headers: [(String, String)] = [], body: HTTPRequest.Body = .none, timeout: Double? = 60,
              operation: String, isSubmit: Bool = false, authorization: String? = nil) async throws(FalError) -> HTTPResponse {
        let response = try await exchange(method, url, headers: headers, body: body, timeout: timeout, operation: operation,
                                          isSubmit: isSubmit, authorization: authorization)
        guard (200..<300).contains(response.status) else { throw FalError.classify(response, operation: operation) }
        return response
    }

    func exchange(_ method: String, _ url: URL, headers: [(String, String)], body: HTTPRequest.Body, timeout: Double? = 60,
                  operation: String, isSubmit: Bool, authorization: String? = nil) async throws(FalError) -> HTTPResponse {
        try FalEndpoints.requireSecure(url, name: operation)
        // An empty authorization means none (signed URLs): the key goes only where it belongs.
        let auth = authorization ?? key.authorization
        let request = HTTPRequest(method: method, url: url, headers: (auth.isEmpty ? [] : [("Authorization", auth)]) + headers,
                                  body: body, timeout: timeout)
        do {
            let response = try await transport.send(request)
            let id = response.header("x-fal-request-id").map { " [request \($0)]" } ?? ""
            log?("\(method) \(Self.redactedPath(url)) -> \(response.status)\(id)")
            return response
        } catch {
            log?("\(method) \(Self.redactedPath(url)) -> \(error)")
            throw FalError.network(error, operation: operation, isSubmit: isSubmit)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, operation: String) throws(FalError) -> T {
        do { return try JSONDecoder().decode(type, from: response.body) } catch {
            throw FalError(category: .unexpectedOutput, message: "\(operation): the answer is not the documented shape",
                           hint: "The raw body is kept for a bug report.", status: response.status,
                           requestID: response.header("x-fal-request-id"), rawBody: String(response.text.prefix(65_536)))
        }
    }

    static func with(_ url: URL, query name: String, _ value: String) -> URL {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        parts.queryItems = (parts.queryItems ?? []).filter { $0.name != name } + [URLQueryItem(name: name, value: value)]
        return parts.url ?? url
    }

    /// Paths are logged without query strings (signed upload URLs carry tokens there).
    static func redactedPath(_ url: URL) -> String {
        "\(url.scheme ?? "")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")\(url.path)"
    }

    /// Every "url" string in the result under a media-looking object.
    static func mediaURLs(in value: JSONValue) -> [URL] {
        switch value {
        case .object(let o):
            var urls: [URL] = []
            if case .string(let s)? = o["url"], let u = URL(string: s), u.scheme?.hasPrefix("http") == true { urls.append(u) }
            for key in o.keys.sorted() where key != "url" { urls += mediaURLs(in: o[key]!) }
            return urls
        case .array(let a):
            return a.flatMap(mediaURLs)
        default:
            return []
        }
    }
}
