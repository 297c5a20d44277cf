import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Each requirement kind at, just inside and just outside its bounds.
@Suite struct RequirementBoundsTests {
    @Test func widthAndHeight() throws {
        var r = MediaRequirement()
        r.minWidth = 720; r.minHeight = 720; r.maxWidth = 2160; r.maxHeight = 2160
        let spec = model(r)
        #expect(rules(try clip(width: 720, height: 720), spec).isEmpty)
        #expect(rules(try clip(width: 721, height: 2159), spec).isEmpty)
        #expect(rules(try clip(width: 2160, height: 2160), spec).isEmpty)
        #expect(rules(try clip(width: 719, height: 1000), spec) == ["min_width"])
        #expect(rules(try clip(width: 1000, height: 719), spec) == ["min_height"])
        #expect(rules(try clip(width: 2161, height: 1000), spec) == ["max_width"])
        #expect(rules(try clip(width: 1000, height: 2161), spec) == ["max_height"])
        // Both sides short: said once, "on each side".
        let both = Checker().check(try clip(width: 320, height: 240), models: [spec]).verdicts[0].violations
        #expect(both.count == 1)
        #expect(both[0].message.contains("at least 720 px on each side; this clip is 320x240"))
        #expect(both[0].repair == .scale)
        #expect(both[0].remedy == "scale up to 960x720")
    }

    @Test func sidesAndPixels() throws {
        var r = MediaRequirement()
        r.minShortSide = 720; r.maxLongSide = 1920; r.minPixels = 640 * 640; r.maxPixels = 1920 * 1080
        let spec = model(r)
        #expect(rules(try clip(width: 1280, height: 720), spec).isEmpty)
        #expect(rules(try clip(width: 1920, height: 1080), spec).isEmpty)
        #expect(rules(try clip(width: 1280, height: 719), spec) == ["min_short_side"])
        #expect(rules(try clip(width: 1921, height: 1080), spec).contains("max_long_side"))
        #expect(rules(try clip(width: 1920, height: 1081), spec) == ["max_pixels"])
    }

    @Test func aspectRatioRangeAndSet() throws {
        var r = MediaRequirement()
        r.minAspectRatio = 0.4; r.maxAspectRatio = 2.5
        let spec = model(r)
        #expect(rules(try clip(width: 400, height: 1000), spec).isEmpty)
        #expect(rules(try clip(width: 2500, height: 1000), spec).isEmpty)
        #expect(rules(try clip(width: 390, height: 1000), spec) == ["min_aspect_ratio"])
        #expect(rules(try clip(width: 2510, height: 1000), spec) == ["max_aspect_ratio"])

        var set = MediaRequirement()
        set.aspectRatios = ["16:9", "9:16"]
        let sixteenNine = model(set)
        #expect(rules(try clip(width: 1280, height: 720), sixteenNine).isEmpty)
        #expect(rules(try clip(width: 720, height: 1280), sixteenNine).isEmpty)
        #expect(rules(try clip(width: 854, height: 480), sixteenNine).isEmpty) // within 1 %
        let square = Checker().check(try clip(width: 1000, height: 1000), models: [sixteenNine]).verdicts[0].violations
        #expect(square.map(\.rule) == ["aspect_ratios"])
        #expect(square[0].repair == .padOrCrop)

        set.advisory = [.aspectRatios]
        let verdict = Checker().check(try clip(width: 1000, height: 1000), models: [model(set)]).verdicts[0]
        #expect(verdict.compliant)
        #expect(verdict.warnings.map(\.rule) == ["aspect_ratios"])
    }

    @Test func allowedResolutions() throws {
        var r = MediaRequirement()
        r.resolutions = ["720p", "1080p"]
        let spec = model(r)
        #expect(rules(try clip(width: 1280, height: 720), spec).isEmpty)
        #expect(rules(try clip(width: 1080, height: 1920), spec).isEmpty)
        let v = Checker().check(try clip(width: 854, height: 480), models: [spec]).verdicts[0].violations
        #expect(v.map(\.rule) == ["resolutions"])
        #expect(v[0].remedy == "scale to 1280x720")
        let square = Checker().check(try clip(width: 1000, height: 1000), models: [spec]).verdicts[0].violations
        #expect(square[0].repair == .padOrCrop)
    }

    @Test func duration() throws {
        var r = MediaRequirement()
        r.minDuration = 3; r.maxDuration = 10.05
        let spec = model(r)
        #expect(rules(try clip(duration: 3), spec).isEmpty)
        #expect(rules(try clip(duration: 10.05), spec).isEmpty)
        #expect(rules(try clip(duration: 2.99), spec) == ["min_duration"])
        let long = Checker().check(try clip(duration: 10.06), models: [spec]).verdicts[0].violations
        #expect(long.map(\.rule) == ["max_duration"])
        #expect(long[0].repair == .trim)
        #expect(long[0].remedy.hasPrefix("trim to 10.05 s"))
        let short = Checker().check(try clip(duration: 2), models: [spec]).verdicts[0].violations
        #expect(short[0].repair == nil)
        #expect(short[0].remedy.contains("too short to lengthen"))
    }

