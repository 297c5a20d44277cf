import Foundation
import MediaIO
import MediaProbe
import ModelCatalog

/// How the user wants the unavoidable choices made.
public struct FixOptions: Sendable {
    public enum TrimAnchor: String, Sendable, CaseIterable {
        case start, center, end
    }

    public var fit: Fit = .pad
    public var trim: TrimAnchor = .start
    /// Explicit cut points in seconds of the source (override `trim`).
    public var from: Double?
    public var to: Double?
    public var crf: Double = 18
    public var preset = "fast"
    /// Letterbox colour, Y U V in limited range (black).
    public var padColor: [UInt8] = [16, 128, 128]
    /// Keep a display-matrix rotation instead of turning the pixels (many model pipelines read
    /// frames without the flag and see the picture sideways, so turning is the default).
    public var keepRotationFlag = false
    /// How far a stream-copy cut may move to land on a keyframe.
    public var keyframeTolerance: Double = 0.5
    /// Decode and encode even when copying streams would do (to normalise an odd source).
    public var forceReencode = false

    public init() {}
}

/// Computes the cheapest plan that makes a file satisfy every selected model: nothing, a re-wrap, a
/// stream-copy trim, or a re-encode with only the changes the limits call for.
public struct FixPlanner: Sendable {
    public var options: FixOptions

    public init(options: FixOptions = FixOptions()) { self.options = options }

    /// - Parameter keyframes: the source's keyframe presentation times (seconds) within a range, to
    ///   cut without re-encoding; `KeyframeLocator.near(path:)` reads them from the file.
    public func plan(_ info: MediaInfo, models: [ModelSpec], payload: [String: JSONValue] = [:], field: String? = nil,
                     keyframes: (ClosedRange<Double>) -> [Double] = { _ in [] }) throws(FixError) -> FixPlan {
        let checker = Checker()
        let report = checker.check(info, models: models, payload: payload, field: field)
        let blockers = report.verdicts.flatMap { $0.violations.filter { !$0.fixable && !$0.rule.hasPrefix("payload.") } }
        if !blockers.isEmpty { throw .impossible(blockers.map(\.message)) }
        let (combined, conflicts) = checker.combinedRequirement(for: info, models: models, payload: payload, field: field)
        if !conflicts.isEmpty { throw .conflicting(conflicts) }
        let r = combined ?? MediaRequirement()

        switch info.kind {
        case .video: return try planVideo(info, r, keyframes: keyframes)
        case .image, .animatedImage: return try planImage(info, r)
        case .audio: throw .impossible(["fixing audio-only files is not supported yet; convert it with another tool"])
        }
    }

    // MARK: - Video

