import Foundation
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Each correction of issue 12: a file or payload the old catalog judged wrongly, judged right now.
/// Files are real probes of TestMedia, bent only where a test needs a size no small file has.
@Suite struct CorrectionTests {
    let catalog = Catalog.bundled()

    func verdict(_ info: MediaInfo, _ id: String, field: String? = nil, payload: [String: JSONValue] = [:]) throws -> ModelVerdict {
        Checker().check(info, models: [try catalog.model(id)], payload: payload, field: field).verdicts[0]
    }

    func errors(_ info: MediaInfo, _ id: String, field: String? = nil, payload: [String: JSONValue] = [:]) throws -> Set<String> {
        Set(try verdict(info, id, field: field, payload: payload).violations.map(\.rule.description))
    }

    let prompt: [String: JSONValue] = ["prompt": "a scene"]

    // Passes what fal rejects.

    @Test func klingO3ProAndStandardStopAt10SecondsAnd2160Pixels() throws {
        let twelve = try probed("long_720p_12s.mp4") // the old 3-15 s passed it
        let wide = try clip(width: 3000, height: 1688) // the old 3840 px passed it
        for id in ["fal-ai/kling-video/o3/pro/video-to-video/edit", "fal-ai/kling-video/o3/standard/video-to-video/edit"] {
            #expect(try errors(twelve, id, payload: prompt) == ["max_duration"], "\(id)")
            #expect(try errors(wide, id, payload: prompt) == ["max_width"], "\(id)")
        }
        // The old limits were o3/4k's, now its own model.
        let fourK = "fal-ai/kling-video/o3/4k/video-to-video/edit"
        #expect(try errors(twelve, fourK, payload: prompt).isEmpty)
        #expect(try errors(wide, fourK, payload: prompt).isEmpty)
        #expect(try errors(try probed("hd_1280x720_4s.mp4"), fourK, payload: prompt).isEmpty)
    }

    @Test func seedanceReferenceChecksEveryInputAndTheTotals() throws {
        let id = "bytedance/seedance-2.0/reference-to-video"
        let urls = { (n: Int) -> JSONValue in .array((0..<n).map { .string("https://example.com/\($0)") }) }
        // A 1 s reference alone: under the 2 s combined minimum.
        #expect(try errors(try probed("video_only.mp4"), id, payload: prompt) == ["min_total_duration"])
        // ...but with another reference listed it may be fine.
        #expect(try errors(try probed("video_only.mp4"), id, payload: prompt.merging(["video_urls": urls(1)]) { a, _ in a }).isEmpty)
        #expect(try errors(try probed("hd_1280x720_4s.mp4"), id, payload: prompt).isEmpty)
        #expect(try errors(try probed("vp9_opus.webm"), id, payload: prompt).contains("formats"))
        #expect(try errors(try probed("hd_1280x720_4s.mp4"), id, payload: prompt.merging(["video_urls": urls(3)]) { a, _ in a }) == ["max_count"])
        // Images: at most 9, 30 MB each.
        let image = try probed("still.jpg")
        #expect(try errors(image, id, payload: prompt).isEmpty)
        #expect(try errors(image, id, payload: prompt.merging(["image_urls": urls(9)]) { a, _ in a }) == ["max_count"])
        var big = image
        big.fileSize = 31 * 1_048_576
        #expect(try errors(big, id, payload: prompt) == ["max_file_size"])
        // Audio: MP3/WAV, needs an image or a video, at most 12 files in all.
        let mp3 = try probed("cover_art.mp3")
        #expect(try errors(mp3, id, payload: prompt) == ["files.requires"])
        #expect(try errors(mp3, id, payload: prompt.merging(["image_urls": urls(1)]) { a, _ in a }).isEmpty)
        #expect(try errors(try probed("audio_only.m4a"), id, payload: prompt.merging(["image_urls": urls(1)]) { a, _ in a }) == ["formats"])
        let full = prompt.merging(["video_urls": urls(3), "image_urls": urls(9)]) { a, _ in a }
        #expect(try errors(mp3, id, payload: full) == ["files.max_count"])
        var long = mp3
        long.container.duration = 16
        #expect(try errors(long, id, payload: prompt.merging(["image_urls": urls(1)]) { a, _ in a }) == ["max_total_duration"])
        // The fast tier has the same limits.
        #expect(try errors(try probed("video_only.mp4"), "bytedance/seedance-2.0/fast/reference-to-video", payload: prompt) == ["min_total_duration"])
    }

