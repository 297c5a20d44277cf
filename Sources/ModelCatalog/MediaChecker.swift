import Foundation
import MediaProbe

/// Checks one probed file against one media field's requirement, in the terms a model uses: the
/// picture as displayed, the duration a player shows, the bytes that will be uploaded.
struct MediaChecker {
    let spec: ModelSpec
    let field: MediaField
    let requirement: MediaRequirement
    let info: MediaInfo
    /// Other files the payload already lists in the same list field: totals over the list can be
    /// checked from this file alone only when it is the only one.
    var listPeers = 0

    private var who: String { spec.name }
    private var noun: String {
        switch info.kind {
        case .video: "clip"
        case .audio: "audio"
        case .image, .animatedImage: "image"
        }
    }

    func check() -> [Violation] {
        var out: [Violation] = []
        guard kindMatches(&out) else { return out }
        checkIntegrity(&out)
        checkFormat(&out)
        checkCodecs(&out)
        checkGeometry(&out)
        checkDuration(&out)
        checkFrameRate(&out)
        checkFrames(&out)
        checkFileSize(&out)
        checkAudio(&out)
        checkAlpha(&out)
        checkNormalization(&out)
        advise(&out)
        return out
    }

    private func violation(_ key: LimitKey, actual: String, required: String, message: String,
                           repair: RepairKind?, remedy: String, severity: Severity? = nil) -> Violation {
        let advisory = requirement.isAdvisory(key)
        var said = advisory ? field.advice[key].map { message + " (advisory: \($0))" } ?? message : message
        let source = spec.source(of: key, in: field)
        // A limit no one published, only a rejection taught: say so where the verdict is read.
        if let day = source.learnedOn { said += " (learned from a rejection on \(day))" }
        return Violation(rule: .limit(key), severity: severity ?? (advisory ? .warning : .error),
                  field: field.name, actual: actual, required: required, message: said,
                  repair: repair, remedy: remedy, source: source)
    }

    private func warning(_ advice: Violation.Rule.Advice, _ message: String, repair: RepairKind? = nil, remedy: String = "") -> Violation {
        Violation(rule: .advice(advice), severity: .warning, field: field.name, actual: "", required: "", message: message,
                  repair: repair, remedy: remedy, source: nil)
    }

    // MARK: - Kind and format

    private func kindMatches(_ out: inout [Violation]) -> Bool {
        let wanted = field.kind.element
        let have: MediaFieldKind? = switch info.kind {
        case .video: .video
        case .audio: .audio
        case .image, .animatedImage: .image
        }
        if wanted == have { return true }
        // A video field can take the audio of... no: a model reads what it is given. Say so plainly.
        out.append(violation(.mediaKind, actual: info.kind.rawValue, required: wanted.rawValue,
                             message: "\(who) takes \(article(wanted.rawValue)) in '\(field.name)'; this file is \(article(info.kind.rawValue.replacingOccurrences(of: "_", with: " ")))",
                             repair: nil, remedy: "cannot be fixed: send \(article(wanted.rawValue)) file instead", severity: .error))
        return false
    }

    /// The format the file really is, named as model docs name formats.
    var actualFormat: String { MediaFormatName.of(info) }

    private func checkFormat(_ out: inout [Violation]) {
        guard let formats = requirement.formats, !formats.isEmpty else { return }
        let accepted = Set(formats.flatMap(MediaFormatName.synonyms))
        let ext = (info.path as NSString).pathExtension.lowercased()
        let actual = actualFormat
        if accepted.contains(actual) && (ext.isEmpty || accepted.contains(ext)) { return }
        let list = formats.map { "." + $0 }.joined(separator: ", ")
        let target = formats[0]
        let (repair, remedy) = formatRepair(to: target)
        let shown = ext == actual || ext.isEmpty ? ".\(actual)" : ".\(ext) (really \(actual))"
        out.append(violation(.formats, actual: shown, required: list,
                             message: "\(who) accepts \(list) files; this is \(shown)",
                             repair: repair, remedy: remedy))
    }

    private func formatRepair(to target: String) -> (RepairKind, String) {
        if info.kind == .image || info.kind == .animatedImage { return (.convertImage, "convert to \(target.uppercased())") }
        let codec = info.primaryVideo?.codec ?? ""
        let audio = info.primaryAudio?.codec
        if MediaFormatName.canCarry(target, videoCodec: codec, audioCodec: audio) {
            return (.rewrap, "re-wrap into .\(target) (streams copied, no re-encode)")
        }
        return (.reencode, "re-encode to H.264/AAC .\(target)")
    }

