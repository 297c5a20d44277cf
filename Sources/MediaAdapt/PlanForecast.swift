import Foundation
import MediaProbe
import ModelCatalog

/// The output a plan will write, as the probe would describe it (picture size, frame rate, length,
/// sound), judged by the checker before anything is written: limits that leave no output passing
/// (a resolution under a minimum width, a frame-rate window that is empty) are refused as such,
/// not found by verification after an encode. Only what the plan decides is forecast; what only
/// the written file can say (its bytes, its codecs' exact names) is left to verification.
enum PlanForecast {
    /// The rules a plan's numbers decide.
    static let decided: Set<LimitKey> = [
        .mediaKind, .minWidth, .maxWidth, .minHeight, .maxHeight, .minShortSide, .maxLongSide, .minPixels, .maxPixels,
        .minAspectRatio, .maxAspectRatio, .aspectRatios, .resolutions, .minFPS, .maxFPS, .maxDuration, .maxTotalDuration, .audio,
        // Frames: counted in the source, or (a new rate or length) the new length times the new rate.
        .minFrames, .maxFrames,
    ]

    /// Throws when the forecast output fails any model on a rule the plan decides.
    static func check(_ plan: FixPlan, source: MediaInfo, models: [ModelSpec]) throws(FixError) {
        guard plan.action != .none else { return }
        let output = forecast(plan, source: source)
        let report = Checker(checksPayload: false).check(output, models: models, targets: plan.targets)
        let failing = report.verdicts.flatMap(\.violations).filter { v in
            guard v.severity == .error, case .limit(let key) = v.rule else { return false }
            return decided.contains(key)
        }
        guard !failing.isEmpty else { return }
        throw .impossible(["no output meets every limit at once: the planned one (\(describe(output))) would still fail: "
                           + failing.map(\.message).joined(separator: "; ")])
    }

    static func forecast(_ plan: FixPlan, source: MediaInfo) -> MediaInfo {
        var out = source
        out.path = "output." + plan.format
        out.truncation = nil
        out.decodeHealth = nil
        out.subtitles = []
        out.data = []
        out.attachedPictures = []
        if var v = source.primaryVideo {
            let size: (Int, Int)? = plan.video.map { ($0.width, $0.height) } ?? plan.image.map { ($0.width, $0.height) }
            if let (w, h) = size {
                (v.width, v.height, v.displayWidth, v.displayHeight) = (w, h, w, h)
                v.rotation = 0
                v.sampleAspectRatio = Ratio(num: 1, den: 1)
                v.displayAspectRatio = nil
            }
            if let rate = plan.video?.frameRate {
                (v.averageFrameRate, v.realFrameRate, v.variableFrameRate) = (rate, rate, false)
            }
            if let d = plan.duration { v.duration = d }
            // A new rate or length makes a new number of frames: the source's count no longer
            // holds (75 frames at 30 fps are 31 at 15), so the checker estimates it from the two.
            if plan.video?.frameRate != nil || plan.duration != nil { v.frameCount = nil }
            out.video = [v]
        }
        switch plan.audio {
        case .none, .drop: out.audio = []
        case .copy, .reencode: out.audio = source.primaryAudio.map { [$0] } ?? []
        }
        if let d = plan.duration {
            out.container.duration = d
            out.container.durationExact = true
        }
        return out
    }

    private static func describe(_ info: MediaInfo) -> String {
        var parts: [String] = []
        if let v = info.primaryVideo {
            parts.append("\(v.displayWidth)x\(v.displayHeight)")
            if info.kind == .video, let fps = (v.averageFrameRate ?? v.realFrameRate)?.value { parts.append(String(format: "%g fps", (fps * 1000).rounded() / 1000)) }
        }
        if info.kind == .video, let d = info.duration { parts.append(String(format: "%.2f s", d)) }
        return parts.joined(separator: ", ")
    }
}