    @Test func wanFlashCountsReferencesAndRefusesAlpha() throws {
        let id = "wan/v2.6/reference-to-video/flash"
        let urls = { (n: Int) -> JSONValue in .array((0..<n).map { .string("https://example.com/\($0)") }) }
        #expect(try errors(try probed("still_rgba.png"), id, payload: prompt) == ["alpha"])
        let alpha = try verdict(try probed("still_rgba.png"), id, payload: prompt).violations[0]
        #expect(alpha.repair == .convertImage && alpha.message.contains("transparency"))
        #expect(try errors(try probed("still.jpg"), id, payload: prompt).isEmpty)
        #expect(try errors(try probed("hd_1280x720_4s.mp4"), id, payload: prompt.merging(["video_urls": urls(3)]) { a, _ in a }) == ["max_count"])
        #expect(try errors(try probed("still.jpg"), id, payload: prompt.merging(["image_urls": urls(5)]) { a, _ in a }) == ["max_count", "files.max_count"])
        // 2 videos + 2 images listed + this image = 5: allowed; one more is not.
        #expect(try errors(try probed("still.jpg"), id, payload: prompt.merging(["video_urls": urls(2), "image_urls": urls(2)]) { a, _ in a }).isEmpty)
        #expect(try errors(try probed("still.jpg"), id, payload: prompt.merging(["video_urls": urls(3), "image_urls": urls(2)]) { a, _ in a }) == ["files.max_count"])
    }

    @Test func wan27ImageToVideoChecksImageAndAudioAndExclusion() throws {
        let id = "fal-ai/wan/v2.7/image-to-video"
        var big = try probed("still.jpg")
        big.fileSize = 21 * 1_048_576
        #expect(try errors(big, id) == ["max_file_size"])
        #expect(try errors(try probed("still.jpg"), id, payload: ["video_url": "https://example.com/v.mp4"]) == ["files.not_together"])
        #expect(try errors(try probed("hd_1280x720_4s.mp4"), id, payload: ["image_url": "https://example.com/i.jpg"]) == ["files.not_together"])
        #expect(try errors(try probed("audio_only.m4a"), id) == ["formats"])
        var long = try probed("cover_art.mp3")
        long.container.duration = 31
        #expect(try errors(long, id) == ["max_duration"])
        // Rejects what fal accepts: no prompt, no image (a continuation from a video alone).
        #expect(try errors(try probed("hd_1280x720_4s.mp4"), id).isEmpty)
        #expect(try errors(try probed("still.jpg"), id).isEmpty)
    }