    private func checkCodecs(_ out: inout [Violation]) {
        if let allowed = requirement.videoCodecs, let v = info.primaryVideo, let codec = v.codec, !allowed.contains(codec) {
            out.append(violation(.videoCodecs, actual: codec, required: allowed.joined(separator: ", "),
                                 message: "\(who) accepts \(allowed.joined(separator: "/")) video; this \(noun) is \(codec)",
                                 repair: .reencode, remedy: "re-encode to \(allowed.contains("h264") ? "H.264" : allowed[0])"))
        }
        if let allowed = requirement.audioCodecs, let a = info.primaryAudio, let codec = a.codec, !allowed.contains(codec) {
            out.append(violation(.audioCodecs, actual: codec, required: allowed.joined(separator: ", "),
                                 message: "\(who) accepts \(allowed.joined(separator: "/")) audio; this \(noun) has \(codec)",
                                 repair: .reencode, remedy: "re-encode the audio to \(allowed.contains("aac") ? "AAC" : allowed[0])"))
        }
    }

    // MARK: - Picture size and shape

    private func checkGeometry(_ out: inout [Violation]) {
        guard let v = info.primaryVideo else { return }
        let size = PictureSize(v.displayWidth, v.displayHeight)
        let r = requirement
        let shape = "\(size)" + (v.rotation != 0 || v.displayWidth != v.width ? " as displayed (stored \(v.width)x\(v.height))" : "")
        let fitting = SizeTarget.target(for: size, r, even: info.kind == .video)
        func sizeRemedy(_ grow: Bool) -> (RepairKind, String) {
            if let t = fitting { return (.scale, "scale \(grow ? "up" : "down") to \(t)") }
            return (.padOrCrop, "change the aspect (pad or crop) and scale: no size with this picture's shape fits every limit")
        }
        var saidEachSide: Set<Bool> = []
        func sideRule(_ key: LimitKey, _ limit: Int?, _ value: Int, atLeast: Bool, what: String) {
            guard let limit, atLeast ? value < limit : value > limit else { return }
            let both = atLeast ? (r.minWidth == r.minHeight && r.minWidth != nil) : (r.maxWidth == r.maxHeight && r.maxWidth != nil)
            let eachSide = both && [.minWidth, .minHeight, .maxWidth, .maxHeight].contains(key)
            // "at least 720 px on each side" once, even when both sides miss it.
            if eachSide && !saidEachSide.insert(atLeast).inserted { return }
            let phrase = eachSide ? "on each side" : what
            let (repair, remedy) = sizeRemedy(atLeast)
            out.append(violation(key, actual: "\(value) px", required: "\(atLeast ? ">=" : "<=") \(limit) px",
                                 message: "\(who) needs \(atLeast ? "at least" : "at most") \(limit) px \(phrase); this \(noun) is \(shape)",
                                 repair: repair, remedy: remedy))
        }
        sideRule(.minWidth, r.minWidth, size.width, atLeast: true, what: "wide")
        sideRule(.minHeight, r.minHeight, size.height, atLeast: true, what: "high")
        sideRule(.maxWidth, r.maxWidth, size.width, atLeast: false, what: "wide")
        sideRule(.maxHeight, r.maxHeight, size.height, atLeast: false, what: "high")
        sideRule(.minShortSide, r.minShortSide, size.shortSide, atLeast: true, what: "on the short side")
        sideRule(.maxLongSide, r.maxLongSide, size.longSide, atLeast: false, what: "on the long side")
        if let p = r.minPixels, size.pixels < p {
            let (repair, remedy) = sizeRemedy(true)
            out.append(violation(.minPixels, actual: "\(size.pixels) px", required: ">= \(p) px",
                                 message: "\(who) needs at least \(p) pixels in all; this \(noun) is \(shape) (\(size.pixels))",
                                 repair: repair, remedy: remedy))
        }
        if let p = r.maxPixels, size.pixels > p {
            let (repair, remedy) = sizeRemedy(false)
            out.append(violation(.maxPixels, actual: "\(size.pixels) px", required: "<= \(p) px",
                                 message: "\(who) takes at most \(p) pixels in all; this \(noun) is \(shape) (\(size.pixels))",
                                 repair: repair, remedy: remedy))
        }

        let aspect = size.aspect
        let aspectText = String(format: "%.2f", aspect)
        if let lo = r.minAspectRatio, aspect < lo - 0.005 {
            out.append(violation(.minAspectRatio, actual: aspectText, required: String(format: ">= %.2f", lo),
                                 message: "\(who) needs a width/height ratio of at least \(String(format: "%.2f", lo)); this \(noun) is \(shape) (\(aspectText))",
                                 repair: .padOrCrop, remedy: "pad or crop to \(String(format: "%.2f", lo)):1"))
        }
        if let hi = r.maxAspectRatio, aspect > hi + 0.005 {
            out.append(violation(.maxAspectRatio, actual: aspectText, required: String(format: "<= %.2f", hi),
                                 message: "\(who) needs a width/height ratio of at most \(String(format: "%.2f", hi)); this \(noun) is \(shape) (\(aspectText))",
                                 repair: .padOrCrop, remedy: "pad or crop to \(String(format: "%.2f", hi)):1"))
        }
        if let allowed = r.aspectRatios, !allowed.isEmpty {
            let ok = allowed.contains { SizeTarget.parseRatio($0).map { abs($0 - aspect) / $0 <= 0.01 } ?? false }
            if !ok {
                let nearest = allowed.min { abs((SizeTarget.parseRatio($0) ?? 0) - aspect) < abs((SizeTarget.parseRatio($1) ?? 0) - aspect) } ?? allowed[0]
                let crops = r.isAdvisory(.aspectRatios) ? " (the model crops other shapes: you may lose the edges)" : ""
                out.append(violation(.aspectRatios, actual: aspectText, required: allowed.joined(separator: " or "),
                                     message: "\(who) takes \(allowed.joined(separator: " or ")) pictures; this \(noun) is \(shape)\(crops)",
                                     repair: .padOrCrop, remedy: "pad or crop to \(nearest)"))
            }
        }
        if let allowed = r.resolutions, !allowed.isEmpty, !allowed.contains(where: { SizeTarget.matches(size, resolution: $0) }) {
            let target = allowed.compactMap(SizeTarget.parseResolution).min { abs($0.shortSide - size.shortSide) < abs($1.shortSide - size.shortSide) }
            let oriented = target.map { size.width >= size.height ? $0 : PictureSize($0.height, $0.width) }
            let sameShape = oriented.map { abs($0.aspect - aspect) / aspect <= 0.01 } ?? false
            out.append(violation(.resolutions, actual: "\(size)", required: allowed.joined(separator: " or "),
                                 message: "\(who) takes only \(allowed.joined(separator: " or ")) input; this \(noun) is \(shape)",
                                 repair: sameShape ? .scale : .padOrCrop,
                                 remedy: oriented.map { sameShape ? "scale to \($0)" : "scale and pad or crop to \($0)" } ?? "scale"))
        }
    }

