import Foundation
import ModelCatalog

/// Limits and prices in words, for `models` tables and pages.
enum ModelText {
    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e12 ? String(Int(d)) : String(format: "%g", d)
    }

    static func unit(_ unit: Price.Unit) -> String { unit.words }

    /// "fal model page, seen 2026-11-22, read from prose".
    static func source(_ s: Source) -> String { s.description }

    static func rule(_ r: FieldGroupRule) -> String {
        let fields = r.fields.joined(separator: ", ")
        var parts: [String] = []
        if let n = r.maxCount { parts.append("at most \(n) files in \(fields) together") }
        if r.notTogether == true { parts.append("not together: \(fields)") }
        if let needs = r.requiresAnyOf { parts.append("\(fields) only with \(needs.joined(separator: " or "))") }
        return parts.joined(separator: "; ")
    }

    /// Each limit set, as (its key, a short phrase), in the limit table's order.
    static func limits(_ r: MediaRequirement) -> [(LimitKey?, String)] {
        var out: [(LimitKey?, String)] = LimitKey.requirementKeys.compactMap { key in key.phrase(in: r).map { (key, $0) } }
        if let a = r.advisory, !a.isEmpty { out.append((nil, "advisory (warn only): " + a.map(\.rawValue).joined(separator: ", "))) }
        return out
    }
}

/// JSON for command output: sorted keys, readable, slashes unescaped.
enum CLIJSON {
    static func string<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // Times as ISO 8601, not Foundation's default seconds since 2001 that no script expects.
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
