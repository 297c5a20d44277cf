/// One limit a model places on a media input. The raw values name the keys in catalog files, learned
/// requirements and violations.
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
    case maxFileSize = "max_file_size"
    case audio
    case minCount = "min_count", maxCount = "max_count"
    case maxTotalDuration = "max_total_duration"
    case maxTotalFileSize = "max_total_file_size"
}

/// How one limit reads and combines: the single table every list of limits derives from (which keys
/// a requirement sets, layering, learned values, the intersection of several models).
public enum LimitShape {
    /// A lower bound: several models together need the largest.
    case atLeast(WritableKeyPath<MediaRequirement, Int?>)
    /// An upper bound: several models together allow the smallest.
    case atMost(WritableKeyPath<MediaRequirement, Int?>)
    case atLeastReal(WritableKeyPath<MediaRequirement, Double?>)
    case atMostReal(WritableKeyPath<MediaRequirement, Double?>)
    case atMostBytes(WritableKeyPath<MediaRequirement, ByteCount?>)
    /// An allowed set: several models together allow what all of them allow.
    case oneOf(WritableKeyPath<MediaRequirement, [String]?>)
    /// Sound required, optional or forbidden.
    case sound
    /// Not a stored limit (the kind of media a field takes).
    case none
}

extension LimitKey {
    /// The table. A new limit is one case here and one stored property; everything else follows.
    public var shape: LimitShape {
        switch self {
        case .mediaKind: .none
        case .formats: .oneOf(\.formats)
        case .videoCodecs: .oneOf(\.videoCodecs)
        case .audioCodecs: .oneOf(\.audioCodecs)
        case .minWidth: .atLeast(\.minWidth)
        case .maxWidth: .atMost(\.maxWidth)
        case .minHeight: .atLeast(\.minHeight)
        case .maxHeight: .atMost(\.maxHeight)
        case .minShortSide: .atLeast(\.minShortSide)
        case .maxLongSide: .atMost(\.maxLongSide)
        case .minPixels: .atLeast(\.minPixels)
        case .maxPixels: .atMost(\.maxPixels)
        case .minAspectRatio: .atLeastReal(\.minAspectRatio)
        case .maxAspectRatio: .atMostReal(\.maxAspectRatio)
        case .aspectRatios: .oneOf(\.aspectRatios)
        case .resolutions: .oneOf(\.resolutions)
        case .minDuration: .atLeastReal(\.minDuration)
        case .maxDuration: .atMostReal(\.maxDuration)
        case .minFPS: .atLeastReal(\.minFPS)
        case .maxFPS: .atMostReal(\.maxFPS)
        case .maxFileSize: .atMostBytes(\.maxFileSize)
        case .audio: .sound
        case .minCount: .atLeast(\.minCount)
        case .maxCount: .atMost(\.maxCount)
        case .maxTotalDuration: .atMostReal(\.maxTotalDuration)
        case .maxTotalFileSize: .atMostBytes(\.maxTotalFileSize)
        }
    }

    /// The opposite bound of the same quantity, for conflicts ("at least 12 s" against "at most 10 s").
    public var upperPartner: LimitKey? {
        switch self {
        case .minWidth: .maxWidth
        case .minHeight: .maxHeight
        case .minShortSide: .maxLongSide
        case .minPixels: .maxPixels
        case .minAspectRatio: .maxAspectRatio
        case .minDuration: .maxDuration
        case .minFPS: .maxFPS
        case .minCount: .maxCount
        default: nil
        }
    }

    public func isSet(in r: MediaRequirement) -> Bool {
        switch shape {
        case .none: false
        case .atLeast(let p), .atMost(let p): r[keyPath: p] != nil
        case .atLeastReal(let p), .atMostReal(let p): r[keyPath: p] != nil
        case .atMostBytes(let p): r[keyPath: p] != nil
        case .oneOf(let p): r[keyPath: p] != nil
        case .sound: r.audio != nil
        }
    }

    /// The limit's value as a number, for comparisons across keys (nil for sets and the sound rule).
    public func number(in r: MediaRequirement) -> Double? {
        switch shape {
        case .atLeast(let p), .atMost(let p): r[keyPath: p].map(Double.init)
        case .atLeastReal(let p), .atMostReal(let p): r[keyPath: p]
        case .atMostBytes(let p): r[keyPath: p].map { Double($0.bytes) }
        default: nil
        }
    }

    func copy(from source: MediaRequirement, into r: inout MediaRequirement) {
        switch shape {
        case .none: break
        case .atLeast(let p), .atMost(let p): r[keyPath: p] = source[keyPath: p]
        case .atLeastReal(let p), .atMostReal(let p): r[keyPath: p] = source[keyPath: p]
        case .atMostBytes(let p): r[keyPath: p] = source[keyPath: p]
        case .oneOf(let p): r[keyPath: p] = source[keyPath: p]
        case .sound: r.audio = source.audio
        }
    }
}