    @Test func frameRate() throws {
        var r = MediaRequirement()
        r.minFPS = 24; r.maxFPS = 60
        let spec = model(r)
        #expect(rules(try clip(fps: 24), spec).isEmpty)
        #expect(rules(try clip(fps: 60), spec).isEmpty)
        #expect(rules(try clip(fps: 23), spec) == ["min_fps"])
        #expect(rules(try clip(fps: 61), spec) == ["max_fps"])
        var ntsc = try clip()
        ntsc.video[0].averageFrameRate = Ratio(num: 24000, den: 1001) // 23.976: below 24
        #expect(rules(ntsc, spec) == ["min_fps"])
    }

    @Test func fileSizeAndAudio() throws {
        var r = MediaRequirement()
        r.maxFileSize = ByteCount(parsing: "100 MB")
        let limit: Int64 = 100 * 1_048_576
        let spec = model(r)
        #expect(rules(try clip(bytes: limit), spec).isEmpty)
        #expect(rules(try clip(bytes: limit + 1), spec) == ["max_file_size"])
        let near = Checker().check(try clip(bytes: limit - 1000), models: [spec]).verdicts[0]
        #expect(near.compliant && near.warnings.map(\.rule) == ["near_max_file_size"])

        var needsSound = MediaRequirement()
        needsSound.audio = .required
        #expect(rules(try clip(audio: true), model(needsSound)).isEmpty)
        let silent = Checker().check(try clip(audio: false), models: [model(needsSound)]).verdicts[0].violations
        #expect(silent.map(\.rule) == ["audio"] && silent[0].repair == nil)
        var noSound = MediaRequirement()
        noSound.audio = .forbidden
        #expect(Checker().check(try clip(audio: true), models: [model(noSound)]).verdicts[0].violations.first?.repair == .dropAudio)
    }

    @Test func formatsByExtensionAndContent() throws {
        var r = MediaRequirement()
        r.formats = ["mp4", "mov"]
        let spec = model(r)
        #expect(rules(try probed("hd_1280x720_4s.mp4"), spec).isEmpty)
        #expect(rules(try probed("rotated_90.mov"), spec).isEmpty)
        let webm = Checker().check(try probed("vp9_opus.webm"), models: [spec]).verdicts[0].violations
        #expect(webm.map(\.rule) == ["formats"])
        #expect(webm[0].repair == .reencode) // VP9/Opus cannot be copied into MP4 for these models
        let mkv = Checker().check(try probed("no_durations.mkv"), models: [spec]).verdicts[0].violations
        #expect(mkv[0].repair == .rewrap) // H.264 can
        var images = MediaRequirement()
        images.formats = ["jpg", "png"]
        #expect(rules(try probed("still.jpg"), model(images, kind: .image)).isEmpty)
        #expect(Checker().check(try probed("still.webp"), models: [model(images, kind: .image)]).verdicts[0].violations.first?.repair == .convertImage)
    }

    @Test func theWrongKindOfMedia() throws {
        let v = Checker().check(try probed("still.jpg"), models: [model(MediaRequirement())]).verdicts[0]
        #expect(!v.compliant)
        #expect(v.violations.first?.rule == "media_kind")
        #expect(v.violations.first?.fixable == false)
    }
}

/// What the model sees is the picture as displayed, not as stored.
@Suite struct DisplayGeometryTests {
    @Test func rotationDecides() throws {
        var r = MediaRequirement()
        r.minHeight = 300 // stored 320x180, shown 180x320
        let info = try probed("rotated_90.mov")
        #expect(rules(info, model(r)).isEmpty)
        var wide = MediaRequirement()
        wide.minWidth = 300
        let v = Checker().check(info, models: [model(wide)]).verdicts[0]
        #expect(v.violations.map(\.rule) == ["min_width"])
        #expect(v.violations[0].message.contains("180x320 as displayed (stored 320x180)"))
        #expect(v.warnings.contains { $0.rule == "rotation" && $0.repair == .bakeRotation })
    }

    @Test func pixelAspectDecides() throws {
        var r = MediaRequirement()
        r.maxWidth = 1000 // stored 720 wide, shown 1024 wide
        let v = Checker().check(try probed("anamorphic_pal.mp4"), models: [model(r)]).verdicts[0].violations
        #expect(v.map(\.rule) == ["max_width"])
        #expect(v[0].actual == "1024 px")
        var ratio = MediaRequirement()
        ratio.aspectRatios = ["16:9"]
        #expect(rules(try probed("anamorphic_pal.mp4"), model(ratio)).isEmpty)
    }

    @Test func sizeTargetsKeepTheShape() {
        var r = MediaRequirement()
        r.minShortSide = 720
        #expect(SizeTarget.target(for: PictureSize(854, 480), r) == PictureSize(1282, 720))
        var big = MediaRequirement()
        big.maxLongSide = 1920
        #expect(SizeTarget.target(for: PictureSize(3840, 2160), big) == PictureSize(1920, 1080))
        var impossible = MediaRequirement()
        impossible.minWidth = 720; impossible.maxHeight = 400
        #expect(SizeTarget.target(for: PictureSize(640, 640), impossible) == nil)
    }
}
