/// Plain Swift copies of what FFmpeg knows about an input, taken while the demuxer is open so that no
/// C pointer outlives it. Interpretation (display size, HDR, kind of media) belongs to MediaProbe.

/// An exact fraction, as FFmpeg keeps time bases, frame rates and aspect ratios.
package struct Rational: Sendable, Hashable, Codable, CustomStringConvertible {
    package var num: Int32
    package var den: Int32

    package init(_ num: Int32, _ den: Int32) {
        self.num = num
        self.den = den
    }

    /// nil for 0/0 and x/0, which FFmpeg uses for "unknown".
    package var value: Double? { den == 0 ? nil : Double(num) / Double(den) }
    package var isKnown: Bool { num != 0 && den != 0 }
    package var description: String { "\(num)/\(den)" }

    /// The same fraction in lowest terms (as ffprobe prints aspect ratios).
    package var reduced: Rational {
        func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? abs(a) : gcd(b, a % b) }
        let g = gcd(Int64(num), Int64(den))
        guard g > 1 else { return self }
        return Rational(Int32(Int64(num) / g), Int32(Int64(den) / g))
    }
}

/// What a stream carries, as FFmpeg's AVMediaType says it.
package enum MediaType: String, Sendable, Codable {
    case video, audio, subtitle, data, attachment, unknown
}

/// How FFmpeg arrived at the container duration (AVFormatContext.duration_estimation_method).
package enum DurationEstimation: Sendable {
    /// Read from timestamps of packets at the start and end of the file (MPEG-TS/PS).
    case fromTimestamps
    /// Taken from stream or container headers.
    case fromStreams
    /// Guessed from file size and bit rate: an estimate, never exact.
    case fromBitRate
}

/// The container as the demuxer opened it: format names, length, start, bit rate, tags.
package struct FormatDescription: Sendable {
    package var name: String
    package var longName: String?
    /// Microseconds, nil when unknown.
    package var duration: Int64?
    /// Microseconds, nil when unknown.
    package var startTime: Int64?
    package var bitRate: Int64?
    package var durationEstimation: DurationEstimation
    /// The demuxer's header alone stated a duration, before any stream analysis.
    package var headerHadDuration: Bool
    /// Metadata tags of the container (creation_time, encoder, ...).
    package var tags: [String: String]
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
package struct StreamDescription: Sendable {
    package var index: Int
    package var mediaType: MediaType
    package var codecName: String?
    package var codecLongName: String?
    package var profile: String?
    /// As FFmpeg stores it (H.264 level 3.1 is 31, HEVC level 3.1 is 93); nil when unknown.
    package var level: Int?
    package var bitRate: Int64?
    package var timeBase: Rational
    /// In `timeBase` units.
    package var duration: Int64?
    /// In `timeBase` units.
    package var startTime: Int64?
    /// From the container header; nil when it does not say. For MP4/MOV whose edit list hides samples,
    /// the samples of its index FFmpeg presents (`frameCountFromIndex`).
    package var frameCount: Int64?
    package var frameCountFromIndex = false
    package var isAttachedPicture: Bool
    package var isDefault: Bool
    package var tags: [String: String]

    // Video.
    package var width: Int?
    package var height: Int?
    package var sampleAspectRatio: Rational?
    package var pixelFormat: String?
    /// Bits per component of the pixel format's first (luma) plane.
    package var bitDepth: Int?
    package var averageFrameRate: Rational?
    package var realFrameRate: Rational?
    package var fieldOrder: FieldOrder?
    package var colorRange: String?
    package var colorPrimaries: String?
    package var colorTransfer: String?
    package var colorSpace: String?
    /// Counter-clockwise degrees as FFmpeg's av_display_rotation_get reports them; nil without a matrix.
    package var displayMatrixRotation: Double?

    // Audio.
    package var sampleRate: Int?
    package var channels: Int?
    package var channelLayout: String?
    package var sampleFormat: String?

    package init(index: Int, mediaType: MediaType, timeBase: Rational) {
        self.index = index
        self.mediaType = mediaType
        self.timeBase = timeBase
        self.isAttachedPicture = false
        self.isDefault = false
        self.tags = [:]
    }
}

/// One compressed packet's timing and place, without its bytes.
package struct PacketInfo: Sendable {
    package var streamIndex: Int
    /// In the stream's time base; nil when the container does not say.
    package var pts: Int64?
    package var dts: Int64?
    package var duration: Int64
    package var size: Int
    package var position: Int64?
    package var isKeyframe: Bool
    /// Outside the presented media: before an MP4 edit list's start or after its end (FFmpeg keeps
    /// such packets so decoding can start at a keyframe, and marks them to be decoded, not shown).
    package var isDiscarded = false
    /// The demuxer found the packet damaged or incomplete.
    package var isCorrupt = false
}

/// The spread of timestamp steps between consecutive index entries (or packets) of one stream: equal
/// steps mean a constant frame rate.
package struct IndexSummary: Sendable, Equatable {
    package var entryCount: Int
    package var minStep: Int64?
    package var maxStep: Int64?

    package init(entryCount: Int = 0) { self.entryCount = entryCount }

    package mutating func observe(step: Int64) {
        guard step > 0 else { return }
        minStep = min(minStep ?? step, step)
        maxStep = max(maxStep ?? step, step)
    }
}
