import ArgumentParser
import MediaAdapt

/// The media policy's flags, the same on `fix`, `submit` and `prepare` (same names, same values,
/// same defaults): one `MediaPolicy` comes out of them.
struct MediaPolicyOptions: ParsableArguments {
    @Option(help: "When the shape must change: pad (bars) or crop (cut the overflow).")
    var fit: Fit = .pad

    @Option(help: "When too long, the part kept: start, center or end.")
    var trim: MediaPolicy.TrimAnchor = .start

    // .unconditional: `--from -5` reaches the check and is refused by name, not "missing value".
    @Option(parsing: .unconditional, help: ArgumentHelp("Keep from this second of the source (0 or more).", valueName: "seconds"))
    var from: Seconds?

    @Option(parsing: .unconditional, help: ArgumentHelp("Keep up to this second of the source.", valueName: "seconds"))
    var to: Seconds?

    @Option(help: ArgumentHelp("Frames a cut lands inside a duration limit, so fal's own measurement still passes (0: exactly at the limit).", valueName: "frames"))
    var margin: Int = 1

    @Flag(name: .customLong("keep-rotation"), help: "Keep a rotation flag instead of turning the pixels upright (models often ignore the flag).")
    var keepRotation = false

    @Option(help: ArgumentHelp("HDR video is tone-mapped to SDR BT.709 with this curve (\(ToneMapCurve.allCases.map(\.rawValue).joined(separator: ", "))), or kept HDR with off.", valueName: "curve|off"))
    var tonemap: ToneMapChoice = .curve(.hable)

    @Option(help: ArgumentHelp("Interlaced video is made progressive: frame (bwdif, same frame rate), field (one frame per field, double rate) or off (kept interlaced).", valueName: "mode"))
    var deinterlace: DeinterlaceMode = .frame

    @Option(parsing: .unconditional, help: "libx264 constant quality of a re-encode, 0 to 51 (lower is better; 18 is visually lossless for most footage).")
    var crf = ConstantRateFactor(18)

    @Option(help: "libx264 speed preset of a re-encode (ultrafast ... veryslow).")
    var preset: X264Preset = .fast

    @Option(name: .customLong("pad-color"), help: "Bar colour for --fit pad: black, white or gray.")
    var padColor: PadColor = .black

    @Flag(help: "Decode and encode even when copying the streams would do.")
    var reencode = false

    func validate() throws {
        if let from, let to, to.value <= from.value { throw ValidationError("--to must be after --from.") }
        if let to, to.value == 0 { throw ValidationError("--to must be after the start, e.g. --to 5.") }
        if margin < 0 || margin > 1000 { throw ValidationError("--margin takes a number of frames from 0 to 1000, e.g. --margin 2.") }
    }

    var policy: MediaPolicy {
        var p = MediaPolicy()
        p.fit = fit
        p.trim = trim
        p.from = from?.value
        p.to = to?.value
        p.marginFrames = margin
        p.upright = keepRotation ? .flag : .pixels
        p.toneMap = tonemap.curve
        p.deinterlace = deinterlace
        p.crf = crf.value
        p.preset = preset.rawValue
        p.padColor = padColor.yuv
        p.forceReencode = reencode
        return p
    }
}

/// `--tonemap hable|mobius|...|off`.
enum ToneMapChoice: ExpressibleByArgument, Equatable {
    case curve(ToneMapCurve)
    case off

    init?(argument: String) {
        if argument == "off" { self = .off } else if let c = ToneMapCurve(rawValue: argument) { self = .curve(c) } else { return nil }
    }

    var curve: ToneMapCurve? { if case .curve(let c) = self { c } else { nil } }

    var defaultValueDescription: String { curve?.rawValue ?? "off" }

    static var allValueStrings: [String] { ToneMapCurve.allCases.map(\.rawValue) + ["off"] }
    /// Shell completion offers the curves and off (not a file name).
    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}
