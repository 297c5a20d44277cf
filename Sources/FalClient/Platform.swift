import Foundation
import PreflightCore

/// One endpoint's current price as fal's platform API states it.
public struct FalPrice: Sendable, Equatable, Codable {
    /// The endpoint the price is for.
    public var endpointID: String
    /// The price of one `unit`, in `currency`.
    public var unitPrice: Double
    /// fal's billing unit: "second", "video", "image", "minute"...
    public var unit: String
    /// The price's currency, e.g. "USD".
    public var currency: String

    enum CodingKeys: String, CodingKey { case endpointID = "endpoint_id", unitPrice = "unit_price", unit, currency }
}

/// fal's public model documents and its platform API: what `preflight models refresh` reads.
extension FalClient {
    /// Marks the placeholder key of a client made without one; it is never sent.
    static let noKeyOrigin = "no key (public documents only)"

    /// A client for the public documents alone, when no key is set: it never sends a key.
    public static func withoutKey(endpoints: FalEndpoints, transport: HTTPTransport = HTTPTransport(),
                                  log: (@Sendable (String) -> Void)? = nil) throws(FalError) -> FalClient {
        FalClient(key: try FalKey("none:none", origin: noKeyOrigin), endpoints: endpoints, transport: transport, log: log)
    }

    /// Whether this client holds a real key (the pricing API needs one).
    public var hasKey: Bool { key.origin != Self.noKeyOrigin }

    /// `GET {openapi}/api/openapi/queue/openapi.json?endpoint_id=ID`: the endpoint's OpenAPI
    /// document, as bytes for the importer to judge. Public: no key is sent.
    public func openAPIDocument(for endpointID: String) async throws(FalError) -> Data {
        let url = Self.with(endpoints.openAPI.appendingPathComponent("api/openapi/queue/openapi.json"), query: "endpoint_id", endpointID)
        let response = try await send("GET", url, operation: "OpenAPI document of \(endpointID)", authorization: "")
        return response.body
    }

    /// `GET {platform}/v1/models/pricing?endpoint_id=ID` with the key: the endpoint's unit price.
    public func price(for endpointID: String) async throws(FalError) -> FalPrice {
        let operation = "price of \(endpointID)"
        guard hasKey else {
            throw FalError(kind: .usage, message: "\(operation): no fal key", hint: "Set FAL_KEY: fal's pricing API needs a key.")
        }
        let url = Self.with(endpoints.platform.appendingPathComponent("v1/models/pricing"), query: "endpoint_id", endpointID)
        let response = try await send("GET", url, operation: operation)
        struct Page: Decodable { var prices: [FalPrice] }
        guard let page = try? JSONDecoder().decode(Page.self, from: response.body) else {
            throw FalError(kind: .unexpectedOutput, message: "\(operation): the answer is not fal's pricing shape",
                           hint: "The raw body is kept for a bug report.", status: response.status, rawBody: String(response.text.prefix(65_536)))
        }
        guard let price = page.prices.first(where: { $0.endpointID == endpointID }) else {
            throw FalError(kind: .notFound, message: "\(operation): fal lists no price for it",
                           hint: "The endpoint may be new, private or renamed; the catalog keeps its last price.", status: response.status)
        }
        guard price.unitPrice.isFinite, price.unitPrice >= 0 else {
            throw FalError(kind: .unexpectedOutput, message: "\(operation): the unit price \(price.unitPrice) is not a price",
                           hint: "The catalog keeps its last price.", status: response.status)
        }
        return price
    }
}
