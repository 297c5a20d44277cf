import Foundation

/// Limits fal writes in words rather than in the structured limit line: "Shortest side must be at
/// least 400 px", "Max 10 MB each", "(1-9 images)", "Max 2500 characters", "3-15s", "3–15 s".
///
/// Conservative by design: a sentence yields a limit only when it names a bound (at least, at most,
/// up to, a range) next to a number with a unit, and says what it bounds; sentences that give
/// examples, defaults or recommendations are skipped, and a key read twice with different values is
/// dropped. A limit missed costs a rejection later; a limit invented refuses good files.
package enum ProseLimits {
    /// The limits a field's prose description states, and the sentences they came from.
    package struct Reading: Sendable, Equatable {
        package var requirement = MediaRequirement()
        /// For text fields: at most this many characters.
        package var maxLength: Int?
        package var isEmpty: Bool { requirement.keys.isEmpty && maxLength == nil }
    }

    /// - Parameter list: the field takes several files, so "each" and "total" matter.
    package static func read(_ description: String, list: Bool = false) -> Reading {
        var found: [LimitKey: JSONValue] = [:]
        var conflicting: Set<LimitKey> = []
        var lengths: Set<Int> = []
        func note(_ key: LimitKey, _ value: Double) {
            guard value.isFinite, value >= 0 else { return }
            let v: JSONValue = key.isInteger ? Int(exactly: value.rounded()).map { .integer($0) } ?? .null : .number(value)
            guard v != .null else { return }
            if let old = found[key], old != v { conflicting.insert(key) }
            found[key] = v
        }
        // Descriptions come from outside: a page of prose is read, not a book.
        for sentence in sentences(String(description.prefix(20_000))) {
            let s = sentence.lowercased()
            if LimitLine.parseLine(sentence) != nil || skipWords.contains(where: s.contains) { continue }
            for bound in bounds(in: s) {
                if bound.unit == .characters {
                    if bound.direction != .atLeast { lengths.insert(Int(exactly: bound.high.rounded()) ?? -1) }
                    continue
                }
                for (key, value) in meaning(of: bound, in: s, list: list) { note(key, value) }
            }
        }
        var reading = Reading()
        for (key, value) in found where !conflicting.contains(key) { reading.requirement.set(key, to: value) }
        if lengths.count == 1, let n = lengths.first, n > 0 { reading.maxLength = n }
        return reading
    }

    /// Words that make a sentence about something other than a hard limit.
    static let skipWords = ["e.g.", "for example", "such as", "recommend", "should", "default", "ideally", "preferably", "best results"]

    static func sentences(_ text: String) -> [String] {
        // A full stop ends a sentence only before a space or the end ("2.5 s" keeps its point).
        var out: [String] = []
        var current = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            let next = i + 1 < chars.count ? chars[i + 1] : " "
            let abbreviation = ["e.g", "i.e", "etc", "approx", "min", "max", "vs", "ca"].contains { current.lowercased().hasSuffix($0) }
            if c.isNewline || c == ";" || (c == "." && next.isWhitespace && !abbreviation) {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A number (or two) with its unit and which way it bounds.
    struct Bound {
        enum Direction { case atLeast, atMost, range }
        var direction: Direction
        var low: Double
        var high: Double
        var unit: Unit
        /// The words matched.
        var context: String
    }

    enum Unit { case seconds, pixels, megabytes, fps, characters, files, pixelCount, twoSides }

    private static let number = #"(\d+(?:,\d{3})*(?:\.\d+)?)"#
    private static let dash = #"\s*(?:-|–|—|to)\s*"#
    private static let units: [(String, Unit)] = [
        (#"(?:frames per second|fps)"#, .fps),
        (#"(?:seconds|second|secs|sec|s)\b"#, .seconds),
        (#"(?:megapixels|pixels in total|total pixels|pixels in all)"#, .pixelCount),
        (#"(?:px|pixels)\b"#, .pixels),
        (#"(?:mb|mib|megabytes)\b"#, .megabytes),
        (#"(?:characters|chars)\b"#, .characters),
        (#"(?:images|image|videos|video|files|file|audio files|audios|audio clips|references|urls)\b"#, .files),
    ]
    private static let atLeast = #"(?:at least|minimum of|minimum|min\.?|no less than|not less than|>=|≥)\s*:?\s*"#
    private static let atMost = #"(?:at most|maximum of|maximum|max\.?|up to|no more than|not more than|not exceed(?:ing)?|under|less than|below|<=|≤)\s*:?\s*"#

    static func bounds(in s: String) -> [Bound] {
        var out: [Bound] = []
        for (unitPattern, unit) in units {
            // "300x300 px" after a bound: both sides.
            if unit == .pixels {
                for (pattern, direction) in [(atLeast, Bound.Direction.atLeast), (atMost, .atMost)] {
                    for m in matches(pattern + number + #"\s*[x×]\s*"# + number + #"\s*"# + unitPattern, s) {
                        guard let a = value(m[1]), let b = value(m[2]) else { continue }
                        out.append(Bound(direction: direction, low: a, high: b, unit: .twoSides, context: m[0]))
                    }
                }
            }
            for m in matches(#"(?:between|from)\s+"# + number + #"\s*(?:and|to)\s*"# + number + #"\s*"# + unitPattern, s)
                + matches(number + dash + number + #"\s*"# + unitPattern, s) {
                guard let a = value(m[1]), let b = value(m[2]), a <= b else { continue }
                out.append(Bound(direction: .range, low: a, high: b, unit: unit, context: m[0]))
            }
            for m in matches(atLeast + number + #"\s*"# + unitPattern, s) {
                guard let a = value(m[1]) else { continue }
                out.append(Bound(direction: .atLeast, low: a, high: a, unit: unit, context: m[0]))
            }
            for m in matches(atMost + number + #"\s*"# + unitPattern, s) {
                guard let a = value(m[1]) else { continue }
                out.append(Bound(direction: .atMost, low: a, high: a, unit: unit, context: m[0]))
            }
            // "10 MB max", "30 s maximum".
            for m in matches(number + #"\s*"# + unitPattern + #"\s*(?:max|maximum|or less|at most)\b"#, s) {
                guard let a = value(m[1]) else { continue }
                out.append(Bound(direction: .atMost, low: a, high: a, unit: unit, context: m[0]))
            }
        }
        return out
    }

    /// What a bound limits, from the words of its sentence; nothing when the sentence does not say.
    static func meaning(of b: Bound, in s: String, list: Bool) -> [(LimitKey, Double)] {
        let lo = b.direction != .atMost, hi = b.direction != .atLeast
        let total = ["total", "combined", "in all", "altogether", "together"].contains(where: s.contains)
        let each = ["each", "per file", "per image", "per video", "per audio", "individual"].contains(where: s.contains)
        var out: [(LimitKey, Double)] = []
        func add(_ key: LimitKey, _ v: Double, _ when: Bool) { if when { out.append((key, v)) } }
        switch b.unit {
        case .seconds:
            if list && total && !each {
                add(.minTotalDuration, b.low, lo); add(.maxTotalDuration, b.high, hi)
            } else if !total || each {
                add(.minDuration, b.low, lo); add(.maxDuration, b.high, hi)
            }
        case .fps:
            add(.minFPS, b.low, lo); add(.maxFPS, b.high, hi)
        case .megabytes:
            // Sizes only bound from above; "each" or a single file is per file, "total" the sum.
            guard hi else { break }
            if total && !each { if list { add(.maxTotalFileSize, b.high * 1_048_576, true) } }
            else if each || !list { add(.maxFileSize, b.high * 1_048_576, true) }
        case .characters:
            break // a text field's length, read by `read`: no media limit
        case .files:
            guard list, b.high < 1000 else { break }
            add(.minCount, b.low, lo); add(.maxCount, b.high, hi)
        case .pixelCount:
            let scale = s.contains("megapixel") ? 1_000_000.0 : 1
            add(.minPixels, b.low * scale, lo); add(.maxPixels, b.high * scale, hi)
        case .twoSides:
            if b.direction == .atLeast { add(.minWidth, b.low, true); add(.minHeight, b.high, true) }
            if b.direction == .atMost { add(.maxWidth, b.low, true); add(.maxHeight, b.high, true) }
        case .pixels:
            let short = ["shortest", "short side", "shorter side", "smaller side", "smallest side"].contains(where: s.contains)
            let long = ["longest", "long side", "longer side", "larger side", "largest side"].contains(where: s.contains)
            let both = ["each side", "both sides", "per side", "width and height", "height and width", "each dimension", "both dimensions"].contains(where: s.contains)
            let width = s.contains("width"), height = s.contains("height")
            switch (short, long) {
            // The catalog has a minimum short side and a maximum long side, the two bounds fal uses.
            case (true, false): add(.minShortSide, b.low, lo)
            case (false, true): add(.maxLongSide, b.high, hi)
            case (false, false):
                if both || (width && height) {
                    add(.minWidth, b.low, lo); add(.minHeight, b.low, lo); add(.maxWidth, b.high, hi); add(.maxHeight, b.high, hi)
                } else if width {
                    add(.minWidth, b.low, lo); add(.maxWidth, b.high, hi)
                } else if height {
                    add(.minHeight, b.low, lo); add(.maxHeight, b.high, hi)
                }
            default: break // both named: which bound goes with which is not clear
            }
        }
        return out
    }

    private static func value(_ text: String) -> Double? {
        Double(text.replacingOccurrences(of: ",", with: "")).flatMap { $0.isFinite ? $0 : nil }
    }

    /// Each match's groups (0: the whole match).
    private static func matches(_ pattern: String, _ s: String) -> [[String]] {
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return [] }
        let ns = s as NSString
        return re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { i in m.range(at: i).location == NSNotFound ? "" : ns.substring(with: m.range(at: i)) }
        }
    }
}

extension LimitKey {
    /// Keys whose values are whole numbers (pixels, counts).
    var isInteger: Bool { if case .int = slot { true } else { false } }
}
