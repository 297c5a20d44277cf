import Foundation
import MediaProbe
import Testing
import TestSupport

/// The probe against its oracles on the real-footage shapes (edit lists, several video tracks, files
/// cut short) and the damaged files: ffprobe for what the headers say, the ffmpeg CLI for what the
/// presented media is (`ffmpeg -i F -c:v libx264 out.mp4` converts exactly that) and for whether
/// the frames decode (`ffmpeg -v error -i F -f null -` prints nothing for a healthy file).
@Suite struct RealFootageTests {
    static let files = TestMedia.realFootage + TestMedia.damaged.filter { $0 != "undecodable.mp4" }

    /// What the ffmpeg CLI makes of a file with its default stream choice: the converted video's
    /// duration and frame rate, probed by ffprobe.
    static func cliConversion(_ path: String) async throws -> (duration: Double, fps: Double) {
        let folder = try TestMedia.temporaryFolder("preflight-cli-oracle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.mp4").path
        let ffmpeg = try #require(which("ffmpeg"))
        _ = try await run(ffmpeg, ["-v", "error", "-i", path, "-c:v", "libx264", "-preset", "ultrafast", "-an", "-sn", "-dn", out])
        let ref = try await FFprobeReport(out)
        let v = ref.stream(0)
        let rate = (FFprobeReport.text(v, "avg_frame_rate") ?? "25/1").split(separator: "/").compactMap { Double($0) }
        return (FFprobeReport.number(v, "duration") ?? .nan, rate.count == 2 && rate[1] > 0 ? rate[0] / rate[1] : 25)
    }

    /// The presented video is what the ffmpeg CLI converts, to within two frames (the CLI repeats a
    /// frame to fill an empty edit at a constant rate, and keeps a cut-short file's concealed last frame).
    @Test(arguments: files) func presentedVideoIsWhatTheCLIConverts(_ name: String) async throws {
        let info = try Prober.probe(TestMedia.path(name), options: ProbeOptions(depth: .accurate))
        let v = try #require(info.primaryVideo)
        let cli = try await Self.cliConversion(TestMedia.path(name))
        let ours = (v.startTime ?? 0) - (info.container.startTime ?? 0) + (v.duration ?? .nan)
        #expect(abs(ours - cli.duration) <= 2 / cli.fps + 0.001, "\(name): presented \(ours) s, the CLI converts \(cli.duration) s")
    }

