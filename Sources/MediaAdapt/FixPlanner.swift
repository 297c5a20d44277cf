import Foundation
import MediaIO
import MediaProbe
import ModelCatalog

/// Computes the cheapest plan that makes a file satisfy every selected model: nothing, a re-wrap, a
/// stream-copy trim, or a re-encode with only the changes the limits call for.
package struct FixPlanner: Sendable {
    package var policy: MediaPolicy

    package init(policy: MediaPolicy = MediaPolicy()) { self.policy = policy }

    /// The plan for the file `report` judged: it is refused when a violation no change can repair
    /// stands (too short, the wrong kind of media, a payload mistake when the payload was judged)
    /// or the models' limits leave nothing in common; otherwise it aims at the limits the file was
    /// judged against (all models' together).
    /// - Parameter keyframes: the source's keyframe presentation times (seconds) within a range, to
    ///   cut without re-encoding; `KeyframeLocator.near(path:)` reads them from the file.
    package func plan(_ report: CheckReport, models: [ModelSpec],
                     keyframes: @escaping (ClosedRange<Double>) -> [Double] = { _ in [] }) throws(FixError) -> FixPlan {
        let info = report.media
        let blockers = report.verdicts.flatMap { $0.violations.filter { !$0.fixable } }
        if !blockers.isEmpty { throw .impossible(blockers.map(\.message)) }
        let judged = report.verdicts.compactMap(\.requirement)
        var r: MediaRequirement
        if let combined = report.combined {
            if !combined.conflicts.isEmpty { throw .conflicting(combined.conflicts) }
            r = combined.intersection ?? MediaRequirement()
        } else {
            r = judged.first ?? MediaRequirement()
        }
        // A frame limit is a duration at this clip's rate: the cut lands there, like any other.
        if let most = r.maxFrames, let v = info.primaryVideo, let fps = (v.averageFrameRate ?? v.realFrameRate)?.value, fps > 0 {
            let seconds = Double(most) / fps
            r.maxDuration = min(r.maxDuration ?? seconds, seconds)
        }

        var plan: FixPlan
        switch info.kind {
        case .video:
            guard let v = info.primaryVideo else { throw .impossible(["no video stream"]) }
            plan = try VideoPlanner(info: info, v: v, r: r, policy: policy, keyframes: keyframes).plan()
        case .image, .animatedImage: plan = try planImage(info, r)
        case .audio: throw .impossible(["fixing audio-only files is not supported yet; convert it with another tool"])
        }
        // Self-contained: the plan carries what it aims at.
        plan.targets = Dictionary(models.map { ($0.id, r) }, uniquingKeysWith: { first, _ in first })
        // A plan whose own output would fail is refused now, for what it is, not after an encode.
        try PlanForecast.check(plan, source: info, models: models)
        return plan
    }

    // MARK: - Images

    private func planImage(_ info: MediaInfo, _ r: MediaRequirement) throws(FixError) -> FixPlan {
        guard let v = info.primaryVideo else { throw .impossible(["no picture"]) }
        let display = PictureSize(v.displayWidth, v.displayHeight)
        let current = MediaFormatName.of(info)
        let alpha = v.hasAlpha == true
        let accepted = r.formats.map { $0.flatMap(MediaFormatName.synonyms) }
        let writable = ["jpg", "png", "webp"]
        // The format the user named with -o, when the model takes it.
        let named = policy.outputFormat.flatMap { MediaFormatName.synonyms($0).first(where: writable.contains) }
            .flatMap { accepted == nil || accepted!.contains($0) ? $0 : nil }
        let format: String
        if let named {
            format = named
        } else if let accepted, !accepted.contains(current) {
            let preferred = alpha ? ["png", "webp", "jpg"] : ["jpg", "png", "webp"]
            guard let choice = preferred.first(where: accepted.contains) else {
                throw .impossible(["the model takes only " + accepted.map { "." + $0 }.joined(separator: ", ") + " pictures, which preflight cannot write (it writes .jpg, .png and .webp)"])
            }
            format = choice
        } else {
            format = writable.contains(current) ? current : "png"
        }
        let geometry = try Geometry.plan(display, r, fit: policy.fit, even: false)
        let sizeLimit = r.maxFileSize ?? r.maxTotalFileSize
        let tooBig = sizeLimit.map { info.fileSize > $0.bytes } ?? false
        let turned = v.rotation != 0 && policy.upright == .pixels
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
        if let limit = sizeLimit { steps.append("lower the quality, then the size, until it fits \(limit)") }
        var notes: [String] = []
        if info.kind == .animatedImage { notes.append("only the first frame is kept") }
        if alpha && format == "jpg" { notes.append("JPEG has no transparency: transparent areas become black") }
        return FixPlan(source: info.path, action: .image, format: format, trim: nil, video: nil, audio: .none,
                       image: ImagePlan(width: geometry.canvas.width, height: geometry.canvas.height, content: geometry.content,
                                        sourceCrop: geometry.sourceCrop, codec: codec, pixelFormat: pixfmt, quality: quality,
                                        maxBytes: sizeLimit?.bytes,
                                        minWidth: [r.minWidth, r.minShortSide].compactMap { $0 }.max(),
                                        minHeight: [r.minHeight, r.minShortSide].compactMap { $0 }.max()),
                       steps: steps, notes: notes)
    }
}
