import Foundation

/// One limit a model places on a media input. The raw values name the keys in catalog files, learned
/// requirements and violations. `LimitKey.table` below is the one list of what each key holds:
/// decoding, encoding, `keys`, `overlaid(with:)` and `set(_:to:)` are all derived from it, so a new
/// limit is added in two places (this enum and `slot`), not eight.
public enum LimitKey: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    case mediaKind = "media_kind"
    case formats
    case videoCodecs = "video_codecs"
    case audioCodecs = "audio_codecs"
    case minWidth = "min_width", maxWidth = "max_width"
    case minHeight = "min_height", maxHeight = "max_height"
    case minShortSide = "min_short_side", maxLongSide = "max_long_side"
    case minPixels = "min_pixels", maxPixels = "max_pixels"
    case minAspectRatio = "min_aspect_ratio", maxAspectRatio = "max_aspect_ratio"
    case aspectRatios = "aspect_ratios"
    case resolutions
    case minDuration = "min_duration", maxDuration = "max_duration"
    case minFPS = "min_fps", maxFPS = "max_fps"
    /// Frames in the clip (fal's x-fal `min_frames`/`max_frames`).
    case minFrames = "min_frames", maxFrames = "max_frames"
    case maxFileSize = "max_file_size"
    case audio
    case alpha
    case minCount = "min_count", maxCount = "max_count"
    case minTotalDuration = "min_total_duration"
    case maxTotalDuration = "max_total_duration"
    case maxTotalFileSize = "max_total_file_size"
    case downloadTimeout = "download_timeout"

    /// Where a limit lives in a `MediaRequirement` and what shape its value has.
    public enum Slot {
        case int(WritableKeyPath<MediaRequirement, Int?>)
        case number(WritableKeyPath<MediaRequirement, Double?>)
        case strings(WritableKeyPath<MediaRequirement, [String]?>)
        case bytes(WritableKeyPath<MediaRequirement, ByteCount?>)
        case presence(WritableKeyPath<MediaRequirement, AudioRule?>)
        /// Not stored in a requirement (the kind of media is the field's).
        case none
    }

    /// Where this key's value is stored in a `MediaRequirement` and its shape (integer, number, strings,
    /// bytes, required/optional/forbidden); `.none` for `media_kind`.
    public var slot: Slot {
        switch self {
        case .mediaKind: .none
        case .formats: .strings(\.formats)
        case .videoCodecs: .strings(\.videoCodecs)
        case .audioCodecs: .strings(\.audioCodecs)
        case .minWidth: .int(\.minWidth)
        case .maxWidth: .int(\.maxWidth)
        case .minHeight: .int(\.minHeight)
        case .maxHeight: .int(\.maxHeight)
        case .minShortSide: .int(\.minShortSide)
        case .maxLongSide: .int(\.maxLongSide)
        case .minPixels: .int(\.minPixels)
        case .maxPixels: .int(\.maxPixels)
        case .minAspectRatio: .number(\.minAspectRatio)
        case .maxAspectRatio: .number(\.maxAspectRatio)
        case .aspectRatios: .strings(\.aspectRatios)
        case .resolutions: .strings(\.resolutions)
        case .minDuration: .number(\.minDuration)
        case .maxDuration: .number(\.maxDuration)
        case .minFPS: .number(\.minFPS)
        case .maxFPS: .number(\.maxFPS)
        case .minFrames: .int(\.minFrames)
        case .maxFrames: .int(\.maxFrames)
        case .maxFileSize: .bytes(\.maxFileSize)
        case .audio: .presence(\.audio)
        case .alpha: .presence(\.alpha)
        case .minCount: .int(\.minCount)
        case .maxCount: .int(\.maxCount)
        case .minTotalDuration: .number(\.minTotalDuration)
        case .maxTotalDuration: .number(\.maxTotalDuration)
        case .maxTotalFileSize: .bytes(\.maxTotalFileSize)
        case .downloadTimeout: .number(\.downloadTimeout)
        }
    }

    /// The keys a catalog's `require:` may hold (every limit, plus `advisory`).
    public static var requirementKeys: [LimitKey] { allCases.filter { if case .none = $0.slot { false } else { true } } }

    /// Whether a larger value is the stricter one (a minimum) or a smaller one (a maximum, a shorter
    /// download timeout); nil for sets and rules, which are compared as sets.
    public var largerIsStricter: Bool? {
        let name = rawValue
        if name.hasPrefix("min_") { return true }
        if name.hasPrefix("max_") || self == .downloadTimeout { return false }
        return nil
    }
}

