import Foundation
import PreflightCore

/// fal's queue and storage over libcurl. Reports every failure as a classified `FalError` and never
/// retries on its own (the submission engine decides); logs request ids, never the key.
public struct FalClient: Sendable {
    /// The key every call is signed with; redacted from every log line and error.
    public let key: FalKey
    /// The base URLs the client talks to (fal's, or a simulator's on loopback).
    public var endpoints: FalEndpoints
    /// How HTTP exchanges are carried out (libcurl in the tool; a test may pass another).
    public var transport: HTTPTransport
    /// Called with one line per exchange ("POST .../requests -> 200 [request abc]"); never holds the key.
    public var log: (@Sendable (String) -> Void)?
    /// The CDN upload token, shared by copies of this client.
    let tokens = StorageTokens()

    /// A client that sends `key` to fal (or to the simulator `endpoints` name); `log` hears each exchange, redacted.
    public init(key: FalKey, endpoints: FalEndpoints = .fal, transport: HTTPTransport = HTTPTransport(), log: (@Sendable (String) -> Void)? = nil) {
        self.key = key
        self.endpoints = endpoints
        self.transport = transport
        // Every line goes out without this key, whatever text a server put into it.
        let redactor = key.redactor
        self.log = log.map { inner in { @Sendable line in inner(redactor(line)) } }
    }

    // MARK: - Queue

    /// `POST {queue}/{model id}` with the input as JSON.
    public func submit(model: String, input: [String: JSONValue], options: SubmitOptions = SubmitOptions()) async throws(FalError) -> QueueSubmission {
        try await redacting { () async throws(FalError) -> QueueSubmission in
            try options.validate()
            try Self.validateModelID(model)
            let url = Self.url(endpoints.queue.appendingPathComponent(model), query: options.query)
            let body: Data
            do { body = try JSONEncoder().encode(input) } catch { throw FalError(kind: .usage, message: "the input is not JSON", hint: "\(error)") }
            let response = try await send("POST", url, headers: [("Content-Type", "application/json")] + options.headers, body: .data(body),
                                          operation: "submit to \(model)", isSubmit: true)
            return try accepted(response, model: model)
        }
    }

    /// A 2xx answer to a submit means fal took the request, whatever else the body lacks: its id
    /// (from the body, else the `x-fal-request-id` header) is the request to follow. The URLs to
    /// follow are the server's only when they are on the queue's own host, over https (or loopback
    /// http), and free of the key; otherwise they are built from the model and the id, as fal's
    /// clients build them, so an odd answer neither loses a paid request nor sends the key elsewhere.
    /// A 2xx that names no request is reported as possibly accepted: never sent again blindly.
    func accepted(_ response: HTTPResponse, model: String) throws(FalError) -> QueueSubmission {
        let operation = "submit to \(model)"
        let json = try? JSONDecoder().decode(JSONValue.self, from: response.body)
        let candidates = [json?["request_id"]?.stringValue, response.header("x-fal-request-id")].compactMap { $0 }
        guard let id = candidates.first(where: Self.isRequestID) else {
            throw FalError(kind: .unexpectedOutput, message: "\(operation): fal answered HTTP \(response.status) without naming the request",
                           hint: "fal may have accepted (and may bill) it, so it is not sent again; fal's request history is asked for it (again by `preflight resume`).",
                           status: response.status, rawBody: key.redactor(String(response.text.prefix(65_536))), mayHaveBeenAccepted: true)
        }
        var submission = try submission(model: model, requestID: id)
        if let n = json?["queue_position"]?.numberValue, n.isFinite, (0...10_000_000).contains(n) { submission.queuePosition = Int(n) }
        func trusted(_ name: String) -> URL? {
            guard let text = json?[name]?.stringValue, let u = URL(string: text), u.host?.lowercased() == endpoints.queue.host?.lowercased(),
                  u.scheme?.lowercased() == endpoints.queue.scheme?.lowercased(), (try? FalEndpoints.requireSecure(u, name: name)) != nil,
                  key.redactor(text) == text else { return nil }
            return u
        }
        submission.statusURL = trusted("status_url") ?? submission.statusURL
        submission.responseURL = trusted("response_url") ?? submission.responseURL
        submission.cancelURL = trusted("cancel_url") ?? submission.cancelURL
        return submission
    }

    /// fal's request ids are UUIDs; anything made of a URL path's safe characters is accepted, so a
    /// new id format still works, but nothing that could change the path it is put into.
    static func isRequestID(_ text: String) -> Bool {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_"))
        return !text.isEmpty && text.count <= 128 && text.unicodeScalars.allSatisfy { allowed.contains($0) && $0.isASCII }
    }

