import Foundation
import ModelCatalog
import PreflightCore

/// How a file is made ready for a model, beyond what the model's limits demand: the choices a
/// demanding user would otherwise make by hand with the ffmpeg CLI. One value, with the same flags
/// and the same defaults on `fix`, `submit` and `prepare`, journaled with a job and digested into a
/// batch's settings (so changing any of it redoes what it affects).
///
/// The defaults prepare media the way generative models see it best: pixels turned upright (many
/// model pipelines read frames without the display flag and see a phone clip sideways), HDR tone
/// mapped to SDR BT.709 (models are trained on SDR footage; HDR comes out washed out), interlaced
/// video made progressive (models expect progressive frames and show combing), the first part kept
/// when a clip is too long, and bars added rather than picture cut away.
public struct MediaPolicy: Codable, Sendable, Equatable {
    /// Which part of a clip a cut keeps: the start, the centre or the end.
    public enum TrimAnchor: String, Codable, Sendable, CaseIterable {
        case start, center, end
    }

    /// How a rotated picture reaches the model.
    public enum Upright: String, Codable, Sendable, CaseIterable {
        /// Turn the pixels upright (a re-encode); the display flag is not written.
        case pixels
        /// Keep the stored picture and its display flag (`--keep-rotation`).
        case flag
    }

    /// When the shape must change: pad (bars) or crop (cut the overflow).
    public var fit: Fit = .pad
    /// When too long, the part kept.
    public var trim: TrimAnchor = .start
    /// Explicit cut points in seconds of the source (override `trim`).
    public var from: Double?
    /// Where that cut ends, in seconds of the source; nil: the end (still shortened to a duration limit).
    public var to: Double?
    /// Frames a cut lands inside a duration limit, so another measurement of the length (container
    /// against stream, the audio's tail, rounding) still passes.
    public var marginFrames = 1
    /// Whether a rotation flag becomes upright pixels (a re-encode) or is kept.
    public var upright: Upright = .pixels
    /// The curve HDR video is tone-mapped to SDR with; nil keeps it HDR (`--tonemap off`).
    public var toneMap: ToneMapCurve? = .hable
    /// How interlaced video is made progressive (`.off` keeps the fields).
    public var deinterlace: DeinterlaceMode = .frame
    /// libx264 constant quality of a re-encode.
    public var crf: Double = 18
    /// The x264 preset of a re-encode ("fast" by default): slower presets make smaller files.
    public var preset = "fast"
    /// Letterbox colour, Y U V in limited range (black).
    public var padColor: [UInt8] = [16, 128, 128]
    /// How far a stream-copy cut may move to land on a keyframe.
    public var keyframeTolerance: Double = 0.5
    /// Decode and encode even when copying streams would do (to normalise an odd source).
    public var forceReencode = false
    /// What an output that needs no change is: a copy, or a link to the source.
    public var link: OutputLink = .copy
    /// The format the output's name asks for (the extension of -o), chosen when the models take it.
    public var outputFormat: String?

    /// The default policy: pad, trim from the start, upright pixels, Hable tone-mapping, CRF 18, "fast".
    public init() {}

    enum CodingKeys: String, CodingKey {
        case fit, trim, from, to, marginFrames, upright, toneMap, deinterlace, crf, preset, padColor, keyframeTolerance, forceReencode, link, outputFormat
    }

    /// A policy journaled by an earlier version lacks the newer fields: they take their defaults.
    /// A `toneMap` written as null means "keep HDR" and stays so.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MediaPolicy()
        fit = try c.decodeIfPresent(Fit.self, forKey: .fit) ?? d.fit
        trim = try c.decodeIfPresent(TrimAnchor.self, forKey: .trim) ?? d.trim
        from = try c.decodeIfPresent(Double.self, forKey: .from)
        to = try c.decodeIfPresent(Double.self, forKey: .to)
        marginFrames = try c.decodeIfPresent(Int.self, forKey: .marginFrames) ?? d.marginFrames
        upright = try c.decodeIfPresent(Upright.self, forKey: .upright) ?? d.upright
        toneMap = c.contains(.toneMap) ? try c.decodeIfPresent(ToneMapCurve.self, forKey: .toneMap) : d.toneMap
        deinterlace = try c.decodeIfPresent(DeinterlaceMode.self, forKey: .deinterlace) ?? d.deinterlace
        crf = try c.decodeIfPresent(Double.self, forKey: .crf) ?? d.crf
        preset = try c.decodeIfPresent(String.self, forKey: .preset) ?? d.preset
        padColor = try c.decodeIfPresent([UInt8].self, forKey: .padColor) ?? d.padColor
        keyframeTolerance = try c.decodeIfPresent(Double.self, forKey: .keyframeTolerance) ?? d.keyframeTolerance
        forceReencode = try c.decodeIfPresent(Bool.self, forKey: .forceReencode) ?? d.forceReencode
        link = try c.decodeIfPresent(OutputLink.self, forKey: .link) ?? d.link
        outputFormat = try c.decodeIfPresent(String.self, forKey: .outputFormat)
    }

    /// Written with every key, `toneMap` as null when HDR is kept, so it reads back the same.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fit, forKey: .fit)
        try c.encode(trim, forKey: .trim)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(marginFrames, forKey: .marginFrames)
        try c.encode(upright, forKey: .upright)
        try c.encode(toneMap, forKey: .toneMap)
        try c.encode(deinterlace, forKey: .deinterlace)
        try c.encode(crf, forKey: .crf)
        try c.encode(preset, forKey: .preset)
        try c.encode(padColor, forKey: .padColor)
        try c.encode(keyframeTolerance, forKey: .keyframeTolerance)
        try c.encode(forceReencode, forKey: .forceReencode)
        try c.encode(link, forKey: .link)
        try c.encode(outputFormat, forKey: .outputFormat)
    }

    /// Every field, in a stable order: the digest of a batch's settings (a new field is in it the
    /// day it is added, never forgotten by a hand-written list).
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hasher = ContentHash.Hasher()
        hasher.update((try? encoder.encode(self)) ?? Data())
        return hasher.finish()
    }

    /// What the policy does to a file `check` flags for it (rotation, HDR, interlacing), in the
    /// words `check` prints, so what check advises is what fix, prepare and submit do.
    public func remedy(for advice: Violation.Rule) -> String? {
        switch advice {
        case .advice(.rotation):
            return upright == .pixels ? "fix, prepare and submit turn the pixels upright (--keep-rotation keeps the flag instead)"
                                      : "kept with its display flag (--keep-rotation); fix, prepare and submit turn the pixels upright without it"
        case .advice(.hdr):
            return toneMap.map { "fix, prepare and submit tone-map it to SDR BT.709 (\($0.rawValue); --tonemap off keeps it HDR)" }
                ?? "kept HDR (--tonemap off); without it fix, prepare and submit tone-map it to SDR BT.709"
        case .advice(.interlaced):
            return deinterlace == .off ? "kept interlaced (--deinterlace off); without it fix, prepare and submit deinterlace it"
                                       : "fix, prepare and submit deinterlace it (bwdif, \(deinterlace == .field ? "one frame per field" : "the frame rate kept"); --deinterlace off keeps it)"
        default:
            return nil
        }
    }
}
