import Foundation
import Testing
import TestSupport

/// "verified" means verified: what `fix` prints about a file is what `check` says of it, on every
/// path, and an output is a copy unless a link is asked for.
@Suite struct FixTrustTests {
    /// A home with a user catalog of models that each allow one thing only.
    func home() throws -> URL {
        let dir = try TestMedia.temporaryFolder("preflight-trust")
        let models = dir.appendingPathComponent("config/models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        func entry(_ id: String, _ require: String) -> String {
            """
              - id: \(id)
                name: \(id)
                provider: fal
                category: video-to-video
                media:
                  - field: video_url
                    kind: video
                    require: {\(require)}

            """
        }
        let yaml = "models:\n" + entry("only/mp3", "audio_codecs: [mp3]") + entry("only/webm-opus", "formats: [webm], audio_codecs: [opus]")
            + entry("only/flac", "formats: [mp4], audio_codecs: [flac]") + entry("only/long", "max_duration: 30")
            + entry("only/pcm-mov", "formats: [mov], audio_codecs: [pcm_s16le]")
        try yaml.write(to: models.appendingPathComponent("trust.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    func files(in dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "config" && $0 != "state" }
    }

    /// The reproduction: a model allowing only MP3 sound, an AAC clip. `fix` once said
    /// "already compliant ... verified", exited 0, and `check` of its output failed.
    @Test func theMP3OnlyRegression() async throws {
        let dir = try home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestMedia.path("h264_aac.mp4")
        #expect(try await preflight(["check", source, "--model", "only/mp3"], home: dir).status == 1)
        let out = dir.appendingPathComponent("out.mp4").path
        let fix = try await preflight(["fix", source, "--model", "only/mp3", "-o", out], home: dir)
        #expect(fix.status == 0, "\(fix.stderr)")
        #expect(!fix.stdout.contains("already compliant"))
        #expect(fix.stdout.contains("encode the audio as MP3"))
        #expect(fix.stdout.contains("verified: probed again (every packet read), passes only/mp3"))
        let check = try await preflight(["check", out, "--model", "only/mp3"], home: dir)
        #expect(check.status == 0, "\(check.stdout)")
        #expect(try await FFprobeReport(out).streams.first { $0["codec_type"] as? String == "audio" }?["codec_name"] as? String == "mp3")
    }

    /// Every model a codec question can come from: each output is checked, each refusal is plain
    /// (exit 1, nothing written, no muxer error).
    @Test func codecsFollowTheModelAndTheContainer() async throws {
        let dir = try home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestMedia.path("h264_aac.mp4")
        for (model, ext, video, audio) in [("only/webm-opus", "webm", "vp9", "opus"), ("only/pcm-mov", "mov", "h264", "pcm_s16le")] {
            let out = dir.appendingPathComponent("out.\(ext)").path
            let fix = try await preflight(["fix", source, "--model", model, "-o", out], home: dir)
            #expect(fix.status == 0, "\(model): \(fix.stderr)")
            #expect(try await preflight(["check", out, "--model", model], home: dir).status == 0)
            let streams = try await FFprobeReport(out).streams
            #expect(streams.first { $0["codec_type"] as? String == "video" }?["codec_name"] as? String == video)
            #expect(streams.first { $0["codec_type"] as? String == "audio" }?["codec_name"] as? String == audio)
            try FileManager.default.removeItem(atPath: out)
        }
        let refused = try await preflight(["fix", source, "--model", "only/flac", "-o", dir.appendingPathComponent("x.mp4").path], home: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot be fixed: no encoder here makes video with audio as flac in .mp4"))
        #expect(!refused.stderr.contains("muxer") && !refused.stderr.contains("Only"))
        #expect(try files(in: dir).isEmpty)
        // An -o whose extension says another format than the model takes: refused, nothing written.
        let misnamed = try await preflight(["fix", source, "--model", "only/webm-opus", "-o", dir.appendingPathComponent("x.mp4").path], home: dir)
        #expect(misnamed.status == 64, "a name that says another format is a usage mistake")
        #expect(misnamed.stderr.contains("name it x.webm"))
        #expect(try files(in: dir).isEmpty)
    }

    /// Nothing to do: a copy by default (its own inode), a link only when asked, and the message
    /// says which.
    @Test func outputsAreCopiesUnlessALinkIsAsked() async throws {
        let dir = try home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestMedia.path("h264_aac.mp4")
        func inode(_ path: String) throws -> UInt64 { (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64) ?? 0 }
        let copy = dir.appendingPathComponent("copy.mp4").path
        let r = try await preflight(["fix", source, "--model", "only/long", "-o", copy], home: dir)
        #expect(r.status == 0)
        #expect(r.stdout.contains("already compliant: copied as it is"))
        #expect(try inode(copy) != inode(source))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(contentsOf: URL(fileURLWithPath: source)))
        let hard = dir.appendingPathComponent("hard.mp4").path
        let h = try await preflight(["fix", source, "--model", "only/long", "-o", hard, "--link", "hard"], home: dir)
        #expect(h.status == 0)
        #expect(h.stdout.contains("a hard link to the source"))
        #expect(try inode(hard) == inode(source))
        let soft = dir.appendingPathComponent("soft.mp4").path
        let s = try await preflight(["fix", source, "--model", "only/long", "-o", soft, "--link", "symlink"], home: dir)
        #expect(s.status == 0)
        #expect(s.stdout.contains("a symbolic link to the source"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: soft) == URL(fileURLWithPath: source).resolvingSymlinksInPath().path)
        #expect(try await preflight(["fix", source, "--model", "only/long", "--link", "copy"], home: dir).status == 64)
    }

    /// Issue 8 item 7: a header that says 4 s over 34.3 s of packets. `fix` printed "verified:
    /// passes" for a 34.3 s output against a 10.05 s limit. Now it cuts it (every packet read) or
    /// refuses; whatever it keeps, `check` passes, and "verified" never comes with a failure.
    @Test func aLyingHeaderIsNeverVerified() async throws {
        let dir = try home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mp4").path
        let r = try await preflight(["fix", TestMedia.path("header4s_packets34s.mp4"), "--model", kling, "-o", out, "--set", "prompt=x"], home: dir)
        if r.status == 0 {
            #expect(r.stdout.contains("verified"))
            #expect(try await preflight(["check", out, "--model", kling, "--set", "prompt=x"], home: dir).status == 0)
        } else {
            #expect(r.status == 1)
            #expect(!r.stdout.contains("verified"))
            #expect(try files(in: dir).isEmpty)
        }
    }

    /// `check` with no payload at all judges the media and says the payload was not checked; with
    /// any payload, the payload is checked fully.
    @Test func checkWithoutAPayload() async throws {
        let dir = try home()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = TestMedia.path("hd_1280x720_4s.mp4")
        let bare = try await preflight(["check", clip, "--model", kling], home: dir)
        #expect(bare.status == 0, "\(bare.stdout)")
        #expect(bare.stdout.contains("payload not checked"))
        #expect(!bare.stdout.contains("prompt"))
        let partial = try await preflight(["check", clip, "--model", kling, "--set", "duration=5"], home: dir)
        #expect(partial.status == 1)
        #expect(partial.stdout.contains("prompt"))
        #expect(!partial.stdout.contains("payload not checked"))
        #expect(try await preflight(["check", TestMedia.path("h264_aac.mp4"), "--model", kling], home: dir).status == 1) // 2 s < 3 s
    }
}
