import Foundation

/// fal's machine-readable input limits: the `x-fal` object its SDK (`fal.toolkit`'s `VideoField`
/// and `ImageField`, with `VideoValidationConfig` / `ImageValidationConfig`) writes on a field's
/// schema. Sizes are bytes, durations seconds, areas pixels per frame; `combined` holds totals
/// over a list field and `normalization` what fal reshapes (trims, rescales, resamples) instead of
/// refusing. The SDK does not enforce them; fal's apps do, so they are read as limits.
///
/// Read strictly: a value of the wrong shape, not finite, negative or too large for its slot is
/// skipped and named, never guessed at.
package enum XFal {
    /// What a field's x-fal object says: its limits and what the model normalizes instead of refusing.
    package struct Reading: Sendable, Equatable {
        /// Limits on each file, and on the list's totals (from `combined`).
        package var requirement = MediaRequirement()
        /// What fal reshapes an accepted file to; nil when the schema says nothing.
        package var normalization: MediaRequirement?
        /// Keys that could not be used ("combined.max_frames", "max_width: -1").
        package var skipped: [String] = []

        package var isEmpty: Bool { requirement.keys.isEmpty && normalization == nil }
    }

    /// Per-file keys and the requirement key each sets.
    static let limits: [String: LimitKey] = [
        "max_file_size": .maxFileSize, "min_width": .minWidth, "max_width": .maxWidth, "min_height": .minHeight,
        "max_height": .maxHeight, "min_area": .minPixels, "max_area": .maxPixels, "min_frames": .minFrames,
        "max_frames": .maxFrames, "min_duration": .minDuration, "max_duration": .maxDuration, "min_fps": .minFPS,
        "max_fps": .maxFPS, "timeout": .downloadTimeout,
    ]

    /// Keys of `combined` that mean something summed over a list.
    static let totals: [String: LimitKey] = [
        "max_duration": .maxTotalDuration, "min_duration": .minTotalDuration, "max_file_size": .maxTotalFileSize,
    ]

    /// - Parameter list: the field takes several files, so `combined` applies.
    package static func read(_ xfal: [String: JSONValue], list: Bool) -> Reading {
        var reading = Reading()
        for name in xfal.keys.sorted() {
            guard let value = xfal[name] else { continue }
            switch name {
            case "min_aspect_ratio", "max_aspect_ratio":
                continue // read as a pair below
            case "combined":
                guard list, let totals = value.objectValue else { reading.skipped.append(list ? "combined: not an object" : "combined: the field takes one file"); continue }
                for key in totals.keys.sorted() {
                    guard let target = Self.totals[key] else { reading.skipped.append("combined.\(key)"); continue }
                    if !set(target, totals[key], in: &reading.requirement) { reading.skipped.append("combined.\(key): \(describe(totals[key]))") }
                }
            case "normalization":
                guard let shape = value.objectValue else { reading.skipped.append("normalization: not an object"); continue }
                var n = MediaRequirement()
                for key in shape.keys.sorted() {
                    guard let targets = Normalization.keys[key] else { reading.skipped.append("normalization.\(key)"); continue }
                    for target in targets where !set(target, shape[key], in: &n) {
                        reading.skipped.append("normalization.\(key): \(describe(shape[key]))")
                    }
                }
                if !n.keys.isEmpty { reading.normalization = n }
            default:
                guard let key = limits[name] else { reading.skipped.append(name); continue }
                if !set(key, value, in: &reading.requirement) { reading.skipped.append("\(name): \(describe(value))") }
            }
        }
        // The SDK writes the two bounds together: one alone cannot say which way the ratio is read.
        let lo = xfal["min_aspect_ratio"], hi = xfal["max_aspect_ratio"]
        if lo != nil || hi != nil {
            if let a = lo.flatMap(ratio), let b = hi.flatMap(ratio), a <= b {
                reading.requirement.minAspectRatio = a
                reading.requirement.maxAspectRatio = b
            } else {
                reading.skipped.append("min_aspect_ratio/max_aspect_ratio: \(describe(lo)), \(describe(hi))")
            }
        }
        return reading
    }

    /// One limit from a number of its unit; false when the value cannot be it.
    private static func set(_ key: LimitKey, _ value: JSONValue?, in r: inout MediaRequirement) -> Bool {
        guard let n = value?.numberValue, n.isFinite, n >= 0 else { return false }
        // Whole-number limits (pixels, frames, bytes) must be whole and fit.
        if case .int = key.slot { guard n == n.rounded(), Int(exactly: n) != nil else { return false } }
        if case .bytes = key.slot { guard n == n.rounded(), Int64(exactly: n) != nil else { return false } }
        let before = r
        r.set(key, to: .number(n))
        return r != before || r.value(key)?.numberValue == n
    }

    /// A width/height ratio: a number (1.78), a pair ([16, 9]) or text ("16:9", "16/9").
    static func ratio(_ value: JSONValue) -> Double? {
        let r: Double?
        switch value {
        case .integer, .number: r = value.numberValue
        case .array(let pair) where pair.count == 2:
            guard let w = pair[0].numberValue, let h = pair[1].numberValue, h > 0 else { return nil }
            r = w / h
        case .string(let text): r = SizeTarget.parseRatio(text.replacingOccurrences(of: "/", with: ":"))
        default: r = nil
        }
        guard let r, r.isFinite, r > 0 else { return nil }
        return r
    }

    private static func describe(_ value: JSONValue?) -> String {
        let text = value.map(\.description) ?? "missing"
        return text.count > 40 ? text.prefix(40) + "..." : text
    }
}
