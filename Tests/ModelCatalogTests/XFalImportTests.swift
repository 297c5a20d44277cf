import Foundation
import MediaProbe
@testable import ModelCatalog
import Testing
import TestSupport

/// fal's machine-readable limits (`x-fal` on each field, as fal's SDK writes them) read into the
/// requirements the bundled catalog uses: units (bytes, pixels, seconds), aspect pairs, list totals
/// (`combined`), what fal reshapes (`normalization`), and the older prose as the fallback.
@Suite struct XFalImportTests {
    let day = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])

    func imported() throws -> CatalogFile.CatalogEntry {
        try OpenAPIImporter.entry(from: Data(contentsOf: fixtures.appendingPathComponent("fal-openapi-xfal-edit.json")), name: "xfal.json")
    }

    func spec() throws -> ModelSpec {
        var catalog = Catalog()
        try catalog.apply(CatalogFile(models: [try imported()]), origin: "refreshed")
        return try catalog.model("fal-ai/example/xfal/video-edit")
    }

    @Test func singleFieldsInTheirUnits() throws {
        let spec = try spec()
        #expect(spec.media.map(\.name) == ["video_url", "reference_video_urls", "image_url", "long_take_url"])
        #expect(spec.media.map(\.kind) == [.video, .videoList, .image, .video])
        let video = try #require(spec.field(named: "video_url"))
        let r = video.requirement
        // x-fal wins over the older limit line that disagrees (50 MB, 30 s) in the same description.
        #expect(r.maxFileSize == ByteCount(104_857_600))
        #expect(r.maxDuration == 15 && r.minDuration == 1)
        #expect(r.minWidth == 640 && r.minHeight == 360 && r.maxWidth == 3840 && r.maxHeight == 2160)
        #expect(r.minPixels == 230_400 && r.maxPixels == 8_294_400)
        #expect(r.minAspectRatio == 0.5 && r.maxAspectRatio == 2.0)
        #expect(r.minFrames == 24 && r.maxFrames == 361)
        #expect(r.minFPS == 16 && r.maxFPS == 60)
        #expect(r.formats == ["mp4", "mov"])
        #expect(spec.source(of: .maxDuration, in: video).description == "fal schema x-fal, seen \(day)")
        #expect(spec.source(of: .maxFrames, in: video).url == "https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=fal-ai/example/xfal/video-edit")
        // Prose still fills what x-fal leaves unsaid, and says it was read from prose.
        #expect(r.minShortSide == 400)
        #expect(spec.source(of: .minShortSide, in: video).fromProse == true)
        // Hard limits of the same kind stay hard: normalization is kept beside them.
        #expect(r.advisory == nil)
        #expect(video.normalization?.maxDuration == 10 && video.normalization?.minFPS == 24 && video.normalization?.maxFPS == 24)
        #expect(video.normalization?.maxWidth == 1920)

        let image = try #require(spec.field(named: "image_url"))
        #expect(image.required == false)
        // An aspect ratio written as a pair [2, 5] and as "5:2": width over height either way.
        #expect(image.requirement.minAspectRatio == 0.4 && image.requirement.maxAspectRatio == 2.5)
        #expect(image.requirement.maxFileSize == ByteCount(10_485_760) && image.requirement.downloadTimeout == 20)
    }

    @Test func listsTakeTheirTotalsFromCombined() throws {
        let refs = try #require(try spec().field(named: "reference_video_urls"))
        #expect(refs.requirement.maxDuration == 10 && refs.requirement.maxFileSize == ByteCount(52_428_800))
        #expect(refs.requirement.maxTotalDuration == 15 && refs.requirement.minTotalDuration == 2)
        #expect(refs.requirement.maxTotalFileSize == ByteCount(104_857_600))
        #expect(refs.requirement.maxCount == 3)
        // Frames summed over a list mean nothing to a check of one file: named, not guessed at.
        let x = XFal.read(["combined": ["max_frames": 400, "max_duration": 15.0]], list: true)
        #expect(x.skipped == ["combined.max_frames"])
        #expect(XFal.read(["combined": ["max_duration": 15.0]], list: false).requirement.keys.isEmpty)
    }

    /// Normalization alone: the model takes any length and trims it itself. A warning (advisory)
    /// with fal's own words, and `fix` trims where the user chooses.
    @Test func normalizationBecomesAdviceAndTheBilledDuration() throws {
        var spec = try spec()
        let take = try #require(spec.field(named: "long_take_url"))
        #expect(take.requirement.maxDuration == 15 && take.requirement.isAdvisory(.maxDuration))
        #expect(take.advice[.maxDuration] == "fal trims this to 15 s; preflight can trim it where you choose: --trim")

        // A 12 s clip into video_url: within the hard 15 s, over what fal keeps (10 s) and at 30 fps, not 24.
        spec.price = Price(amount: 0.1, unit: .secondOfInput, source: Source(ref: "test", date: "2026-12-01"))
        let info = try probed("long_720p_12s.mp4")
        let verdict = Checker(checksPayload: false).check(info, models: [spec], field: "video_url").verdicts[0]
        #expect(verdict.compliant, "\(verdict.violations.map(\.message))")
        // Beside a hard limit, what fal reshapes is advice of its own kind.
        let reshaped = verdict.warnings.filter { $0.rule == .advice(.normalization) }
        let trims = try #require(reshaped.first { $0.message.contains("fal trims this to 10 s; preflight can trim it where you choose: --trim") })
        #expect(trims.repair == .trim)
        #expect(reshaped.contains { $0.message.contains("fal resamples this to 24 fps") && $0.repair == .changeFrameRate })
        #expect(!verdict.warnings.contains { $0.rule == "max_duration" })
        // fal bills what it keeps: 10 s, not 12.
        let cost = try #require(verdict.cost)
        #expect(abs(cost.amount - 1.0) < 1e-9, "\(cost)")
        #expect(cost.basis.contains("fal trims 12 s to 10 s"))

        // Into long_take_url: 12 s is kept whole; 20 s is a warning (once, in fal's words), not a failure.
        #expect(Checker(checksPayload: false).check(info, models: [spec], field: "long_take_url").verdicts[0].warnings.isEmpty)
        let take20 = Checker(checksPayload: false).check(try clip(duration: 20), models: [spec], field: "long_take_url").verdicts[0]
        #expect(take20.compliant)
        let said = take20.warnings.filter { $0.rule == "max_duration" }
        #expect(said.count == 1)
        #expect(said.first?.message.contains("(advisory: fal trims this to 15 s; preflight can trim it where you choose: --trim)") == true)
    }

    /// The x-fal of a field that takes no media (`image_size`, ImageSizeConstraints) limits the
    /// size asked for in the payload.
    @Test func generatedSizeLimitsCheckThePayload() throws {
        let spec = try spec()
        let size = try #require(spec.payload.field("image_size")?.sizeLimits)
        #expect(size.multipleOf == 16 && size.minWidth == 256 && size.maxArea == 4_194_304)
        #expect(spec.field(named: "image_size") == nil)
        let info = try probed("long_720p_12s.mp4")
        func sizeRules(_ w: Int, _ h: Int) -> [String] {
            Checker().check(info, models: [spec], payload: ["prompt": "x", "image_size": ["width": .integer(w), "height": .integer(h)]], field: "video_url")
                .verdicts[0].violations.map(\.rule.description).filter { $0 == "payload.size" }
        }
        #expect(sizeRules(1024, 768).isEmpty)
        #expect(sizeRules(1000, 768) == ["payload.size"])  // not a multiple of 16
        #expect(sizeRules(4096, 2048) == ["payload.size"]) // too wide, too many pixels
        #expect(sizeRules(128, 128) == ["payload.size"])
    }

    /// Without x-fal (fal's older documents), the limit line and prose are still read, and sources
    /// say so.
    @Test func withoutXFalTheProseIsStillRead() throws {
        let entry = try OpenAPIImporter.entry(from: Data(contentsOf: fixtures.appendingPathComponent("fal-openapi-kling-o1-edit.json")), name: "old.json")
        var catalog = Catalog()
        try catalog.apply(CatalogFile(models: [entry]), origin: "refreshed")
        let spec = try catalog.model(entry.id)
        let video = try #require(spec.field(named: "video_url"))
        #expect(video.requirement.maxDuration == 10.05 && video.requirement.minWidth == 720)
        #expect(video.normalization == nil)
        #expect(!spec.source(of: .maxDuration, in: video).ref.contains("x-fal"))
        let happy = try OpenAPIImporter.entry(from: Data(contentsOf: fixtures.appendingPathComponent("fal-openapi-happy-horse-reference.json")), name: "hh.json")
        let prose = (happy.media ?? []).flatMap { f in (f.sources ?? [:]).values }.filter { $0.fromProse == true }
        #expect(!prose.isEmpty)
    }

    /// Values from outside are hostile: wrong shapes, negatives, absurd sizes and half pairs are
    /// skipped and named; nothing crashes and nothing is invented.
    @Test func hostileValuesAreSkippedAndNamed() {
        let x = XFal.read(["max_width": -5, "max_duration": "ten", "max_file_size": .number(1e300), "min_frames": .number(2.5),
                           "min_aspect_ratio": 0.5, "max_bitrate": 1000, "normalization": "trim", "max_height": .number(.infinity),
                           "min_width": 320], list: false)
        #expect(x.requirement.keys == [.minWidth])
        #expect(x.normalization == nil)
        for name in ["max_width: -5", "max_duration: \"ten\"", "max_file_size: ", "min_frames: 2.5", "max_bitrate", "normalization: not an object",
                     "min_aspect_ratio/max_aspect_ratio: 0.5, missing", "max_height: "] {
            #expect(x.skipped.contains { $0.hasPrefix(name) }, "\(name) not named in \(x.skipped)")
        }
        #expect(XFal.read(["min_aspect_ratio": 2.5, "max_aspect_ratio": 0.4], list: false).requirement.minAspectRatio == nil) // reversed
        #expect(XFal.read(["min_aspect_ratio": [16, 0], "max_aspect_ratio": [16, 9]], list: false).requirement.maxAspectRatio == nil)
        #expect(ImageSizeLimits(xfal: ["multiple_of": 0, "min_width": -1]) == nil)
    }

    /// A frame limit: checked on the counted frames, trimmed like a duration.
    @Test func frameLimits() throws {
        var r = MediaRequirement()
        r.maxFrames = 100
        r.minFrames = 24
        let info = try probed("long_720p_12s.mp4") // 360 frames at 30 fps
        let found = Checker(checksPayload: false).check(info, models: [model(r)]).verdicts[0].violations
        #expect(found.map(\.rule) == ["max_frames"])
        #expect(found.first?.repair == .trim)
        #expect(found.first?.message.contains("360 frames") == true)
        r.minFrames = 400
        #expect(Set(rules(info, model(r))) == ["max_frames", "min_frames"])
    }
}
