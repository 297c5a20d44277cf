import MediaProbe

/// The cost of one request from the catalog's published price and the payload. Always an estimate:
/// prices change, and the catalog says when each was seen.
enum CostEstimator {
    static func estimate(_ spec: ModelSpec, payload: [String: JSONValue], media: MediaInfo?) -> CostEstimate? {
        guard let price = spec.price else { return nil }
        let perUnit = "\(format(price.amount)) \(price.currency)"
        switch price.unit {
        case .request:
            return CostEstimate(amount: price.amount, currency: price.currency, basis: "one request at \(perUnit)", priceSeenOn: price.source.date)
        case .image:
            let count = payload["num_images"]?.numberValue ?? spec.payload.field("num_images")?.defaultValue?.numberValue ?? 1
            return CostEstimate(amount: price.amount * count, currency: price.currency,
                                basis: "\(format(count)) image(s) at \(perUnit) each", priceSeenOn: price.source.date)
        case .secondOfOutput, .secondOfInput:
            guard let seconds = seconds(for: price, spec: spec, payload: payload, media: media) else { return nil }
            let what = price.unit == .secondOfOutput ? "of output" : "of input"
            return CostEstimate(amount: price.amount * seconds, currency: price.currency,
                                basis: "\(format(seconds)) s \(what) at \(perUnit)/s", priceSeenOn: price.source.date)
        }
    }

    private static func seconds(for price: Price, spec: ModelSpec, payload: [String: JSONValue], media: MediaInfo?) -> Double? {
        let from = price.durationFrom ?? (price.unit == .secondOfInput ? "input" : "duration")
        if from == "input" { return media?.duration }
        let value = payload[from] ?? spec.payload.field(from)?.defaultValue
        switch value {
        case .integer(let i)?: return Double(i)
        case .number(let d)?: return d
        // fal's enums write durations as "5" or "8s".
        case .string(let s)?: return Double(s.trimmingCharacters(in: CharacterSet(charactersIn: "s ")))
        default: return nil
        }
    }

    private static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(format: "%.3g", d)
    }
}

import Foundation
