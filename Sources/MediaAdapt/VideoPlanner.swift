import Foundation
import MediaProbe
import ModelCatalog

/// The plan for one video, as a series of small decisions that each return a value (container,
/// cut, picture, rate, colour, codecs, sound, bit rate), then one description of them all. Each
/// decision sees only what it needs, so a choice that never reaches the plan shows up here.
struct VideoPlanner {
    let info: MediaInfo
    let v: VideoStreamInfo
    let r: MediaRequirement
    let policy: MediaPolicy
    let keyframes: (ClosedRange<Double>) -> [Double]

    private var display: PictureSize { PictureSize(v.displayWidth, v.displayHeight) }
    /// What the output keeps and how long it runs (not the container's longest track).
    var presented: PresentedMedia { PresentedMedia(info, video: v, keepsAudio: r.audio != .forbidden) }
    /// The limits a single file meets, as the checker reads them: a list field's total is this file's own.
    private var sizeLimit: ByteCount? { r.maxFileSize ?? r.maxTotalFileSize }
    private var lengthLimit: Double? { r.maxDuration ?? r.maxTotalDuration }
    private var sourceFPS: Double? { (v.averageFrameRate ?? v.realFrameRate)?.value }
    private var currentFormat: String { MediaFormatName.of(info) }
    /// Elementary streams carry no timestamps to copy: they are re-encoded with fresh ones.
    private var rawStream: Bool { ["h264", "hevc", "mpegvideo", "m4v", "obu", "av1"].contains(info.container.format) }

    func plan() throws(FixError) -> FixPlan {
        let frameRate = decideFrameRate()
        let outputFPS = frameRate?.value ?? sourceFPS ?? 25
        var trim = try decideTrim(frameDuration: 1 / max(outputFPS, 1))
        let geometry = try Geometry.plan(display, r, fit: policy.fit, even: true)
        let tooBig = sizeLimit.map { info.fileSize > $0.bytes } ?? false
        let audioMustChange = decideAudioMustChange()

        // Re-encode for the picture's sake, then see whether the streams as they are fit any container.
        var reasons: [String] = []
        if geometry.changes(display) { reasons.append("size") }
        if v.rotation != 0 && policy.upright == .pixels { reasons.append("rotation") }
        // Models are trained on SDR, progressive footage: the policy says so unless told otherwise.
        if v.hdr != nil && policy.toneMap != nil { reasons.append("HDR") }
        if v.interlaced == true && policy.deinterlace != .off { reasons.append("interlacing") }
        if frameRate != nil { reasons.append("frame rate") }
        if tooBig { reasons.append("file size") }
        if rawStream { reasons.append("raw stream") }
        if policy.forceReencode { reasons.append("--reencode") }
        if audioMustChange { reasons.append("audio") }
        let copyFormat = decideCopyFormat()
        // Only the kept tracks' whole frames are written: a copy of the file as it is would keep the
        // rest (a second picture a model may take instead, a cut-off last frame).
        let rewrite = presented.ambiguous || presented.cutShort != nil
        if copyFormat == nil { reasons.append("codec") }

        if reasons.isEmpty, let t = trim { trim = decideKeyframeCut(t) }
        if reasons.isEmpty, let t = trim, !t.streamCopy { reasons.append("exact cut") }
        let reencode = !reasons.isEmpty

        if !reencode, let format = copyFormat {
            let audio = decideCopiedAudio()
            return describeCopy(format: format, trim: trim, audio: audio, rewrite: rewrite)
        }
        let (format, videoCodec, audioChoice) = try decideEncoders()
        var audio = decideEncodedAudio(audioChoice, trimmed: trim != nil)
        let bitRate = try decideBitRate(trim: trim, audio: &audio)
        let colour = decideColour()
        let deinterlace = decideDeinterlace()
        let video = VideoPlan(codec: videoCodec.encoder, width: geometry.canvas.width, height: geometry.canvas.height,
                              content: geometry.content, sourceCrop: geometry.sourceCrop, rotation: v.rotation,
                              frameRate: deinterlace == .field ? Self.ratio(for: 2 * (sourceFPS ?? 25)) : frameRate,
                              crf: policy.crf, preset: policy.preset, bitRate: bitRate, padColor: policy.padColor,
                              toneMap: colour, deinterlace: deinterlace)
        var notes: [String] = []
        if rawStream { notes.append("a raw \(info.container.format) stream has no timestamps to copy, so it is re-encoded") }
        if reasons == ["audio"] { notes.append("only the sound needed a new codec; the picture is re-encoded with it (preflight does not yet re-encode sound alone)") }
        return describeReencode(format: format, trim: trim, geometry: geometry, video: video, videoCodec: videoCodec, notes: notes,
                                audio: audio, audioLabel: { if case .encode(let c) = audioChoice { c.label } else { "" } }())
    }

