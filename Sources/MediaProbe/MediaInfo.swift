import MediaIO

/// What a probe learned about one file: the stable, documented shape behind `preflight probe --json`
/// (README, "JSON schema"). Keys are snake_case in JSON; a key whose value is unknown is left out.
public struct MediaInfo: Codable, Sendable, Equatable {
    public var path: String
    public var fileSize: Int64
    public var kind: MediaKind
    /// How much of the file was read: headers only, or every packet.
    public var probeMode: ProbeMode
    public var container: ContainerInfo
    public var video: [VideoStreamInfo]
    public var audio: [AudioStreamInfo]
    public var subtitles: [OtherStreamInfo]
    public var data: [OtherStreamInfo]
    /// Cover art and thumbnails stored as a picture "stream": never counted as video.
    public var attachedPictures: [AttachedPictureInfo]
    /// Things that do not make the file unusable but that a user should know (estimates, oddities).
    public var warnings: [String]
    /// Set when the file ends before its media does (cut short): what is present and what is missing.
    public var truncation: Truncation? = nil
    /// What decoding the frames found, when they were decoded (`probe --decode`, `prepare --health`).
    public var decodeHealth: DecodeHealth? = nil

    /// The stream a model will treat as "the video": the default one, else the first.
    public var primaryVideo: VideoStreamInfo? { video.first(where: \.isDefault) ?? video.first }
    public var primaryAudio: AudioStreamInfo? { audio.first(where: \.isDefault) ?? audio.first }
    /// The best-known duration in seconds.
    public var duration: Double? { container.duration }
}

/// What a file is to a model: a video, a still image, audio alone, or none of these.
public enum MediaKind: String, Codable, Sendable {
    case video
    case audio
    /// A single picture (JPEG, PNG, WebP, a one-frame GIF...).
    case image
    /// A picture format holding several frames (animated GIF, APNG).
    case animatedImage = "animated_image"
}

/// How a file was probed: headers and first packets, or every packet read.
public enum ProbeMode: String, Codable, Sendable {
    /// Headers, plus what FFmpeg reads at the start of the file.
    case fast
    /// Every packet was read (not decoded): counts and durations are measured.
    case accurate
}

/// Where a duration came from, so an estimate is never passed off as exact.
public enum DurationSource: String, Codable, Sendable {
    /// The container header states it (MP4 mvhd, Matroska Duration...).
    case container
    /// Taken from the streams' own headers.
    case stream
    /// From packet timestamps at the start and end of the file (MPEG-TS/PS).
    case timestamps
    /// Guessed from file size and bit rate: an estimate.
    case bitrateEstimate = "bitrate_estimate"
    /// Measured by reading every packet.
    case packets
}

/// The container: its format, length (and where the length came from), start and bit rate.
public struct ContainerInfo: Codable, Sendable, Equatable {
    /// FFmpeg's short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".
    public var format: String
    public var formatLongName: String?
    /// Seconds.
    public var duration: Double?
    public var durationSource: DurationSource?
    /// False when the duration is an estimate.
    public var durationExact: Bool?
    /// Seconds.
    public var startTime: Double?
    /// Bits per second, over the whole file.
    public var bitRate: Int64?
    /// Every stream in the file, including attached pictures and data.
    public var streamCount: Int
    public var creationTime: String?
}

/// An exact fraction with its decimal value alongside, for scripts that want either.
public struct Ratio: Codable, Sendable, Equatable, CustomStringConvertible {
    public var num: Int
    public var den: Int
    public var value: Double

    public init(num: Int, den: Int) {
        self.num = num
        self.den = den
        self.value = den == 0 ? 0 : Double(num) / Double(den)
    }

    init?(_ r: Rational?) {
        guard let r, r.isKnown else { return nil }
        self.init(num: Int(r.num), den: Int(r.den))
    }

    public var description: String { "\(num):\(den)" }
}