    // MARK: - Time

    private func checkDuration(_ out: inout [Violation]) {
        guard info.kind == .video || info.kind == .audio else { return }
        let r = requirement
        guard r.minDuration != nil || r.maxDuration != nil || r.maxTotalDuration != nil || r.minTotalDuration != nil else { return }
        // The length of what a player shows and a plan keeps (a motion photo's longer second track
        // does not count), so check and fix read one length.
        guard let d = info.presentedDuration(keepsAudio: r.audio != .forbidden) else {
            out.append(warning(.durationUnknown, "the duration is unknown, so \(who)'s duration limits cannot be checked; probe with --accurate"))
            return
        }
        let shown = String(format: "%.2f s", d)
        if let lo = r.minDuration, d < lo {
            out.append(violation(.minDuration, actual: shown, required: ">= \(seconds(lo))",
                                 message: "\(who) needs at least \(seconds(lo)) of \(noun == "audio" ? "audio" : "video"); this \(noun) is \(shown)",
                                 repair: nil, remedy: "cannot be fixed: too short to lengthen; use a longer take"))
        }
        if r.minDuration == nil, listPeers == 0, let lo = r.minTotalDuration, d < lo {
            out.append(violation(.minTotalDuration, actual: shown, required: ">= \(seconds(lo)) in all",
                                 message: "\(who) needs at least \(seconds(lo)) of \(noun == "audio" ? "audio" : "video") in '\(field.name)' in all; this \(noun), the only one, is \(shown)",
                                 repair: nil, remedy: "cannot be fixed: use a longer take, or add more files to '\(field.name)'"))
        }
        if let hi = r.maxDuration ?? r.maxTotalDuration, d > hi {
            let key: LimitKey = r.maxDuration != nil ? .maxDuration : .maxTotalDuration
            out.append(violation(key, actual: shown, required: "<= \(seconds(hi))",
                                 message: "\(who) takes at most \(seconds(hi)); this \(noun) is \(shown)",
                                 repair: .trim, remedy: "trim to \(seconds(hi)) (--trim start|center|end chooses the part kept)"))
        }
        if info.container.durationExact == false, let limit = [r.minDuration, r.maxDuration].compactMap({ $0 }).min(by: { abs($0 - d) < abs($1 - d) }),
           abs(limit - d) / limit < 0.05 {
            out.append(warning(.durationEstimated, "the duration \(shown) is an estimate and close to \(who)'s limit of \(seconds(limit)); probe with --accurate"))
        }
    }