    // MARK: - Decisions

    /// How long, and which part; a cut aims inside the limit by the margin.
    func decideTrim(frameDuration: Double) throws(FixError) -> TrimPlan? {
        guard let duration = presented.duration else { return nil }
        var start = policy.from.map { max(0, $0) } ?? 0
        var length = policy.to.map { max(0, min($0, duration) - start) } ?? (duration - start)
        // --from past the end leaves nothing: say so, rather than plan a negative length.
        guard length > 0.0005 else {
            throw .impossible([String(format: "--from %g s is at or past the end of this %.2f s clip: nothing would be kept", start, duration)])
        }
        if let maxDuration = lengthLimit, length > maxDuration {
            // fal may measure a little differently (container against stream, the audio's tail):
            // land a margin inside the limit, never under the minimum.
            let margin = Double(policy.marginFrames) * frameDuration
            length = max(maxDuration - margin, min(r.minDuration ?? 0, maxDuration))
            if policy.from == nil {
                start = switch policy.trim {
                case .start: 0
                case .center: (duration - length) / 2
                case .end: duration - length
                }
            }
        }
        if let minDuration = r.minDuration, length < minDuration {
            throw .impossible([String(format: "the kept part would be %.2f s, under the %g s minimum", length, minDuration)])
        }
        guard start > 0.0005 || length < duration - 0.0005 else { return nil }
        return TrimPlan(start: start, duration: length, streamCopy: false)
    }

    /// A cut on a keyframe copies streams; otherwise it stays an exact re-encoded cut.
    func decideKeyframeCut(_ cut: TrimPlan) -> TrimPlan {
        var t = cut
        if t.start < 0.0005 { t.streamCopy = true; return t }
        // The locator counts from the container's start; the plan from the kept streams' (`origin`).
        let offset = presented.origin - (info.container.startTime ?? 0)
        let window = (max(0, t.start - policy.keyframeTolerance) + offset)...(t.start + policy.keyframeTolerance + offset)
        if let kf = keyframes(window).map({ $0 - offset }).min(by: { abs($0 - t.start) < abs($1 - t.start) }),
           abs(kf - t.start) <= policy.keyframeTolerance, kf + t.duration <= (presented.duration ?? .infinity) + 0.0005 {
            t.start = kf
            t.streamCopy = true
        }
        return t
    }

    /// A constant rate within the limits; a variable-rate clip is made constant at its base rate
    /// (FFmpeg's r_frame_rate, the rate its fastest stretch runs at): its average would drop frames.
    func decideFrameRate() -> Ratio? {
        guard let fps = sourceFPS else { return nil }
        let variable = v.variableFrameRate == true && (r.minFPS != nil || r.maxFPS != nil)
        let base = variable ? (v.realFrameRate?.value ?? fps) : fps
        var target = base
        if let lo = r.minFPS, base < lo - 0.01 { target = lo }
        if let hi = r.maxFPS, base > hi + 0.01 { target = hi }
        return abs(target - fps) > 0.01 || variable ? Self.ratio(for: target) : nil
    }

    /// The formats the output may take: the model's (those preflight writes), else the source's own
    /// when preflight writes it, else the writable ones.
    func candidateFormats() throws(FixError) -> [String] {
        let named = policy.outputFormat.flatMap { MediaFormatName.synonyms($0).first(where: OutputCodecs.containers.contains) }
        let formats = try modelFormats()
        guard let named, formats.contains(named) else { return formats }
        return [named] + formats.filter { $0 != named }
    }

    private func modelFormats() throws(FixError) -> [String] {
        if let accepted = r.formats.map({ $0.flatMap(MediaFormatName.synonyms) }) {
            let writable = ([currentFormat] + OutputCodecs.containers).filter { accepted.contains($0) && OutputCodecs.containers.contains($0) }
            guard !writable.isEmpty else {
                throw .impossible(["the model takes only " + accepted.map { "." + $0 }.joined(separator: ", ") + " files, which preflight cannot write (it writes .mp4, .mov, .webm and .mkv)"])
            }
            return writable.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        }
        return OutputCodecs.containers.contains(currentFormat) ? [currentFormat] + OutputCodecs.containers.filter { $0 != currentFormat } : OutputCodecs.containers
    }

