import Foundation

/// Models refreshed from fal (`preflight models refresh`): one catalog file per endpoint under the
/// state folder, each dated. It sits between the bundled catalog and the user's files: newer than
/// what shipped, but a user's own correction still wins.
public struct RefreshedLayer: Sendable {
    public let folder: URL

    public init(paths: PreflightPaths) { folder = paths.state.appendingPathComponent("refreshed") }

    public func file(for id: String) -> URL {
        folder.appendingPathComponent(id.replacingOccurrences(of: "/", with: "__") + ".json")
    }

    /// Writes one endpoint's entry (to a temporary name, then renamed: never half a file).
    public func save(_ entry: CatalogFile.CatalogEntry) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(CatalogFile(models: [entry]))
        try data.write(to: file(for: entry.id), options: .atomic)
    }

    /// Every refreshed file, in name order.
    public func files() -> [URL] {
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