/// Whether a media input must, may or must not carry something (a sound track, an alpha channel).
public enum AudioRule: String, Codable, Sendable {
    case required, optional, forbidden
}

/// Everything a model requires of one media input. Every limit is optional: nil means the model
/// publishes none. Sizes are in pixels of the picture as displayed (rotation and pixel aspect
/// applied), durations in seconds, file sizes in bytes.
public struct MediaRequirement: Codable, Sendable, Equatable {
    /// Accepted file extensions, lower case without the dot ("mp4", "mov").
    public var formats: [String]?
    /// Accepted codecs as FFmpeg names them ("h264", "hevc").
    public var videoCodecs: [String]?
    /// Accepted audio codecs as FFmpeg names them ("aac", "mp3"); nil accepts any.
    public var audioCodecs: [String]?
    /// Smallest displayed width in pixels.
    public var minWidth: Int?
    /// Largest displayed width in pixels.
    public var maxWidth: Int?
    /// Smallest displayed height in pixels.
    public var minHeight: Int?
    /// Largest displayed height in pixels.
    public var maxHeight: Int?
    /// Smallest value of the shorter displayed side, in pixels, whatever the orientation.
    public var minShortSide: Int?
    /// Largest value of the longer displayed side, in pixels, whatever the orientation.
    public var maxLongSide: Int?
    /// Fewest pixels in the displayed picture (width x height).
    public var minPixels: Int?
    /// Most pixels in the displayed picture (width x height).
    public var maxPixels: Int?
    /// Width divided by height.
    public var minAspectRatio: Double?
    /// Largest width divided by height of the displayed picture.
    public var maxAspectRatio: Double?
    /// An allowed set such as ["16:9", "9:16"], matched within 1 %.
    public var aspectRatios: [String]?
    /// Allowed exact sizes: "1280x720" (either orientation) or "720p" (short side 720, long 1280).
    public var resolutions: [String]?
    /// Shortest length in seconds, of the part a player shows (see `MediaInfo.presentedDuration`).
    public var minDuration: Double?
    /// Longest length in seconds; a longer clip is trimmed by a fix.
    public var maxDuration: Double?
    /// Lowest average frames per second (checked with 0.01 fps of slack).
    public var minFPS: Double?
    /// Highest average frames per second (checked with 0.01 fps of slack).
    public var maxFPS: Double?
    /// Frames in the clip: a model that counts frames rather than seconds.
    public var minFrames: Int?
    /// Most frames in the clip.
    public var maxFrames: Int?
    /// Largest file in bytes (catalogs may write "200 MB", read as MiB).
    public var maxFileSize: ByteCount?
    /// Whether a sound track is required, optional or forbidden; a forbidden one is removed by a fix.
    public var audio: AudioRule?
    /// Whether a picture may have an alpha channel (Wan 2.6 refuses PNGs with transparency).
    public var alpha: AudioRule?
    /// For list fields: how many files.
    public var minCount: Int?
    /// For list fields: most files.
    public var maxCount: Int?
    /// For list fields: all files together. With one file checked, the minimum is checked only
    /// when the file is the list's only entry (the other URLs cannot be probed here).
    public var minTotalDuration: Double?
    /// For list fields: longest length of all files together, in seconds.
    public var maxTotalDuration: Double?
    /// For list fields: largest size of all files together, in bytes.
    public var maxTotalFileSize: ByteCount?
    /// Seconds fal waits to download the file (informational: a slow host can fail it).
    public var downloadTimeout: Double?
    /// Limits that are approximate or that the model handles itself (e.g. crops): a miss warns,
    /// it does not fail the check.
    public var advisory: [LimitKey]?

