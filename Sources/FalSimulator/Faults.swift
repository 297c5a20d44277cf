import Foundation
import HTTPTypes
import Hummingbird
import ModelCatalog

/// A fault a proxy (or a flaky fal) puts between the client and fal: the Nth call to a route is
/// answered by the fault instead of fal, once or several times in a row. Behind the fault fal
/// still did its work: a submit whose answer is replaced was accepted (unless `accepted: false`),
/// a result whose answer is replaced is still there for the next fetch. Tests script one fault
/// per case and read the simulator's ledger of what it accepted and served.
///
/// In a scenario file:
/// ```yaml
/// faults:
///   - route: result        # submit, status, stream, result, cancel, token, upload, download
///     nth: 1               # the first call to that route (1-based, counted over the whole server)
///     times: 2             # this many calls in a row (0: every call from nth on)
///     status: 503
///     body: nginx          # a preset (nginx, plain, empty, html, request-id-only, http-urls), or literal text
/// ```
/// `behaviour` replaces the answer with a transfer that misbehaves: `stall` (the head, some bytes,
/// then nothing for `stall_ms`), `keepalive-forever` (a status stream of comments only),
/// `endless-line` (a status stream line that never ends), `huge-result` (`size_bytes` of JSON
/// naming the real output), `huge-data-uri` (the output inlined as a `data:` URI), `slow` (fal's
/// own answer after `stall_ms`).
public struct Fault: Codable, Sendable, Equatable {
    /// The kind of call a fault applies to.
    public enum Route: String, Codable, Sendable, CaseIterable {
        case submit, status, stream, result, cancel, token, upload, download
    }

    /// How a faulty answer misbehaves beyond its status and body.
    public enum Behaviour: String, Codable, Sendable {
        case answer
        case stall
        case keepaliveForever = "keepalive-forever"
        case endlessLine = "endless-line"
        case hugeResult = "huge-result"
        case hugeDataURI = "huge-data-uri"
        /// fal's own answer, after `stall_ms` (a slow proxy): the moment to change the world.
        case slow
    }

    /// The kind of call the fault replaces the answer of.
    public var route: Route
    /// The first call to `route` it applies to, 1-based, counted over the whole server.
    public var nth = 1
    /// How many calls in a row it applies to (0: every call from `nth` on).
    public var times = 1
    /// The HTTP status of the faulty answer.
    public var status = 503
    /// A preset name or literal text; `{id}` becomes the request id and `{base}` the simulator's URL.
    public var body: String?
    /// Headers added to the faulty answer (e.g. Retry-After).
    public var headers: [String: String] = [:]
    /// Submit only: whether fal accepted the request behind the faulty answer.
    public var accepted = true
    /// How the answer misbehaves beyond status and body (see the type's documentation).
    public var behaviour: Behaviour = .answer
    /// Milliseconds a `stall` stays silent, or a `slow` answer is held back (10 minutes by default).
    public var stallMs = 600_000
    /// Bytes of an `endless-line` or `huge-result` answer (36 MiB by default).
    public var sizeBytes = 36 << 20

    /// A fault on the `nth` call to `route`, answered `status` with `body`.
    public init(route: Route, nth: Int = 1, times: Int = 1, status: Int = 503, body: String? = nil, headers: [String: String] = [:],
                accepted: Bool = true, behaviour: Behaviour = .answer) {
        self.route = route
        self.nth = nth
        self.times = times
        self.status = status
        self.body = body
        self.headers = headers
        self.accepted = accepted
        self.behaviour = behaviour
    }

    enum CodingKeys: String, CodingKey {
        case route, nth, times, status, body, headers, accepted, behaviour
        case stallMs = "stall_ms", sizeBytes = "size_bytes"
    }