    private func checkFrameRate(_ out: inout [Violation]) {
        guard info.kind == .video, let v = info.primaryVideo, let fps = (v.averageFrameRate ?? v.realFrameRate)?.value, fps > 0 else { return }
        let shown = String(format: "%.3g fps", fps)
        if let lo = requirement.minFPS, fps < lo - 0.01 {
            out.append(violation(.minFPS, actual: shown, required: ">= \(rate(lo))",
                                 message: "\(who) needs at least \(rate(lo)) frames per second; this clip is \(shown)",
                                 repair: .changeFrameRate, remedy: "convert to \(rate(lo)) (frames duplicated)"))
        }
        if let hi = requirement.maxFPS, fps > hi + 0.01 {
            out.append(violation(.maxFPS, actual: shown, required: "<= \(rate(hi))",
                                 message: "\(who) takes at most \(rate(hi)) frames per second; this clip is \(shown)",
                                 repair: .changeFrameRate, remedy: "convert to \(rate(hi)) (frames dropped)"))
        }
        if v.variableFrameRate == true, requirement.minFPS != nil || requirement.maxFPS != nil {
            out.append(warning(.variableFrameRate, "the frame rate varies (average \(shown)); \(who) sets frame-rate limits, so a constant rate is safer",
                               repair: .changeFrameRate, remedy: "convert to a constant rate"))
        }
    }

    private func checkFrames(_ out: inout [Violation]) {
        guard info.kind == .video, requirement.minFrames != nil || requirement.maxFrames != nil, let v = info.primaryVideo else { return }
        let fps = (v.averageFrameRate ?? v.realFrameRate)?.value
        // Counted frames when the probe has them, else the duration times the rate (an estimate).
        let counted = v.frameCount.flatMap { $0 > 0 ? Int(exactly: $0) : nil }
        let estimated = (info.duration ?? v.duration).flatMap { d in fps.flatMap { f in (d * f).isFinite ? Int(exactly: (d * f).rounded()) : nil } }
        guard let frames = counted ?? estimated else {
            out.append(warning(.framesUnknown, "the frame count is unknown, so \(who)'s frame limits cannot be checked; probe with --accurate"))
            return
        }
        let shown = "\(frames) frames" + (counted == nil ? " (estimated)" : "")
        if let lo = requirement.minFrames, frames < lo {
            out.append(violation(.minFrames, actual: shown, required: ">= \(lo)",
                                 message: "\(who) needs at least \(lo) frames; this clip has \(shown)",
                                 repair: nil, remedy: "cannot be fixed: too short to lengthen; use a longer take"))
        }
        if let hi = requirement.maxFrames, frames > hi {
            let seconds = fps.flatMap { $0 > 0 ? Double(hi) / $0 : nil }
            out.append(violation(.maxFrames, actual: shown, required: "<= \(hi)",
                                 message: "\(who) takes at most \(hi) frames; this clip has \(shown)",
                                 repair: seconds == nil ? nil : .trim,
                                 remedy: seconds.map { "trim to \(hi) frames (\(self.seconds($0)); --trim start|center|end chooses the part kept)" }
                                     ?? "cannot be fixed: the frame rate is unknown"))
        }
    }

