import Foundation

/// The committed sample files (TestMedia/README.md says how each was made).
public enum TestMedia {
    public static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("TestMedia")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("README.md").path) { return candidate }
        }
        fatalError("TestMedia/ not found above \(#filePath)")
    }()

    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Files that are valid media.
    public static let valid = [
        "anamorphic_pal.mp4", "animated.gif", "audio_only.m4a", "cover_art.mp3", "exif_rotated_90.jpg", "h264_aac.mp4", "hd_1280x720_4s.mp4", "hdr10_pq.mp4", "hlg_bt2020.mp4", "pq_bt2020.mp4",
        "hevc.mp4", "interlaced.mp4", "long_720p_12s.mp4", "no_durations.mkv", "odd_853x480.mp4", "raw_stream.h264", "rotated_270.mov",
        "rotated_90.mov", "sd_854x480.mp4", "still.jpg", "still.webp", "still_rgba.png", "tiny_64x36.mp4",
        "vfr.mp4", "video_only.mp4", "vp9_opus.webm", "sar_zero.png", "h264sar_1_65535.mp4",
    ]

    /// Codec shapes added for the probe's quick analysis (full-range and tagged H.264, bottom field
    /// first, AAC 5.1, HEVC, AV1, ProRes, VP9 in MP4, Motion JPEG): valid media, probed by the probe suites; kept out of
    /// `valid` so the fix and upload suites do not grow.
    public static let codecShapes = [
        "h264_full_range.mp4", "h264_bt709_full.mp4", "h264_high10.mp4", "interlaced_bff.mp4", "h264_aac_51.mp4", "av1.mp4", "prores_proxy.mov", "mjpeg.mov",
        "hevc_full_range.mp4", "hevc_colr_only.mov", "hevc_1080_cropped.mp4", "hevc_422_10bit.mov", "hevc_fields.mp4",
        "prores_4444_alpha.mov", "prores_hq_tff.mov", "prores_xq_709.mov", "vp9.mp4", "vp9_10bit_pq.mp4", "vp9_444_full.mp4", "vp9_colr_709.mp4",
        "av1_10bit_hlg.mp4", "av1_444_full.mp4", "av1_colr_709.mp4", "mjpeg_444.mov", "mjpeg_itu601_422.mov", "mjpeg_colr_709.mov",
        "h264_pcm_s16.mov", "prores_pcm_s24.mov", "h264_ac3.mp4", "h264_mp3.mp4", "h264_alac.mov", "vp9_opus.mp4",
    ] + quickPathTraps

    /// Files where a quick analysis that read only each stream's first packet disagreed with FFmpeg's
    /// (found by attack): parameters that change before the sound's first packet, sound that starts
    /// after FFmpeg's 5 s of analysis, SEI in the hvcC, a timecode track that starts early, a sample
    /// whose NAL lengths do not add up. Their first packets do not say what ffprobe reports.
    public static let quickPathTraps = [
        "trap_h264_sps_change_audio_late.mp4", "trap_av1_seq_change_audio_late.mp4", "trap_vp9_profile_change_audio_late.mp4",
        "trap_audio_starts_6s.mp4", "trap_hevc_hvcc_atc_sei.mp4", "trap_timecode_starts_early.mov", "trap_h264_bad_nal_length.mp4",
    ]

    /// Files whose every video and audio stream the quick analysis reads (H.264, HEVC, ProRes, VP9, AV1
    /// or Motion JPEG, and AAC, PCM, ALAC or Opus, in MP4/MOV with constant frame rates): the rest go through FFmpeg's full analysis.
    public static let quickPath = [
        "anamorphic_pal.mp4", "audio_only.m4a", "h264_aac.mp4", "hd_1280x720_4s.mp4", "interlaced.mp4", "long_720p_12s.mp4",
        "odd_853x480.mp4", "rotated_270.mov", "rotated_90.mov", "sd_854x480.mp4", "tiny_64x36.mp4", "video_only.mp4",
        "h264sar_1_65535.mp4", "vfr.mp4", "h264_full_range.mp4", "h264_bt709_full.mp4", "h264_high10.mp4", "interlaced_bff.mp4", "h264_aac_51.mp4",
        // HEVC (phones): the SPS in the hvcC and the parser over the first packet; a timecode track as it is.
        "hevc.mp4", "hdr10_pq.mp4", "hlg_bt2020.mp4", "pq_bt2020.mp4", "hevc_full_range.mp4", "hevc_colr_only.mov", "hevc_1080_cropped.mp4",
        "hevc_422_10bit.mov", "hlg_iphone.mov",
        // ProRes and VP9 from the first frame header; AV1 from the av1C, the parser over the first packet.
        "prores_proxy.mov", "prores_4444_alpha.mov", "prores_hq_tff.mov", "prores_xq_709.mov",
        "vp9.mp4", "vp9_10bit_pq.mp4", "vp9_444_full.mp4", "vp9_colr_709.mp4",
        "av1.mp4", "av1_10bit_hlg.mp4", "av1_444_full.mp4", "av1_colr_709.mp4",
        // Motion JPEG from the first frame's markers, up to its frame header.
        "mjpeg.mov", "mjpeg_444.mov", "mjpeg_itu601_422.mov", "mjpeg_colr_709.mov",
        // Audio other than AAC: PCM from its headers, ALAC and Opus from their first packet (AC-3 and
        // MP3, which the demuxer parses, are left to the full analysis).
        "h264_pcm_s16.mov", "prores_pcm_s24.mov", "h264_alac.mov", "vp9_opus.mp4",
        // A timecode track that starts 2 s before the picture: quick, and the container starts with the picture.
        "trap_timecode_starts_early.mov",
    ]

    /// Valid media mutated by fuzzing: the header says 4 s, one packet's timestamp says 34.3 s, and
    /// the edit list hides that packet (FFmpeg, and the probe, show 3.5 s); its sound does not decode cleanly.
    public static let lyingHeader = ["header4s_packets34s.mp4"]

    /// Files that must be refused, each for its own reason.
    public static let hostile = ["absurd_dimensions.png", "empty.mp4", "not_media.mp4", "truncated_no_index.mp4"] + hostileAspects
        + ["data_only_kind_audio.mp4"]

    /// Real-footage shapes (issue 20): MP4 edit lists (a hidden lead-in; an empty edit and a trimmed
    /// tail), an iPhone-like HLG clip with an edit list, a timecode track and a rotation, two video
    /// tracks (a motion photo), and files cut short (Matroska mid-cluster with subtitle and extra
    /// audio tracks, DV one frame long, MP4 whose index points past its end). Valid media the ffmpeg
    /// CLI converts, and so must `fix`.
    public static let realFootage = ["edit_list.mp4", "edit_list_gap.mp4", "hlg_iphone.mov", "two_video_tracks.mp4", "broadcast_tff.ts"] + cutShort

    /// Files that end before their media does: probed (with `truncation`), converted up to the last whole frame.
    public static let cutShort = ["cut_short_subs.mkv", "dv_one_frame.dv", "truncated.mp4"]

    /// Headers fine, frames not: bytes overwritten in the middle of the media data, and a clip of
    /// which not one frame decodes. Probed; `probe --decode` and `ffmpeg -f null` find the damage.
    public static let damaged = ["damaged_middle.mp4", "undecodable.mp4"]

    /// Pixel aspects that would show the picture 0 or billions of pixels wide: `invalid_dimensions`.
    public static let hostileAspects = ["sar_tiny.png", "sar_huge.png", "absurd_sar.png", "pasp_huge.mp4"]

    /// A fresh empty folder under the system's temporary directory.
    public static func temporaryFolder(_ label: String = "preflight-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