    private func planVideo(_ info: MediaInfo, _ r: MediaRequirement, keyframes: (ClosedRange<Double>) -> [Double]) throws(FixError) -> FixPlan {
        guard let v = info.primaryVideo else { throw .impossible(["no video stream"]) }
        var steps: [String] = [], notes: [String] = []
        let display = PictureSize(v.displayWidth, v.displayHeight)
        let duration = info.duration

        // Which container.
        let current = MediaFormatName.of(info)
        let accepted = r.formats.map { $0.flatMap(MediaFormatName.synonyms) }
        let format: String = if let accepted, !accepted.contains(current) {
            accepted.contains("mp4") ? "mp4" : accepted[0]
        } else if ["mp4", "mov", "webm", "mkv"].contains(current) {
            current
        } else {
            "mp4"
        }

        // How long, and which part.
        var trim: TrimPlan?
        if let duration {
            var length = duration
            var start = 0.0
            if let from = options.from { start = max(0, from) }
            if let to = options.to { length = max(0, min(to, duration) - start) } else { length = duration - start }
            // --from past the end leaves nothing: say so, rather than plan a negative length.
            guard length > 0.0005 else {
                throw .impossible([String(format: "--from %g s is at or past the end of this %.2f s clip: nothing would be kept", start, duration)])
            }
            if let maxDuration = r.maxDuration, length > maxDuration {
                length = maxDuration
                if options.from == nil {
                    start = switch options.trim {
                    case .start: 0
                    case .center: (duration - length) / 2
                    case .end: duration - length
                    }
                }
            }
            if let minDuration = r.minDuration, length < minDuration {
                throw .impossible([String(format: "the kept part would be %.2f s, under the %g s minimum", length, minDuration)])
            }
            if start > 0.0005 || length < duration - 0.0005 {
                trim = TrimPlan(start: start, duration: length, streamCopy: false)
            }
        }

        // Picture: shape and size, turned upright, square pixels.
        let geometry = try Geometry.plan(display, r, fit: options.fit, even: true)
        var bake = v.rotation != 0 && !options.keepRotationFlag
        let anamorphic = v.displayWidth != (v.rotation == 90 || v.rotation == 270 ? v.height : v.width)
        let odd = display.width % 2 != 0 || display.height % 2 != 0

        // Frame rate.
        let fps = (v.averageFrameRate ?? v.realFrameRate)?.value
        var frameRate: Ratio?
        if let fps {
            // A variable-rate clip is made constant at its base rate (FFmpeg's r_frame_rate, the rate
            // its fastest stretch runs at), within the limits; its average would drop real frames.
            let variable = v.variableFrameRate == true && (r.minFPS != nil || r.maxFPS != nil)
            let base = variable ? (v.realFrameRate?.value ?? fps) : fps
            var target = base
            if let lo = r.minFPS, base < lo - 0.01 { target = lo }
            if let hi = r.maxFPS, base > hi + 0.01 { target = hi }
            if abs(target - fps) > 0.01 || variable {
                frameRate = Self.ratio(for: target)
            }
        }

        let codecOK = r.videoCodecs.map { $0.contains(v.codec ?? "") } ?? true
        let containerCarries = MediaFormatName.canCarry(format, videoCodec: v.codec ?? "", audioCodec: r.audio == .forbidden ? nil : info.primaryAudio?.codec)
        let tooBig = r.maxFileSize.map { info.fileSize > $0.bytes } ?? false
        // Elementary streams carry no timestamps to copy: they are re-encoded with fresh ones.
        let rawStream = ["h264", "hevc", "mpegvideo", "m4v", "obu", "av1"].contains(info.container.format)
        var reencode = geometry.changes(display) || bake || frameRate != nil || !codecOK || !containerCarries || tooBig || rawStream
            || options.forceReencode
        if rawStream { notes.append("a raw \(info.container.format) stream has no timestamps to copy, so it is re-encoded") }

        // A cut on a keyframe can copy streams; otherwise it is an exact re-encoded cut.
        if var t = trim, !reencode {
            if t.start < 0.0005 {
                t.streamCopy = true
            } else if let kf = keyframes(max(0, t.start - options.keyframeTolerance)...(t.start + options.keyframeTolerance))
                        .min(by: { abs($0 - t.start) < abs($1 - t.start) }),
                      abs(kf - t.start) <= options.keyframeTolerance, kf + t.duration <= (duration ?? .infinity) + 0.0005 {
                t.start = kf
                t.streamCopy = true
            }
            trim = t
            if !t.streamCopy { reencode = true }
        }

        // Sound.
        var audio: AudioPlan = .none
        if let a = info.primaryAudio {
            let allowed = r.audioCodecs.map { $0.contains(a.codec ?? "") } ?? true
            let carried = MediaFormatName.canCarry(format, videoCodec: "h264", audioCodec: a.codec)
            if r.audio == .forbidden {
                audio = .drop
                steps.append("drop the audio (the model takes no sound)")
            } else if !allowed || !carried || (reencode && trim != nil) {
                let rate = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000].contains(a.sampleRate ?? 0) ? a.sampleRate! : 48000
                audio = .reencode(codec: "aac", sampleRate: rate, channels: min(a.channels ?? 2, 2), bitRate: 160_000)
            } else {
                audio = .copy
            }
        } else if r.audio == .required {
            throw .impossible(["the model needs sound and this clip has none"])
        }

