import Foundation

/// One endpoint's price as fal's platform API stated it, and when.
package struct DatedPrice: Codable, Sendable, Equatable {
    package var endpointID: String
    /// Per `unit`, in `currency`.
    package var amount: Double
    /// fal's billing unit: "second", "video", "image", "minute"...
    package var unit: String
    package var currency: String
    /// When fal was asked.
    package var seenAt: Date

    package init(endpointID: String, amount: Double, unit: String, currency: String, seenAt: Date) {
        self.endpointID = endpointID
        self.amount = amount
        self.unit = unit
        self.currency = currency
        self.seenAt = seenAt
    }

    enum CodingKeys: String, CodingKey { case endpointID = "endpoint_id", amount = "unit_price", unit, currency, seenAt = "seen_at" }

    /// The catalog's form of it over the catalog's own price (its shape kept, the amount fal's);
    /// nil when fal's unit is not one the catalog understands.
    package func price(over old: Price?) -> Price? {
        let day = ISO8601DateFormatter.string(from: seenAt, timeZone: .gmt, formatOptions: [.withFullDate])
        return Price.refreshed(amount: amount, falUnit: unit, currency: currency, over: old,
                               source: Source(ref: "fal platform API (models/pricing)", date: day))
    }
}

/// Prices fetched from fal's platform API (`/v1/models/pricing`), each with the time it was seen,
/// in one file under the state folder (`prices.json`). Also remembers which ids fal priced at no
/// price, so they are not asked for again until the answer is old. The cost estimate reads it
/// through the catalog; a caller that needs the raw price asks `price(for:)`.
package struct PriceBook: Sendable {
    package let file: URL

    package init(paths: PreflightPaths) { file = paths.state.appendingPathComponent("prices.json") }

    struct Stored: Codable {
        var prices: [String: DatedPrice] = [:]
        /// Ids fal listed no price for, with when it was asked.
        var unpriced: [String: Date] = [:]
    }

    /// The price fal last gave for `id` and when, or nil when none was ever fetched (or fal lists none).
    package func price(for id: String) -> DatedPrice? { read().prices[id] }

    /// Every price kept.
    package func all() -> [DatedPrice] { read().prices.values.sorted { $0.endpointID < $1.endpointID } }

    /// Whether fal should be asked about `id`: never asked, or the answer (a price or none) is
    /// older than `maxAge` seconds.
    package func isStale(_ id: String, now: Date = Date(), maxAge: TimeInterval) -> Bool {
        let stored = read()
        guard let seen = stored.prices[id]?.seenAt ?? stored.unpriced[id] else { return true }
        return now.timeIntervalSince(seen) > maxAge
    }

    /// Keeps what fal answered for these ids: the prices it gave, and "none" for the others asked.
    package func record(_ prices: [DatedPrice], asked ids: [String], at date: Date = Date()) throws {
        var stored = read()
        for p in prices where p.amount.isFinite && p.amount >= 0 {
            stored.prices[p.endpointID] = p
            stored.unpriced[p.endpointID] = nil
        }
        let priced = Set(prices.map(\.endpointID))
        for id in ids where !priced.contains(id) {
            stored.unpriced[id] = date
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.encoder.encode(stored).write(to: file, options: .atomic)
    }

    private func read() -> Stored {
        // A damaged cache is an empty one: prices are asked for again, nothing else depends on it.
        guard let data = FileManager.default.contents(atPath: file.path), let stored = try? Self.decoder.decode(Stored.self, from: data) else {
            return Stored()
        }
        return stored
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
