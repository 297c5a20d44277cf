import Foundation
import MediaIO

/// The picture size a requirement allows for a given picture, keeping its aspect: the smallest
/// change that fits every size limit, or nil when only a change of aspect (pad or crop) can.
package struct PictureSize: Codable, Sendable, Equatable, CustomStringConvertible {
    package var width: Int
    package var height: Int

    package init(_ width: Int, _ height: Int) {
        self.width = width
        self.height = height
    }

    package var aspect: Double { Double(width) / Double(max(height, 1)) }
    package var shortSide: Int { min(width, height) }
    package var longSide: Int { max(width, height) }
    /// Clamped: a size parsed from a catalog can be anything.
    package var pixels: Int {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow ? .max : product
    }
    package var description: String { "\(width)x\(height)" }
}

/// The picture size a plan aims at, from a model's size, aspect and pixel limits.
package enum SizeTarget {
    /// The range of scale factors that satisfies every size limit of `r` for `size`, if any.
    package static func scaleRange(for size: PictureSize, _ r: MediaRequirement) -> ClosedRange<Double>? {
        let w = Double(size.width), h = Double(size.height)
        var lo = 0.0, hi = Double.infinity
        func atLeast(_ limit: Int?, _ side: Double) { if let limit { lo = max(lo, Double(limit) / side) } }
        func atMost(_ limit: Int?, _ side: Double) { if let limit { hi = min(hi, Double(limit) / side) } }
        atLeast(r.minWidth, w); atLeast(r.minHeight, h); atLeast(r.minShortSide, min(w, h))
        atMost(r.maxWidth, w); atMost(r.maxHeight, h); atMost(r.maxLongSide, max(w, h))
        if let p = r.minPixels { lo = max(lo, (Double(p) / (w * h)).squareRoot()) }
        if let p = r.maxPixels { hi = min(hi, (Double(p) / (w * h)).squareRoot()) }
        return lo <= hi ? lo...hi : nil
    }

    /// The size to scale to: unchanged when it already fits, else the nearest fitting size, with
    /// even dimensions (4:2:0 video needs them) rounded toward the allowed range.
    package static func target(for size: PictureSize, _ r: MediaRequirement, even: Bool = true) -> PictureSize? {
        guard let range = scaleRange(for: size, r) else { return nil }
        let factor = range.contains(1) ? 1 : (range.lowerBound > 1 ? range.lowerBound : range.upperBound)
        if factor == 1 { return size }
        // nil when the scaled side is not a number an Int holds (a 0-pixel side makes the factor
        // infinite): no size, rather than a trap.
        func side(_ v: Int) -> Int? {
            let exact = Double(v) * factor
            guard even else { return Int(rounding: exact, factor > 1 ? .up : .down) }
            // Round up when growing (to stay above minimums), down when shrinking (below maximums).
            guard let halves = Int(rounding: exact / 2, factor > 1 ? .up : .down), halves < Int.max / 2 else { return nil }
            return max(2, halves * 2)
        }
        guard let width = side(size.width), let height = side(size.height) else { return nil }
        return PictureSize(width, height)
    }

    /// Whether `size` matches an allowed resolution: "1280x720" in either orientation, or "720p"
    /// meaning a 16:9 picture 720 px on its short side.
    package static func matches(_ size: PictureSize, resolution: String) -> Bool {
        guard let allowed = parseResolution(resolution) else { return false }
        return size.shortSide == allowed.shortSide && size.longSide == allowed.longSide
    }

    package static func parseResolution(_ text: String) -> PictureSize? {
        let t = text.lowercased()
        if t.hasSuffix("p"), let short = Int(t.dropLast()), short > 0 {
            return Int(rounding: Double(short) * 16 / 9).map { PictureSize($0, short) }
        }
        let parts = t.split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 ? PictureSize(parts[0], parts[1]) : nil
    }

    /// "16:9" -> 1.777...
    package static func parseRatio(_ text: String) -> Double? {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[1] > 0 else { return Double(text) }
        return parts[0] / parts[1]
    }
}
