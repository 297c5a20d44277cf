/// What fal does to a file it accepts but reshapes (x-fal `normalization`, the counterpart of
/// limits that refuse), in the sentence a check shows beside the limit.
package enum Normalization {
    /// The advice for one normalized limit, nil for a key fal does not reshape.
    package static func advice(_ key: LimitKey, in n: MediaRequirement) -> String? {
        func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e12 ? String(Int(d)) : String(format: "%g", d) }
        switch key {
        case .maxDuration:
            return n.maxDuration.map { "fal trims this to \(number($0)) s; preflight can trim it where you choose: --trim" }
        case .minFPS, .maxFPS:
            if let lo = n.minFPS, let hi = n.maxFPS, lo == hi { return "fal resamples this to \(number(lo)) fps; preflight can convert it first (fix)" }
            return "fal changes its frame rate; preflight can convert it first (fix)"
        case .maxWidth, .maxHeight, .maxPixels:
            return "fal scales this down to fit; preflight can scale it first (fix)"
        case .minWidth, .minHeight, .minPixels:
            return "fal scales this up to fit; preflight can scale it first (fix)"
        default:
            return nil
        }
    }

    /// The keys of fal's `normalization` object, as the requirement keys they reshape to.
    static let keys: [String: [LimitKey]] = [
        "min_width": [.minWidth], "min_height": [.minHeight], "max_width": [.maxWidth], "max_height": [.maxHeight],
        "min_area": [.minPixels], "max_area": [.maxPixels], "max_duration": [.maxDuration], "fps": [.minFPS, .maxFPS],
    ]
}
