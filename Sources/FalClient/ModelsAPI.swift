import Foundation
import PreflightCore

/// One model endpoint as fal's platform API lists it (`GET /v1/models`).
public struct FalModel: Sendable, Equatable {
    /// The endpoint id, e.g. "fal-ai/kling-video/v2.1/standard/image-to-video" (checked for shape).
    public var endpointID: String
    /// fal's readable name for the model; nil when the listing has none.
    public var displayName: String?
    /// fal's category, e.g. "image-to-video"; nil when absent.
    public var category: String?
    /// fal's description of the model, in its words; nil when absent.
    public var description: String?
    /// "active" or "deprecated".
    public var status: String?
    /// fal's tags for the model (e.g. "motion", "lipsync"); empty when none.
    public var tags: [String]
    /// When fal last changed the entry, as fal writes it (ISO 8601); nil when absent.
    public var updatedAt: String?
    /// The endpoint's OpenAPI document, when it was asked for (`expand=openapi-3.0`).
    public var openAPI: [String: JSONValue]?

    /// A model as the listing gives it; only the id is required.
    public init(endpointID: String, displayName: String? = nil, category: String? = nil, description: String? = nil,
                status: String? = nil, tags: [String] = [], updatedAt: String? = nil, openAPI: [String: JSONValue]? = nil) {
        self.endpointID = endpointID
        self.displayName = displayName
        self.category = category
        self.description = description
        self.status = status
        self.tags = tags
        self.updatedAt = updatedAt
        self.openAPI = openAPI
    }
}

/// One page of fal's model listing.
public struct FalModelPage: Sendable {
    /// The models of this page, in fal's order.
    public var models: [FalModel]
    /// Entries the page held that were not a usable model (no id, an id of the wrong shape).
    public var skipped: Int
    /// The cursor to ask for the next page with; nil on the last page.
    public var nextCursor: String?
    /// True when fal says more pages follow and gave a cursor for them.
    public var hasMore: Bool
}

/// fal's platform API for models and prices (https://api.fal.ai/v1): what first-use lookups,
/// `models search` and the price book read. The listing is public (a key only raises the rate
/// limit, and is sent when there is one); prices need a key.
extension FalClient {
    /// fal takes 1 to 50 endpoint ids per call, for the listing and for prices.
    public static let idsPerCall = 50
    /// A listing that has not ended after this many pages is a server going round in circles.
    public static let maxPages = 500

    /// `GET {platform}/v1/models?endpoint_id=A&endpoint_id=B[&expand=openapi-3.0]`: these endpoints
    /// (1 to 50), with their OpenAPI documents when `openAPI` is true. Ids fal does not know are
    /// simply absent from the answer.
    public func models(_ ids: [String], openAPI: Bool = true, timeout: Double = 30) async throws(FalError) -> [FalModel] {
        try await redacting { () async throws(FalError) -> [FalModel] in
            guard (1...Self.idsPerCall).contains(ids.count) else {
                throw FalError(kind: .usage, message: "fal's model listing takes 1 to \(Self.idsPerCall) endpoint ids per call, not \(ids.count)",
                               hint: "Ask in batches of \(Self.idsPerCall).")
            }
            for id in ids { try Self.validateModelID(id) }
            var query = ids.map { ("endpoint_id", $0) }
            if openAPI { query.append(("expand", "openapi-3.0")) }
            var models: [FalModel] = []
            var cursor: String?
            var seen: Set<String> = []
            for _ in 0..<Self.maxPages {
                let page = try await modelPage(query + (cursor.map { [("cursor", $0)] } ?? []), operation: "model listing of \(ids.count) id(s)", timeout: timeout)
                models += page.models
                guard page.hasMore, let next = page.nextCursor, seen.insert(next).inserted else { return models }
                cursor = next
            }
            return models
        }
    }

    /// `GET {platform}/v1/models?q=&category=&status=&limit=&cursor=`: one page of fal's search.
    public func searchModels(query: String? = nil, category: String? = nil, status: String? = nil, limit: Int? = nil,
                             cursor: String? = nil, timeout: Double = 30) async throws(FalError) -> FalModelPage {
        try await redacting { () async throws(FalError) -> FalModelPage in
            var items: [(String, String)] = []
            if let query, !query.isEmpty { items.append(("q", query)) }
            if let category, !category.isEmpty { items.append(("category", category)) }
            if let status, !status.isEmpty { items.append(("status", status)) }
            if let limit { items.append(("limit", String(limit))) }
            if let cursor { items.append(("cursor", cursor)) }
            return try await modelPage(items, operation: "model search", timeout: timeout)
        }
    }

    /// Every page of a search, following `next_cursor` while `has_more` says so. `onPage` hears
    /// each page's size as it arrives. A cursor seen twice, or more than `maxPages` pages, is a
    /// server error, not an endless loop.
    public func allModels(query: String? = nil, category: String? = nil, status: String? = nil, pageSize: Int? = nil,
                          onPage: (@Sendable (Int) -> Void)? = nil) async throws(FalError) -> [FalModel] {
        var models: [FalModel] = []
        var cursor: String?
        var seen: Set<String> = []
        for _ in 0..<Self.maxPages {
            let page = try await searchModels(query: query, category: category, status: status, limit: pageSize, cursor: cursor)
            models += page.models
            onPage?(page.models.count)
            guard page.hasMore else { return models }
            guard let next = page.nextCursor, !next.isEmpty, seen.insert(next).inserted else {
                throw FalError(kind: .unexpectedOutput, message: "model search: fal said there is more but gave no new cursor",
                               hint: "The pages read so far are not the whole list; try again later.")
            }
            cursor = next
        }
        throw FalError(kind: .unexpectedOutput, message: "model search: the listing did not end after \(Self.maxPages) pages",
                       hint: "Narrow the search (TEXT or --category) and try again.")
    }

