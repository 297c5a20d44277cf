import Foundation
import MediaAdapt
import MediaIO
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Each kind of plan, carried out on real files: the output is probed again and passes, and has
/// what the plan said.
@Suite struct FixPlanTests {
    @Test func nothingToDoWritesNothing() async throws {
        let spec = model(requirement { $0.maxDuration = 30 })
        let info = try Prober.probe(TestMedia.path("hd_1280x720_4s.mp4"))
        let plan = try planned(info, models: [spec])
        #expect(plan.action == .none)
        let result = try Conformer(pipeline: MediaPipeline(models: [spec])).run(plan, output: nil)
        #expect(result.output == nil)
        // With an output demanded: the same bytes, in a copy (a link only when asked).
        let (copied, folder) = try fix("hd_1280x720_4s.mp4", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try sha(copied.output!) == sha(TestMedia.path("hd_1280x720_4s.mp4")))
    }

    @Test func wrongContainerIsRewrapped() async throws {
        let spec = model(requirement { $0.formats = ["mov"] })
        let (result, folder) = try fix("h264_aac.mp4", [spec], output: "out.mov")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(result.plan.action == .rewrap)
        let out = try Prober.probe(result.output!)
        #expect(MediaFormatName.of(out) == "mov")
        #expect(out.primaryAudio?.codec == "aac")
        // Not re-encoded: the video packets are the source's, byte for byte.
        let a = try PacketSurvey(TestMedia.path("h264_aac.mp4"), keepVideo: 50), b = try PacketSurvey(result.output!, keepVideo: 50)
        #expect(a.videoPackets == b.videoPackets)
    }

