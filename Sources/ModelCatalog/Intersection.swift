/// Several models' limits on one input, combined: the tightest of each, and every pair of limits
/// that leaves nothing in between (then each model needs its own output).
enum Intersection {
    struct Party {
        let name: String
        let requirement: MediaRequirement
    }

    static func combine(_ parties: [Party]) -> (MediaRequirement?, [String]) {
        var combined = MediaRequirement()
        var conflicts: [String] = []

        func range<T: Comparable>(_ label: String, _ unit: String, _ lo: KeyPath<MediaRequirement, T?>, _ hi: KeyPath<MediaRequirement, T?>,
                                  _ setLo: (inout MediaRequirement, T?) -> Void, _ setHi: (inout MediaRequirement, T?) -> Void) {
            let mins = parties.compactMap { p in p.requirement[keyPath: lo].map { (p.name, $0) } }
            let maxs = parties.compactMap { p in p.requirement[keyPath: hi].map { (p.name, $0) } }
            let tightestMin = mins.max { $0.1 < $1.1 }
            let tightestMax = maxs.min { $0.1 < $1.1 }
            setLo(&combined, tightestMin?.1)
            setHi(&combined, tightestMax?.1)
            if let a = tightestMin, let b = tightestMax, a.1 > b.1 {
                conflicts.append("\(a.0) needs \(label) of at least \(a.1)\(unit); \(b.0) takes at most \(b.1)\(unit)")
            }
        }
        range("a width", " px", \.minWidth, \.maxWidth, { $0.minWidth = $1 }, { $0.maxWidth = $1 })
        range("a height", " px", \.minHeight, \.maxHeight, { $0.minHeight = $1 }, { $0.maxHeight = $1 })
        range("a duration", " s", \.minDuration, \.maxDuration, { $0.minDuration = $1 }, { $0.maxDuration = $1 })
        range("a frame rate", " fps", \.minFPS, \.maxFPS, { $0.minFPS = $1 }, { $0.maxFPS = $1 })
        range("a width/height ratio", "", \.minAspectRatio, \.maxAspectRatio, { $0.minAspectRatio = $1 }, { $0.maxAspectRatio = $1 })
        range("a picture", " pixels", \.minPixels, \.maxPixels, { $0.minPixels = $1 }, { $0.maxPixels = $1 })
        combined.minShortSide = parties.compactMap(\.requirement.minShortSide).max()
        combined.maxLongSide = parties.compactMap(\.requirement.maxLongSide).min()
        if let short = combined.minShortSide, let long = combined.maxLongSide, short > long {
            conflicts.append("one model needs a short side of at least \(short) px; another takes a long side of at most \(long) px")
        }
        if let size = parties.compactMap(\.requirement.maxFileSize).min() { combined.maxFileSize = size }

        func intersect(_ label: String, _ key: KeyPath<MediaRequirement, [String]?>, normalise: (String) -> [String] = { [$0.lowercased()] }) -> [String]? {
            let sets = parties.compactMap { p in p.requirement[keyPath: key].map { (p.name, Set($0.flatMap(normalise))) } }
            guard let first = sets.first else { return nil }
            let common = sets.dropFirst().reduce(first.1) { $0.intersection($1.1) }
            if common.isEmpty {
                conflicts.append("no \(label) suits all: " + sets.map { "\($0.0) takes \($0.1.sorted().joined(separator: "/"))" }.joined(separator: "; "))
            }
            return common.sorted()
        }
        combined.formats = intersect("file format", \.formats, normalise: MediaFormatName.synonyms)
        combined.videoCodecs = intersect("video codec", \.videoCodecs)
        combined.aspectRatios = intersect("aspect ratio", \.aspectRatios)
        combined.resolutions = intersect("resolution", \.resolutions)

        let audioRules = Set(parties.compactMap(\.requirement.audio))
        if audioRules.contains(.required) && audioRules.contains(.forbidden) {
            conflicts.append("one model needs sound and another forbids it")
        }
        combined.audio = audioRules.contains(.required) ? .required : audioRules.contains(.forbidden) ? .forbidden : audioRules.first

        return (conflicts.isEmpty ? combined : nil, conflicts)
    }
}