    /// The first container that takes the streams as they are (codecs allowed and carried), if any.
    func decideCopyFormat() -> String? {
        guard let formats = try? candidateFormats(), let codec = v.codec else { return nil }
        guard r.videoCodecs.map({ $0.contains(codec) }) ?? true else { return nil }
        let audio = presented.audio?.codec
        return formats.first { MediaFormatName.canCarry($0, videoCodec: codec, audioCodec: audio) }
    }

    /// Whether the sound as it is can stay (copied), whatever happens to the picture.
    func decideAudioMustChange() -> Bool {
        guard let a = presented.audio else { return false }
        return !(r.audioCodecs.map { $0.contains(a.codec ?? "") } ?? true)
    }

    /// Container and encoders for a re-encode: the first container that has a video encoder the
    /// model takes and, when there is sound to keep, an audio encoder too. A combination no encoder
    /// here can make is refused with the reason, before anything is written.
    func decideEncoders() throws(FixError) -> (String, OutputCodecs.Choice, SoundChoice) {
        let formats = try candidateFormats()
        let source = presented.audio
        for format in formats {
            for video in OutputCodecs.videoChoices(format: format, allowed: r.videoCodecs) {
                guard let a = source else { return (format, video, .none) }
                let encoders = OutputCodecs.audioChoices(format: format, video: video.codec, allowed: r.audioCodecs)
                if !decideAudioMustChange(), MediaFormatName.canCarry(format, videoCodec: video.codec, audioCodec: a.codec) {
                    // The sound fits as it is: copied, or re-encoded to the same codec for an exact cut.
                    return (format, video, encoders.first { $0.codec == a.codec }.map(SoundChoice.encode) ?? .copy)
                }
                if let encoder = encoders.first { return (format, video, .encode(encoder)) }
            }
        }
        let videoText = r.videoCodecs.map { "video as " + $0.joined(separator: "/") } ?? "video"
        let audioText = source != nil ? (r.audioCodecs.map { " with audio as " + $0.joined(separator: "/") } ?? " with its sound") : ""
        throw .impossible(["no encoder here makes \(videoText)\(audioText) in " + formats.map { "." + $0 }.joined(separator: " or ")
                           + " (preflight encodes H.264 or VP9 video, and AAC, MP3, Opus or PCM audio)"])
    }

    enum SoundChoice {
        case none, copy
        case encode(OutputCodecs.Choice)
    }

    /// Sound that keeps its codec in a stream copy: copied, or dropped when the model forbids it (or
    /// the track holds no sound in the presented media).
    func decideCopiedAudio() -> AudioPlan {
        guard info.primaryAudio != nil else { return .none }
        return presented.audio == nil ? .drop : .copy
    }

    /// Sound in a re-encode: dropped, copied when its codec is allowed and no cut needs it
    /// re-encoded, else encoded with the chosen encoder.
    func decideEncodedAudio(_ choice: SoundChoice, trimmed: Bool) -> AudioPlan {
        guard info.primaryAudio != nil else { return .none }
        guard let a = presented.audio else { return .drop }
        switch choice {
        case .none: return .drop
        case .copy: return .copy
        case .encode(let encoder):
            if encoder.codec == a.codec && !trimmed && !decideAudioMustChange() { return .copy }
            return .reencode(codec: encoder.encoder, sampleRate: OutputCodecs.sampleRate(for: encoder.encoder, source: a.sampleRate),
                             channels: min(max(a.channels ?? 2, 1), 2), bitRate: encoder.encoder == "pcm_s16le" ? 0 : 160_000)
        }
    }

