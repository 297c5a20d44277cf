import Foundation

/// Models refreshed from fal (`preflight models refresh`, or looked up on first use): one catalog
/// file per endpoint under the state folder, each dated. It sits between the bundled catalog and
/// the user's files: newer than what shipped, but a user's own correction still wins.
package struct RefreshedLayer: Sendable {
    package let folder: URL

    package init(paths: PreflightPaths) { folder = paths.state.appendingPathComponent("refreshed") }

    package func file(for id: String) -> URL {
        folder.appendingPathComponent(id.replacingOccurrences(of: "/", with: "__") + ".json")
    }

    /// A refreshed file: a catalog file (read by the catalog as any other) with when and where it
    /// was fetched beside it.
    struct Stored: Codable {
        var models: [CatalogFile.CatalogEntry]
        var refreshedAt: String?
        /// The platform base URL it came from.
        var from: String?

        enum CodingKeys: String, CodingKey { case models, refreshedAt = "refreshed_at", from }
    }

    /// Writes one endpoint's entry (to a temporary name, then renamed: never half a file).
    /// - Parameters:
    ///   - date: when fal was asked; an entry older than the caller's limit is asked again.
    ///   - from: the base URL that answered.
    package func save(_ entry: CatalogFile.CatalogEntry, at date: Date = Date(), from: String? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let stamp = ISO8601DateFormatter().string(from: date)
        let data = try encoder.encode(Stored(models: [entry], refreshedAt: stamp, from: from))
        try data.write(to: file(for: entry.id), options: .atomic)
    }

    /// When the entry of `id` was fetched; nil when there is none. A file without the stamp
    /// (written before it was kept) is as old as its modification time.
    package func refreshedAt(_ id: String) -> Date? {
        let url = file(for: id)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        struct Stamp: Decodable { var refreshed_at: String? }
        if let text = (try? JSONDecoder().decode(Stamp.self, from: data))?.refreshed_at, let date = ISO8601DateFormatter().date(from: text) {
            return date
        }
        return (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate]) as? Date
    }

    /// Every entry of the layer, in file name order. The files are JSON this layer wrote, read with a
    /// JSON decoder (a YAML parser is several times slower, and the layer grows with every model
    /// used); a file that does not decode so (edited by hand) is read as any catalog file, and a
    /// damaged one is skipped: the next use fetches it again.
    package func entries() -> [CatalogFile.CatalogEntry] { files().flatMap(read) }

    /// The entries of these ids only (the others are not read), in file name order.
    package func entries(for ids: Set<String>) -> [CatalogFile.CatalogEntry] {
        let wanted = Set(ids.filter { EndpointID.problem($0) == nil }.map { file(for: $0).lastPathComponent })
        return wanted.sorted().map { folder.appendingPathComponent($0) }.flatMap(read)
    }

    private func read(_ file: URL) -> [CatalogFile.CatalogEntry] {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [] }
        if let stored = try? JSONDecoder().decode(Stored.self, from: data) { return stored.models }
        return (try? CatalogFile.parse(String(decoding: data, as: UTF8.self), name: file.path))?.models ?? []
    }

    /// Every refreshed file, in name order.
    package func files() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }
}

extension Price {
    /// fal's platform API prices one unit ("second", "video_second", "image", "video", "minute"...).
    /// The catalog's own price keeps its shape (where the seconds come from, tiers, surcharges) and
    /// takes the new amount; a unit not understood gives nil rather than a guess.
    public static func refreshed(amount: Double, falUnit: String, currency: String, over old: Price?, source: Source) -> Price? {
        guard amount.isFinite, amount >= 0 else { return nil }
        let unit: Unit?
        switch falUnit.lowercased().replacingOccurrences(of: "-", with: "_") {
        case "second", "seconds", "video_second", "video_seconds", "output_second", "per_second":
            unit = old.map { [.secondOfInput, .secondOfOutput].contains($0.unit) ? $0.unit : .secondOfOutput } ?? .secondOfOutput
        case "input_second", "input_seconds": unit = .secondOfInput
        case "minute", "minutes", "input_minute": unit = .minuteOfInput
        case "video", "videos": unit = .video
        case "image", "images": unit = .image
        case "request", "requests", "call", "unit": unit = .request
        default: unit = nil
        }
        guard let unit else { return nil }
        var price = old.flatMap { $0.unit == unit ? $0 : nil } ?? Price(amount: amount, unit: unit, currency: currency, source: source)
        if var tiers = price.byResolution, let base = tiers.first(where: { $0.value == price.amount })?.key {
            tiers[base] = amount
            price.byResolution = tiers
        }
        price.amount = amount
        price.currency = currency
        price.source = source
        return price
    }
}