        // Size budget for the re-encode when the source is already over the limit: the sound gets a
        // tenth of it (32-160 kb/s), the picture the rest.
        var bitRate: Int64?
        if reencode, let limit = r.maxFileSize, let seconds = trim?.duration ?? duration, seconds > 0 {
            let projected = Double(info.fileSize) * seconds / (duration ?? seconds)
            if projected > 0.9 * Double(limit.bytes) {
                let total = Double(limit.bytes) * 0.92 * 8 / seconds
                var audioRate = 0.0
                switch audio {
                case .reencode(let codec, let rate, let channels, _):
                    let share = Int64(clampingRounded: min(160_000, max(32_000, total * 0.1)))
                    audio = .reencode(codec: codec, sampleRate: rate, channels: channels, bitRate: share)
                    audioRate = Double(share)
                case .copy:
                    audioRate = Double(info.primaryAudio?.bitRate ?? 192_000)
                default:
                    break
                }
                bitRate = Int64(clampingRounded: total - audioRate)
                if bitRate! < 20_000 {
                    throw .impossible(["\(limit) for \(String(format: "%.1f", seconds)) s leaves no room for the picture (\(Int(clampingRounded: total / 1000)) kb/s in all)"])
                }
            }
        }

        // A re-encode always writes upright pixels: the output carries no display flag.
        if reencode && v.rotation != 0 { bake = true }

