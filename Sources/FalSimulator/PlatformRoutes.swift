import Foundation
import HTTPTypes
import Hummingbird
import ModelCatalog
import Yams

/// What fal-sim's documents and prices say beyond its catalog: documents served verbatim (a
/// malformed one too), ids answered 404, prices. Read from the scenario file's `platform:` key.
public struct PlatformScenario: Codable, Sendable {
    /// Served as they are, instead of the document made from the catalog.
    public var documents: [String: String] = [:]
    /// Ids answered 404, as fal answers an unknown endpoint.
    public var missing: [String] = []
    /// Prices instead of the catalog's.
    public var prices: [String: PlatformPrice] = [:]
    /// Models `/v1/models` answers per page when the request names no `limit`.
    public var pageSize = 20
    /// Extra endpoints the listing holds beyond the catalog and fal-sim's own (`fal-sim/listed/NNN`,
    /// text-to-image, priced), for tests of paging and of prices asked 50 at a time.
    public var listed = 0

    /// A price the simulator's pricing API states for an endpoint.
    public struct PlatformPrice: Codable, Sendable {
        /// The price per unit.
        public var unitPrice: Double
        /// fal's unit name, e.g. "seconds", "videos", "images".
        public var unit: String
        /// The price's currency; nil lets the simulator say "USD".
        public var currency: String?

        /// A price of `unitPrice` per `unit`.
        public init(unitPrice: Double, unit: String, currency: String? = nil) {
            self.unitPrice = unitPrice
            self.unit = unit
            self.currency = currency
        }

        enum CodingKeys: String, CodingKey { case unitPrice = "unit_price", unit, currency }
    }

    /// A platform scenario; empty, the simulator serves what its catalog holds.
    public init(documents: [String: String] = [:], missing: [String] = [], prices: [String: PlatformPrice] = [:],
                pageSize: Int = 20, listed: Int = 0) {
        self.documents = documents
        self.missing = missing
        self.prices = prices
        self.pageSize = pageSize
        self.listed = listed
    }

    /// Reads the scenario file's `platform` part; every key optional.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        documents = try c.decodeIfPresent([String: String].self, forKey: .documents) ?? [:]
        missing = try c.decodeIfPresent([String].self, forKey: .missing) ?? []
        prices = try c.decodeIfPresent([String: PlatformPrice].self, forKey: .prices) ?? [:]
        pageSize = min(max(try c.decodeIfPresent(Int.self, forKey: .pageSize) ?? 20, 1), 1000)
        listed = min(max(try c.decodeIfPresent(Int.self, forKey: .listed) ?? 0, 0), 10_000)
    }

    enum CodingKeys: String, CodingKey { case documents, missing, prices, pageSize = "page_size", listed }

    /// The `platform:` part of a scenario file (absent: an empty scenario).
    public static func load(_ path: String) throws -> PlatformScenario {
        struct File: Decodable { var platform: PlatformScenario? }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try YAMLDecoder().decode(File.self, from: text).platform ?? PlatformScenario()
    }
}

/// fal's model documents (`GET /api/openapi/queue/openapi.json?endpoint_id=ID`, public), its model
/// listing (`GET /v1/models`: find by id, search, pages, `expand=openapi-3.0`; ModelListing.swift)
/// and platform prices (`GET /v1/models/pricing?endpoint_id=A&endpoint_id=B`, 1 to 50 ids, with a
/// key). Catalog models are written in fal's older format (limit lines and prose); the endpoints
/// only fal-sim knows (LiveModels.swift) carry x-fal, as fal's SDK writes it today.
///
/// A middleware rather than routes: a constant `api/...` route would shadow the catch-all route that
/// answers `/api/v2/status.json`. It must be added before the routes it wraps.
struct PlatformRoutes: RouterMiddleware {
    typealias Context = BasicRequestContext
    let server: FalSimulatorServer

    private var config: FalSimulatorServer.Configuration { server.configuration }

    func register(on router: Router<BasicRequestContext>) {
        router.add(middleware: self)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get else { return try await next(request, context) }
        switch request.uri.path {
        case "/api/openapi/queue/openapi.json": return await recorded(request, document(request))
        case "/v1/models/pricing": return await recorded(request, pricing(request))
        case "/v1/models": return await recorded(request, ModelListing(config: config).answer(request))
        case "/v1/models/requests/by-endpoint": return await recorded(request, await RequestHistory(server: server).answer(request))
        default: return try await next(request, context)
        }
    }

    private func recorded(_ request: Request, _ response: Response) async -> Response {
        await server.state.record("\(request.method.rawValue) \(request.uri.path) -> \(response.status.code)")
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        await server.state.recordPlatform(path: request.uri.path, query: query, status: Int(response.status.code))
        return response
    }