    /// What fal reshapes instead of refusing (x-fal `normalization`): worth a warning, since fal
    /// trims or rescales where it chooses. A normalization the requirement already carries as an
    /// advisory limit was reported above.
    private func checkNormalization(_ out: inout [Violation]) {
        guard let n = field.normalization, !n.keys.isEmpty else { return }
        var reshaped = n
        reshaped.advisory = n.keys
        var plain = field
        plain.normalization = nil
        plain.advice = Dictionary(uniqueKeysWithValues: n.keys.compactMap { k in Normalization.advice(k, in: n).map { (k, $0) } })
        let said = Set(out.map(\.rule))
        let found = MediaChecker(spec: spec, field: plain, requirement: reshaped, info: info, listPeers: listPeers).check()
        out += found.compactMap { v in
            guard case .limit(let key) = v.rule, n.isSet(key), !said.contains(v.rule),
                  !(requirement.isAdvisory(key) && requirement.value(key) == n.value(key)) else { return nil }
            var reshaping = v
            reshaping.rule = .advice(.normalization)
            return reshaping
        }
    }

    // MARK: - Bytes and sound

    private func checkFileSize(_ out: inout [Violation]) {
        guard let limit = requirement.maxFileSize ?? requirement.maxTotalFileSize else { return }
        let key: LimitKey = requirement.maxFileSize != nil ? .maxFileSize : .maxTotalFileSize
        let size = ByteCount(info.fileSize)
        if size > limit {
            let remedy = info.kind == .video
                ? "re-encode to a bit rate that fits \(limit)"
                : "re-encode at a lower quality or size until it fits \(limit)"
            out.append(violation(key, actual: "\(size)", required: "<= \(limit)",
                                 message: "\(who) takes files of at most \(limit); this one is \(size)",
                                 repair: info.kind == .audio ? .reencode : .reduceSize, remedy: remedy))
        } else if Double(size.bytes) > 0.95 * Double(limit.bytes) {
            out.append(warning(.nearMaxFileSize, "the file is \(size), within 5 % of \(who)'s \(limit) limit"))
        }
        if let timeout = requirement.downloadTimeout, timeout > 0 {
            let needed = Double(info.fileSize) / timeout / 1_048_576
            if needed > 2 {
                out.append(Violation(rule: .limit(.downloadTimeout), severity: .warning, field: field.name, actual: "", required: "",
                                     message: String(format: "fal must download this file within %.0f s: its host must serve at least %.1f MB/s", timeout, needed),
                                     repair: nil, remedy: "", source: spec.source(of: .downloadTimeout, in: field)))
            }
        }
    }

    private func checkAudio(_ out: inout [Violation]) {
        guard info.kind == .video else { return }
        switch requirement.audio {
        case .required? where info.audio.isEmpty:
            out.append(violation(.audio, actual: "no audio", required: "an audio track",
                                 message: "\(who) needs a clip with sound; this one has none",
                                 repair: nil, remedy: "cannot be fixed: there is no audio to add"))
        case .forbidden? where !info.audio.isEmpty:
            out.append(violation(.audio, actual: "\(info.audio.count) audio track(s)", required: "no audio",
                                 message: "\(who) takes clips without sound; this one has audio",
                                 repair: .dropAudio, remedy: "drop the audio"))
        default:
            break
        }
    }

    private func checkAlpha(_ out: inout [Violation]) {
        guard requirement.alpha == .forbidden, info.kind == .image || info.kind == .animatedImage,
              let format = info.primaryVideo?.pixelFormat, info.primaryVideo?.hasAlpha == true else { return }
        out.append(violation(.alpha, actual: "\(actualFormat.uppercased()) with alpha (\(format))", required: "no transparency",
                             message: "\(who) refuses pictures with transparency; this \(actualFormat.uppercased()) has an alpha channel",
                             repair: .convertImage, remedy: "convert to JPEG (transparent areas become a solid colour)"))
    }

    // MARK: - Whole and decodable

    /// A file cut short or with frames that do not decode fails for every model: a model's decoder
    /// meets the same damage. A cut-short file is converted up to its last whole frame; damage
    /// inside it is not repairable.
    private func checkIntegrity(_ out: inout [Violation]) {
        if let cut = info.truncation {
            out.append(Violation(rule: .advice(.cutShort), severity: .error, field: field.name, actual: "cut short", required: "a whole file",
                                 message: "the file is cut short: \(cut.lossText) (\(cut.evidence))", repair: .trim,
                                 remedy: "convert it up to its last whole frame (fix, prepare and submit do), or copy the file again whole",
                                 source: nil))
        }
        if let health = info.decodeHealth, !health.isUsable {
            let what = health.verdict == .undecodable ? health.problemText : "frames do not decode: " + health.problemText
            out.append(Violation(rule: .advice(.damaged), severity: .error, field: field.name, actual: "damaged", required: "frames that decode",
                                 message: what, repair: nil,
                                 remedy: "cannot be fixed: copy or export the file again (`preflight probe --decode` lists every damaged span)",
                                 source: nil))
        }
    }

