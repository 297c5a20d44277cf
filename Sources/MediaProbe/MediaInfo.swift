import MediaIO

/// What a probe learned about one file: the stable, documented shape behind `preflight probe --json`
/// (README, "JSON schema"). Keys are snake_case in JSON; a key whose value is unknown is left out.
public struct MediaInfo: Codable, Sendable, Equatable {
    /// The path as given to the prober (not resolved or made absolute).
    public var path: String
    /// Size of the file on disk in bytes, at the time of the probe.
    public var fileSize: Int64
    /// Video, still image, animated image or audio alone: decides which of a model's limits apply.
    public var kind: MediaKind
    /// How much of the file was read: headers only, or every packet.
    public var probeMode: ProbeMode
    /// The container's format, duration, start time and overall bit rate.
    public var container: ContainerInfo
    /// Video streams in file order, attached pictures excluded; empty for audio files.
    public var video: [VideoStreamInfo]
    /// Audio streams in file order; empty when the file has no sound.
    public var audio: [AudioStreamInfo]
    /// Subtitle streams (codec, language, title): listed, never sent to a model.
    public var subtitles: [OtherStreamInfo]
    /// Streams that are neither picture, sound nor subtitles (timecode, metadata tracks).
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
    /// The stream a model will treat as "the audio": the default one, else the first; nil without audio.
    public var primaryAudio: AudioStreamInfo? { audio.first(where: \.isDefault) ?? audio.first }
    /// The best-known duration in seconds.
    public var duration: Double? { container.duration }
}

/// What a file is to a model: a video, a still image, an animated image, or audio alone.
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
    /// FFmpeg's descriptive name, e.g. "QuickTime / MOV"; nil when the demuxer has none.
    public var formatLongName: String?
    /// Seconds.
    public var duration: Double?
    /// Where `duration` came from; nil when the duration is unknown (and always for a still image).
    public var durationSource: DurationSource?
    /// False when the duration is an estimate.
    public var durationExact: Bool?
    /// Seconds.
    public var startTime: Double?
    /// Bits per second, over the whole file.
    public var bitRate: Int64?
    /// Every stream in the file, including attached pictures and data.
    public var streamCount: Int
    /// The `creation_time` tag as the file stores it (usually ISO 8601, e.g. "2024-05-01T10:00:00.000000Z"),
    /// unparsed; nil when absent.
    public var creationTime: String?
}

/// An exact fraction with its decimal value alongside, for scripts that want either.
public struct Ratio: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Numerator (reduced where the prober reduced it, as for aspect ratios).
    public var num: Int
    /// Denominator; 0 only for a fraction built from an unknown value.
    public var den: Int
    /// num / den as a decimal (0 when `den` is 0).
    public var value: Double

    /// A fraction as given; `value` is computed, the fraction is not reduced.
    public init(num: Int, den: Int) {
        self.num = num
        self.den = den
        self.value = den == 0 ? 0 : Double(num) / Double(den)
    }

    init?(_ r: Rational?) {
        guard let r, r.isKnown else { return nil }
        self.init(num: Int(r.num), den: Int(r.den))
    }

    /// "num:den", the way ffprobe prints aspect ratios.
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
    /// FFmpeg's range name: "tv" (limited) or "pc" (full); nil when unspecified.
    public var range: String?
    /// Colour primaries by FFmpeg's name, e.g. "bt709", "bt2020"; nil when unspecified.
    public var primaries: String?
    /// Transfer characteristic by FFmpeg's name, e.g. "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG);
    /// nil when unspecified.
    public var transfer: String?
    /// Matrix coefficients (colour space) by FFmpeg's name, e.g. "bt709", "bt2020nc"; nil when unspecified.
    public var space: String?
}

/// Where a frame count came from: the container's header, or counting the packets.
public enum FrameCountSource: String, Codable, Sendable {
    /// Stated by the container header.
    case header
    /// Counted in the container's sample index, less the samples an MP4/MOV edit list hides (a lead-in
    /// kept for decoding, a trimmed tail): what a player shows, with nothing read.
    case index
    /// Counted by reading every packet.
    case packets
}