    /// Bit rate for a re-encode when the source is near or over the size limit: the sound gets a
    /// tenth (32-160 kb/s), the picture the rest, 8 % under the limit.
    func decideBitRate(trim: TrimPlan?, audio: inout AudioPlan) throws(FixError) -> Int64? {
        guard let limit = sizeLimit, let seconds = trim?.duration ?? presented.duration, seconds > 0 else { return nil }
        let projected = Double(info.fileSize) * seconds / max(info.duration ?? seconds, seconds)
        guard projected > 0.9 * Double(limit.bytes) else { return nil }
        let total = Double(limit.bytes) * 0.92 * 8 / seconds
        var audioRate = 0.0
        switch audio {
        case .reencode(let codec, let rate, let channels, let bits):
            if codec == "pcm_s16le" {
                audioRate = Double(rate * channels * 16)
            } else {
                let share = Int64(min(160_000, max(32_000, total * 0.1)))
                audio = .reencode(codec: codec, sampleRate: rate, channels: channels, bitRate: bits == 0 ? 0 : share)
                audioRate = Double(share)
            }
        case .copy:
            audioRate = Double(info.primaryAudio?.bitRate ?? 192_000)
        default:
            break
        }
        let video = total - audioRate
        guard video >= 20_000, video.isFinite else {
            throw .impossible(["\(limit) for \(String(format: "%.1f", seconds)) s leaves no room for the picture (\(Int(max(0, min(total, 1e12)) / 1000)) kb/s in all)"])
        }
        return Int64(video)
    }

    /// An HDR source being re-encoded is tone-mapped to 8-bit SDR: the policy's curve, or (when the
    /// policy keeps HDR but something else forces a re-encode) the default one, since the encoders
    /// here write 8-bit SDR and HDR written as such looks washed out. One that is only copied keeps its HDR.
    func decideColour() -> ToneMapPlan? {
        guard let hdr = v.hdr else { return nil }
        return ToneMapPlan(transfer: hdr, curve: policy.toneMap ?? MediaPolicy().toneMap ?? .hable)
    }

    /// An interlaced source becomes progressive in a re-encode, so it is deinterlaced first.
    func decideDeinterlace() -> DeinterlaceMode? {
        guard v.interlaced == true, policy.deinterlace != .off else { return nil }
        return policy.deinterlace
    }

    // MARK: - Description

    private func describeCopy(format: String, trim: TrimPlan?, audio: AudioPlan, rewrite: Bool) -> FixPlan {
        var steps = presentedSteps(), notes: [String] = []
        let action: FixPlan.Action
        if let t = trim {
            action = .trimCopy
            steps.append(String(format: "cut %.3f s from the keyframe at %.3f s (streams copied, no re-encode)", t.duration, t.start))
            if let m = marginText(trim: t) { steps.append(m) }
            if format != currentFormat { steps.append("write it as .\(format)") }
        } else if format != currentFormat || audio == .drop || rewrite {
            action = .rewrap
            steps.append("re-wrap the streams into .\(format) (no re-encode)")
        } else {
            action = .none
        }
        if audio == .drop { steps.append(dropAudioText) }
        if action != .none { steps += leftOutSteps() } else { notes += keptTracksNotes() }
        if v.rotation != 0 {
            notes.append(policy.upright == .flag ? "the \(v.rotation)° display flag is kept (--keep-rotation)" : "the \(v.rotation)° display flag is kept: no re-encode was needed")
        }
        if let hdr = v.hdr { notes.append("the \(hdr.rawValue.uppercased()) HDR video is kept as it is (--tonemap off)") }
        if v.interlaced == true { notes.append("the interlaced video is kept as it is (--deinterlace off)") }
        var plan = FixPlan(source: info.path, action: action, format: format, trim: trim, video: nil, audio: audio, image: nil, steps: steps, notes: notes)
        plan.duration = trim?.duration ?? presented.duration
        return plan
    }

    /// Why the sound goes.
    private var dropAudioText: String {
        r.audio == .forbidden ? "drop the audio (the model takes no sound)" : "drop the audio track (it holds no sound)"
    }

    /// What a cut-short file keeps, first of all the steps.
    private func presentedSteps() -> [String] {
        guard let cut = presented.cutShort else { return [] }
        let kept = presented.duration.map { String(format: "the %.3f s", $0) } ?? "what is"
        return ["keep \(kept) up to the last whole frame: the file is cut short (\(cut.lossText))"]
    }

    /// The tracks a written file leaves out.
    private func leftOutSteps() -> [String] {
        let out = presented.leftOut
        guard !out.isEmpty else { return [] }
        return ["leave out " + out.joined(separator: ", ") + " (a model takes one picture and one sound)"]
    }

    /// The same tracks, kept when nothing is written.
    private func keptTracksNotes() -> [String] {
        let out = presented.leftOut
        guard !out.isEmpty else { return [] }
        return ["kept as they are (nothing else needed changing): " + out.joined(separator: ", ")]
    }