    private func document(_ request: Request) -> Response {
        guard let id = request.uri.queryParameters.get("endpoint_id"), !id.isEmpty else {
            return Answer.detail(422, "endpoint_id is required")
        }
        let platform = config.platform
        if platform.missing.contains(id) { return Answer.detail(404, "Endpoint \(id) not found") }
        if let text = platform.documents[id] {
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if let spec = config.catalog.models[id] { return Answer.json(200, OpenAPIDocumentWriter.document(for: spec)) }
        if let live = LiveModel.named(id) { return Answer.json(200, live.document) }
        return Answer.detail(404, "Endpoint \(id) not found")
    }

    private func pricing(_ request: Request) -> Response {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Key "), config.keys.contains(String(header.dropFirst(4))) else {
            return Answer.detail(401, "No user found for Key ID and Secret")
        }
        let ids = ModelListing.endpointIDs(request)
        guard !ids.isEmpty else { return Answer.detail(422, "endpoint_id is required") }
        guard ids.count <= 50 else { return Answer.detail(422, "endpoint_id accepts 1 to 50 endpoint ids, got \(ids.count)") }
        let prices = ids.compactMap { id in ModelListing(config: config).price(of: id).map { p -> JSONValue in
            ["endpoint_id": .string(id), "unit_price": .number(p.unitPrice), "unit": .string(p.unit), "currency": .string(p.currency ?? "USD")]
        } }
        return Answer.json(200, ["prices": .array(prices), "next_cursor": .null, "has_more": false])
    }
}

/// A fal-style queue OpenAPI document for one model: the input schema under components.schemas, the
/// field order, and each media field's description ending in fal's structured limit line, with the
/// limits that line cannot say written as fal writes them in prose.
enum OpenAPIDocumentWriter {
    static func document(for spec: ModelSpec) -> JSONValue {
        let schemaName = spec.id.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Input"
        var properties: [String: JSONValue] = [:]
        var order: [String] = []
        var required: [String] = []
        for field in spec.media {
            var prop: [String: JSONValue] = ["description": .string(description(of: field))]
            if field.kind.isList {
                prop["type"] = "array"
                prop["items"] = ["type": "string"]
                if let n = field.requirement.maxCount { prop["maxItems"] = .integer(n) }
                if let n = field.requirement.minCount { prop["minItems"] = .integer(n) }
            } else {
                prop["type"] = "string"
            }
            properties[field.name] = .object(prop)
            order.append(field.name)
            if field.required { required.append(field.name) }
        }
        for f in spec.payload.fields where properties[f.name] == nil {
            var prop: [String: JSONValue] = ["type": .string(f.type.rawValue)]
            if let e = f.enumValues { prop["enum"] = .array(e) }
            if let v = f.minimum { prop["minimum"] = .number(v) }
            if let v = f.maximum { prop["maximum"] = .number(v) }
            if let v = f.maxLength { prop["maxLength"] = .integer(v) }
            if let d = f.defaultValue { prop["default"] = d }
            if let text = f.description { prop["description"] = .string(text) }
            properties[f.name] = .object(prop)
            order.append(f.name)
            if f.required { required.append(f.name) }
        }
        let schema: JSONValue = ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)),
                                 "x-fal-order-properties": .array(order.map(JSONValue.string))]
        return [
            "openapi": "3.0.4",
            "info": ["title": .string("Queue OpenAPI for \(spec.id)"), "version": "1.0.0",
                     "x-fal-metadata": ["endpointId": .string(spec.id), "category": .string(spec.category)]],
            "components": ["schemas": .object([schemaName: schema])],
            "paths": .object(["/" + spec.id: ["post": ["requestBody": ["content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schemaName)")]]]]]]]),
        ]
    }

    /// "The video to edit. Supported formats: .mp4, .mov\nMax file size: 200.0MB, Min width: 720px, ..."
    static func description(of field: MediaField) -> String {
        let r = field.requirement
        var prose = ["The \(field.kind.element.rawValue)\(field.kind.isList ? "s" : "") to use."]
        if let f = r.formats { prose.append("Supported formats: " + f.map { "." + $0 }.joined(separator: ", ") + ".") }
        if let n = r.minShortSide { prose.append("Shortest side must be at least \(n) px.") }
        if let n = r.maxLongSide { prose.append("Longest side must be at most \(n) px.") }
        if let n = r.minPixels { prose.append("At least \(n) pixels in total.") }
        if let n = r.maxPixels { prose.append("At most \(n) pixels in total.") }
        if let s = r.maxTotalFileSize { prose.append("Max \(mb(s)) MB in total.") }
        if let d = r.minTotalDuration { prose.append("At least \(num(d)) s combined.") }
        if let d = r.maxTotalDuration { prose.append("At most \(num(d)) s combined.") }
        var line: [String] = []
        if let s = r.maxFileSize { line.append("Max file size: \(mb(s))MB") }
        if let v = r.minWidth { line.append("Min width: \(v)px") }
        if let v = r.minHeight { line.append("Min height: \(v)px") }
        if let v = r.maxWidth { line.append("Max width: \(v)px") }
        if let v = r.maxHeight { line.append("Max height: \(v)px") }
        if let v = r.minAspectRatio { line.append(String(format: "Min aspect ratio: %.2f", v)) }
        if let v = r.maxAspectRatio { line.append(String(format: "Max aspect ratio: %.2f", v)) }
        if let v = r.minDuration { line.append("Min duration: \(num(v))s") }
        if let v = r.maxDuration { line.append("Max duration: \(num(v))s") }
        if let v = r.minFPS { line.append("Min FPS: \(num(v))") }
        if let v = r.maxFPS { line.append("Max FPS: \(num(v))") }
        if let v = r.downloadTimeout { line.append("Timeout: \(num(v))s") }
        return prose.joined(separator: " ") + (line.isEmpty ? "" : "\n" + line.joined(separator: ", "))
    }

    private static func mb(_ size: ByteCount) -> String { String(format: "%.1f", Double(size.bytes) / 1_048_576) }
    private static func num(_ d: Double) -> String { String(format: "%.2f", d) }
}