    @Test func klingO1EndFrameHasTheStartFramesLimits() throws {
        var small = try probed("still.jpg")
        small.video[0].displayWidth = 200
        small.video[0].displayHeight = 200
        for id in ["fal-ai/kling-video/o1/image-to-video", "fal-ai/kling-video/o1/standard/image-to-video"] {
            #expect(try errors(small, id, field: "end_image_url", payload: prompt.merging(["start_image_url": "https://example.com/a.jpg"]) { a, _ in a })
                    == ["min_width"]) // "at least 300 px on each side", said once
            #expect(try errors(try probed("still.jpg"), id, field: "end_image_url", payload: prompt.merging(["start_image_url": "https://example.com/a.jpg"]) { a, _ in a }).isEmpty)
        }
    }

    @Test func requiredPayloadFields() throws {
        let clip = try probed("hd_1280x720_4s.mp4")
        for id in ["fal-ai/kling-video/v2.6/pro/motion-control", "fal-ai/kling-video/v2.6/standard/motion-control", "fal-ai/kling-video/v3/pro/motion-control"] {
            #expect(try errors(clip, id) == ["payload.required"], "\(id)")
            let fields = try verdict(clip, id).violations.map(\.field)
            #expect(Set(fields.compactMap { $0 }) == ["character_orientation", "image_url"], "\(id)")
            #expect(try errors(clip, id, payload: ["character_orientation": "video", "image_url": "https://example.com/c.jpg"]).isEmpty)
        }
        let react = "fal-ai/sync-lipsync/react-1"
        #expect(try verdict(clip, react, payload: ["audio_url": "https://example.com/a.mp3"]).violations.map(\.field) == ["emotion"])
        #expect(try errors(clip, react, payload: ["audio_url": "https://example.com/a.mp3", "emotion": "happy"]).isEmpty)
        #expect(try errors(clip, react, payload: ["audio_url": "https://example.com/a.mp3", "emotion": "joyful"]) == ["payload.enum"])

        let lipsync = "fal-ai/kling-video/lipsync/text-to-video"
        #expect(try verdict(clip, lipsync, payload: ["text": "hello"]).violations.map(\.field) == ["voice_id"])
        let long = String(repeating: "a", count: 121)
        #expect(try errors(clip, lipsync, payload: ["text": .string(long), "voice_id": "v1"]) == ["payload.max_length"])
        #expect(try errors(clip, lipsync, payload: ["text": .string(String(long.dropFirst())), "voice_id": "v1"]).isEmpty)

        let reframe = "luma/agent/ray/v3.2/reframe"
        #expect(Set(try verdict(clip, reframe).violations.compactMap(\.field)) == ["prompt", "aspect_ratio"])
        #expect(try errors(clip, reframe, payload: ["prompt": "x", "aspect_ratio": "21:9"]).isEmpty)
        #expect(try errors(clip, reframe, payload: ["prompt": "x", "aspect_ratio": "2:1"]) == ["payload.enum"])
    }

    // Rejects what fal accepts.

    @Test func optionalPrompts() throws {
        let image = try probed("still.jpg")
        for id in ["fal-ai/kling-video/v3/turbo/pro/image-to-video", "fal-ai/kling-video/v3/turbo/standard/image-to-video", "fal-ai/wan/v2.7/image-to-video"] {
            #expect(try verdict(image, id).compliant, "\(id)")
        }
    }

    @Test func dreamActorLargeImagesAreReducedNotRefused() throws {
        var large = try probed("still.jpg")
        large.video[0].displayWidth = 2400
        large.video[0].displayHeight = 1350
        let v = try verdict(large, "fal-ai/bytedance/dreamactor/v2", field: "image_url", payload: ["video_url": "https://example.com/m.mp4"])
        #expect(v.compliant)
        #expect(Set(v.warnings.map(\.rule)).isSuperset(of: ["max_long_side", "max_pixels"]))
        #expect(v.warnings.first { $0.rule == "max_long_side" }?.message.contains("fal reduces larger images to fit 1920 px") == true)
        // The floor is still a limit.
        var small = try probed("still.jpg")
        small.video[0].displayHeight = 300
        #expect(try errors(small, "fal-ai/bytedance/dreamactor/v2", field: "image_url", payload: ["video_url": "https://example.com/m.mp4"]) == ["min_height"])
    }

    @Test func veo31SmallImagesAreARecommendation() throws {
        let v = try verdict(try probed("still.jpg"), "fal-ai/veo3.1/image-to-video", payload: prompt) // 640x360
        #expect(v.compliant)
        let w = try #require(v.warnings.first { $0.rule == "min_short_side" })
        #expect(w.message.contains("should be 720p or higher"))
        #expect(w.source?.date == "2026-11-22")
    }
}
