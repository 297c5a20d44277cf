import Foundation
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// The price model of the catalog format, through `check`'s estimate.
@Suite struct PriceTests {
    let catalog = Catalog.bundled()

    func cost(_ id: String, _ file: String = "hd_1280x720_4s.mp4", payload: [String: JSONValue] = [:], field: String? = nil) throws -> CostEstimate? {
        Checker().check(try probed(file), models: [try catalog.model(id)], payload: payload, field: field).verdicts[0].cost
    }

    @Test func mostModelsGetAnEstimate() throws {
        // A 4 s 720p clip (or a still) with the payload a user would give: a duration and a resolution.
        let payload: [String: JSONValue] = ["duration": "5", "resolution": "720p", "num_frames": 81, "frames_per_second": 16]
        var priced = 0, estimated = 0
        for spec in catalog.models.values.sorted(by: { $0.id < $1.id }) {
            guard spec.price != nil else { continue }
            priced += 1
            let takesVideo = spec.field(accepting: .video) != nil
            let report = Checker().check(try probed(takesVideo ? "hd_1280x720_4s.mp4" : "still.jpg"), models: [spec], payload: payload)
            if let c = report.verdicts[0].cost {
                estimated += 1
                #expect(c.amount > 0 && c.amount.isFinite, "\(spec.id)")
                #expect(c.priceSeenOn != nil, "\(spec.id)")
            } else {
                Issue.record("\(spec.id): no estimate")
            }
        }
        #expect(priced >= 23)
        #expect(estimated == priced)
        #expect(priced * 2 > catalog.models.count, "most models carry a price")
    }

    @Test func perSecondOfOutputFromTheInput() throws {
        let c = try #require(try cost("fal-ai/kling-video/o3/pro/video-to-video/edit", payload: ["prompt": "x"]))
        #expect(abs(c.amount - 0.336 * 4) < 0.01) // the clip is 4 s (within a frame)
    }

    @Test func perInputSecondWithABilledMinimum() throws {
        // Kling lip sync: 0.014 per input second, at least 5 s billed: a 4 s clip costs 5 s.
        let c = try #require(try cost("fal-ai/kling-video/lipsync/text-to-video"))
        #expect(abs(c.amount - 0.07) < 1e-9)
        #expect(c.basis.contains("5 s of input billed"))
        let twelve = try #require(try cost("fal-ai/kling-video/lipsync/text-to-video", "long_720p_12s.mp4"))
        #expect(abs(twelve.amount - 0.014 * 12) < 0.002)
    }

    @Test func perMinute() throws {
        let c = try #require(try cost("fal-ai/sync-lipsync/react-1"))
        #expect(abs(c.amount - 10 * 4 / 60) < 0.01)
        #expect(c.basis.contains("/min"))
    }

    @Test func perVideo() throws {
        #expect(try cost("fal-ai/kling-video/video-to-audio")?.amount == 0.035)
    }

    @Test func byResolution() throws {
        let id = "fal-ai/wan/v2.7/image-to-video"
        #expect(try cost(id, "still.jpg", payload: ["duration": 5, "resolution": "720p"])?.amount == 0.5)
        #expect(abs((try cost(id, "still.jpg", payload: ["duration": 5, "resolution": "1080p"])?.amount ?? 0) - 0.75) < 1e-9)
        // No resolution given: the tier nearest the input picture, and the basis says so.
        let luma = try #require(try cost("luma/agent/ray/v3.2/reframe"))
        #expect(abs(luma.amount - 0.12 * 4) < 0.01)
        #expect(luma.basis.contains("720p, from the input's picture size"))
        let sd = try #require(try cost("luma/agent/ray/v3.2/reframe", "sd_854x480.mp4"))
        #expect(sd.basis.contains("540p"))
    }

