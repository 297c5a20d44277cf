import MediaIO
import ModelCatalog

/// What `fix` will do to one file: every change, and why. Nothing is changed that is not here.
public struct FixPlan: Codable, Sendable {
    /// The cheapest change that satisfies every model: none, a re-wrap, a cut without re-encoding, a re-encode, an image conversion.
    public enum Action: String, Codable, Sendable {
        /// Already compliant: no new file (or a plain copy when an output path was demanded).
        case none
        /// Streams copied into another container, no re-encode.
        case rewrap
        /// Cut by stream copy at a keyframe, no re-encode.
        case trimCopy = "trim_copy"
        /// Decoded and encoded again.
        case reencode
        /// A still picture converted, resized or recompressed.
        case image
    }

    /// The path of the file the plan was made for.
    public var source: String
    /// The cheapest kind of change that satisfies every model (see `Action`).
    public var action: Action
    /// The container or picture format of the output ("mp4", "mov", "jpg"...).
    public var format: String
    /// The part of the source kept, when a model's duration limit cuts it; nil keeps the whole clip.
    public var trim: TrimPlan?
    /// The video a re-encode writes; nil when the video is copied (rewrap, trim_copy) or for a still.
    public var video: VideoPlan?
    /// What happens to the sound: none in the source, copied, re-encoded or dropped.
    public var audio: AudioPlan
    /// The picture an image conversion writes; nil for audio and video.
    public var image: ImagePlan?
    /// Each change in words, in the order applied.
    public var steps: [String]
    /// Things the plan deliberately leaves, or changes with side effects, worth knowing.
    public var notes: [String]
    /// The plan format's version: a stored plan of another version is planned again, not replayed.
    public var version: Int? = FixPlan.formatVersion
    /// What the plan aims at: the combined requirement of every model it was made for, by model id
    /// (the same for each), so a stored plan says what it satisfies without the catalog of the day.
    public var targets: [String: MediaRequirement]? = nil
    /// SHA-256 of the source the plan was made for (set by `FixPipeline`): a resumed job replays
    /// the plan only while the source is unchanged.
    public var sourceFingerprint: String? = nil
    /// Seconds the output runs: the kept tracks' presented length (an edit list's hidden frames,
    /// a longer second track or a cut-off end not counted), after any cut. What verification expects.
    public var duration: Double? = nil

    /// 3: plans carry the presented `duration` and leave out tracks a model does not take.
    public static let formatVersion = 3

    /// False when the file is already acceptable as it is.
    public var changesAnything: Bool { action != .none }
}

/// The part of the clip kept: where it starts and how long it runs.
public struct TrimPlan: Codable, Sendable, Equatable {
    /// Seconds into the source where the output starts.
    public var start: Double
    /// Seconds of output.
    public var duration: Double
    /// True when the cut falls on a keyframe and streams are copied; false for an exact re-encoded cut.
    public var streamCopy: Bool
}

/// How a picture is brought to a size whose shape differs: padded with bars, or cropped.
public enum Fit: String, Codable, Sendable, CaseIterable {
    /// Fit inside the target and fill the rest with bars (letterbox/pillarbox).
    case pad
    /// Fill the target and cut off what overflows.
    case crop
}

/// The video a re-encode writes: codec, size, rate, pixel format, filters.
public struct VideoPlan: Codable, Sendable, Equatable {
    /// The FFmpeg encoder, "libx264" unless a model's codecs call for another (e.g. "libvpx-vp9").
    public var codec = "libx264"
    /// Output picture size (square pixels).
    public var width: Int
    /// Output picture height in pixels (square pixels, rotation applied).
    public var height: Int
    /// Where the picture sits in the output, when padded; the whole output otherwise.
    public var content: Rect
    /// The part of the displayed source kept, when cropped; the whole picture otherwise.
    public var sourceCrop: Rect
    /// Degrees clockwise the pixels are turned (the display flag is not written).
    public var rotation: Int
    /// Constant output frame rate; nil keeps the source's timestamps.
    public var frameRate: Ratio?
    /// x264-style constant rate factor (0-51, lower is better; the policy's default is 18); converted for
    /// VP9 by `vp9CRF`.
    public var crf: Double
    /// The encoder's speed/quality preset, e.g. "fast" (the policy's).
    public var preset: String
    /// Average bit rate when a file size limit must be met.
    public var bitRate: Int64?
    /// Letterbox colour as Y, U, V (limited range).
    public var padColor: [UInt8]
    /// HDR to SDR, when the source is HDR.
    public var toneMap: ToneMapPlan? = nil
    /// Fields to progressive frames, when the source is interlaced.
    public var deinterlace: DeinterlaceMode? = nil

    /// libvpx-vp9's CRF scale (0-63) for an x264-style CRF (0-51): 18 maps to 31, visually close.
    public static func vp9CRF(_ crf: Double) -> Int { min(63, max(0, Int((crf * 63 / 51 + 9).rounded()))) }
}

/// The tone-mapping curves of libavfilter's `tonemap`.
public enum ToneMapCurve: String, Codable, Sendable, CaseIterable {
    case hable, mobius, reinhard, clip, linear, gamma
}

/// HDR to SDR: the source's transfer and primaries, and the tone curve applied.
public struct ToneMapPlan: Codable, Sendable, Equatable {
    /// The source's HDR transfer (PQ or HLG).
    public var transfer: HDRFormat
    /// The curve libavfilter's `tonemap` applies.
    public var curve: ToneMapCurve
}

/// How interlaced video becomes progressive (bwdif).
public enum DeinterlaceMode: String, Codable, Sendable, CaseIterable {
    /// One frame per frame: the frame rate is kept.
    case frame
    /// One frame per field: double rate, smoother motion.
    case field
    /// Not deinterlaced (combing stays).
    case off
}

/// What an output that needs no change is.
public enum OutputLink: String, Codable, Sendable, CaseIterable {
    case copy, hard, symlink
}

/// A rectangle of the picture, in pixels (a crop).
public struct Rect: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Left edge in pixels.
    public var x: Int
    /// Top edge in pixels.
    public var y: Int
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// A rectangle at (x, y) of width x height pixels.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// "WxH+X+Y", as crop geometry is usually written.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}

/// What happens to the sound: none, kept as it is, re-encoded, or dropped.
public enum AudioPlan: Codable, Sendable, Equatable {
    case none
    case copy
    case reencode(codec: String, sampleRate: Int, channels: Int, bitRate: Int64)
    case drop
}

/// The still image a conversion writes: format, size, pixel format.
public struct ImagePlan: Codable, Sendable, Equatable {
    /// Output picture width in pixels.
    public var width: Int
    /// Output picture height in pixels.
    public var height: Int
    /// Where the picture sits in the output, when padded; the whole output otherwise.
    public var content: Rect
    /// The part of the displayed source kept, when cropped; the whole picture otherwise.
    public var sourceCrop: Rect
    /// "mjpeg", "png" or "libwebp".
    public var codec: String
    /// The FFmpeg pixel format written, e.g. "yuvj420p" for JPEG, "rgba" for a PNG with alpha.
    public var pixelFormat: String
    /// JPEG q (2 best..31) or WebP quality (0..100).
    public var quality: Int?
    /// Largest output in bytes (a model's file size limit): quality, then size, steps down until it fits.
    public var maxBytes: Int64?
    /// The smallest picture the models accept: size steps stop here.
    public var minWidth: Int?
    /// The smallest height the models accept: size steps stop here.
    public var minHeight: Int?
}

import MediaProbe
