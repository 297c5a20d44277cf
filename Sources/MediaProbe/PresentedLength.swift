import Foundation

extension MediaInfo {
    /// How long the presented media runs: from the earliest kept stream's start to the end of the
    /// last kept frame, where the kept streams are the default (else first) video track and, when
    /// `keepsAudio`, the default (else first) sound with at least one packet. A second video track,
    /// a timecode or subtitles running longer do not count; never more than the container says.
    /// The one rule for "how long is this clip" that the checker judges and the planner cuts by.
    public func presentedDuration(keepsAudio: Bool) -> Double? {
        guard kind == .video, let video = primaryVideo else { return duration }
        let audio = keepsAudio ? primaryAudio.flatMap { $0.frameCount == 0 ? nil : $0 } : nil
        return Self.presentedDuration(video: video, audio: audio, container: container)
    }

    /// The same for chosen streams (a plan that drops the sound passes none).
    public static func presentedDuration(video: VideoStreamInfo, audio: AudioStreamInfo?, container: ContainerInfo) -> Double? {
        let origin = presentedOrigin(video: video, audio: audio, container: container)
        func end(_ start: Double?, _ length: Double?) -> Double? {
            guard let length, length.isFinite, length > 0 else { return nil }
            return max(0, (start ?? origin) - origin) + length
        }
        let ends = [end(video.startTime, video.duration), audio.flatMap { end($0.startTime, $0.duration) }].compactMap { $0 }
        guard var kept = ends.max() else { return container.duration }
        // A stream's own header may claim more than the file holds; never more than the container.
        if let whole = container.duration, whole > 0, kept > whole + 0.0005 { kept = whole }
        return kept
    }

    /// Where the presented media's clock starts, on the file's clock: the earliest kept stream's start.
    public static func presentedOrigin(video: VideoStreamInfo, audio: AudioStreamInfo?, container: ContainerInfo) -> Double {
        let starts = [video.startTime, audio?.startTime].compactMap { $0 }.filter(\.isFinite)
        return starts.min() ?? container.startTime ?? 0
    }
}