    /// Where ffprobe reads the headers, the quick probe says the same (the agreement suite's rules,
    /// on these files): container, codecs, geometry, rotation, colour.
    @Test(arguments: TestMedia.realFootage + TestMedia.damaged) func headersAgreeWithFFprobe(_ name: String) async throws {
        let info = try Prober.probe(TestMedia.path(name))
        let ref = try await FFprobeReport(TestMedia.path(name))
        #expect(info.container.format == FFprobeReport.text(ref.format, "format_name"))
        #expect(info.container.streamCount == Int(FFprobeReport.text(ref.format, "nb_streams") ?? ""))
        if info.container.durationSource != .packets, let theirs = FFprobeReport.number(ref.format, "duration") {
            #expect(abs((info.container.duration ?? .nan) - theirs) < 0.0015, "\(name)")
        }
        for v in info.video {
            let s = ref.stream(v.index)
            #expect(v.codec == FFprobeReport.text(s, "codec_name"))
            #expect(v.pixelFormat == FFprobeReport.text(s, "pix_fmt"))
            #expect(v.width == s["width"] as? Int)
            #expect(v.height == s["height"] as? Int)
            #expect(v.rotation == FFprobeReport.clockwiseRotation(s))
            #expect(v.color.transfer == FFprobeReport.text(s, "color_transfer"))
            if let theirs = FFprobeReport.number(s, "start_time") { #expect(abs((v.startTime ?? .nan) - theirs) < 0.0015, "\(name)") }
        }
        for a in info.audio {
            let s = ref.stream(a.index)
            #expect(a.codec == FFprobeReport.text(s, "codec_name"))
            #expect(a.sampleRate.map(String.init) == FFprobeReport.text(s, "sample_rate"))
            // An MPEG-TS's audio bit rate is what ffprobe says only when every program table is read.
            #expect(a.bitRate.map(String.init) == FFprobeReport.text(s, "bit_rate"), "\(name)")
        }
        #expect(info.subtitles.count == ref.streams.filter { $0["codec_type"] as? String == "subtitle" }.count)
    }

    /// An edit list's hidden frames are not counted: the packets read are ffprobe's, less those FFmpeg
    /// marks discarded.
    @Test(arguments: ["edit_list.mp4", "hlg_iphone.mov"]) func editListsCountWhatIsShown(_ name: String) async throws {
        let info = try Prober.probe(TestMedia.path(name), options: ProbeOptions(depth: .accurate))
        let v = try #require(info.primaryVideo)
        let shown = try await FFprobeReport.presentedTimestamps(TestMedia.path(name), stream: v.index)
        #expect(v.frameCount == Int64(shown.count))
        // The hidden lead-in is no change of rate: the rate varies exactly when the shown frames' steps do
        // (edit_list.mp4's copy ended, in decode order, before its last B-frame: one step is double).
        let steps = Set(zip(shown.dropFirst(), shown).map { $0 - $1 })
        #expect(v.variableFrameRate == (steps.count > 1), "\(name): steps \(steps)")
    }

    /// Files cut short are probed, with what is missing and where the cut is.
    @Test func cutShortFilesSayWhatIsMissing() throws {
        for name in TestMedia.cutShort {
            let info = try Prober.probe(TestMedia.path(name))
            let cut = try #require(info.truncation, "\(name) not seen as cut short")
            let present = try #require(cut.presentDuration, "\(name)")
            #expect(abs(present - (info.duration ?? .nan)) < 0.0005, "\(name)")
            if let declared = cut.declaredDuration { #expect(declared > present, "\(name)") }
            #expect((cut.cutAt ?? .nan) <= present + 0.0005, "\(name)")
        }
        // The Matroska segment says 64,288 bytes; the DV file's second frame is 10,000 of 120,000 bytes.
        #expect(try Prober.probe(TestMedia.path("cut_short_subs.mkv")).truncation?.evidence.contains("header says") == true)
        let dv = try Prober.probe(TestMedia.path("dv_one_frame.dv"))
        #expect(dv.primaryVideo?.frameCount == 1)
        #expect(dv.primaryAudio?.frameCount == 1, "the sound cut out of the incomplete frame is not whole either")
        for name in TestMedia.valid + TestMedia.codecShapes + TestMedia.damaged + ["edit_list.mp4", "edit_list_gap.mp4", "hlg_iphone.mov", "two_video_tracks.mp4"] {
            #expect(try Prober.probe(TestMedia.path(name)).truncation == nil, "\(name) called cut short")
        }
    }

    /// A file whose frames do not decode says so only when asked to decode.
    @Test func damageIsFoundByDecodingOnly() throws {
        let plain = try Prober.probe(TestMedia.path("damaged_middle.mp4"))
        #expect(plain.decodeHealth == nil && plain.truncation == nil)
        let health = try #require(try Prober.probe(TestMedia.path("damaged_middle.mp4"), options: ProbeOptions(health: .full)).decodeHealth)
        #expect(health.verdict == .damaged)
        #expect(!health.isUsable)
        // The bytes overwritten sit in the middle of a 4 s clip.
        let span = try #require(health.damage.first)
        #expect((span.start ?? 0) > 1 && (span.start ?? 9) < 3, "\(span)")
        #expect(span.messages.allSatisfy { !$0.contains("0x") }, "addresses are left out of FFmpeg's lines")
        let none = try #require(try Prober.probe(TestMedia.path("undecodable.mp4"), options: ProbeOptions(health: .full)).decodeHealth)
        #expect(none.verdict == .undecodable && none.frames == 0)
        #expect(none.problemText.contains("Invalid NAL unit size"), "FFmpeg's own words: \(none.problemText)")
        // The cut-short end is the cut, not damage inside the file.
        let dv = try #require(try Prober.probe(TestMedia.path("dv_one_frame.dv"), options: ProbeOptions(health: .full)).decodeHealth)
        #expect(dv.verdict == .damaged && dv.damage.isEmpty && dv.isUsable, "\(dv.spans)")
    }

    /// The verdict of a full decode check is the ffmpeg CLI's on every file: damaged exactly when
    /// `ffmpeg -v error -i F -f null -` prints something. Sampling never finds damage a full decode
    /// does not (seeking into a GOP is not damage).
    @Test(arguments: TestMedia.valid + TestMedia.codecShapes + TestMedia.lyingHeader + TestMedia.realFootage + TestMedia.damaged)
    func decodeVerdictIsTheCLIs(_ name: String) async throws {
        let ffmpeg = try #require(which("ffmpeg"))
        let cli = try await run(ffmpeg, ["-nostdin", "-v", "error", "-i", TestMedia.path(name), "-f", "null", "-"])
        let full = try #require(try Prober.probe(TestMedia.path(name), options: ProbeOptions(health: .full)).decodeHealth)
        let cliDamaged = !cli.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || cli.status != 0
        #expect((full.verdict != .healthy) == cliDamaged, "\(name): ours \(full.verdict) \(full.spans.first?.description ?? ""), ffmpeg: \(cli.stderr.prefix(300))")
        let sampled = try #require(try Prober.probe(TestMedia.path(name), options: ProbeOptions(health: .sample)).decodeHealth)
        if full.verdict == .healthy { #expect(sampled.verdict == .healthy, "\(name): \(sampled.spans)") }
    }

    /// A long file is sampled: five windows of 1.5 s (the start, the quarters, the end). Damage at a
    /// sample point is found; damage between them only by decoding every frame.
    @Test func longFilesAreSampled() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-sample")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("long.mp4").path
        let ffmpeg = try #require(which("ffmpeg"))
        _ = try await run(ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=20", "-c:v", "libx264",
                                   "-preset", "ultrafast", "-g", "25", "-movflags", "+faststart", clip])
        let sampled = try #require(try Prober.probe(clip, options: ProbeOptions(health: .sample)).decodeHealth)
        #expect(sampled.scope == .sample && sampled.verdict == .healthy)
        #expect(abs((sampled.checkedSeconds ?? 0) - 7.5) < 0.001)
        #expect(sampled.frames > 5 * 25 && sampled.frames < 20 * 25, "\(sampled.frames) frames decoded")
        // Overwrite a frame's worth of bytes in the media data at 50 % (a sample point) and at 37 % (none).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: clip))
        for (fraction, found) in [(0.53, true), (0.37, false)] {
            var broken = [UInt8](bytes)
            let at = Int(Double(broken.count) * fraction)
            for i in at..<(at + 600) { broken[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
            let path = folder.appendingPathComponent("broken-\(fraction).mp4").path
            try Data(broken).write(to: URL(fileURLWithPath: path))
            let full = try #require(try Prober.probe(path, options: ProbeOptions(health: .full)).decodeHealth)
            let sample = try #require(try Prober.probe(path, options: ProbeOptions(health: .sample)).decodeHealth)
            #expect(full.verdict == .damaged, "\(fraction)")
            #expect((sample.verdict == .damaged) == found, "\(fraction): \(sample.spans)")
        }
        #expect(try Prober.probe(TestMedia.path("h264_aac.mp4"), options: ProbeOptions(health: .sample)).decodeHealth?.scope == .full,
                "a short clip is decoded whole")
    }
}
