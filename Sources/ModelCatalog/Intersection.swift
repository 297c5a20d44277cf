/// Several models' limits on one input, combined: the tightest of each, and every pair of limits
/// that leaves nothing in between (then each model needs its own output). Every limit key takes
/// part, read from the one table (`LimitKey.shape`), so a new key cannot be forgotten here.
enum Intersection {
    struct Party {
        let name: String
        let requirement: MediaRequirement
    }

    static func combine(_ parties: [Party]) -> (MediaRequirement?, [String]) {
        var combined = MediaRequirement()
        var conflicts: [String] = []
        /// Which model set the tightest value of each bound, to name it in a conflict.
        var owner: [LimitKey: String] = [:]

        func tightest<T: Comparable>(_ key: LimitKey, _ path: WritableKeyPath<MediaRequirement, T?>, largest: Bool) {
            let values = parties.compactMap { p in p.requirement[keyPath: path].map { (p.name, $0) } }
            guard let pick = largest ? values.max(by: { $0.1 < $1.1 }) : values.min(by: { $0.1 < $1.1 }) else { return }
            combined[keyPath: path] = pick.1
            owner[key] = pick.0
        }

        for key in LimitKey.allCases {
            switch key.shape {
            case .none: break
            case .atLeast(let p): tightest(key, p, largest: true)
            case .atMost(let p): tightest(key, p, largest: false)
            case .atLeastReal(let p): tightest(key, p, largest: true)
            case .atMostReal(let p): tightest(key, p, largest: false)
            case .atMostBytes(let p): tightest(key, p, largest: false)
            case .oneOf(let p):
                let sets: [(String, Set<String>)] = parties.compactMap { party in
                    guard let values = party.requirement[keyPath: p] else { return nil }
                    let names: [String] = key == .formats ? values.flatMap { MediaFormatName.synonyms($0) } : values.map { $0.lowercased() }
                    return (party.name, Set(names))
                }
                guard let first = sets.first else { continue }
                let common = sets.dropFirst().reduce(first.1) { $0.intersection($1.1) }
                if common.isEmpty {
                    conflicts.append("no \(label(key)) suits all: " + sets.map { "\($0.0) takes \($0.1.sorted().joined(separator: "/"))" }.joined(separator: "; "))
                }
                combined[keyPath: p] = common.sorted()
            case .sound:
                let rules = Set(parties.compactMap(\.requirement.audio))
                if rules.contains(.required) && rules.contains(.forbidden) {
                    conflicts.append("one model needs sound and another forbids it")
                }
                combined.audio = rules.contains(.required) ? .required : rules.contains(.forbidden) ? .forbidden : rules.first
            }
        }
        for low in LimitKey.allCases {
            guard let high = low.upperPartner, let a = low.number(in: combined), let b = high.number(in: combined), a > b else { continue }
            conflicts.append("\(owner[low] ?? "one model") needs \(label(low)) of at least \(shown(a, low)); \(owner[high] ?? "another") takes at most \(shown(b, high))")
        }
        // A limit one model calls approximate stays approximate only when every model setting it says so.
        let advisory = LimitKey.allCases.filter { key in
            let setting = parties.filter { key.isSet(in: $0.requirement) }
            return !setting.isEmpty && setting.allSatisfy { $0.requirement.isAdvisory(key) }
        }
        combined.advisory = advisory.isEmpty ? nil : advisory
        combined.downloadTimeout = parties.compactMap(\.requirement.downloadTimeout).min()
        return (conflicts.isEmpty ? combined : nil, conflicts)
    }

    private static func label(_ key: LimitKey) -> String {
        switch key {
        case .minWidth, .maxWidth: "a width"
        case .minHeight, .maxHeight: "a height"
        case .minShortSide: "a short side"
        case .maxLongSide: "a long side"
        case .minPixels, .maxPixels: "a picture"
        case .minAspectRatio, .maxAspectRatio: "a width/height ratio"
        case .minDuration, .maxDuration: "a duration"
        case .minFPS, .maxFPS: "a frame rate"
        case .minCount, .maxCount: "a number of files"
        case .formats: "file format"
        case .videoCodecs: "video codec"
        case .audioCodecs: "audio codec"
        case .aspectRatios: "aspect ratio"
        case .resolutions: "resolution"
        default: key.rawValue.replacingOccurrences(of: "_", with: " ")
        }
    }

    private static func shown(_ value: Double, _ key: LimitKey) -> String {
        let number = value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        switch key {
        case .minWidth, .maxWidth, .minHeight, .maxHeight, .minShortSide, .maxLongSide: return number + " px"
        case .minPixels, .maxPixels: return number + " pixels"
        case .minDuration, .maxDuration: return number + " s"
        case .minFPS, .maxFPS: return number + " fps"
        default: return number
        }
    }
}
