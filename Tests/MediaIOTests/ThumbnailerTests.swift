import Foundation
import MediaIO
import Testing
import TestSupport

/// Thumbnails of every sample file: FFmpeg's own CLI is the reference for what the frame looks like.
@Suite struct ThumbnailerTests {
    /// Decodes a JPEG with the ffmpeg CLI to 8-bit grey at the size it has: what a browser would show.
    static func grey(_ jpeg: [UInt8], width: Int, height: Int) async throws -> [UInt8] {
        let folder = try TestMedia.temporaryFolder("preflight-thumb")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t.jpg")
        try Data(jpeg).write(to: file)
        return try await ffmpegGrey(["-i", file.path], width: width, height: height)
    }

    /// One frame through the ffmpeg CLI (which turns pictures upright by itself), scaled to `width`x`height` grey.
    static func ffmpegGrey(_ input: [String], width: Int, height: Int) async throws -> [UInt8] {
        let ffmpeg = try #require(which("ffmpeg"))
        let folder = try TestMedia.temporaryFolder("preflight-thumb")
        defer { try? FileManager.default.removeItem(at: folder) }
        let raw = folder.appendingPathComponent("frame.gray")
        let result = try await run(ffmpeg, ["-v", "error", "-y"] + input + ["-frames:v", "1", "-vf", "scale=\(width):\(height):flags=bicubic,format=gray",
                                                                         "-f", "rawvideo", raw.path])
        #expect(result.status == 0, "\(result.stderr)")
        return Array(try Data(contentsOf: raw))
    }

    static func meanDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        return Double(zip(a, b).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(a.count)
    }

    @Test(arguments: ["h264_aac.mp4", "hd_1280x720_4s.mp4", "long_720p_12s.mp4", "rotated_90.mov", "rotated_270.mov", "anamorphic_pal.mp4",
                      "still.jpg", "still_rgba.png", "still.webp", "animated.gif", "vp9_opus.webm", "hevc.mp4", "odd_853x480.mp4", "tiny_64x36.mp4",
                      "no_durations.mkv", "raw_stream.h264", "interlaced.mp4", "vfr.mp4"])
    func looksLikeTheFrameFFmpegShows(_ name: String) async throws {
        let path = TestMedia.path(name)
        let thumb = try Thumbnailer.make(path)
        #expect(thumb.width <= 192 && thumb.height <= 108 && thumb.width >= 2 && thumb.height >= 2, "\(thumb.width)x\(thumb.height)")
        #expect(thumb.width % 2 == 0 && thumb.height % 2 == 0)
        #expect(thumb.jpeg.count < 16_000, "\(thumb.jpeg.count) bytes")
        let ours = try await Self.grey(thumb.jpeg, width: thumb.width, height: thumb.height)
        // `-ss 0` on a file without timestamps (a raw stream, a still) makes ffmpeg drop every frame.
        let seek = thumb.seconds.map { ["-ss", String(format: "%.3f", $0)] } ?? []
        let theirs = try await Self.ffmpegGrey(seek + ["-i", path], width: thumb.width, height: thumb.height)
        let difference = Self.meanDifference(ours, theirs)
        // JPEG at q5 and a different scaler path differ by a few levels; a wrong turn, shape or frame by tens.
        #expect(difference < 8, "\(name): mean difference \(difference) from ffmpeg's frame at \(thumb.seconds ?? 0) s")
    }

    @Test func showsTheDisplayShapeUpright() throws {
        let portrait = try Thumbnailer.make(TestMedia.path("rotated_90.mov"))
        #expect(portrait.height == 108 && portrait.width < portrait.height)
        let photo = try Thumbnailer.make(TestMedia.path("exif_rotated_90.jpg"))
        #expect(photo.height == 108 && photo.width == 60, "EXIF orientation 6: \(photo.width)x\(photo.height)")
        // 720x576 stored, 1024x576 shown.
        let pal = try Thumbnailer.make(TestMedia.path("anamorphic_pal.mp4"))
        #expect(pal.width == 192 && pal.height == 108)
        let tiny = try Thumbnailer.make(TestMedia.path("tiny_64x36.mp4"))
        #expect(tiny.width == 64 && tiny.height == 36, "never enlarged")
    }

    @Test func looksAThirdIntoAClip() throws {
        // Keyframes every second: the one at or before 4 s of 12 s.
        let long = try Thumbnailer.make(TestMedia.path("long_720p_12s.mp4"))
        let seconds = try #require(long.seconds)
        #expect(seconds >= 3 && seconds <= 4.01, "\(seconds)")
        #expect(try Thumbnailer.make(TestMedia.path("still.jpg")).seconds == nil)
    }

    @Test func anAlbumCoverIsThePicture() throws {
        let cover = try Thumbnailer.make(TestMedia.path("cover_art.mp3"))
        #expect(cover.width > 0 && cover.height > 0)
    }

    /// Not a picture, not media, cut short, lying or absurd: an error or a small picture, never a crash.
    @Test func hostileFilesGiveAnErrorOrASmallPicture() throws {
        let refused = ["audio_only.m4a", "empty.mp4", "not_media.mp4", "truncated_no_index.mp4", "absurd_dimensions.png", "data_only_kind_audio.mp4"]
        for name in refused {
            #expect(throws: FFmpegError.self, "\(name)") { try Thumbnailer.make(TestMedia.path(name)) }
        }
        // The fuzz-found files of ../shared/hostile-media are all among these.
        for name in TestMedia.hostile + TestMedia.lyingHeader + ["truncated.mp4", "h264sar_1_65535.mp4", "sar_zero.png"] {
            if let thumb = try? Thumbnailer.make(TestMedia.path(name)) {
                #expect(thumb.width >= 2 && thumb.height >= 2 && thumb.width <= 192 && thumb.height <= 108, "\(name): \(thumb.width)x\(thumb.height)")
                #expect(!thumb.jpeg.isEmpty)
            }
        }
    }

    /// A large JPEG is decoded at a quarter of its size (lowres), so a pixel limit that refuses the same
    /// picture as PNG (no lowres) lets it through; the picture is still FFmpeg's.
    @Test func aLargePhotoIsDecodedSmall() async throws {
        let ffmpeg = try #require(which("ffmpeg"))
        let folder = try TestMedia.temporaryFolder("preflight-thumb-large")
        defer { try? FileManager.default.removeItem(at: folder) }
        var request = ThumbnailRequest()
        request.maxPixels = 1_000_000
        for ext in ["jpg", "png"] {
            let path = folder.appendingPathComponent("large.\(ext)").path
            let made = try await run(ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=3840x2160", "-frames:v", "1", path])
            try #require(made.status == 0, "\(made.stderr)")
            if ext == "png" {
                #expect(throws: FFmpegError.self) { try Thumbnailer.make(path, request) }
                continue
            }
            let thumb = try Thumbnailer.make(path, request)
            #expect(thumb.width == 192 && thumb.height == 108)
            let ours = try await Self.grey(thumb.jpeg, width: 192, height: 108)
            let theirs = try await Self.ffmpegGrey(["-i", path], width: 192, height: 108)
            #expect(Self.meanDifference(ours, theirs) < 8)
        }
    }

    @Test func aDeadlineStopsTheAttempt() throws {
        var request = ThumbnailRequest()
        request.timeout = 0.000_001
        #expect(throws: FFmpegError.self) { try Thumbnailer.make(TestMedia.path("long_720p_12s.mp4"), request) }
    }
}