/// A video stream as a model meets it: coded and displayed size, rotation, rates, frames, colour, HDR.
public struct VideoStreamInfo: Codable, Sendable, Equatable {
    /// The stream's index in the file, counting every stream (as ffprobe and `-map 0:N` do).
    public var index: Int
    /// FFmpeg's codec name, e.g. "h264", "hevc", "prores"; nil when FFmpeg does not know the codec.
    public var codec: String?
    /// FFmpeg's descriptive codec name, e.g. "H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10".
    public var codecLongName: String?
    /// The codec profile by FFmpeg's name, e.g. "High", "Main 10"; nil when the codec has none or it is unknown.
    public var profile: String?
    /// As FFmpeg stores it: H.264 level 3.1 is 31, HEVC level 3.1 is 93.
    public var level: Int?
    /// FFmpeg's pixel format name, e.g. "yuv420p", "yuv420p10le", "yuva444p"; nil when unknown.
    public var pixelFormat: String?
    /// Bits per colour component (8, 10, 12...); nil when unknown.
    public var bitDepth: Int?
    /// Coded (stored) picture size.
    public var width: Int
    /// Coded (stored) picture height, before aspect correction and rotation.
    public var height: Int
    /// Shape of one stored pixel (width:height), reduced; nil when the file does not say (square assumed).
    public var sampleAspectRatio: Ratio?
    /// Shape of the displayed picture before rotation: coded size times the sample aspect ratio, reduced;
    /// nil without a sample aspect ratio.
    public var displayAspectRatio: Ratio?
    /// Degrees clockwise a player turns the stored picture to show it upright: 0, 90, 180 or 270.
    public var rotation: Int
    /// What a viewer (and a model) sees: coded size corrected for non-square pixels, then rotated.
    public var displayWidth: Int
    /// Displayed height in pixels, after the sample aspect ratio and rotation (see `displayWidth`).
    public var displayHeight: Int
    /// Frames per second over the whole stream (frames / duration), as FFmpeg's avg_frame_rate; nil when unknown.
    public var averageFrameRate: Ratio?
    /// FFmpeg's r_frame_rate: the lowest rate that represents every timestamp exactly.
    public var realFrameRate: Ratio?
    /// nil when it could not be told.
    public var variableFrameRate: Bool?
    /// Number of frames: from the container header, or counted when every packet is read (see
    /// `frameCountSource`); nil when neither knows.
    public var frameCount: Int64?
    /// Where `frameCount` came from; nil when there is no frame count.
    public var frameCountSource: FrameCountSource?
    /// Seconds.
    public var duration: Double?
    /// Seconds at which the stream's first frame is presented; nil when unknown.
    public var startTime: Double?
    /// Bits per second of this stream alone; nil when neither header nor analysis states it.
    public var bitRate: Int64?
    /// How the picture is scanned (progressive or which field first); nil when unknown.
    public var fieldOrder: FieldOrder?
    /// nil when the field order is unknown.
    public var interlaced: Bool?
    /// Range, primaries, transfer and matrix; each part nil when the file leaves it unspecified.
    public var color: ColorInfo
    /// Set when the transfer function is an HDR one.
    public var hdr: HDRFormat?
    /// ISO 639-2 language tag (e.g. "eng"); nil when absent or "und".
    public var language: String?
    /// Whether the container marks this stream as default (the one players pick first).
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
    /// The stream's index in the file, counting every stream.
    public var index: Int
    /// FFmpeg's codec name, e.g. "aac", "opus", "pcm_s16le"; nil when FFmpeg does not know the codec.
    public var codec: String?
    /// FFmpeg's descriptive codec name, e.g. "AAC (Advanced Audio Coding)".
    public var codecLongName: String?
    /// The codec profile by FFmpeg's name, e.g. "LC", "HE-AAC"; nil when the codec has none.
    public var profile: String?
    /// Samples per second per channel (Hz), e.g. 48000; nil when unknown.
    public var sampleRate: Int?
    /// Number of channels; nil when unknown.
    public var channels: Int?
    /// FFmpeg's channel layout name, e.g. "stereo", "5.1(side)"; nil when unknown.
    public var channelLayout: String?
    /// FFmpeg's sample format name, e.g. "fltp", "s16"; nil when unknown.
    public var sampleFormat: String?
    /// Seconds.
    public var duration: Double?
    /// Seconds at which the stream's first sample is presented; nil when unknown.
    public var startTime: Double?
    /// Bits per second of this stream alone; nil when unknown.
    public var bitRate: Int64?
    /// Number of audio packets (frames of samples, not samples): from the header, or counted when every
    /// packet is read; nil when unknown.
    public var frameCount: Int64?
    /// ISO 639-2 language tag (e.g. "eng"); nil when absent or "und".
    public var language: String?
    /// Whether the container marks this stream as default (the one players pick first).
    public var isDefault: Bool
    /// Where sample format, channel layout, profile and the rest came from: the first packet decoded
    /// (as FFmpeg's own analysis does), or FFmpeg's full analysis.
    public var fieldSource: FieldSource?
}

/// A stream that is neither the picture nor the sound (subtitles, timecode, data).
public struct OtherStreamInfo: Codable, Sendable, Equatable {
    /// The stream's index in the file, counting every stream.
    public var index: Int
    /// FFmpeg's codec name, e.g. "mov_text", "subrip", "tmcd"; nil when FFmpeg does not know it.
    public var codec: String?
    /// ISO 639-2 language tag; nil when absent or "und".
    public var language: String?
    /// The stream's `title` tag; nil when absent.
    public var title: String?
}

/// A cover picture stored in the file (not the video a model is given).
public struct AttachedPictureInfo: Codable, Sendable, Equatable {
    /// The stream's index in the file, counting every stream.
    public var index: Int
    /// FFmpeg's codec name of the picture, e.g. "mjpeg", "png".
    public var codec: String?
    /// Picture width in pixels; nil when unknown.
    public var width: Int?
    /// Picture height in pixels; nil when unknown.
    public var height: Int?
}