/// Which high-dynamic-range signal a stream carries, if any.
public enum HDRFormat: String, Codable, Sendable {
    /// SMPTE ST 2084 perceptual quantiser (HDR10, Dolby Vision base layers).
    case pq
    /// ARIB STD-B67 hybrid log-gamma.
    case hlg
}

/// A stream's colour description: primaries, transfer, matrix and range.
public struct ColorInfo: Codable, Sendable, Equatable {
    public var range: String?
    public var primaries: String?
    public var transfer: String?
    public var space: String?
}

/// Where a frame count came from: the container's header, or counting the packets.
public enum FrameCountSource: String, Codable, Sendable {
    /// Stated by the container header.
    case header
    /// Counted by reading every packet.
    case packets
}

/// A video stream as a model meets it: coded and displayed size, rotation, rates, frames, colour, HDR.
public struct VideoStreamInfo: Codable, Sendable, Equatable {
    public var index: Int
    public var codec: String?
    public var codecLongName: String?
    public var profile: String?
    /// As FFmpeg stores it: H.264 level 3.1 is 31, HEVC level 3.1 is 93.
    public var level: Int?
    public var pixelFormat: String?
    public var bitDepth: Int?
    /// Coded (stored) picture size.
    public var width: Int
    public var height: Int
    public var sampleAspectRatio: Ratio?
    public var displayAspectRatio: Ratio?
    /// Degrees clockwise a player turns the stored picture to show it upright: 0, 90, 180 or 270.
    public var rotation: Int
    /// What a viewer (and a model) sees: coded size corrected for non-square pixels, then rotated.
    public var displayWidth: Int
    public var displayHeight: Int
    public var averageFrameRate: Ratio?
    /// FFmpeg's r_frame_rate: the lowest rate that represents every timestamp exactly.
    public var realFrameRate: Ratio?
    /// nil when it could not be told.
    public var variableFrameRate: Bool?
    public var frameCount: Int64?
    public var frameCountSource: FrameCountSource?
    /// Seconds.
    public var duration: Double?
    public var startTime: Double?
    public var bitRate: Int64?
    public var fieldOrder: FieldOrder?
    /// nil when the field order is unknown.
    public var interlaced: Bool?
    public var color: ColorInfo
    /// Set when the transfer function is an HDR one.
    public var hdr: HDRFormat?
    public var language: String?
    public var isDefault: Bool
    /// Where codec, pixel format, field order, colour and the rest came from: the headers, FFmpeg's codec
    /// parser over the first packet, or FFmpeg's full analysis (which decodes frames).
    public var fieldSource: FieldSource?

    /// Whether the picture carries alpha, as FFmpeg's pixel-format descriptor says (nil when the
    /// format is unknown): the one answer every check and plan uses.
    public var hasAlpha: Bool? { pixelFormat.flatMap(PixelFormatTraits.hasAlpha) }
}

/// An audio stream: codec, sample rate, channels, length.
public struct AudioStreamInfo: Codable, Sendable, Equatable {
    public var index: Int
    public var codec: String?
    public var codecLongName: String?
    public var profile: String?
    public var sampleRate: Int?
    public var channels: Int?
    public var channelLayout: String?
    public var sampleFormat: String?
    /// Seconds.
    public var duration: Double?
    public var startTime: Double?
    public var bitRate: Int64?
    public var frameCount: Int64?
    public var language: String?
    public var isDefault: Bool
    /// Where sample format, channel layout, profile and the rest came from: the first packet decoded
    /// (as FFmpeg's own analysis does), or FFmpeg's full analysis.
    public var fieldSource: FieldSource?
}

/// A stream that is neither the picture nor the sound (subtitles, timecode, data).
public struct OtherStreamInfo: Codable, Sendable, Equatable {
    public var index: Int
    public var codec: String?
    public var language: String?
    public var title: String?
}

/// A cover picture stored in the file (not the video a model is given).
public struct AttachedPictureInfo: Codable, Sendable, Equatable {
    public var index: Int
    public var codec: String?
    public var width: Int?
    public var height: Int?
}