    /// A requirement with no limit set: accepts anything.
    public init() {}

    /// The keys this requirement sets, in the table's order.
    public var keys: [LimitKey] { LimitKey.requirementKeys.filter { isSet($0) } }

    /// Whether the limit `key` has a value here (`media_kind` never has: it is the field's).
    public func isSet(_ key: LimitKey) -> Bool {
        switch key.slot {
        case .int(let p): self[keyPath: p] != nil
        case .number(let p): self[keyPath: p] != nil
        case .strings(let p): self[keyPath: p] != nil
        case .bytes(let p): self[keyPath: p] != nil
        case .presence(let p): self[keyPath: p] != nil
        case .none: false
        }
    }

    /// One limit's value as JSON (sizes in bytes), nil when unset.
    public func value(_ key: LimitKey) -> JSONValue? {
        switch key.slot {
        case .int(let p): self[keyPath: p].map { .integer($0) }
        case .number(let p): self[keyPath: p].map { .number($0) }
        case .strings(let p): self[keyPath: p].map { .array($0.map(JSONValue.string)) }
        case .bytes(let p): self[keyPath: p].map { .integer(Int($0.bytes)) }
        case .presence(let p): self[keyPath: p].map { .string($0.rawValue) }
        case .none: nil
        }
    }

    /// Copies one limit (set or unset) from `other`.
    public mutating func copy(_ key: LimitKey, from other: MediaRequirement) {
        switch key.slot {
        case .int(let p): self[keyPath: p] = other[keyPath: p]
        case .number(let p): self[keyPath: p] = other[keyPath: p]
        case .strings(let p): self[keyPath: p] = other[keyPath: p]
        case .bytes(let p): self[keyPath: p] = other[keyPath: p]
        case .presence(let p): self[keyPath: p] = other[keyPath: p]
        case .none: break
        }
    }

    /// This requirement with every limit `other` sets taken from `other` (a later layer wins).
    public func overlaid(with other: MediaRequirement) -> MediaRequirement {
        var r = self
        for key in other.keys { r.copy(key, from: other) }
        r.advisory = other.advisory ?? advisory
        return r
    }

    /// Whether a miss of `key` only warns (listed in `advisory`) rather than failing the check.
    public func isAdvisory(_ key: LimitKey) -> Bool { advisory?.contains(key) ?? false }