    /// Not limits, but things models handle badly that a user should know before paying.
    private func advise(_ out: inout [Violation]) {
        guard let v = info.primaryVideo, info.kind == .video else { return }
        if v.rotation != 0 {
            out.append(warning(.rotation, "the picture is stored \(v.width)x\(v.height) and turned \(v.rotation)° by a display flag; some models ignore the flag and see it sideways",
                               repair: .bakeRotation, remedy: "turn the pixels upright"))
        }
        if v.interlaced == true {
            out.append(warning(.interlaced, "the video is interlaced; models expect progressive frames and may show combing",
                               repair: .reencode, remedy: "deinterlace and re-encode"))
        }
        if let hdr = v.hdr {
            out.append(warning(.hdr, "the video is HDR (\(hdr.rawValue.uppercased())); most models expect SDR and colours may come out washed out",
                               repair: .reencode, remedy: "tone-map to SDR BT.709"))
        }
    }

    private func seconds(_ s: Double) -> String { s == s.rounded() && abs(s) < 1e15 ? "\(Int(s)) s" : String(format: "%g s", s) }
    private func rate(_ r: Double) -> String { r == r.rounded() && abs(r) < 1e15 ? "\(Int(r)) fps" : String(format: "%g fps", r) }
    private func article(_ word: String) -> String { ("aeiou".contains(word.first ?? "x") ? "an " : "a ") + word }
}

/// Formats as model documentation names them (".mp4", ".jpg"), from what a probe found.
package enum MediaFormatName {
    package static func of(_ info: MediaInfo) -> String {
        let ext = (info.path as NSString).pathExtension.lowercased()
        let families = info.container.format.split(separator: ",").map(String.init)
        if info.kind == .image || info.kind == .animatedImage {
            switch info.primaryVideo?.codec ?? "" {
            case "mjpeg": return "jpg"
            case "png", "apng": return "png"
            case "webp": return "webp"
            case "gif": return "gif"
            case "bmp": return "bmp"
            case "tiff": return "tiff"
            default: return ext
            }
        }
        if families.contains("mov") {
            // One demuxer reads MP4 and QuickTime; the name the file carries tells which it was written as.
            return ["mov", "qt"].contains(ext) ? "mov" : (["m4a", "m4v", "3gp", "3g2"].contains(ext) ? ext : "mp4")
        }
        if families.contains("matroska") { return ext == "webm" ? "webm" : "mkv" }
        return families.contains(ext) ? ext : families.first ?? ext
    }

    package static func synonyms(_ format: String) -> [String] {
        switch format.lowercased() {
        case "jpg", "jpeg": ["jpg", "jpeg"]
        case "mov", "qt": ["mov", "qt"]
        case "tif", "tiff": ["tif", "tiff"]
        default: [format.lowercased()]
        }
    }

    /// Whether streams of these codecs can be copied into the container without re-encoding and
    /// still be what a model expects of that container. FFmpeg's muxers would take more (VP9 or Opus
    /// in MP4), but a model asking for .mp4 means H.264-era codecs, so those are re-encoded; MP4 has
    /// no tag at all for ProRes, DV or PCM, which QuickTime carries.
    package static func canCarry(_ container: String, videoCodec: String, audioCodec: String?) -> Bool {
        let mp4Video: Set = ["h264", "hevc", "mpeg4", "av1"]
        let mp4Audio: Set = ["aac", "mp3", "ac3", "eac3", "alac"]
        switch container {
        case "mp4":
            return mp4Video.contains(videoCodec) && (audioCodec.map(mp4Audio.contains) ?? true)
        case "mov":
            let video = mp4Video.union(["prores", "dvvideo", "dnxhd", "png", "qtrle"]).contains(videoCodec)
            let audio = audioCodec.map { mp4Audio.contains($0) || $0.hasPrefix("pcm_") } ?? true
            return video && audio
        case "webm":
            return ["vp8", "vp9", "av1"].contains(videoCodec) && (audioCodec.map { ["opus", "vorbis"].contains($0) } ?? true)
        case "mkv":
            return true
        default:
            return false
        }
    }
}