    private func describeReencode(format: String, trim: TrimPlan?, geometry: Geometry, video: VideoPlan, videoCodec: OutputCodecs.Choice,
                                  notes given: [String], audio: AudioPlan, audioLabel: String) -> FixPlan {
        var steps = presentedSteps(), notes = given
        let anamorphic = v.displayWidth != (v.rotation == 90 || v.rotation == 270 ? v.height : v.width)
        let odd = display.width % 2 != 0 || display.height % 2 != 0
        if let t = trim {
            steps.append(String(format: "cut %.3f s from %.3f s (exact, re-encoded)", t.duration, t.start))
            if let m = marginText(trim: t) { steps.append(m) }
        }
        if let d = video.deinterlace {
            steps.append(d == .field ? "deinterlace (bwdif, one frame per field: double rate)" : "deinterlace (bwdif, keeping the frame rate)")
        }
        if let tm = video.toneMap {
            steps.append("tone-map \(tm.transfer.rawValue.uppercased()) BT.2020 to SDR BT.709 8-bit (zscale + tonemap \(tm.curve.rawValue))")
            if policy.toneMap == nil { notes.append("--tonemap off keeps HDR only when nothing else needs a re-encode: the encoders here write 8-bit SDR") }
        }
        if video.rotation != 0 { steps.append("turn the pixels \(v.rotation)° clockwise instead of relying on the display flag (models often ignore it)") }
        if geometry.sourceCrop != Rect(x: 0, y: 0, width: display.width, height: display.height) {
            steps.append("crop the displayed picture to \(geometry.sourceCrop.width)x\(geometry.sourceCrop.height) (the middle)")
        }
        if geometry.canvas != display || anamorphic || odd {
            let how = geometry.content.width != geometry.canvas.width || geometry.content.height != geometry.canvas.height
                ? "scale to \(geometry.content.width)x\(geometry.content.height) and pad to \(geometry.canvas)"
                : "scale \(display) to \(geometry.canvas)"
            steps.append(how + (anamorphic ? " with square pixels" : ""))
        }
        if let rate = video.frameRate, video.deinterlace != .field {
            steps.append(String(format: "convert to a constant %@ fps (frames %@)", Self.fpsText(rate), (sourceFPS ?? 0) > rate.value ? "dropped" : "duplicated"))
        }
        let quality = video.bitRate.map { "\($0 / 1000) kb/s to fit \(sizeLimit.map(\.description) ?? "the size limit") with 8 % to spare" }
            ?? (videoCodec.encoder == "libx264" ? "CRF \(Int(policy.crf))" : "CRF \(VideoPlan.vp9CRF(policy.crf))")
        steps.append("encode \(videoCodec.label) (\(videoCodec.encoder) \(policy.preset), \(quality))")
        switch audio {
        case .reencode(_, let rate, let ch, _):
            steps.append("encode the audio as \(audioLabel) \(rate) Hz \(ch == 1 ? "mono" : "stereo")")
        case .copy: steps.append("copy the audio")
        case .drop: steps.append(dropAudioText)
        case .none: break
        }
        if format != currentFormat { steps.append("write it as .\(format)") }
        steps += leftOutSteps()
        if v.interlaced == true && video.deinterlace == nil { notes.append("the source is interlaced; --deinterlace off keeps the combing") }
        if (v.bitDepth ?? 8) > 8 { notes.append("\(v.bitDepth ?? 10)-bit source encoded as 8-bit") }
        var plan = FixPlan(source: info.path, action: .reencode, format: format, trim: trim, video: video, audio: audio, image: nil, steps: steps, notes: notes)
        plan.duration = trim?.duration ?? presented.duration
        return plan
    }

    private func marginText(trim: TrimPlan) -> String? {
        guard let limit = lengthLimit, policy.from == nil, policy.to == nil, trim.duration < limit - 0.0005 else { return nil }
        return String(format: "aim %.3f s inside the %g s limit (--margin %d frame%@), so another measurement of the length still passes",
                      limit - trim.duration, limit, policy.marginFrames, policy.marginFrames == 1 ? "" : "s")
    }

    static func ratio(for fps: Double) -> Ratio {
        if abs(fps - fps.rounded()) < 0.001 { return Ratio(num: Int(clampingRounded: fps), den: 1) }
        for base in [24, 30, 60] where abs(fps - Double(base) * 1000 / 1001) < 0.01 { return Ratio(num: base * 1000, den: 1001) }
        return Ratio(num: Int(clampingRounded: fps * 1000), den: 1000)
    }

    static func fpsText(_ r: Ratio) -> String { r.den == 1 ? "\(r.num)" : String(format: "%.3f", r.value) }
}