    @Test func tooLongIsCutOnAKeyframeWithoutReencoding() async throws {
        let spec = model(requirement { $0.maxDuration = 10.05 })
        var options = MediaPolicy()
        options.trim = .center
        let (result, folder) = try fix("long_720p_12s.mp4", [spec], options: options)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trim = try #require(result.plan.trim)
        #expect(result.plan.action == .trimCopy)
        #expect(trim.streamCopy)
        #expect(trim.start == 1.0) // (12 - 10.05) / 2 = 0.975, moved to the keyframe shown at 1 s
        let out = try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate))
        #expect(out.duration! <= 10.05 && out.duration! > 9.9)
        // The first output packet is the source's keyframe at 1 s, unchanged.
        let source = try Demuxer(path: TestMedia.path("long_720p_12s.mp4"))
        try source.findStreamInfo()
        try source.seek(toSeconds: 1.0)
        let packet = Packet()
        var keyframe: [UInt8] = []
        while try source.read(into: packet) {
            if packet.streamIndex == 0 { keyframe = packet.bytes; break }
        }
        #expect(try PacketSurvey(result.output!).firstVideoBytes == keyframe)
        #expect(!keyframe.isEmpty)
    }

    @Test func anExactCutIsReencodedAndInSync() async throws {
        let spec = model(requirement { $0.maxDuration = 3; $0.maxLongSide = 640 })
        var options = MediaPolicy()
        options.from = 2.5
        options.marginFrames = 0 // exactly at the limit: this test is about the cut
        let (result, folder) = try fix("long_720p_12s.mp4", [spec], options: options)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(result.plan.action == .reencode)
        #expect(result.plan.trim?.start == 2.5 && result.plan.trim?.duration == 3 && result.plan.trim?.streamCopy == false)
        let out = try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate))
        let v = try #require(out.primaryVideo)
        #expect((v.width, v.height) == (640, 360))
        #expect(abs(out.duration! - 3) < 0.05 && out.duration! <= 3)
        #expect(v.frameCount == 90)
        guard case .reencode = result.plan.audio else { Issue.record("audio should be re-encoded for an exact cut"); return }
        let a = try #require(out.primaryAudio)
        // The presented sound (the AAC priming frame the edit list hides not counted, as ffprobe counts
        // it): the cut, less the frame AudioPath holds back so that no container's measure outlasts it.
        #expect(abs(a.duration! - 3) < 0.045 && a.duration! <= 3)
        let survey = try PacketSurvey(result.output!)
        #expect(abs(survey.firstTime[v.index]! - survey.firstTime[a.index]!) < 1.0 / 30)
    }

    @Test func aCutBetweenFramesNeverOutlastsTheLimit() async throws {
        // 25 fps: a picture starting at 0.48 s would end at 0.52 s, past a 0.5 s limit.
        let spec = model(requirement { $0.maxDuration = 0.5; $0.maxLongSide = 160 })
        var options = MediaPolicy()
        options.marginFrames = 0
        let (result, folder) = try fix("video_only.mp4", [spec], options: options)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate))
        #expect(out.duration! <= 0.5)
        #expect(out.primaryVideo?.frameCount == 12)
    }

    @Test func containersOnlyTakeWhatTheirMuxersCarry() {
        #expect(!MediaFormatName.canCarry("mp4", videoCodec: "prores", audioCodec: nil))
        #expect(MediaFormatName.canCarry("mov", videoCodec: "prores", audioCodec: "pcm_s16le"))
        #expect(!MediaFormatName.canCarry("mp4", videoCodec: "h264", audioCodec: "pcm_s16le"))
        #expect(MediaFormatName.canCarry("mp4", videoCodec: "hevc", audioCodec: "aac"))
        #expect(!MediaFormatName.canCarry("webm", videoCodec: "h264", audioCodec: nil))
    }

    @Test func rotatedVideoComesOutUpright() async throws {
        let spec = model(requirement { $0.minShortSide = 360 })
        let (result, folder) = try fix("rotated_90.mov", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate))
        let v = try #require(out.primaryVideo)
        #expect(v.rotation == 0)
        #expect((v.width, v.height) == (360, 640))
        // Nothing cut: every frame and the full second are still there.
        #expect(v.frameCount == 25)
        #expect(abs((out.duration ?? 0) - 1.0) < 0.001)
        // The ffmpeg CLI turns the picture by its display matrix: ours must look the same.
        let reference = folder.appendingPathComponent("reference.mp4").path
        let ffmpeg = try #require(which("ffmpeg"))
        _ = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-i", TestMedia.path("rotated_90.mov"), "-vf", "scale=360:640", "-c:v", "libx264", "-crf", "10", reference])
        #expect(try await ssim(result.output!, reference) > 0.9)
        // And a wrong turn would not: the 270° clip fixed the same way differs from this reference.
        let (other, otherFolder) = try fix("rotated_270.mov", [spec])
        defer { try? FileManager.default.removeItem(at: otherFolder) }
        #expect(try await ssim(other.output!, reference) < 0.8)
    }

    @Test func phonePhotosComeOutUpright() async throws {
        let spec = model(requirement { $0.minShortSide = 720 }, kind: .image)
        let (result, folder) = try fix("exif_rotated_90.jpg", [spec], output: "out.jpg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try Prober.probe(result.output!)
        #expect((out.primaryVideo?.width, out.primaryVideo?.height) == (720, 1280))
        #expect(out.primaryVideo?.rotation == 0) // turned, and the EXIF note not carried over
        let reference = folder.appendingPathComponent("reference.png").path
        _ = try await run(try #require(which("ffmpeg")), ["-hide_banner", "-loglevel", "error", "-i", TestMedia.path("exif_rotated_90.jpg"), "-vf", "scale=720:1280", reference])
        #expect(try await ssim(result.output!, reference) > 0.95)
    }

    @Test func anamorphicVideoGetsSquarePixels() async throws {
        let spec = model(requirement { $0.maxLongSide = 1024; $0.videoCodecs = ["h264"]; $0.minFPS = 30 })
        let (result, folder) = try fix("anamorphic_pal.mp4", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        let v = try #require(try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate)).primaryVideo)
        #expect((v.width, v.height) == (1024, 576))
        #expect(v.sampleAspectRatio == Ratio(num: 1, den: 1))
        #expect(v.averageFrameRate == Ratio(num: 30, den: 1))
        #expect(v.variableFrameRate == false)
    }

    @Test func padAndCropChangeTheShape() async throws {
        let square = model(requirement { $0.aspectRatios = ["1:1"] })
        let (padded, a) = try fix("h264_aac.mp4", [square])
        defer { try? FileManager.default.removeItem(at: a) }
        #expect(padded.plan.video?.content == Rect(x: 0, y: 40, width: 320, height: 240))
        let p = try #require(try Prober.probe(padded.output!).primaryVideo)
        #expect((p.width, p.height) == (320, 320))
        var options = MediaPolicy()
        options.fit = .crop
        let (cropped, b) = try fix("h264_aac.mp4", [square], options: options)
        defer { try? FileManager.default.removeItem(at: b) }
        #expect(cropped.plan.video?.sourceCrop == Rect(x: 40, y: 0, width: 240, height: 240))
        let c = try #require(try Prober.probe(cropped.output!).primaryVideo)
        #expect((c.width, c.height) == (240, 240))
    }

    @Test func variableRateBecomesConstant() async throws {
        let spec = model(requirement { $0.maxFPS = 24 })
        let (result, folder) = try fix("vfr.mp4", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        let v = try #require(try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate)).primaryVideo)
        #expect(v.averageFrameRate == Ratio(num: 24, den: 1))
        #expect(v.variableFrameRate == false)
        #expect(v.frameCount == 64) // 2.667 s at 24 fps
    }

    @Test func aFileSizeLimitIsMet() async throws {
        let limit: Int64 = 30 * 1024 // the source is 48 KB
        let spec = model(requirement { $0.maxFileSize = ByteCount(limit) })
        let (result, folder) = try fix("h264_aac.mp4", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(result.plan.action == .reencode)
        #expect(result.plan.video?.bitRate != nil)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: result.output!)[.size] as? Int)
        #expect(Int64(size) <= limit)
        #expect(result.tries <= 2)
    }

    @Test func soundIsDroppedWhenForbidden() async throws {
        let spec = model(requirement { $0.audio = .forbidden })
        let (result, folder) = try fix("h264_aac.mp4", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(result.plan.audio == .drop)
        #expect(try Prober.probe(result.output!).audio.isEmpty)
    }

    @Test func stillsAreConvertedResizedAndShrunk() async throws {
        let spec = model(requirement { $0.formats = ["jpg"]; $0.minWidth = 500; $0.maxFileSize = ByteCount(30 * 1024) }, kind: .image)
        let (result, folder) = try fix("still_rgba.png", [spec], output: "out.jpg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try Prober.probe(result.output!)
        #expect(out.primaryVideo?.codec == "mjpeg")
        #expect(out.primaryVideo?.width == 500)
        #expect(out.fileSize <= 30 * 1024)
        let webp = model(requirement { $0.formats = ["webp", "png"] }, kind: .image)
        let (kept, other) = try fix("still_rgba.png", [webp], output: "out.png")
        defer { try? FileManager.default.removeItem(at: other) }
        #expect(kept.plan.action == .none) // PNG is accepted as it is
    }
}

/// What fix refuses, and what it never leaves behind.
@Suite struct FixRefusalTests {
    @Test func tooShortCannotBeFixed() async throws {
        let spec = model(requirement { $0.minDuration = 3 })
        let info = try Prober.probe(TestMedia.path("h264_aac.mp4"))
        #expect(throws: FixError.self) { try planned(info, models: [spec]) }
        do { _ = try planned(info, models: [spec]) } catch {
            #expect(error.description.contains("needs at least 3 s of video; this clip is 2.00 s"))
        }
    }

    @Test func disjointModelsAreRefused() async throws {
        let a = model(requirement { $0.maxDuration = 1 }, id: "a"), b = model(requirement { $0.formats = ["webm"] }, id: "b")
        let c = model(requirement { $0.formats = ["mov"] }, id: "c")
        let info = try Prober.probe(TestMedia.path("h264_aac.mp4"))
        do {
            _ = try planned(info, models: [a, b, c])
            Issue.record("planned one output for disjoint formats")
        } catch {
            guard case .conflicting(let conflicts) = error else { Issue.record("\(error)"); return }
            #expect(conflicts.first?.contains("no file format suits all") == true)
        }
    }

    @Test func cancellingLeavesNoFileAndTheSourceUntouched() async throws {
        let source = TestMedia.path("long_720p_12s.mp4")
        let before = try sha(source)
        let cancel = CancellationFlag()
        cancel.cancel()
        let spec = model(requirement { $0.maxLongSide = 640 })
        let folder = try TestMedia.temporaryFolder("preflight-cancel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try planned(try Prober.probe(source), models: [spec])
        #expect(throws: FixError.self) { try Conformer(pipeline: MediaPipeline(models: [spec])).run(plan, output: folder.appendingPathComponent("out.mp4"), cancel: cancel) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(try sha(source) == before)
    }

    @Test func theDefaultNameSitsBesideTheSource() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-name")
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("clip.mov")
        try FileManager.default.copyItem(atPath: TestMedia.path("rotated_90.mov"), toPath: copy.path)
        let spec = model(requirement { $0.maxLongSide = 320 })
        let plan = try planned(try Prober.probe(copy.path), models: [spec])
        let result = try Conformer(pipeline: MediaPipeline(models: [spec])).run(plan, output: nil)
        #expect(result.output == folder.appendingPathComponent("clip.preflight.mov").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["clip.mov", "clip.preflight.mov"])
        #expect(throws: FixError.self) { try Conformer(pipeline: MediaPipeline(models: [spec])).run(plan, output: copy) } // never over the source
    }

    /// Limits one model sets that no output can meet at once (a resolution under its own minimum
    /// width; a frame-rate window that is empty) are refused before anything is encoded, with what
    /// the planned output would have been; limits that leave room are planned as before.
    @Test func aPlanWhoseOutputWouldFailIsRefusedFirst() throws {
        let info = try Prober.probe(TestMedia.path("h264_aac.mp4"))
        for r in [requirement { $0.minWidth = 400; $0.resolutions = ["256x144"] }, requirement { $0.minFPS = 30; $0.maxFPS = 15 }] {
            #expect {
                try planned(info, models: [model(r)])
            } throws: { error in
                "\(error)".contains("no output meets every limit at once: the planned one (")
            }
        }
        #expect(try planned(info, models: [model(requirement { $0.minWidth = 400; $0.maxFPS = 15 })]).action == .reencode)
        // A list field's total is this file's own: a 0.8 s total cuts the 2 s clip, as a 0.8 s maximum does.
        let cut = try planned(info, models: [model(requirement { $0.maxTotalDuration = 0.8 })])
        #expect((cut.trim?.duration ?? 9) < 0.8 && cut.duration == cut.trim?.duration)
    }
}

