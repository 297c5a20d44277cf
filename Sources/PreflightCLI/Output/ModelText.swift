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

    /// Each limit set, as (its key, a short phrase), in a stable reading order.
    static func limits(_ r: MediaRequirement) -> [(LimitKey?, String)] {
        var out: [(LimitKey?, String)] = []
        func add(_ key: LimitKey, _ text: String?) { if let text { out.append((key, text)) } }
        add(.formats, r.formats.map { "formats: " + $0.map { ".\($0)" }.joined(separator: ", ") })
        add(.videoCodecs, r.videoCodecs.map { "video codecs: " + $0.joined(separator: ", ") })
        add(.audioCodecs, r.audioCodecs.map { "audio codecs: " + $0.joined(separator: ", ") })
        add(.minWidth, r.minWidth.map { "width >= \($0) px" })
        add(.maxWidth, r.maxWidth.map { "width <= \($0) px" })
        add(.minHeight, r.minHeight.map { "height >= \($0) px" })
        add(.maxHeight, r.maxHeight.map { "height <= \($0) px" })
        add(.minShortSide, r.minShortSide.map { "short side >= \($0) px" })
        add(.maxLongSide, r.maxLongSide.map { "long side <= \($0) px" })
        add(.minPixels, r.minPixels.map { "pixels >= \($0)" })
        add(.maxPixels, r.maxPixels.map { "pixels <= \($0)" })
        add(.minAspectRatio, r.minAspectRatio.map { "width/height >= \(number($0))" })
        add(.maxAspectRatio, r.maxAspectRatio.map { "width/height <= \(number($0))" })
        add(.aspectRatios, r.aspectRatios.map { "aspect: " + $0.joined(separator: " or ") })
        add(.resolutions, r.resolutions.map { "resolution: " + $0.joined(separator: " or ") })
        add(.minDuration, r.minDuration.map { "duration >= \(number($0)) s" })
        add(.maxDuration, r.maxDuration.map { "duration <= \(number($0)) s" })
        add(.minFPS, r.minFPS.map { "frame rate >= \(number($0)) fps" })
        add(.maxFPS, r.maxFPS.map { "frame rate <= \(number($0)) fps" })
        add(.maxFileSize, r.maxFileSize.map { "file size <= \($0)" })
        add(.audio, r.audio.map { "audio: \($0.rawValue)" })
        add(.alpha, r.alpha.map { "alpha channel: \($0.rawValue)" })
        add(.minCount, r.minCount.map { "at least \($0) files" })
        add(.maxCount, r.maxCount.map { "at most \($0) files" })
        add(.minTotalDuration, r.minTotalDuration.map { "all files together >= \(number($0)) s" })
        add(.maxTotalDuration, r.maxTotalDuration.map { "all files together <= \(number($0)) s" })
        add(.maxTotalFileSize, r.maxTotalFileSize.map { "all files together <= \($0)" })
        add(.downloadTimeout, r.downloadTimeout.map { "download timeout: \(number($0)) s" })
        if let a = r.advisory, !a.isEmpty { out.append((nil, "advisory (warn only): " + a.map(\.rawValue).joined(separator: ", "))) }
        return out
    }
}

/// JSON for command output: sorted keys, readable, slashes unescaped.
enum CLIJSON {
    static func string<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
