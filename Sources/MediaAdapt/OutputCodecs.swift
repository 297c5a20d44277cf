import ModelCatalog

/// The encoders preflight drives, and the containers it writes. A plan only names what is here, so
/// a combination nothing here can make is refused with a reason instead of failing in a muxer.
enum OutputCodecs {
    struct Choice: Equatable {
        /// The codec as probes and models name it ("h264", "opus").
        let codec: String
        /// The FFmpeg encoder that makes it ("libx264", "libopus").
        let encoder: String
        let label: String
    }

    /// In order of preference: the most widely accepted first.
    static let video: [Choice] = [
        Choice(codec: "h264", encoder: "libx264", label: "H.264 High 4:2:0 8-bit"),
        Choice(codec: "vp9", encoder: "libvpx-vp9", label: "VP9 4:2:0 8-bit"),
    ]

    static let audio: [Choice] = [
        Choice(codec: "aac", encoder: "aac", label: "AAC"),
        Choice(codec: "mp3", encoder: "libmp3lame", label: "MP3"),
        Choice(codec: "opus", encoder: "libopus", label: "Opus"),
        Choice(codec: "pcm_s16le", encoder: "pcm_s16le", label: "PCM 16-bit"),
    ]

    /// Containers preflight writes, most widely accepted first.
    static let containers = ["mp4", "mov", "webm", "mkv"]

    static func videoChoices(format: String, allowed: [String]?) -> [Choice] {
        video.filter { (allowed?.contains($0.codec) ?? true) && MediaFormatName.canCarry(format, videoCodec: $0.codec, audioCodec: nil) }
    }

    static func audioChoices(format: String, video: String, allowed: [String]?) -> [Choice] {
        audio.filter { (allowed?.contains($0.codec) ?? true) && MediaFormatName.canCarry(format, videoCodec: video, audioCodec: $0.codec) }
    }

    /// Sample rates the encoder takes, best first for a source at `rate`.
    static func sampleRate(for encoder: String, source rate: Int?) -> Int {
        let supported: [Int] = switch encoder {
        case "libopus": [48000, 24000, 16000, 12000, 8000]
        case "libmp3lame": [44100, 48000, 32000, 24000, 22050, 16000, 12000, 11025, 8000]
        default: [48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000]
        }
        if let rate, supported.contains(rate) { return rate }
        // The smallest supported rate at or above the source's keeps every frequency it has.
        return supported.filter { $0 >= (rate ?? 48000) }.min() ?? supported[0]
    }
}