        // Describe every change.
        let action: FixPlan.Action
        var video: VideoPlan?
        if reencode {
            action = .reencode
            let rotated = bake ? v.rotation : 0
            video = VideoPlan(width: geometry.canvas.width, height: geometry.canvas.height, content: geometry.content,
                              sourceCrop: geometry.sourceCrop, rotation: rotated, frameRate: frameRate, crf: options.crf,
                              preset: options.preset, bitRate: bitRate, padColor: options.padColor)
            if let t = trim { steps.append(String(format: "cut %.3f s from %.3f s (exact, re-encoded)", t.duration, t.start)) }
            if bake { steps.append("turn the pixels \(v.rotation)° clockwise instead of relying on the display flag (models often ignore it)") }
            if geometry.sourceCrop != Rect(x: 0, y: 0, width: display.width, height: display.height) {
                steps.append("crop the displayed picture to \(geometry.sourceCrop.width)x\(geometry.sourceCrop.height) (the middle)")
            }
            if geometry.canvas != display || anamorphic || odd {
                let how = geometry.content.width != geometry.canvas.width || geometry.content.height != geometry.canvas.height
                    ? "scale to \(geometry.content.width)x\(geometry.content.height) and pad to \(geometry.canvas)"
                    : "scale \(display) to \(geometry.canvas)"
                steps.append(how + (anamorphic ? " with square pixels" : ""))
            }
            if let frameRate { steps.append(String(format: "convert to a constant %@ fps (frames %@)", Self.fpsText(frameRate), (fps ?? 0) > frameRate.value ? "dropped" : "duplicated")) }
            steps.append("encode H.264 High 4:2:0 8-bit (libx264 \(options.preset), " + (bitRate.map { "\($0 / 1000) kb/s to fit \(r.maxFileSize!)" } ?? "CRF \(Int(clampingRounded: options.crf))") + ")")
            if case .reencode(_, let rate, let ch, _) = audio { steps.append("encode the audio as AAC \(rate) Hz \(ch == 1 ? "mono" : "stereo")") }
            if case .copy = audio { steps.append("copy the audio") }
            if let hdr = v.hdr { notes.append("the source is HDR (\(hdr.rawValue.uppercased())); it is encoded as SDR BT.709 without tone mapping, so colours may look flat") }
            if v.interlaced == true { notes.append("the source is interlaced; it is re-encoded without deinterlacing") }
            if (v.bitDepth ?? 8) > 8 { notes.append("\(v.bitDepth!)-bit source encoded as 8-bit") }
        } else if let t = trim, t.streamCopy {
            action = .trimCopy
            steps.append(String(format: "cut %.3f s from the keyframe at %.3f s (streams copied, no re-encode)", t.duration, t.start))
            if format != current { steps.append("write it as .\(format)") }
            if case .drop = audio { } else if info.primaryAudio != nil { audio = .copy }
        } else if format != current || audio == .drop {
            action = .rewrap
            steps.append("re-wrap the streams into .\(format) (no re-encode)")
        } else {
            action = .none
        }
        if v.rotation != 0 && options.keepRotationFlag && !reencode { notes.append("the \(v.rotation)° display flag is kept (--keep-rotation)") }
        if v.rotation != 0 && !reencode && !options.keepRotationFlag { notes.append("the \(v.rotation)° display flag is kept: no re-encode was needed") }
        return FixPlan(source: info.path, action: action, format: format, trim: trim, video: video, audio: audio, image: nil, steps: steps, notes: notes)
    }

    static func ratio(for fps: Double) -> Ratio {
        if abs(fps - fps.rounded()) < 0.001 { return Ratio(num: Int(Int32(clamping: Int(clampingRounded: fps))), den: 1) }
        for base in [24, 30, 60] where abs(fps - Double(base) * 1000 / 1001) < 0.01 { return Ratio(num: base * 1000, den: 1001) }
        // Held to what an FFmpeg rational (Int32) can carry: a hostile rate must not trap later.
        return Ratio(num: Int(Int32(clamping: Int(clampingRounded: fps * 1000))), den: 1000)
    }

    static func fpsText(_ r: Ratio) -> String { r.den == 1 ? "\(r.num)" : String(format: "%.3f", r.value) }

    // MARK: - Images

    private func planImage(_ info: MediaInfo, _ r: MediaRequirement) throws(FixError) -> FixPlan {
        guard let v = info.primaryVideo else { throw .impossible(["no picture"]) }
        let display = PictureSize(v.displayWidth, v.displayHeight)
        let current = MediaFormatName.of(info)
        let alpha = (v.pixelFormat ?? "").contains("a") && !(v.pixelFormat ?? "").hasPrefix("yuvj")
        let accepted = r.formats.map { $0.flatMap(MediaFormatName.synonyms) }
        let format: String
        if let accepted, !accepted.contains(current) {
            let preferred = alpha ? ["png", "webp", "jpg"] : ["jpg", "png", "webp"]
            format = preferred.first(where: accepted.contains) ?? accepted[0]
        } else {
            format = ["jpg", "png", "webp"].contains(current) ? current : "png"
        }
        let geometry = try Geometry.plan(display, r, fit: options.fit, even: false)
        let tooBig = r.maxFileSize.map { info.fileSize > $0.bytes } ?? false
        let turned = v.rotation != 0 && !options.keepRotationFlag
        guard format != current || geometry.changes(display) || tooBig || info.kind == .animatedImage || turned else {
            return FixPlan(source: info.path, action: .none, format: current, trim: nil, video: nil, audio: .none, image: nil, steps: [], notes: [])
        }
        let (codec, pixfmt, quality): (String, String, Int?) = switch format {
        case "jpg", "jpeg": ("mjpeg", "yuvj420p", 2)
        case "webp": ("libwebp", alpha ? "yuva420p" : "yuv420p", 90)
        default: ("png", alpha ? "rgba" : "rgb24", nil)
        }
        var steps: [String] = []
        if turned { steps.append("turn the pixels \(v.rotation)° clockwise as the EXIF orientation says (the note is not kept)") }
        if geometry.sourceCrop != Rect(x: 0, y: 0, width: display.width, height: display.height) { steps.append("crop to \(geometry.sourceCrop.width)x\(geometry.sourceCrop.height) (the middle)") }
        if geometry.canvas != display {
            steps.append(geometry.content.width != geometry.canvas.width || geometry.content.height != geometry.canvas.height
                         ? "scale to \(geometry.content.width)x\(geometry.content.height) and pad to \(geometry.canvas)" : "scale \(display) to \(geometry.canvas)")
        }
        steps.append("encode as \(format.uppercased())" + (quality.map { " (quality \($0))" } ?? ""))
        if let limit = r.maxFileSize { steps.append("lower the quality, then the size, until it fits \(limit)") }
        var notes: [String] = []
        if info.kind == .animatedImage { notes.append("only the first frame is kept") }
        if alpha && format == "jpg" { notes.append("JPEG has no transparency: transparent areas become black") }
        return FixPlan(source: info.path, action: .image, format: format, trim: nil, video: nil, audio: .none,
                       image: ImagePlan(width: geometry.canvas.width, height: geometry.canvas.height, content: geometry.content,
                                        sourceCrop: geometry.sourceCrop, codec: codec, pixelFormat: pixfmt, quality: quality,
                                        maxBytes: r.maxFileSize?.bytes,
                                        minWidth: [r.minWidth, r.minShortSide].compactMap { $0 }.max(),
                                        minHeight: [r.minHeight, r.minShortSide].compactMap { $0 }.max()),
                       steps: steps, notes: notes)
    }
}