    /// `GET {platform}/v1/models/pricing?endpoint_id=...` with the key, 50 ids per call: the price of
    /// each id fal prices (the others are absent: fal prices some endpoints per account or not at all).
    /// `onCall` hears each call's id count.
    public func prices(for ids: [String], timeout: Double = 30, onCall: (@Sendable (Int) -> Void)? = nil) async throws(FalError) -> [FalPrice] {
        try await redacting { () async throws(FalError) -> [FalPrice] in
            guard hasKey else {
                throw FalError(kind: .usage, message: "prices: no fal key", hint: "Set FAL_KEY: fal's pricing API needs a key.")
            }
            var unique: [String] = []
            for id in ids where !unique.contains(id) {
                try Self.validateModelID(id)
                unique.append(id)
            }
            var out: [FalPrice] = []
            for start in stride(from: 0, to: unique.count, by: Self.idsPerCall) {
                let batch = Array(unique[start..<min(start + Self.idsPerCall, unique.count)])
                onCall?(batch.count)
                out += try await pricePages(batch, timeout: timeout)
            }
            return out
        }
    }

    private func pricePages(_ batch: [String], timeout: Double) async throws(FalError) -> [FalPrice] {
        let operation = "prices of \(batch.count) endpoint(s)"
        let wanted = Set(batch)
        var out: [FalPrice] = []
        var cursor: String?
        var seen: Set<String> = []
        for _ in 0..<Self.maxPages {
            let query = batch.map { ("endpoint_id", $0) } + (cursor.map { [("cursor", $0)] } ?? [])
            let url = Self.url(endpoints.platform.appendingPathComponent("v1/models/pricing"), query: query)
            let response = try await send("GET", url, timeout: timeout, operation: operation)
            guard let body = try? JSONDecoder().decode(JSONValue.self, from: response.body), let prices = body["prices"]?.arrayValue else {
                throw FalError(kind: .unexpectedOutput, message: "\(operation): the answer is not fal's pricing shape",
                               hint: "The raw body is kept for a bug report.", status: response.status, rawBody: String(response.text.prefix(65_536)))
            }
            for entry in prices {
                // Only what was asked, with a price that is a price; anything else is the server's mistake, skipped.
                guard let id = entry["endpoint_id"]?.stringValue, wanted.contains(id),
                      let amount = entry["unit_price"]?.numberValue, amount.isFinite, amount >= 0,
                      let unit = entry["unit"]?.stringValue, !unit.isEmpty, unit.count <= 64 else { continue }
                let currency = entry["currency"]?.stringValue.flatMap { $0.count <= 8 && !$0.isEmpty ? $0 : nil } ?? "USD"
                out.append(FalPrice(endpointID: id, unitPrice: amount, unit: unit, currency: currency))
            }
            guard body["has_more"] == .bool(true), let next = body["next_cursor"]?.stringValue, !next.isEmpty,
                  seen.insert(next).inserted else { return out }
            cursor = next
        }
        return out
    }

    /// One page of `/v1/models`, read strictly: entries without a usable id are counted, not kept.
    private func modelPage(_ query: [(String, String)], operation: String, timeout: Double) async throws(FalError) -> FalModelPage {
        let url = Self.url(endpoints.platform.appendingPathComponent("v1/models"), query: query)
        // Public: the key only raises the rate limit, and is sent when there is one.
        let response = try await send("GET", url, timeout: timeout, operation: operation, authorization: hasKey ? nil : "")
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: response.body), let entries = body["models"]?.arrayValue else {
            throw FalError(kind: .unexpectedOutput, message: "\(operation): the answer is not fal's model listing",
                           hint: "The raw body is kept for a bug report.", status: response.status, rawBody: String(response.text.prefix(65_536)))
        }
        var models: [FalModel] = []
        var skipped = 0
        for entry in entries {
            guard let id = entry["endpoint_id"]?.stringValue, (try? Self.validateModelID(id)) != nil, id.count <= 200 else {
                skipped += 1
                continue
            }
            let meta = entry["metadata"]
            func text(_ key: String, _ limit: Int) -> String? {
                meta?[key]?.stringValue.map { String($0.prefix(limit)) }
            }
            models.append(FalModel(endpointID: id, displayName: text("display_name", 200), category: text("category", 80),
                                   description: text("description", 2000), status: text("status", 40),
                                   tags: (meta?["tags"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(32).map { String($0.prefix(60)) },
                                   updatedAt: text("updated_at", 40), openAPI: entry["openapi"]?.objectValue))
        }
        let next = body["next_cursor"]?.stringValue.flatMap { $0.isEmpty || $0.count > 1024 ? nil : $0 }
        return FalModelPage(models: models, skipped: skipped, nextCursor: next, hasMore: body["has_more"] == .bool(true) && next != nil)
    }
}
