import Foundation
import Hummingbird
import ModelCatalog

/// fal's model listing (`GET /v1/models`) as fal-sim answers it: find by id (`endpoint_id`, 1 to
/// 50, repeated or comma-separated), search (`q`, `category`, `status`), pages (`limit`, `cursor`
/// holding the next page's number in base64, as fal's does: "Mg==" is page 2) and
/// `expand=openapi-3.0` to inline each endpoint's OpenAPI document. The listing is the catalog's
/// models, the endpoints only fal-sim knows, and the scenario's synthetic `listed` ones.
struct ModelListing {
    let config: FalSimulatorServer.Configuration

    struct Listed {
        var id: String
        var name: String
        var category: String
        var description: String
        var document: () -> JSONValue?
    }

    var all: [Listed] {
        let platform = config.platform
        var out: [Listed] = config.catalog.ids.filter { !platform.missing.contains($0) }.compactMap { id in
            guard let spec = config.catalog.models[id] else { return nil }
            return Listed(id: id, name: spec.name, category: spec.category, description: spec.notes ?? "", document: {
                if let text = platform.documents[id] { return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
                return OpenAPIDocumentWriter.document(for: spec)
            })
        }
        out += LiveModel.all.map { m in Listed(id: m.id, name: m.displayName, category: m.category, description: m.description, document: { m.document }) }
        out += (0..<platform.listed).map { i in
            let id = String(format: "fal-sim/listed/%03d", i)
            return Listed(id: id, name: "Listed model \(i)", category: "text-to-image", description: "A listing entry with no media input.", document: {
                ["openapi": "3.0.4", "info": ["title": .string("Queue OpenAPI for \(id)"), "x-fal-metadata": ["endpointId": .string(id)]],
                 "components": ["schemas": ["ListedInput": ["type": "object", "properties": ["prompt": ["type": "string"]], "required": ["prompt"]]]]]
            })
        }
        return out
    }

    /// The price fal-sim's pricing API states for an id: the scenario's, else the model's own.
    func price(of id: String) -> PlatformScenario.PlatformPrice? {
        let platform = config.platform
        if let p = platform.prices[id] { return p }
        if platform.missing.contains(id) { return nil }
        if let p = config.catalog.models[id]?.price {
            let unit = switch p.unit {
            case .secondOfOutput, .secondOfInput: "second"
            case .minuteOfInput: "minute"
            case .video: "video"
            case .image: "image"
            case .request: "request"
            }
            return .init(unitPrice: p.amount, unit: unit, currency: p.currency)
        }
        if let live = LiveModel.named(id) { return .init(unitPrice: live.price.amount, unit: live.price.unit) }
        if id.hasPrefix("fal-sim/listed/"), all.contains(where: { $0.id == id }) { return .init(unitPrice: 0.01, unit: "image") }
        return nil
    }

    /// Every `endpoint_id` of a request, repeated (`?endpoint_id=a&endpoint_id=b`) or comma-separated.
    static func endpointIDs(_ request: Request) -> [String] {
        request.uri.queryParameters.getAll("endpoint_id").flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
    }

    func answer(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let expand = query.getAll("expand").flatMap { $0.split(separator: ",") }.contains("openapi-3.0")
        let ids = Self.endpointIDs(request)
        var found = all
        if !ids.isEmpty {
            guard ids.count <= 50 else { return Answer.detail(422, "endpoint_id accepts 1 to 50 endpoint ids, got \(ids.count)") }
            found = ids.compactMap { id in found.first { $0.id == id } }
        }
        if let q = query.get("q")?.lowercased(), !q.isEmpty {
            found = found.filter { [$0.id, $0.name, $0.category, $0.description].contains { $0.lowercased().contains(q) } }
        }
        if let category = query.get("category"), !category.isEmpty { found = found.filter { $0.category == category } }
        if let status = query.get("status"), !status.isEmpty, status != "active" { found = [] }
        var limit = config.platform.pageSize
        if let text = query.get("limit") {
            guard let n = Int(text), n >= 1 else { return Answer.detail(422, "limit must be an integer >= 1") }
            limit = min(n, 100)
        }
        var page = 1
        if let cursor = query.get("cursor") {
            guard let data = Data(base64Encoded: cursor), let n = Int(String(decoding: data, as: UTF8.self)), n >= 1 else {
                return Answer.detail(400, "Invalid cursor")
            }
            page = n
        }
        let start = min((page - 1) * limit, found.count)
        let slice = found[start..<min(start + limit, found.count)]
        let more = start + limit < found.count
        let models: [JSONValue] = slice.map { m in
            var o: [String: JSONValue] = ["endpoint_id": .string(m.id),
                                          "metadata": ["display_name": .string(m.name), "category": .string(m.category),
                                                       "description": .string(m.description), "status": "active", "tags": [],
                                                       "updated_at": "2026-12-01T00:00:00Z"]]
            if expand, let document = m.document() { o["openapi"] = document }
            return .object(o)
        }
        let next: JSONValue = more ? .string(Data(String(page + 1).utf8).base64EncodedString()) : .null
        return Answer.json(200, ["models": .array(models), "next_cursor": next, "has_more": .bool(more)])
    }
}

extension FalSimulatorServer {
    /// Every platform API request so far (model listing, prices, documents), oldest first.
    public func platformRequests() async -> [PlatformRequest] { await state.platformRequests }
}
