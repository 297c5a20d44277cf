import Foundation
import HTTPTypes
import Hummingbird
import ModelCatalog

/// A hostile server for fuzzing the client: every answer replaced by a mutation of a fal-shaped
/// answer, chosen by a seeded generator (the same seed and order give the same answers).
enum Chaos {
    /// SplitMix64: small, fast and reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func mutate(_ original: Response, seed: UInt64, counter: UInt64, request: Request) async -> Response {
        var g = Generator(state: seed &+ counter &* 0x2545_F491_4F6C_DD1D)
        let key = (request.headers[.authorization] ?? "").replacingOccurrences(of: "Key ", with: "")
        let base = "http://127.0.0.1/fal-ai/app/requests/0f0f"
        let templates: [String] = [
            #"{"status":"IN_QUEUE","request_id":"0f0f","response_url":"\#(base)","status_url":"\#(base)/status","cancel_url":"\#(base)/cancel","queue_position":3}"#,
            #"{"status":"IN_PROGRESS","request_id":"0f0f","logs":[{"message":"m","level":"INFO"}]}"#,
            #"{"status":"COMPLETED","request_id":"0f0f","error":"Invalid status code: 422","error_type":"runner_server_error","metrics":{"inference_time":1e308}}"#,
            #"{"video":{"url":"http://127.0.0.1/files/a/b.mp4","file_size":99999999999999999999999},"images":[{"url":"https://v3.fal.media/x.png","width":-1}],"audio_url":"\#(base)"}"#,
            #"{"detail":[{"loc":["body","video_url"],"msg":"Video duration exceeds the maximum","type":"video_duration_too_long","ctx":{"max_duration":1e999,"provided_duration":"NaN"}}]}"#,
            #"{"detail":"User is locked. Reason: Exhausted balance. \#(key)"}"#,
            #"{"detail":"Request timed out","error_type":"request_timeout"}"#,
            #"{"token":"t","token_type":"Bearer","base_url":"http://example.invalid","expires_at":"not a date"}"#,
            #"{"access_url":"::::","uploadId":"../../x"}"#,
            #"{"upload_url":"ftp://127.0.0.1/x","file_url":"javascript:alert(1)"}"#,
            #"{"status":"ALREADY_COMPLETED"}"#,
            "<html><center>nginx</center></html>",
            "", "null", "[]", "{", #"{"status":"FAILED"}"#, #"{"detail":[1,2,{"type":null}]}"#,
        ]
        var body = Array(templates[Int(g.next() % UInt64(templates.count))].utf8)
        // Byte-level damage on some answers: flips, cuts, repeats, control characters.
        switch g.next() % 6 {
        case 0 where !body.isEmpty:
            for _ in 0..<(1 + g.next() % 4) { body[Int(g.next() % UInt64(body.count))] ^= UInt8(truncatingIfNeeded: 1 << (g.next() % 8)) }
        case 1 where !body.isEmpty: body = Array(body.prefix(Int(g.next() % UInt64(body.count))))
        case 2: body += Array(#"\u001b[2J\u0007"#.utf8)
        case 3 where body.count < 2000: body = Array(repeating: body, count: 1 + Int(g.next() % 50)).flatMap { $0 }
        default: break
        }
        let statuses = [200, 200, 200, 202, 400, 401, 403, 404, 408, 409, 422, 429, 499, 500, 502, 503, 504, 302, 418, 599]
        let status = statuses[Int(g.next() % UInt64(statuses.count))]
        var headers = HTTPFields()
        headers[.contentType] = g.next() % 5 == 0 ? "text/event-stream" : "application/json"
        let flags = ["true", "false", "1", "0", "yes", "no", "maybe", "", "TRUE", "2"]
        if g.next() % 2 == 0 { headers[HTTPField.Name("X-Fal-Retryable")!] = flags[Int(g.next() % UInt64(flags.count))] }
        if g.next() % 2 == 0 { headers[HTTPField.Name("X-Fal-Needs-Retry")!] = flags[Int(g.next() % UInt64(flags.count))] }
        if g.next() % 3 == 0 { headers[HTTPField.Name("x-fal-request-id")!] = g.next() % 2 == 0 ? "0f0f" : "id-\(key)" }
        if g.next() % 4 == 0 { headers[HTTPField.Name("X-Fal-Request-Timeout-Type")!] = "user" }
        if g.next() % 4 == 0 { headers[.eTag] = "\"\(g.next())\"" }
        if g.next() % 5 == 0 { headers[HTTPField.Name("X-Fal-Error-Type")!] = "echo \(key)" }
        if status == 302 { headers[.location] = "http://example.invalid/elsewhere" }
        _ = original
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
