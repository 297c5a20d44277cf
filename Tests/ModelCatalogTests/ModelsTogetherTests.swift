import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Real catalog models on real TestMedia, one at a time and together.
@Suite struct ModelsTogetherTests {
    let catalog = Catalog.bundled()

    @Test func anHDClipPassesTheKlingEdit() throws {
        let spec = try catalog.model("fal-ai/kling-video/o1/video-to-video/edit")
        let report = Checker().check(try probed("hd_1280x720_4s.mp4"), models: [spec], payload: ["prompt": "make it snow"])
        #expect(report.compliant)
        #expect(report.verdicts[0].field == "video_url")
    }

    @Test func costIsEstimatedFromThePrice() throws {
        let spec = try catalog.model("fal-ai/kling-video/o1/standard/video-to-video/edit")
        let report = Checker().check(try probed("hd_1280x720_4s.mp4"), models: [spec], payload: ["prompt": "x"])
        let cost = try #require(report.verdicts[0].cost)
        #expect(abs(cost.amount - 0.504) < 1e-9) // 4 s at 0.126 USD/s
        #expect(cost.currency == "USD" && cost.priceSeenOn == "2026-11")
        #expect(cost.basis == "4 s of output at 0.126 USD/s")
    }

    @Test func overlappingModelsShareOneOutput() throws {
        let specs = try ["fal-ai/kling-video/o1/video-to-video/edit", "fal-ai/wan/v2.7/edit-video"].map(catalog.model)
        let report = Checker().check(try probed("hd_1280x720_4s.mp4"), models: specs, payload: ["prompt": "x"])
        let combined = try #require(report.combined)
        #expect(combined.allCompliant && combined.singleOutputPossible)
        #expect(combined.intersection?.maxDuration == 10)      // Wan's 10 s under Kling's 10.05 s
        #expect(combined.intersection?.minDuration == 3)       // Kling's 3 s over Wan's 2 s
        #expect(combined.intersection?.maxFileSize == ByteCount(100 * 1_048_576))
    }

    @Test func disjointLimitsNeedSeparateOutputs() throws {
        var short = MediaRequirement(); short.maxDuration = 5
        var long = MediaRequirement(); long.minDuration = 8
        var mp4 = MediaRequirement(); mp4.formats = ["mp4"]
        var webm = MediaRequirement(); webm.formats = ["webm"]
        let report = Checker().check(try clip(duration: 6), models: [model(short, id: "a"), model(long, id: "b"), model(mp4, id: "c"), model(webm, id: "d")])
        let combined = try #require(report.combined)
        #expect(!combined.singleOutputPossible)
        #expect(combined.conflicts.count == 2)
        #expect(combined.conflicts.contains { $0.contains("a duration of at least 8") && $0.contains("at most 5") })
        #expect(combined.conflicts.contains { $0.contains("no file format suits all") })
    }

    @Test func unfixableViolationsAreNamedInDualMode() throws {
        let specs = try ["fal-ai/kling-video/o1/video-to-video/edit", "fal-ai/veo3.1/image-to-video"].map(catalog.model)
        let report = Checker().check(try probed("h264_aac.mp4"), models: specs, payload: ["prompt": "x"])
        let combined = try #require(report.combined)
        #expect(!combined.singleOutputPossible)
        #expect(combined.unsatisfiable.count == 2) // 2 s is too short for Kling; Veo takes no video
    }

    @Test func listFieldsCountTheFileAndThePayload() throws {
        let seedance = try catalog.model("bytedance/seedance-2.0/reference-to-video")
        let info = try probed("hd_1280x720_4s.mp4")
        let two: JSONValue = ["https://x/a.mp4", "https://x/b.mp4"]
        let three: JSONValue = ["https://x/a.mp4", "https://x/b.mp4", "https://x/c.mp4"]
        #expect(!Checker().check(info, models: [seedance], payload: ["prompt": "x", "video_urls": two]).verdicts[0].violations.contains { $0.rule == "max_count" })
        let over = Checker().check(info, models: [seedance], payload: ["prompt": "x", "video_urls": three]).verdicts[0].violations
        #expect(over.first { $0.rule == "max_count" }?.message.contains("takes at most 3 files in 'video_urls'; this file and the payload's make 4") == true)
    }

    @Test func aVideoForAModelThatTakesImages() throws {
        let report = Checker().check(try probed("h264_aac.mp4"), models: [try catalog.model("fal-ai/veo2/image-to-video")], payload: ["prompt": "x"])
        #expect(report.verdicts[0].violations.first?.message == "Veo 2 image to video takes no video input; it takes image_url (image)")
    }
}

/// The intersection walks the limit table: every key is combined, none forgotten.
@Suite struct IntersectionTableTests {
    @Test func everyKeyIsCombined() throws {
        var a = MediaRequirement(), b = MediaRequirement()
        a.audioCodecs = ["aac", "mp3"]; b.audioCodecs = ["aac", "opus"]
        a.maxTotalDuration = 15; b.maxTotalDuration = 12
        a.alpha = .forbidden
        a.maxFileSize = ByteCount(100); b.maxFileSize = ByteCount(50)
        a.downloadTimeout = 30; b.downloadTimeout = 20
        let report = Checker().combinedRequirement(for: try probed("hd_1280x720_4s.mp4"), models: [model(a, id: "a"), model(b, id: "b")])
        let r = try #require(report.0)
        #expect(r.audioCodecs == ["aac"])          // the drift STYLE.md names: audio codecs were not intersected
        #expect(r.maxTotalDuration == 12 && r.alpha == .forbidden && r.maxFileSize == ByteCount(50) && r.downloadTimeout == 20)
        var c = MediaRequirement(); c.audioCodecs = ["opus"]
        let clash = Checker().combinedRequirement(for: try probed("hd_1280x720_4s.mp4"), models: [model(a, id: "a"), model(c, id: "c")])
        #expect(clash.0 == nil && clash.1 == ["no audio codec suits all: Test model takes aac/mp3; Test model takes opus"])
    }
}
