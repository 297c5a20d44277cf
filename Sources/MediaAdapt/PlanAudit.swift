import MediaProbe

/// Whether a written file is what its plan promised, beyond passing the models' limits: a source cut
/// short mid-read gives a file that may pass every limit and still be a third of the clip.
///
/// Tolerances: the duration within 0.5 s or 5 % of the plan's (the length of what the plan keeps) (whichever is larger: keyframe cuts,
/// AAC priming and a last frame's length move it a little); the picture exactly the plan's size (a
/// still may be stepped down to meet a file-size limit, never up); a video stream always, and a sound
/// stream exactly when the plan keeps or encodes sound.
enum PlanAudit {
    static let durationSlack = 0.5
    static let durationFraction = 0.05

    /// What differs between `output` and `plan` (empty when it matches).
    static func mismatches(_ output: MediaInfo, plan: FixPlan, source: MediaInfo?) -> [String] {
        var problems: [String] = []
        // The plan's own length: the kept tracks' presented length, after any cut (older plans: the cut, else the source's).
        let expectedDuration: Double? = plan.action == .image ? nil : plan.duration ?? plan.trim?.duration ?? source?.duration
        if let expected = expectedDuration, output.kind == .video || output.kind == .audio {
            if let actual = output.duration {
                if abs(actual - expected) > max(durationSlack, expected * durationFraction) {
                    problems.append(String(format: "the output runs %.2f s but the plan was %.2f s", actual, expected))
                }
            } else {
                problems.append("the output's duration cannot be read")
            }
        }
        switch plan.action {
        case .none:
            break
        case .image:
            if let image = plan.image, let v = output.primaryVideo,
               v.displayWidth > image.width || v.displayHeight > image.height || v.displayWidth < 1 || v.displayHeight < 1 {
                problems.append("the output picture is \(v.displayWidth)x\(v.displayHeight), not the planned \(image.width)x\(image.height)")
            }
        case .reencode, .rewrap, .trimCopy:
            guard let v = output.primaryVideo else {
                problems.append("the output has no video stream")
                break
            }
            let planned: (Int, Int)? = plan.video.map { ($0.width, $0.height) }
                ?? source?.primaryVideo.map { ($0.displayWidth, $0.displayHeight) }
            if let (w, h) = planned, v.displayWidth != w || v.displayHeight != h {
                problems.append("the output picture is \(v.displayWidth)x\(v.displayHeight), not the planned \(w)x\(h)")
            }
            let wantsSound: Bool = switch plan.audio {
            case .copy, .reencode: true
            case .none, .drop: false
            }
            if wantsSound != (output.primaryAudio != nil) {
                problems.append(wantsSound ? "the output has no sound but the plan keeps it" : "the output has sound the plan drops")
            }
        }
        return problems
    }
}
