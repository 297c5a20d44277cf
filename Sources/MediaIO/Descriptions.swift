/// Plain Swift copies of what FFmpeg knows about an input, taken while the demuxer is open so that no
/// C pointer outlives it. Interpretation (display size, HDR, kind of media) belongs to MediaProbe.

/// An exact fraction, as FFmpeg keeps time bases, frame rates and aspect ratios.
public struct Rational: Sendable, Hashable, Codable, CustomStringConvertible {
    public var num: Int32
    public var den: Int32

    public init(_ num: Int32, _ den: Int32) {
        self.num = num
        self.den = den
    }

    /// nil for 0/0 and x/0, which FFmpeg uses for "unknown".
    public var value: Double? { den == 0 ? nil : Double(num) / Double(den) }
    public var isKnown: Bool { num != 0 && den != 0 }
    public var description: String { "\(num)/\(den)" }

    /// The same fraction in lowest terms (as ffprobe prints aspect ratios).
    public var reduced: Rational {
        func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? abs(a) : gcd(b, a % b) }
        let g = gcd(Int64(num), Int64(den))
        guard g > 1 else { return self }
        return Rational(Int32(Int64(num) / g), Int32(Int64(den) / g))
    }
}

/// What a stream carries, as FFmpeg's AVMediaType says it.
public enum MediaType: String, Sendable, Codable {
    case video, audio, subtitle, data, attachment, unknown
}

/// How FFmpeg arrived at the container duration (AVFormatContext.duration_estimation_method).
public enum DurationEstimation: Sendable {
    /// Read from timestamps of packets at the start and end of the file (MPEG-TS/PS).
    case fromTimestamps
    /// Taken from stream or container headers.
    case fromStreams
    /// Guessed from file size and bit rate: an estimate, never exact.
    case fromBitRate
}

/// The container as the demuxer opened it: format names, length, start, bit rate, tags.
public struct FormatDescription: Sendable {
    public var name: String
    public var longName: String?
    /// Microseconds, nil when unknown.
    public var duration: Int64?
    /// Microseconds, nil when unknown.
    public var startTime: Int64?
    public var bitRate: Int64?
    public var durationEstimation: DurationEstimation
    /// The demuxer's header alone stated a duration, before any stream analysis.
    public var headerHadDuration: Bool
    /// Metadata tags of the container (creation_time, encoder, ...).
    public var tags: [String: String]
}

/// How a picture's fields are stored: progressive, or interlaced top or bottom field first.
public enum FieldOrder: String, Sendable, Codable {
    case progressive
    /// Top field coded and shown first.
    case tt
    /// Bottom field coded and shown first.
    case bb
    /// Top coded first, bottom shown first.
    case tb
    /// Bottom coded first, top shown first.
    case bt
}

/// One stream as the demuxer and its codec parameters describe it (before or after analysis).
public struct StreamDescription: Sendable {
    public var index: Int
    public var mediaType: MediaType
    public var codecName: String?
    public var codecLongName: String?
    public var profile: String?
    /// As FFmpeg stores it (H.264 level 3.1 is 31, HEVC level 3.1 is 93); nil when unknown.
    public var level: Int?
    public var bitRate: Int64?
    public var timeBase: Rational
    /// In `timeBase` units.
    public var duration: Int64?
    /// In `timeBase` units.
    public var startTime: Int64?
    /// From the container header; nil when it does not say.
    public var frameCount: Int64?
    public var isAttachedPicture: Bool
    public var isDefault: Bool
    public var tags: [String: String]

    // Video.
    public var width: Int?
    public var height: Int?
    public var sampleAspectRatio: Rational?
    public var pixelFormat: String?
    /// Bits per component of the pixel format's first (luma) plane.
    public var bitDepth: Int?
    public var averageFrameRate: Rational?
    public var realFrameRate: Rational?
    public var fieldOrder: FieldOrder?
    public var colorRange: String?
    public var colorPrimaries: String?
    public var colorTransfer: String?
    public var colorSpace: String?
    /// Counter-clockwise degrees as FFmpeg's av_display_rotation_get reports them; nil without a matrix.
    public var displayMatrixRotation: Double?

    // Audio.
    public var sampleRate: Int?
    public var channels: Int?
    public var channelLayout: String?
    public var sampleFormat: String?

    public init(index: Int, mediaType: MediaType, timeBase: Rational) {
        self.index = index
        self.mediaType = mediaType
        self.timeBase = timeBase
        self.isAttachedPicture = false
        self.isDefault = false
        self.tags = [:]
    }
}

/// One compressed packet's timing and place, without its bytes.
public struct PacketInfo: Sendable {
    public var streamIndex: Int
    /// In the stream's time base; nil when the container does not say.
    public var pts: Int64?
    public var dts: Int64?
    public var duration: Int64
    public var size: Int
    public var position: Int64?
    public var isKeyframe: Bool
    /// Outside the presented media: before an MP4 edit list's start or after its end (FFmpeg keeps
    /// such packets so decoding can start at a keyframe, and marks them to be decoded, not shown).
    public var isDiscarded = false
    /// The demuxer found the packet damaged or incomplete.
    public var isCorrupt = false
}

/// The spread of timestamp steps between consecutive index entries (or packets) of one stream: equal
/// steps mean a constant frame rate.
public struct IndexSummary: Sendable, Equatable {
    public var entryCount: Int
    public var minStep: Int64?
    public var maxStep: Int64?

    public init(entryCount: Int = 0) { self.entryCount = entryCount }

    public mutating func observe(step: Int64) {
        guard step > 0 else { return }
        minStep = min(minStep ?? step, step)
        maxStep = max(maxStep ?? step, step)
    }
}
