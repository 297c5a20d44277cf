/// Several models' limits on one input, combined: the tightest of each, and every pair of limits
/// that leaves nothing in between (then each model needs its own output). Walks the limit table,
/// so a new limit key is combined without another list here.
enum Intersection {
    struct Party {
        let name: String
        let requirement: MediaRequirement
    }

    /// Minimum and maximum keys that can leave nothing between them, in words.
    static let ranges: [(LimitKey, LimitKey, String, String)] = [
        (.minWidth, .maxWidth, "a width", " px"), (.minHeight, .maxHeight, "a height", " px"),
        (.minShortSide, .maxLongSide, "a short side", " px (against a long side)"),
        (.minPixels, .maxPixels, "a picture", " pixels"), (.minAspectRatio, .maxAspectRatio, "a width/height ratio", ""),
        (.minDuration, .maxDuration, "a duration", " s"), (.minFPS, .maxFPS, "a frame rate", " fps"),
        (.minFrames, .maxFrames, "a frame count", " frames"),
        (.minCount, .maxCount, "a count", " files"), (.minTotalDuration, .maxTotalDuration, "a combined duration", " s"),
    ]

    static func combine(_ parties: [Party]) -> (MediaRequirement?, [String]) {
        var combined = MediaRequirement()
        var conflicts: [String] = []
        var strictest: [LimitKey: (name: String, value: Double)] = [:]
        for key in LimitKey.requirementKeys {
            let setters = parties.filter { $0.requirement.isSet(key) }
            guard !setters.isEmpty else { continue }
            switch key.slot {
            case .int, .number, .bytes:
                guard let larger = key.largerIsStricter else { continue }
                let values = setters.compactMap { p in p.requirement.value(key)?.numberValue.map { (p, $0) } }
                guard let best = values.max(by: { larger ? $0.1 < $1.1 : $0.1 > $1.1 }) else { continue }
                combined.copy(key, from: best.0.requirement)
                strictest[key] = (best.0.name, best.1)
            case .strings(let path):
                func normalise(_ s: String) -> [String] { key == .formats ? MediaFormatName.synonyms(s) : [s.lowercased()] }
                let sets: [(String, Set<String>)] = setters.map { p in (p.name, Set((p.requirement[keyPath: path] ?? []).flatMap(normalise))) }
                let common = sets.dropFirst().reduce(sets[0].1) { $0.intersection($1.1) }
                if common.isEmpty {
                    let words = key.rawValue.replacingOccurrences(of: "_", with: " ")
                    let label = key == .formats ? "file format" : String(words.hasSuffix("s") ? words.dropLast() : Substring(words))
                    conflicts.append("no \(label) suits all: " + sets.map { "\($0.0) takes \($0.1.sorted().joined(separator: "/"))" }.joined(separator: "; "))
                }
                combined[keyPath: path] = common.sorted()
            case .presence(let path):
                let rules = Set(setters.compactMap { $0.requirement[keyPath: path] })
                if rules.contains(.required) && rules.contains(.forbidden) {
                    conflicts.append(key == .audio ? "one model needs sound and another forbids it" : "one model needs \(key.rawValue) and another forbids it")
                }
                combined[keyPath: path] = rules.contains(.required) ? .required : rules.contains(.forbidden) ? .forbidden : rules.first
            case .none:
                continue
            }
        }
        for (lo, hi, label, unit) in ranges {
            guard let a = strictest[lo], let b = strictest[hi], a.value > b.value else { continue }
            conflicts.append("\(a.name) needs \(label) of at least \(number(a.value))\(unit); \(b.name) takes at most \(number(b.value))\(unit)")
        }
        return (conflicts.isEmpty ? combined : nil, conflicts)
    }

    private static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(format: "%g", d) }
}
