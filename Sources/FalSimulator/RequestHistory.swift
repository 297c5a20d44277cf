import Foundation
import Hummingbird
import ModelCatalog

/// fal's request history for one endpoint (`GET /v1/models/requests/by-endpoint`), as fal-sim
/// answers it from the requests it accepted: `endpoint_id` (required), `start`/`end` (ISO 8601;
/// the last 24 hours by default), `request_id`, `expand=payloads` (each item's `json_input`),
/// `limit` (1 to 100, default 2 here so that every client reads pages), `cursor`. Newest first, as
/// fal lists them. A request the test told the server to forget is not listed: the no-match path.
struct RequestHistory {
    let server: FalSimulatorServer

    static let defaultLimit = 2

    func answer(_ request: Request) async -> Response {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Key "), server.configuration.keys.contains(String(header.dropFirst(4))) else {
            return Answer.detail(401, "No user found for Key ID and Secret")
        }
        let q = request.uri.queryParameters
        guard let endpoint = q.get("endpoint_id"), !endpoint.isEmpty else { return Answer.detail(422, "endpoint_id is required") }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        func date(_ name: String) -> Date?? {
            guard let text = q.get(name) else { return .some(nil) }
            guard let d = iso.date(from: text) ?? plain.date(from: text) else { return nil }
            return .some(d)
        }
        guard let startArg = date("start"), let endArg = date("end") else { return Answer.detail(422, "start and end are ISO 8601 times") }
        let end = endArg ?? Date()
        let start = startArg ?? end.addingTimeInterval(-86_400)
        let limit = q.get("limit").flatMap { Int($0) } ?? Self.defaultLimit
        guard (1...100).contains(limit) else { return Answer.detail(422, "limit takes 1 to 100") }
        let offset = q.get("cursor").flatMap { Int($0) } ?? 0
        let payloads = q.get("expand") == "payloads"
        let wanted = q.get("request_id")

        let listed = await server.state.history(endpoint: endpoint, from: start, to: end)
            .filter { wanted == nil || $0.id == wanted }
        let page = listed.dropFirst(offset).prefix(limit)
        let items: [JSONValue] = page.map { r in
            var item: [String: JSONValue] = [
                "request_id": .string(r.id), "endpoint_id": .string(r.model),
                "sent_at": .string(iso.string(from: r.submittedAt)),
                "status_code": r.state == "COMPLETED" ? .integer(200) : .null,
            ]
            if payloads { item["json_input"] = .object(r.input) }
            return .object(item)
        }
        let more = offset + page.count < listed.count
        return Answer.json(200, ["items": .array(items), "next_cursor": more ? .string(String(offset + page.count)) : .null, "has_more": .bool(more)])
    }
}

extension SimulatorState {
    /// The requests fal would list for an endpoint in a time window, newest first.
    func history(endpoint: String, from start: Date, to end: Date) -> [SimRequest] {
        requests.values.filter { $0.model == endpoint && !forgotten.contains($0.id) && !$0.scenario.unlisted && $0.submittedAt >= start && $0.submittedAt <= end }
            .sorted { $0.submittedAt > $1.submittedAt }
    }
}