    // MARK: - Catalog form, derived from the table

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Unknown keys are refused: a misspelt limit ("max_duraton") silently checking nothing is the
    /// worst kind of wrong.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for name in c.allKeys.map(\.stringValue) where name != "advisory" && LimitKey(rawValue: name).map({ Self.known($0) }) != true {
            let names = LimitKey.requirementKeys.map(\.rawValue)
            let guess = names.min { Suggest.distance($0, name) < Suggest.distance($1, name) }.map { "; did you mean '\($0)'?" } ?? ""
            throw DecodingError.dataCorruptedError(forKey: Key(name), in: c, debugDescription: "'\(name)' is not a limit key\(guess) (docs/catalog-format.md lists them)")
        }
        for key in LimitKey.requirementKeys {
            let k = Key(key.rawValue)
            guard c.contains(k) else { continue }
            switch key.slot {
            case .int(let p): self[keyPath: p] = try c.decodeIfPresent(Int.self, forKey: k)
            case .number(let p): self[keyPath: p] = try c.decodeIfPresent(Double.self, forKey: k)
            case .strings(let p): self[keyPath: p] = try c.decodeIfPresent([String].self, forKey: k)
            case .bytes(let p): self[keyPath: p] = try c.decodeIfPresent(ByteCount.self, forKey: k)
            case .presence(let p): self[keyPath: p] = try c.decodeIfPresent(AudioRule.self, forKey: k)
            case .none: break
            }
        }
        advisory = try c.decodeIfPresent([LimitKey].self, forKey: Key("advisory"))
    }

    private static func known(_ key: LimitKey) -> Bool { if case .none = key.slot { false } else { true } }

    /// Writes the set limits under their catalog keys (sizes as bytes), then `advisory`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for key in keys {
            let k = Key(key.rawValue)
            switch key.slot {
            case .int(let p): try c.encodeIfPresent(self[keyPath: p], forKey: k)
            case .number(let p): try c.encodeIfPresent(self[keyPath: p], forKey: k)
            case .strings(let p): try c.encodeIfPresent(self[keyPath: p], forKey: k)
            case .bytes(let p): try c.encodeIfPresent(self[keyPath: p], forKey: k)
            case .presence(let p): try c.encodeIfPresent(self[keyPath: p], forKey: k)
            case .none: break
            }
        }
        try c.encodeIfPresent(advisory, forKey: Key("advisory"))
    }
}
/// A number of bytes, written in catalogs as an integer or as "200 MB" / "4.7 MiB" / "10MB".
/// MB is read as MiB, as fal's own limit lines mean it.
public struct ByteCount: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The size in bytes (never negative when parsed).
    public var bytes: Int64

    /// A size of exactly `bytes`.
    public init(_ bytes: Int64) { self.bytes = bytes }

    /// Reads an integer number of bytes or a size in words ("200 MB", "4.7 MiB"); refuses anything else.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) { bytes = n; return }
        let text = try c.decode(String.self)
        guard let parsed = ByteCount(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a size; write e.g. 200 MB or 4.7 MiB")
        }
        self = parsed
    }

    /// Parses "200 MB", "4.7MiB", "10 k" or a bare number of bytes; K, M and G are powers of 1024. Nil for
    /// a negative, unknown-unit or out-of-range size.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(digits), value >= 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Double = switch unit {
        case "", "b": 1
        case "kb", "kib", "k": 1024
        case "mb", "mib", "m": 1024 * 1024
        case "gb", "gib", "g": 1024 * 1024 * 1024
        default: -1
        }
        guard scale > 0, value.isFinite, let exact = Int64(exactly: (value * scale).rounded()) else { return nil }
        bytes = exact
    }

    /// Written as an integer number of bytes.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes)
    }

    /// Orders by number of bytes.
    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    /// "200 MB" (MiB, one decimal when not whole) from 1 MiB up, "512 KB" below.
    public var description: String {
        let mib = Double(bytes) / 1_048_576
        if mib >= 1 { return mib == mib.rounded() ? "\(Int(mib)) MB" : String(format: "%.1f MB", mib) }
        return String(format: "%.0f KB", Double(bytes) / 1024)
    }
}

extension MediaRequirement {
    /// Sets one limit from a JSON value (a learned lesson or an importer's finding); values of the
    /// wrong shape for the key, and numbers no integer can hold, are ignored.
    public mutating func set(_ key: LimitKey, to value: JSONValue) {
        let number = value.numberValue.flatMap { $0.isFinite ? $0 : nil }
        let int = number.flatMap { Int(exactly: $0.rounded()) }
        let strings: [String]? = if case .array(let a) = value { a.compactMap(\.stringValue) } else { nil }
        switch key.slot {
        case .int(let p): if let int { self[keyPath: p] = int }
        case .number(let p): if let number { self[keyPath: p] = number }
        case .strings(let p):
            guard let strings else { return }
            self[keyPath: p] = key == .formats ? strings.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")) } : strings
        case .bytes(let p):
            if let number, number >= 0, let bytes = Int64(exactly: number.rounded()) { self[keyPath: p] = ByteCount(bytes) }
        case .presence(let p): if let rule = value.stringValue.flatMap(AudioRule.init(rawValue:)) { self[keyPath: p] = rule }
        case .none: break
        }
    }
}
