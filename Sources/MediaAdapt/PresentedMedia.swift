import Foundation
import MediaProbe

/// What a plan keeps of a video file, and how long that runs: the presented media, the part a
/// player (and the ffmpeg CLI) shows, not everything the container holds. A model takes one
/// picture and at most one sound: the default (else first) video track and audio track are kept;
/// further video and audio tracks, subtitles, timecode and data tracks are left out, and said so.
/// The length is that of the kept streams from the file's start: a second video track, a timecode
/// or a subtitle track running longer does not make the output longer, an MP4 edit list's hidden
/// pre-roll was never counted (the probe leaves it out), and a file cut short ends at its last
/// whole frame.
struct PresentedMedia {
    let info: MediaInfo
    let video: VideoStreamInfo
    /// The sound kept, when there is sound and the model takes it.
    let audio: AudioStreamInfo?

    /// - Parameter keepsAudio: false when the model takes no sound.
    init(_ info: MediaInfo, video: VideoStreamInfo, keepsAudio: Bool) {
        self.info = info
        self.video = video
        // A sound track without a single packet in the presented media is no sound to keep.
        self.audio = keepsAudio ? info.primaryAudio.flatMap { $0.frameCount == 0 ? nil : $0 } : nil
    }

    /// Where the output's clock starts, on the file's clock (seconds): the earliest kept stream's
    /// start. A track left out that starts earlier (a dropped sound, a timecode) does not leave an
    /// empty stretch at the output's start; a kept sound that starts earlier keeps the picture's
    /// delay, so the two stay in sync.
    var origin: Double { MediaInfo.presentedOrigin(video: video, audio: audio, container: info.container) }

    /// Seconds from `origin` to the end of the last kept frame (MediaInfo's one rule).
    var duration: Double? { MediaInfo.presentedDuration(video: video, audio: audio, container: info.container) }

    /// The same for a plan being carried out: its sound is kept unless it drops it (or has none).
    init(_ info: MediaInfo, video: VideoStreamInfo, plan: AudioPlan) {
        let keeps: Bool = switch plan {
        case .copy, .reencode: true
        case .none, .drop: false
        }
        self.init(info, video: video, keepsAudio: keeps)
    }

    /// Every stream left out, in words: "the second video track (160x120 hevc, 3.60 s)".
    var leftOut: [String] {
        var parts: [String] = []
        let others = info.video.filter { $0.index != video.index }
        for v in others {
            let length = v.duration.map { String(format: ", %.2f s", $0) } ?? ""
            parts.append("video track \(v.index) (\(v.displayWidth)x\(v.displayHeight) \(v.codec ?? "video")\(length))")
        }
        let audioOthers = info.audio.filter { $0.index != audio?.index && $0.index != info.primaryAudio?.index }
        if !audioOthers.isEmpty { parts.append(count(audioOthers.count, "further audio track")) }
        if !info.subtitles.isEmpty { parts.append(count(info.subtitles.count, "subtitle track")) }
        if !info.data.isEmpty { parts.append(count(info.data.count, "data track") + " (timecode, metadata)") }
        return parts
    }

    /// Tracks beside the kept video and sound that make the file ambiguous to a model (which picture?
    /// which sound?): their presence alone is worth a re-wrap that leaves them out.
    var ambiguous: Bool {
        info.video.count > 1 || info.audio.count > 1
    }

    /// The file ends before its media does: only what is whole is written.
    var cutShort: Truncation? { info.truncation }

    private func count(_ n: Int, _ noun: String) -> String {
        n == 1 ? "a \(noun)" : "\(n) \(noun)s"
    }
}