    /// Reads a fault from a scenario file; refuses an unknown key.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).first(where: { CodingKeys(stringValue: $0) == nil }) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown fault key '\(unknown)'"))
        }
        route = try c.decode(Route.self, forKey: .route)
        nth = try c.decodeIfPresent(Int.self, forKey: .nth) ?? 1
        times = try c.decodeIfPresent(Int.self, forKey: .times) ?? 1
        status = try c.decodeIfPresent(Int.self, forKey: .status) ?? 503
        body = try c.decodeIfPresent(String.self, forKey: .body)
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        accepted = try c.decodeIfPresent(Bool.self, forKey: .accepted) ?? true
        behaviour = try c.decodeIfPresent(Behaviour.self, forKey: .behaviour) ?? .answer
        stallMs = try c.decodeIfPresent(Int.self, forKey: .stallMs) ?? 600_000
        sizeBytes = try c.decodeIfPresent(Int.self, forKey: .sizeBytes) ?? (36 << 20)
        guard nth >= 1, times >= 0, (100...599).contains(status), stallMs >= 0, (0...(1 << 30)).contains(sizeBytes) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                   debugDescription: "a fault needs nth >= 1, times >= 0, a status of 100 to 599, stall_ms >= 0, size_bytes up to 1 GiB"))
        }
    }

    /// Whether the `call`th call (1-based) to this fault's route is answered by it.
    func covers(call: Int) -> Bool { call >= nth && (times == 0 || call < nth + times) }

    /// The body, with presets expanded and `{id}`, `{base}` filled in.
    func text(requestID: String?, base: URL) -> String {
        let id = requestID ?? ""
        let b = base.absoluteString
        let template: String = switch body {
        case "nginx"?: "<html>\r\n<head><title>\(status) Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>\(status) Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        case "plain"?: "Service Unavailable"
        case "empty"?, nil: ""
        case "html"?: "<!doctype html><html><body><h1>Accepted</h1><p>Your request is queued.</p></body></html>"
        case "request-id-only"?: #"{"request_id":"{id}"}"#
        case "http-urls"?:
            #"{"status":"IN_QUEUE","request_id":"{id}","response_url":"http://queue.example.invalid/fal-ai/x/requests/{id}","# +
                #""status_url":"http://queue.example.invalid/fal-ai/x/requests/{id}/status","cancel_url":"http://queue.example.invalid/fal-ai/x/requests/{id}/cancel"}"#
        case let literal?: literal
        }
        return template.replacingOccurrences(of: "{id}", with: id).replacingOccurrences(of: "{base}", with: b)
    }

    /// The faulty answer (for `.answer`), with the configured headers.
    func response(requestID: String?, base: URL) -> Response {
        var fields = HTTPFields()
        let text = text(requestID: requestID, base: base)
        if text.hasPrefix("{") || text.hasPrefix("[") { fields[.contentType] = "application/json" } else if !text.isEmpty { fields[.contentType] = "text/html" }
        for (name, value) in headers {
            guard let n = HTTPField.Name(name) else { continue }
            fields[n] = value.replacingOccurrences(of: "{id}", with: requestID ?? "")
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Fault {
    /// A transfer that starts well and then stops sending (a stalled proxy or CDN): the head and
    /// `prefix` bytes, then nothing until `stallMs` passes or the simulator stops.
    static func stalled(prefix: Data, declaredLength: Int, stallMs: Int, stopping: @escaping @Sendable () -> Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/octet-stream"
        fields[.contentLength] = String(declaredLength)
        return Response(status: .ok, headers: fields, body: .init { writer in
            try await writer.write(ByteBuffer(bytes: prefix))
            let until = Date().addingTimeInterval(Double(stallMs) / 1000)
            while Date() < until, !stopping() { try await Task.sleep(nanoseconds: 50_000_000) }
            throw SimulatedDrop()
        })
    }

    /// A status stream that is alive (a comment every 100 ms) and never says anything.
    static func keepaliveForever(stopping: @escaping @Sendable () -> Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        return Response(status: .ok, headers: fields, body: .init { writer in
            while !stopping() {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            try await writer.finish(nil)
        })
    }

    /// A status stream whose first line never ends: `data: xxxx...` for `sizeBytes` (or until the
    /// client hangs up), 64 KiB at a time.
    static func endlessLine(sizeBytes: Int, stopping: @escaping @Sendable () -> Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        return Response(status: .ok, headers: fields, body: .init { writer in
            try await writer.write(ByteBuffer(string: "data: "))
            let chunk = ByteBuffer(bytes: [UInt8](repeating: UInt8(ascii: "x"), count: 65_536))
            var sent = 0
            while sent < sizeBytes, !stopping() {
                try await writer.write(chunk)
                sent += chunk.readableBytes
            }
            try await writer.finish(nil)
        })
    }

    /// A result of `sizeBytes` of JSON, streamed: the real outputs first, then a long list of
    /// numbers (as a model that returns per-frame data does), so a client that holds the whole body
    /// in memory several times over is found out.
    static func hugeResult(_ real: JSONValue, sizeBytes: Int, requestID: String) -> Response {
        let head: String = {
            guard case .object(var o) = real else { return "{" }
            o.removeValue(forKey: "frame_scores")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let text = String(decoding: (try? encoder.encode(JSONValue.object(o))) ?? Data("{}".utf8), as: UTF8.self)
            return String(text.dropLast()) + (o.isEmpty ? "" : ",")
        }()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[HTTPField.Name("x-fal-request-id")!] = requestID
        return Response(status: .ok, headers: fields, body: .init { writer in
            try await writer.write(ByteBuffer(string: head + "\"frame_scores\":["))
            var sent = head.utf8.count
            let piece = Array(repeating: "0.123456789", count: 4096).joined(separator: ",")
            var first = true
            while sent < sizeBytes {
                let text = (first ? "" : ",") + piece
                first = false
                try await writer.write(ByteBuffer(string: text))
                sent += text.utf8.count
            }
            try await writer.write(ByteBuffer(string: "]}"))
            try await writer.finish(nil)
        })
    }

    /// The result with its video inlined as a base64 `data:` URI (fal's sync mode), padded to
    /// about `sizeBytes` with the file's bytes repeated when the file is small.
    static func dataURIResult(file: URL?, contentType: String, sizeBytes: Int, requestID: String) -> Response {
        var bytes = (file.flatMap { try? Data(contentsOf: $0) }) ?? Data("not a video".utf8)
        while bytes.count < sizeBytes * 3 / 4, !bytes.isEmpty { bytes.append(bytes.prefix(sizeBytes * 3 / 4 - bytes.count)) }
        let uri = "data:\(contentType);base64," + bytes.base64EncodedString()
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[HTTPField.Name("x-fal-request-id")!] = requestID
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: #"{"video":{"url":""# + uri + #"","content_type":""# + contentType + #""}}"#)))
    }
}

/// Counts calls per route and hands out the fault that answers this one, if any.
actor FaultCounter {
    private var calls: [Fault.Route: Int] = [:]
    private var cleared = false

    /// The proxy is fixed: no fault answers from now on (a test's "the outage is over").
    func clear() { cleared = true }

    /// Counts this call to `route` and returns the first of `faults` that covers it.
    func next(_ route: Fault.Route, faults: [Fault]) -> Fault? {
        guard !cleared else { return nil }
        let relevant = faults.filter { $0.route == route }
        guard !relevant.isEmpty else { return nil }
        let n = calls[route, default: 0] + 1
        calls[route] = n
        return relevant.first { $0.covers(call: n) }
    }
}
