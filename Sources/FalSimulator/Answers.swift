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

    static func errorTypeFor(status: Int) -> String {
        switch status {
        case 429: "concurrent_requests_limit"
        case 500: "runner_server_error"
        case 502: "runner_incomplete_response"
        case 503: "runner_scheduling_failure"
        case 504: "request_timeout"
        default: "internal_error"
        }
    }
}
