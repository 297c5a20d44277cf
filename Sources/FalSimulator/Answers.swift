import Foundation
import HTTPTypes
import Hummingbird
import ModelCatalog

/// fal-shaped answers.
enum Answer {
    static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let n = HTTPField.Name(name) { fields[n] = value } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func detail(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Response {
        json(status, .object(["detail": .string(text)]), headers: headers)
    }

    /// Infrastructure errors: a flat body and the X-Fal-Error-Type header.
    static func infrastructure(_ status: Int, type: String, requestID: String?) -> Response {
        var headers = [("X-Fal-Error-Type", type), ("X-Fal-Retryable", "true")]
        if let requestID { headers.append(("x-fal-request-id", requestID)) }
        return json(status, .object(["detail": .string(type.replacingOccurrences(of: "_", with: " ").capitalized), "error_type": .string(type)]), headers: headers)
    }

    /// What fal's nginx front door sends when it is overloaded: HTML, no request id.
    static func ingress(_ status: Int) -> Response {
        let html = "<html><head><title>\(status) Service Temporarily Unavailable</title></head><body><center><h1>\(status)</h1></center><hr><center>nginx</center></body></html>"
        var fields = HTTPFields()
        fields[.contentType] = "text/html"
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The head and half a body, then the connection is cut (a network failure mid-answer).
    static func cutOff(status: Int, body: Data = Data(#"{"status":"IN_QUEUE","request_id":"cut-off-before-the-id-arrives"}"#.utf8)) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.count)
        return Response(status: .init(code: status), headers: headers, body: .init { writer in
            try await writer.write(ByteBuffer(bytes: body.prefix(body.count / 2)))
            // Let the head and half the body leave before the connection is cut.
            try await Task.sleep(nanoseconds: 50_000_000)
            throw SimulatedDrop()
        })
    }

    /// fal's request (infrastructure) error types: flat bodies, also named in a failed status.
    static let requestErrorTypes: Set<String> = [
        "request_timeout", "startup_timeout", "runner_scheduling_failure", "runner_connection_timeout", "runner_disconnected",
        "runner_connection_refused", "runner_connection_error", "runner_incomplete_response", "runner_server_error",
        "client_disconnected", "client_cancelled", "bad_request", "internal_error",
    ]

    /// A scripted failure of the model's request: infrastructure types as flat bodies with
    /// X-Fal-Error-Type; the model's own types (internal_server_error, generation_timeout,
    /// downstream_service_*, no_media_generated, content_policy_violation...) as `detail[]`.
    static func modelFailure(status: Int, type: String, requestID: String, retryable: String?) -> Response {
        var headers = [("x-fal-request-id", requestID)]
        if let retryable { headers.append(("X-Fal-Retryable", retryable)) }
        if requestErrorTypes.contains(type) {
            headers.append(("X-Fal-Error-Type", type))
            return json(status, .object(["detail": .string(type.replacingOccurrences(of: "_", with: " ").capitalized), "error_type": .string(type)]),
                        headers: headers)
        }
        let message = type == "content_policy_violation"
            ? "The content could not be processed because it contained material flagged by a content checker."
            : "The model failed: \(type.replacingOccurrences(of: "_", with: " "))"
        let loc: JSONValue = type == "content_policy_violation" ? ["body", "prompt"] : ["body"]
        return json(status, ["detail": [["loc": loc, "msg": .string(message), "type": .string(type), "url": .string("https://docs.fal.ai/errors/#\(type)")]]],
                    headers: headers)
    }

    /// A scripted submit failure: 429 as fal's concurrency limit answers it (with
    /// `X-Fal-needs-retry: 1`, spelled as fal spells it), the ingress's nginx pages, or a
    /// request error.
    static func failedSubmit(_ scenario: Scenario) -> Response {
        let status = scenario.failStatus
        if scenario.failFromIngress, [502, 503, 504].contains(status) { return ingress(status) }
        switch status {
        case 429:
            return detail(429, "Concurrent request limit reached", headers: [("X-Fal-Error-Type", "concurrent_requests_limit"), ("X-Fal-needs-retry", "1")])
        case 408: return detail(408, "Request Timeout")
        case 409: return detail(409, "Conflict")
        default:
            return infrastructure(status, type: errorTypeFor(status: status), requestID: UUID().uuidString.lowercased())
        }
    }

    /// A hostile server: the caller's Authorization header copied into an error body.
    static func echoingKey(_ request: Request, _ scenario: Scenario) -> Response? {
        guard let status = scenario.echoKeyStatus else { return nil }
        let header = request.headers[.authorization] ?? ""
        let key = header.hasPrefix("Key ") ? String(header.dropFirst(4)) : header
        if status == 422 {
            return json(422, ["detail": [["loc": ["body", "video_url"], "msg": .string("Bad input for key \(key)"), "type": "value_error",
                                          "ctx": ["key": .string(key)], "input": .string(header)]]])
        }
        return json(status, .object(["detail": .string("Invalid header: \(header) (key \(key))"), "error_type": .string("echo \(key)")]),
                    headers: [("X-Fal-Error-Type", "echo_\(key.prefix(20))")])
    }

    static func errorTypeFor(status: Int) -> String {
        switch status {
        case 429: "concurrent_requests_limit"
        case 400: "bad_request"
        case 500: "runner_server_error"
        case 502: "runner_incomplete_response"
        case 503: "runner_scheduling_failure"
        case 504: "request_timeout"
        default: "internal_error"
        }
    }
}
