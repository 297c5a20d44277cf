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

    /// The keys this requirement sets.
    public var keys: [LimitKey] {
        var keys: [LimitKey] = []
        if formats != nil { keys.append(.formats) }
        if videoCodecs != nil { keys.append(.videoCodecs) }
        if audioCodecs != nil { keys.append(.audioCodecs) }
        if minWidth != nil { keys.append(.minWidth) }
        if maxWidth != nil { keys.append(.maxWidth) }
        if minHeight != nil { keys.append(.minHeight) }
        if maxHeight != nil { keys.append(.maxHeight) }
        if minShortSide != nil { keys.append(.minShortSide) }
        if maxLongSide != nil { keys.append(.maxLongSide) }
        if minPixels != nil { keys.append(.minPixels) }
        if maxPixels != nil { keys.append(.maxPixels) }
        if minAspectRatio != nil { keys.append(.minAspectRatio) }
        if maxAspectRatio != nil { keys.append(.maxAspectRatio) }
        if aspectRatios != nil { keys.append(.aspectRatios) }
        if resolutions != nil { keys.append(.resolutions) }
        if minDuration != nil { keys.append(.minDuration) }
        if maxDuration != nil { keys.append(.maxDuration) }
        if minFPS != nil { keys.append(.minFPS) }
        if maxFPS != nil { keys.append(.maxFPS) }
        if maxFileSize != nil { keys.append(.maxFileSize) }
        if audio != nil { keys.append(.audio) }
        if minCount != nil { keys.append(.minCount) }
        if maxCount != nil { keys.append(.maxCount) }
        if maxTotalDuration != nil { keys.append(.maxTotalDuration) }
        if maxTotalFileSize != nil { keys.append(.maxTotalFileSize) }
        return keys
    }

    /// This requirement with every limit `other` sets taken from `other` (a later layer wins).
    public func overlaid(with other: MediaRequirement) -> MediaRequirement {
        var r = self
        r.formats = other.formats ?? formats
        r.videoCodecs = other.videoCodecs ?? videoCodecs
        r.audioCodecs = other.audioCodecs ?? audioCodecs
        r.minWidth = other.minWidth ?? minWidth
        r.maxWidth = other.maxWidth ?? maxWidth
        r.minHeight = other.minHeight ?? minHeight
        r.maxHeight = other.maxHeight ?? maxHeight
        r.minShortSide = other.minShortSide ?? minShortSide
        r.maxLongSide = other.maxLongSide ?? maxLongSide
        r.minPixels = other.minPixels ?? minPixels
        r.maxPixels = other.maxPixels ?? maxPixels
        r.minAspectRatio = other.minAspectRatio ?? minAspectRatio
        r.maxAspectRatio = other.maxAspectRatio ?? maxAspectRatio
        r.aspectRatios = other.aspectRatios ?? aspectRatios
        r.resolutions = other.resolutions ?? resolutions
        r.minDuration = other.minDuration ?? minDuration
        r.maxDuration = other.maxDuration ?? maxDuration
        r.minFPS = other.minFPS ?? minFPS
        r.maxFPS = other.maxFPS ?? maxFPS
        r.maxFileSize = other.maxFileSize ?? maxFileSize
        r.audio = other.audio ?? audio
        r.minCount = other.minCount ?? minCount
        r.maxCount = other.maxCount ?? maxCount
        r.maxTotalDuration = other.maxTotalDuration ?? maxTotalDuration
        r.maxTotalFileSize = other.maxTotalFileSize ?? maxTotalFileSize
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
        // Not MediaIO's checked conversion: its Encoder/Decoder names would shadow Codable's here.
        let exact = (value * scale).rounded()
        guard exact.isFinite, exact < 9.2e18 else { return nil }
        bytes = Int64(exact)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes)
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    public var description: String {
        let mib = Double(bytes) / 1_048_576
        if mib >= 1 { return mib == mib.rounded() && mib < 1e15 ? "\(Int(mib)) MB" : String(format: "%.1f MB", mib) }
        return String(format: "%.0f KB", Double(bytes) / 1024)
    }
}

import Foundation

extension MediaRequirement {
    /// Sets one limit from a JSON value (a learned lesson or an importer's finding); values of the
    /// wrong shape for the key are ignored.
    public mutating func set(_ key: LimitKey, to value: JSONValue) {
        let number = value.numberValue
        let int = number.map { Int($0.rounded()) }
        let strings: [String]? = if case .array(let a) = value { a.compactMap(\.stringValue) } else { nil }
        switch key {
        case .mediaKind: break
        case .formats: formats = strings?.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")) } ?? formats
        case .videoCodecs: videoCodecs = strings ?? videoCodecs
        case .audioCodecs: audioCodecs = strings ?? audioCodecs
        case .minWidth: minWidth = int ?? minWidth
        case .maxWidth: maxWidth = int ?? maxWidth
        case .minHeight: minHeight = int ?? minHeight
        case .maxHeight: maxHeight = int ?? maxHeight
        case .minShortSide: minShortSide = int ?? minShortSide
        case .maxLongSide: maxLongSide = int ?? maxLongSide
        case .minPixels: minPixels = int ?? minPixels
        case .maxPixels: maxPixels = int ?? maxPixels
        case .minAspectRatio: minAspectRatio = number ?? minAspectRatio
        case .maxAspectRatio: maxAspectRatio = number ?? maxAspectRatio
        case .aspectRatios: aspectRatios = strings ?? aspectRatios
        case .resolutions: resolutions = strings ?? resolutions
        case .minDuration: minDuration = number ?? minDuration
        case .maxDuration: maxDuration = number ?? maxDuration
        case .minFPS: minFPS = number ?? minFPS
        case .maxFPS: maxFPS = number ?? maxFPS
        case .maxFileSize: maxFileSize = number.map { ByteCount(Int64($0)) } ?? maxFileSize
        case .audio: audio = value.stringValue.flatMap(AudioRule.init(rawValue:)) ?? audio
        case .minCount: minCount = int ?? minCount
        case .maxCount: maxCount = int ?? maxCount
        case .maxTotalDuration: maxTotalDuration = number ?? maxTotalDuration
        case .maxTotalFileSize: maxTotalFileSize = number.map { ByteCount(Int64($0)) } ?? maxTotalFileSize
        }
    }
}