    @Test func withAndWithoutAudio() throws {
        let id = "fal-ai/veo3.1/image-to-video"
        #expect(try cost(id, "still.jpg", payload: ["duration": "4s", "generate_audio": false])?.amount == 0.8)
        #expect(try cost(id, "still.jpg", payload: ["duration": "4s", "generate_audio": true])?.amount == 1.6)
        // Unknown: the dearer, said so; the duration's default (8s) is used.
        let unknown = try #require(try cost(id, "still.jpg"))
        #expect(unknown.amount == 3.2)
        #expect(unknown.basis.contains("assumed"))
    }

    @Test func multiplierWithVideoInputs() throws {
        let id = "bytedance/seedance-2.0/reference-to-video"
        let still = try #require(try cost(id, "still.jpg", payload: ["duration": 5]))
        #expect(abs(still.amount - 0.3024 * 5) < 1e-9)
        let video = try #require(try cost(id, payload: ["duration": 5]))
        #expect(abs(video.amount - 0.3024 * 5 * 0.6) < 1e-9)
        #expect(video.basis.contains("x0.6 with video inputs"))
        let listed = try #require(try cost(id, "still.jpg", payload: ["duration": 5, "video_urls": ["https://example.com/v.mp4"]]))
        #expect(abs(listed.amount - 0.3024 * 5 * 0.6) < 1e-9)
        // Kling 4 bills input plus output seconds.
        let v4 = try #require(try cost("kling/v4/video-to-video/edit"))
        #expect(abs(v4.amount - 0.094 * 4 * 2) < 0.01)
    }

    @Test func framesOverRate() throws {
        let c = try #require(try cost("fal-ai/wan-vace-14b", payload: ["prompt": "x", "num_frames": 81, "frames_per_second": 16]))
        #expect(abs(c.amount - 0.08 * 81 / 16) < 1e-9)
        #expect(try cost("fal-ai/wan-vace-14b", payload: ["num_frames": 81, "frames_per_second": 0]) == nil)
    }

    @Test func hostilePricesAreRefused() {
        for bad in ["-1", "1e400", ".nan"] {
            let yaml = "models:\n  - id: x/y\n    price: {amount: \(bad), unit: video, source: {ref: r}}\n"
            #expect(throws: CatalogError.self, "\(bad)") { try CatalogFile.parse(yaml, name: "t") }
        }
        #expect(throws: CatalogError.self) { try CatalogFile.parse("models:\n  - id: x/y\n    price: {amount: 1, unit: fortnight, source: {ref: r}}\n", name: "t") }
    }
}

/// fal's platform API prices one unit; the catalog's price keeps its shape and takes the amount.
@Suite struct RefreshedPriceTests {
    let source = Source(ref: "fal platform API", date: "2026-11-22")

    @Test func unitsAreUnderstoodOrRefused() throws {
        let catalog = Catalog.bundled()
        let wan = try #require(try catalog.model("fal-ai/wan/v2.7/image-to-video").price)
        let p = try #require(Price.refreshed(amount: 0.12, falUnit: "video_second", currency: "USD", over: wan, source: source))
        #expect(p.unit == .secondOfOutput && p.amount == 0.12 && p.byResolution == ["720p": 0.12, "1080p": 0.15] && p.durationFrom == "duration")
        #expect(p.source.date == "2026-11-22")
        // An edit's per-second price stays "of the input's length".
        let edit = try #require(try catalog.model("luma/agent/ray/v3.2/reframe").price)
        #expect(Price.refreshed(amount: 0.07, falUnit: "second", currency: "USD", over: edit, source: source)?.unit == .secondOfInput)
        for (unit, expected) in [("minute", Price.Unit.minuteOfInput), ("videos", .video), ("image", .image), ("request", .request)] {
            #expect(Price.refreshed(amount: 1, falUnit: unit, currency: "USD", over: nil, source: source)?.unit == expected, "\(unit)")
        }
        #expect(Price.refreshed(amount: 1, falUnit: "gpu_hour", currency: "USD", over: nil, source: source) == nil)
        #expect(Price.refreshed(amount: .nan, falUnit: "second", currency: "USD", over: nil, source: source) == nil)
        #expect(Price.refreshed(amount: -1, falUnit: "second", currency: "USD", over: nil, source: source) == nil)
    }
}
