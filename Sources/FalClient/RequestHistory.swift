import Foundation
import PreflightCore

/// One request as fal's request history lists it (`GET {platform}/v1/models/requests/by-endpoint`).
package struct FalHistoryEntry: Sendable, Equatable {
    package var requestID: String
    package var endpointID: String
    package var sentAt: Date?
    /// The input fal received (with `expand=payloads`).
    package var input: [String: JSONValue]?
}

/// What fal's history said of a time window: the entries, and whether every page was read (a
/// listing cut short cannot show that a request is absent).
package struct FalHistoryListing: Sendable {
    package var entries: [FalHistoryEntry]
    package var complete: Bool
}

extension FalClient {
    /// The most pages one listing reads: a window of a single submit holds a handful of requests.
    static let maxHistoryPages = 50

    /// fal's history of `endpoint` between two times, with the inputs. Needs the key. Each entry
    /// is checked (an id that is a request id, the endpoint asked for); anything else is skipped.
    package func requestHistory(endpoint: String, from start: Date, to end: Date, timeout: Double = 30) async throws(FalError) -> FalHistoryListing {
        try await redacting { () async throws(FalError) -> FalHistoryListing in
            try Self.validateModelID(endpoint)
            let operation = "fal's request history of \(endpoint)"
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let plain = ISO8601DateFormatter()
            var entries: [FalHistoryEntry] = []
            var cursor: String?
            var seen: Set<String> = []
            for _ in 0..<Self.maxHistoryPages {
                let query = [("endpoint_id", endpoint), ("start", iso.string(from: start)), ("end", iso.string(from: end)), ("expand", "payloads")]
                    + (cursor.map { [("cursor", $0)] } ?? [])
                let url = Self.url(endpoints.platform.appendingPathComponent("v1/models/requests/by-endpoint"), query: query)
                let response = try await send("GET", url, timeout: timeout, operation: operation)
                guard let body = try? JSONDecoder().decode(JSONValue.self, from: response.body), let items = body["items"]?.arrayValue else {
                    throw FalError(kind: .unexpectedOutput, message: "\(operation): the answer is not fal's request listing",
                                   hint: "The raw body is kept for a bug report.", status: response.status, rawBody: String(response.text.prefix(65_536)))
                }
                for item in items {
                    guard let id = item["request_id"]?.stringValue, Self.isRequestID(id), item["endpoint_id"]?.stringValue == endpoint else { continue }
                    let sent = item["sent_at"]?.stringValue.flatMap { iso.date(from: $0) ?? plain.date(from: $0) }
                    entries.append(FalHistoryEntry(requestID: id, endpointID: endpoint, sentAt: sent, input: item["json_input"]?.objectValue))
                }
                guard body["has_more"] == .bool(true) else { return FalHistoryListing(entries: entries, complete: true) }
                guard let next = body["next_cursor"]?.stringValue, !next.isEmpty, next.count <= 1024, seen.insert(next).inserted else {
                    return FalHistoryListing(entries: entries, complete: false)
                }
                cursor = next
            }
            return FalHistoryListing(entries: entries, complete: false)
        }
    }
}