    /// A submission rebuilt from a model id and a request id, for a request whose returned URLs
    /// were not kept: status, result and cancel live under `owner/app` (three segments for
    /// `workflows/` and `comfy/`), as fal's clients build them.
    public func submission(model: String, requestID: String) throws(FalError) -> QueueSubmission {
        try Self.validateModelID(model)
        guard Self.isRequestID(requestID) else {
            throw FalError(kind: .usage, message: "'\(Redactor.printable(requestID))' is not a request id", hint: "Request ids look like 764cabcf-b745-4b3e-ae38-1200304cf45b.")
        }
        let segments = model.split(separator: "/")
        let appLength = ["workflows", "comfy"].contains(segments.first ?? "") ? 3 : 2
        let base = endpoints.queue.appendingPathComponent(segments.prefix(appLength).joined(separator: "/"))
            .appendingPathComponent("requests").appendingPathComponent(requestID)
        return QueueSubmission(requestID: requestID, statusURL: base.appendingPathComponent("status"), responseURL: base,
                               cancelURL: base.appendingPathComponent("cancel"), queuePosition: nil)
    }

    static func validateModelID(_ model: String) throws(FalError) {
        let segments = model.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.@"))
        guard segments.count >= 2, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.unicodeScalars.allSatisfy { allowed.contains($0) && $0.isASCII } }) else {
            throw FalError(kind: .usage, message: "'\(Redactor.printable(model))' is not a fal model id",
                           hint: "Model ids look like owner/app[/path], e.g. fal-ai/kling-video/o1/video-to-video/edit.")
        }
    }

    /// `GET {status_url}?logs=1`: 202 while queued or running, 200 when done.
    public func status(_ submission: QueueSubmission, logs: Bool = true) async throws(FalError) -> QueueStatus {
        try await redacting { () async throws(FalError) -> QueueStatus in
            let url = Self.with(submission.statusURL, query: "logs", logs ? "1" : "0")
            let response = try await send("GET", url, operation: "status of \(submission.requestID)")
            return try decode(QueueStatus.self, response, operation: "status of \(submission.requestID)").redacted(by: key.redactor)
        }
    }

    /// `GET {status_url}/stream?logs=1`: each status as fal sends it (server-sent events), ending
    /// after COMPLETED. The stream is judged alive by any arrival, keep-alive comments included:
    /// it fails after `idleTimeout` seconds of complete silence (the JS client uses 15 s), never
    /// for being slow. An HTTP error on the stream is classified with its body (a locked
    /// account's 403 is still billing).
    public func statusStream(_ submission: QueueSubmission, logs: Bool = true, idleTimeout: Double = 15) -> AsyncThrowingStream<QueueStatus, Error> {
        let url = Self.with(submission.statusURL.appendingPathComponent("stream"), query: "logs", logs ? "1" : "0")
        let operation = "status stream of \(submission.requestID)"
        let redactor = key.redactor
        do { try FalEndpoints.requireSecure(url, name: operation) } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let request = HTTPRequest(method: "GET", url: url, headers: [("Authorization", key.authorization), ("Accept", "text/event-stream")], timeout: nil)
        let chunks = transport.stream(request, idleTimeout: idleTimeout)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEventParser()
                do {
                    for try await chunk in chunks {
                        for event in try parser.feed(chunk) {
                            guard let status = try? JSONDecoder().decode(QueueStatus.self, from: Data(event.data.utf8)) else {
                                throw FalError(kind: .unexpectedOutput, message: "\(operation): an event that is not a status",
                                               hint: "The raw event is kept.", rawBody: redactor(String(event.data.prefix(65_536))))
                            }
                            continuation.yield(status.redacted(by: redactor))
                            if status.status == .completed { continuation.finish(); return }
                        }
                    }
                    throw FalError(kind: .network, message: "\(operation): the stream ended before COMPLETED",
                                   hint: "Poll the status instead; the request itself is not affected.", retryable: true)
                } catch let e as TransportError {
                    continuation.finish(throwing: FalError.network(e, operation: operation, isSubmit: false).redacted(by: redactor))
                } catch let e as HTTPStatusError {
                    continuation.finish(throwing: FalError.classify(e.response, operation: operation).redacted(by: redactor))
                } catch let e as SSEError {
                    continuation.finish(throwing: FalError(kind: .unexpectedOutput, message: "\(operation): \(e.message)", hint: "Poll the status instead."))
                } catch let e as FalError {
                    continuation.finish(throwing: e.redacted(by: redactor))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `GET {response_url}`: the model's output, or the model's error classified.
    public func result(_ submission: QueueSubmission) async throws(FalError) -> QueueResult {
        try await redacting { () async throws(FalError) -> QueueResult in
            let operation = "result of \(submission.requestID)"
            let response = try await send("GET", submission.responseURL, operation: operation)
            guard let body = try? JSONDecoder().decode(JSONValue.self, from: response.body), case .object = body else {
                throw FalError(kind: .unexpectedOutput, message: "\(operation): the result is not a JSON object",
                               hint: "The raw body is kept; the request completed, so do not resubmit: fetch it again or contact fal.",
                               status: response.status, requestID: response.header("x-fal-request-id"), rawBody: String(response.text.prefix(65_536)))
            }
            // A result is saved and shown: no key in it, whatever the server put there.
            let clean = body.redacted(by: key.redactor)
            return QueueResult(requestID: key.redactor(response.header("x-fal-request-id") ?? submission.requestID), body: clean, mediaURLs: Self.mediaURLs(in: clean))
        }
    }

    /// `PUT {cancel_url}`.
    public func cancel(_ submission: QueueSubmission) async throws(FalError) -> CancelOutcome {
        try await redacting { () async throws(FalError) -> CancelOutcome in
            let operation = "cancel \(submission.requestID)"
            let response = try await exchange("PUT", submission.cancelURL, headers: [], body: .none, operation: operation, isSubmit: false)
            let said = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?["status"]?.stringValue
            switch response.status {
            case 202: return .requested
            case 400 where said == "ALREADY_COMPLETED" || response.text.contains("ALREADY_COMPLETED"): return .alreadyCompleted
            case 404: return .notFound
            case 200..<300: return .requested
            default: throw FalError.classify(response, operation: operation)
            }
        }
    }

    /// Runs a call and removes this client's key from any error it throws: a server may echo the
    /// Authorization header into an error body.
    func redacting<T>(_ body: () async throws(FalError) -> T) async throws(FalError) -> T {
        do { return try await body() } catch { throw error.redacted(by: key.redactor) }
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
            // No connection could be made at all (no address, refused): not a byte reached fal, so
            // replaying it once on fal's backup host cannot pay twice.
            if [.dns, .refused].contains(error.kind), let backup = endpoints.backup(for: url) {
                var again = request
                again.url = backup
                do {
                    let response = try await transport.send(again)
                    log?("\(method) \(Self.redactedPath(backup)) -> \(response.status) (replayed on fal's backup host)")
                    return response
                } catch {
                    log?("\(method) \(Self.redactedPath(backup)) -> \(error)")
                    throw FalError.network(error, operation: operation, isSubmit: isSubmit)
                }
            }
            throw FalError.network(error, operation: operation, isSubmit: isSubmit)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, operation: String) throws(FalError) -> T {
        do { return try JSONDecoder().decode(type, from: response.body) } catch {
            throw FalError(kind: .unexpectedOutput, message: "\(operation): the answer is not the documented shape",
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
    static func redactedPath(_ url: URL) -> String { FalEndpoints.redactedURL(url) }

    /// Every output file a result names: strings under keys named `url` (`video.url`,
    /// `images[].url`) and string fields whose key ends in `_url` or `_urls` (`audio_url`,
    /// `frame_urls`), at any depth, in document order with duplicates removed. Only http(s) URLs
    /// count (a `data:` URI or a relative path is not a file to download).
    public static func mediaURLs(in value: JSONValue) -> [URL] {
        var seen = Set<String>()
        var urls: [URL] = []
        func add(_ text: String) {
            guard let u = URL(string: text), let scheme = u.scheme?.lowercased(), scheme == "https" || scheme == "http", u.host != nil,
                  seen.insert(u.absoluteString).inserted else { return }
            urls.append(u)
        }
        func walk(_ v: JSONValue, key: String?) {
            let isURLKey = key.map { $0 == "url" || $0.hasSuffix("_url") || $0.hasSuffix("_urls") } ?? false
            switch v {
            case .string(let s) where isURLKey: add(s)
            case .array(let a):
                for item in a {
                    if case .string(let s) = item, isURLKey { add(s) } else { walk(item, key: nil) }
                }
            case .object(let o):
                for k in o.keys.sorted() { if let child = o[k] { walk(child, key: k) } }
            default: break
            }
        }
        walk(value, key: nil)
        return urls
    }
}

extension FalClient {
    /// Downloads one output file to `path` (streamed). The key is never sent: fal's media URLs are
    /// public, and an output URL is a server's word, so the https rule applies to it as well.
    /// A transfer silent for `stallTimeout` seconds fails; `shouldStop` (asked about once a second)
    /// ends it early: Ctrl-C, a job's --timeout.
    public func download(_ url: URL, to path: String, stallTimeout: Double = 30, shouldStop: (@Sendable () -> Bool)? = nil) async throws(FalError) -> Int64 {
        try await redacting { () async throws(FalError) -> Int64 in
            let operation = "download \(FalEndpoints.redactedURL(url))"
            try FalEndpoints.requireSecure(url, name: "output")
            let response: HTTPResponse
            do throws(TransportError) {
                response = try await transport.download(HTTPRequest(method: "GET", url: url, timeout: nil), to: path, stallTimeout: stallTimeout, shouldStop: shouldStop)
            } catch {
                throw FalError.network(error, operation: operation, isSubmit: false)
            }
            guard (200..<300).contains(response.status) else { throw FalError.classify(response, operation: operation) }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            log?("GET \(FalEndpoints.redactedURL(url)) -> \(response.status), \(size) bytes")
            return size
        }
    }
}
