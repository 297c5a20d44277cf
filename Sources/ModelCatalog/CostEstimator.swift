import Foundation
import MediaProbe

/// The cost of one request from the catalog's published price and the payload. Always an estimate:
/// prices change, and the catalog says when each was seen. Small `decide*` steps, then one basis.
package enum CostEstimator {
    /// - Parameter field: the media field the checked file goes to (it counts as "present").
    package static func estimate(_ spec: ModelSpec, payload: [String: JSONValue], media: MediaInfo?, field: String? = nil) -> CostEstimate? {
        guard let price = spec.price else { return nil }
        let (rate, rateNotes) = decideRate(price, spec: spec, payload: payload, media: media)
        let (factor, factorNotes) = decideFactor(price, payload: payload, field: field)
        var basis: String
        var amount: Double
        switch price.unit {
        case .request, .video:
            amount = rate
            basis = "one \(price.unit.words) at \(money(rate, price))"
        case .image:
            let count = payload["num_images"]?.numberValue ?? spec.payload.field("num_images")?.defaultValue?.numberValue ?? 1
            guard count.isFinite, count >= 0, count < 1e6 else { return nil }
            amount = rate * count
            basis = "\(format(count)) image(s) at \(money(rate, price)) each"
        case .secondOfOutput, .secondOfInput, .minuteOfInput:
            guard var raw = decideSeconds(price, spec: spec, payload: payload, media: media) else { return nil }
            // fal trims what its schema says it trims (x-fal normalization): those seconds are not billed.
            var trimmed = ""
            if price.durationFrom ?? (price.unit == .secondOfOutput ? "duration" : "input") == "input",
               let cut = field.flatMap(spec.field(named:))?.normalization?.maxDuration, raw > cut {
                trimmed = " (fal trims \(format(raw)) s to \(format(cut)) s)"
                raw = cut
            }
            let (seconds, rounding) = decideBilled(raw, price)
            let billing = rounding + trimmed
            let perMinute = price.unit == .minuteOfInput
            amount = rate * (perMinute ? seconds / 60 : seconds)
            let what = price.unit == .secondOfOutput ? "of output" : "of input"
            basis = "\(format(seconds)) s \(what)\(billing) at \(money(rate, price))/\(perMinute ? "min" : "s")"
        }
        amount *= factor
        let notes = rateNotes + factorNotes
        if !notes.isEmpty { basis += " (" + notes.joined(separator: "; ") + ")" }
        guard amount.isFinite else { return nil }
        // Rounded to a millionth of the currency: sums of binary fractions (3.7800000000000002) are
        // not what a price list says, and JSON readers print every digit.
        return CostEstimate(amount: (amount * 1_000_000).rounded() / 1_000_000, currency: price.currency, basis: basis, priceSeenOn: price.source.date)
    }

    /// The amount per unit: the resolution tier and the sound surcharge.
    private static func decideRate(_ price: Price, spec: ModelSpec, payload: [String: JSONValue], media: MediaInfo?) -> (Double, [String]) {
        var rate = price.amount
        var notes: [String] = []
        if let tiers = price.byResolution, !tiers.isEmpty {
            let name = price.resolutionFrom ?? "resolution"
            if let chosen = (payload[name] ?? spec.payload.field(name)?.defaultValue)?.stringValue, let r = tiers[chosen] {
                rate = r
                notes.append("at \(chosen)")
            } else if let tier = nearestTier(tiers, media) {
                rate = tiers[tier] ?? rate
                notes.append("at \(tier), from the input's picture size")
            } else {
                notes.append("at the lowest tier; \(name) not given")
            }
        }
        if let loud = price.withAudio {
            let name = price.audioFrom ?? "generate_audio"
            switch payload[name] ?? spec.payload.field(name)?.defaultValue {
            case .bool(true)?: rate = loud; notes.append("with audio")
            case .bool(false)?: notes.append("without audio")
            // A budget estimate errs high: unknown means the dearer option.
            default: rate = loud; notes.append("with audio, assumed: set \(name)=false for \(money(price.amount, price))")
            }
        }
        return (rate, notes)
    }

    /// The tier whose short side is nearest the input's ("720p" for a 1280x720 clip).
    private static func nearestTier(_ tiers: [String: Double], _ media: MediaInfo?) -> String? {
        guard let v = media?.primaryVideo else { return nil }
        let short = Swift.min(v.displayWidth, v.displayHeight)
        let known = tiers.keys.compactMap { k in Int(k.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "p"))).map { (k, $0) } }
        return known.min { abs($0.1 - short) != abs($1.1 - short) ? abs($0.1 - short) < abs($1.1 - short) : $0.1 > $1.1 }?.0
    }

    private static func decideFactor(_ price: Price, payload: [String: JSONValue], field: String?) -> (Double, [String]) {
        var factor = 1.0
        var notes: [String] = []
        for m in price.multipliers ?? [] {
            let present = m.whenPresent.map { name in name == field || isFilled(payload[name]) } ?? true
            if present {
                factor *= m.factor
                notes.append("x\(format(m.factor)) \(m.reason)")
            }
        }
        return (factor, notes)
    }

    private static func isFilled(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: false
        case .array(let a)?: !a.isEmpty
        case .string(let s)?: !s.isEmpty
        default: true
        }
    }

    private static func decideSeconds(_ price: Price, spec: ModelSpec, payload: [String: JSONValue], media: MediaInfo?) -> Double? {
        let from = price.durationFrom ?? (price.unit == .secondOfOutput ? "duration" : "input")
        if from == "input" { return media?.presentedDuration(keepsAudio: true).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
        func number(_ name: String) -> Double? {
            let value = payload[name] ?? spec.payload.field(name)?.defaultValue
            let d: Double? = switch value {
            case .integer(let i)?: Double(i)
            case .number(let d)?: d
            // fal's enums write durations as "5" or "8s".
            case .string(let s)?: Double(s.trimmingCharacters(in: CharacterSet(charactersIn: "s ")))
            default: nil
            }
            return d.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        }
        let parts = from.split(separator: "/").map(String.init)
        if parts.count == 2 {
            guard let frames = number(parts[0]), let rate = number(parts[1]), rate > 0 else { return nil }
            return frames / rate
        }
        return number(from)
    }

    /// Rounding and the billed minimum.
    private static func decideBilled(_ seconds: Double, _ price: Price) -> (Double, String) {
        var billed = seconds
        if let step = price.roundUpTo, step > 0 { billed = (billed / step).rounded(.up) * step }
        if let least = price.minimumSeconds, billed < least { billed = least }
        return (billed, billed != seconds ? " billed (\(format(seconds)) s rounded up)" : "")
    }

    private static func money(_ amount: Double, _ price: Price) -> String { "\(format(amount)) \(price.currency)" }

    private static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e12 ? String(Int(d)) : String(format: "%.4g", d)
    }
}
