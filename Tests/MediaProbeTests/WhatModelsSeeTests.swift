import MediaProbe
import Testing
import TestSupport

/// The values a model acts on: display size after rotation and SAR, frame-rate constancy, kind of
/// media, and durations that are measured rather than guessed.
@Suite struct WhatModelsSeeTests {
    func probe(_ name: String, _ depth: ProbeOptions.Depth = .auto) throws -> MediaInfo {
        try Prober.probe(TestMedia.path(name), options: ProbeOptions(depth: depth))
    }

    @Test func rotationSwapsDisplaySize() async throws {
        for (name, turn) in [("rotated_90.mov", 90), ("rotated_270.mov", 270)] {
            let v = try #require(try probe(name).primaryVideo)
            #expect(v.rotation == turn)
            #expect((v.width, v.height) == (320, 180))
            #expect((v.displayWidth, v.displayHeight) == (180, 320))
        }
        let upright = try #require(try probe("h264_aac.mp4").primaryVideo)
        #expect(upright.rotation == 0)
        #expect((upright.displayWidth, upright.displayHeight) == (320, 240))
    }

    @Test func exifOrientationTurnsStills() async throws {
        let info = try probe("exif_rotated_90.jpg")
        let v = try #require(info.primaryVideo)
        #expect(v.rotation == 90)
        #expect((v.width, v.height) == (640, 360))
        #expect((v.displayWidth, v.displayHeight) == (360, 640))
        #expect(info.warnings.contains { $0.contains("EXIF orientation") })
        #expect(try probe("still.jpg").primaryVideo?.rotation == 0)
    }

    @Test func anamorphicPixelsWidenThePicture() async throws {
        let v = try #require(try probe("anamorphic_pal.mp4").primaryVideo)
        #expect(v.sampleAspectRatio == Ratio(num: 64, den: 45))
        #expect(v.displayAspectRatio == Ratio(num: 16, den: 9))
        #expect((v.displayWidth, v.displayHeight) == (1024, 576))
    }

    @Test func oddSizesAreKeptExactly() async throws {
        let v = try #require(try probe("odd_853x480.mp4").primaryVideo)
        #expect((v.displayWidth, v.displayHeight) == (853, 480))
        #expect(v.pixelFormat == "yuv444p")
    }

    @Test(arguments: [ProbeOptions.Depth.fast, .accurate])
    func variableFrameRateIsFlagged(_ depth: ProbeOptions.Depth) throws {
        #expect(try probe("vfr.mp4", depth).primaryVideo?.variableFrameRate == true)
        for constant in ["h264_aac.mp4", "hevc.mp4", "vp9_opus.webm", "interlaced.mp4"] {
            #expect(try probe(constant, depth).primaryVideo?.variableFrameRate == false, "\(constant)")
        }
    }

    @Test func interlacedAndHDR() async throws {
        let i = try #require(try probe("interlaced.mp4").primaryVideo)
        #expect(i.fieldOrder == .tt)
        #expect(i.interlaced == true)
        let hdr = try #require(try probe("hdr10_pq.mp4").primaryVideo)
        #expect(hdr.hdr == .pq)
        #expect(hdr.bitDepth == 10)
        #expect(hdr.color.primaries == "bt2020")
        let sdr = try #require(try probe("h264_aac.mp4").primaryVideo)
        #expect(sdr.hdr == nil)
        #expect(sdr.bitDepth == 8)
        #expect(sdr.interlaced == false)
    }

    @Test func kindsOfMedia() async throws {
        #expect(try probe("h264_aac.mp4").kind == .video)
        #expect(try probe("audio_only.m4a").kind == .audio)
        for still in ["still.jpg", "still_rgba.png", "still.webp"] {
            let info = try probe(still)
            #expect(info.kind == .image, "\(still)")
            #expect(info.container.duration == nil, "\(still)")
        }
        let gif = try probe("animated.gif")
        #expect(gif.kind == .animatedImage)
        #expect(gif.primaryVideo?.frameCount == 10)
        #expect((gif.primaryVideo?.displayWidth, gif.primaryVideo?.displayHeight) == (160, 120))
        let png = try #require(try probe("still_rgba.png").primaryVideo)
        #expect(png.pixelFormat == "rgba")
        #expect((png.width, png.height) == (300, 400))
    }

    @Test func coverArtIsNotVideo() async throws {
        let info = try probe("cover_art.mp3")
        #expect(info.kind == .audio)
        #expect(info.video.isEmpty)
        #expect(info.attachedPictures.count == 1)
        #expect(info.attachedPictures.first?.codec == "mjpeg")
        #expect(info.primaryAudio?.codec == "mp3")
    }

    @Test func missingDurationIsMeasuredNotGuessed() async throws {
        let fast = try probe("no_durations.mkv", .fast)
        #expect(fast.container.duration == nil)
        #expect(fast.warnings.contains { $0.contains("duration unknown") })

        let auto = try probe("no_durations.mkv")
        #expect(auto.probeMode == .accurate)
        #expect(auto.container.durationSource == .packets)
        #expect(auto.container.durationExact == true)
        #expect(abs((auto.container.duration ?? 0) - 2.0) < 0.001)
        #expect(auto.primaryVideo?.frameCount == 50)
        #expect(auto.primaryVideo?.frameCountSource == .packets)

        let raw = try probe("raw_stream.h264")
        #expect(raw.container.durationSource == .packets)
        #expect(abs((raw.container.duration ?? 0) - 2.0) < 0.05)
        #expect(raw.primaryVideo?.frameCount == 50)
    }

    @Test func headerDurationsAreLabelled() async throws {
        let info = try probe("h264_aac.mp4")
        #expect(info.probeMode == .fast)
        #expect(info.container.durationSource == .container)
        #expect(info.container.durationExact == true)
        #expect(info.primaryVideo?.frameCountSource == .header)
        #expect(info.primaryAudio?.language == "eng")
        #expect(info.primaryAudio?.channelLayout == "stereo")
    }

    @Test func accurateModeCountsWhatTheHeaderSays() async throws {
        // A well-formed file: reading every packet must agree with its header.
        let fast = try probe("h264_aac.mp4", .fast)
        let accurate = try probe("h264_aac.mp4", .accurate)
        #expect(accurate.probeMode == .accurate)
        #expect(accurate.primaryVideo?.frameCount == fast.primaryVideo?.frameCount)
        #expect(abs((accurate.container.duration ?? 0) - (fast.container.duration ?? 0)) < 0.05)
        // The packets presented: ffprobe's, less the AAC priming frame the edit list hides (FFmpeg marks it discarded).
        #expect(accurate.primaryAudio?.frameCount == (try await FFprobeReport.presentedPackets(TestMedia.path("h264_aac.mp4"), stream: 1)))
    }
}