/// Whether a media input must, may or must not carry sound.
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
    public var audioCodecs: [String]?
    public var minWidth: Int?
    public var maxWidth: Int?
    public var minHeight: Int?
    public var maxHeight: Int?
    public var minShortSide: Int?
    public var maxLongSide: Int?
    public var minPixels: Int?
    public var maxPixels: Int?
    /// Width divided by height.
    public var minAspectRatio: Double?
    public var maxAspectRatio: Double?
    /// An allowed set such as ["16:9", "9:16"], matched within 1 %.
    public var aspectRatios: [String]?
    /// Allowed exact sizes: "1280x720" (either orientation) or "720p" (short side 720, long 1280).
    public var resolutions: [String]?
    public var minDuration: Double?
    public var maxDuration: Double?
    public var minFPS: Double?
    public var maxFPS: Double?
    public var maxFileSize: ByteCount?
    public var audio: AudioRule?
    /// For list fields: how many files.
    public var minCount: Int?
    public var maxCount: Int?
    /// For list fields: all files together.
    public var maxTotalDuration: Double?
    public var maxTotalFileSize: ByteCount?
    /// Seconds fal waits to download the file (informational: a slow host can fail it).
    public var downloadTimeout: Double?
    /// Limits that are approximate or that the model handles itself (e.g. crops): a miss warns,
    /// it does not fail the check.
    public var advisory: [LimitKey]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case formats, videoCodecs = "video_codecs", audioCodecs = "audio_codecs"
        case minWidth = "min_width", maxWidth = "max_width", minHeight = "min_height", maxHeight = "max_height"
        case minShortSide = "min_short_side", maxLongSide = "max_long_side"
        case minPixels = "min_pixels", maxPixels = "max_pixels"
        case minAspectRatio = "min_aspect_ratio", maxAspectRatio = "max_aspect_ratio"
        case aspectRatios = "aspect_ratios", resolutions
        case minDuration = "min_duration", maxDuration = "max_duration"
        case minFPS = "min_fps", maxFPS = "max_fps"
        case maxFileSize = "max_file_size", audio
        case minCount = "min_count", maxCount = "max_count"
        case maxTotalDuration = "max_total_duration", maxTotalFileSize = "max_total_file_size"
        case downloadTimeout = "download_timeout", advisory
    }

    /// The keys this requirement sets (derived from `LimitKey.shape`, the one table of limits).
    public var keys: [LimitKey] { LimitKey.allCases.filter { $0.isSet(in: self) } }

    /// This requirement with every limit `other` sets taken from `other` (a later layer wins).
    public func overlaid(with other: MediaRequirement) -> MediaRequirement {
        var r = self
        for key in other.keys { key.copy(from: other, into: &r) }
        r.downloadTimeout = other.downloadTimeout ?? downloadTimeout
        r.advisory = other.advisory ?? advisory
        return r
    }

    public func isAdvisory(_ key: LimitKey) -> Bool { advisory?.contains(key) ?? false }
}

/// A number of bytes, written in catalogs as an integer or as "200 MB" / "4.7 MiB" / "10MB".
/// MB is read as MiB, as fal's own limit lines mean it.
public struct ByteCount: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    public var bytes: Int64

    public init(_ bytes: Int64) { self.bytes = bytes }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) { bytes = n; return }
        let text = try c.decode(String.self)
        guard let parsed = ByteCount(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a size; write e.g. 200 MB or 4.7 MiB")
        }
        self = parsed
    }

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
        guard scale > 0 else { return nil }
        bytes = Int64((value * scale).rounded())
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes)
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    public var description: String {
        let mib = Double(bytes) / 1_048_576
        if mib >= 1 { return mib == mib.rounded() ? "\(Int(mib)) MB" : String(format: "%.1f MB", mib) }
        return String(format: "%.0f KB", Double(bytes) / 1024)
    }
}

import Foundation

extension MediaRequirement {
    /// Sets one limit from a JSON value (a learned lesson or an importer's finding); values of the
    /// wrong shape for the key are ignored.
    public mutating func set(_ key: LimitKey, to value: JSONValue) {
        let number = value.numberValue.flatMap { $0.isFinite && abs($0) < 1e15 ? $0 : nil }
        let int = number.map { Int($0.rounded()) }
        let strings: [String]? = if case .array(let a) = value { a.compactMap(\.stringValue) } else { nil }
        switch key.shape {
        case .none: break
        case .atLeast(let path), .atMost(let path): self[keyPath: path] = int ?? self[keyPath: path]
        case .atLeastReal(let path), .atMostReal(let path): self[keyPath: path] = number ?? self[keyPath: path]
        case .atMostBytes(let path): self[keyPath: path] = number.map { ByteCount(Int64($0)) } ?? self[keyPath: path]
        case .oneOf(let path):
            let cleaned = key == .formats ? strings?.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")) } : strings
            self[keyPath: path] = cleaned ?? self[keyPath: path]
        case .sound: audio = value.stringValue.flatMap(AudioRule.init(rawValue:)) ?? audio
        }
    }
}
