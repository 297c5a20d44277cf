import Foundation
import Testing
import TestSupport

/// `preflight fix` as a user runs it: plan, proof, exit codes, and nothing left behind.
@Suite struct FixCommandTests {
    @Test func fixesAndProves() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-fix-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("kling.mp4").path
        let r = try await preflight(["fix", TestMedia.path("long_720p_12s.mp4"), "--model", kling, "-o", out], home: dir)
        #expect(r.status == 0)
        #expect(r.stdout.contains("plan (trim copy)"))
        #expect(r.stdout.contains("verified: probed again (every packet read), passes Kling O1 video edit"))
        let check = try await preflight(["check", out, "--model", kling, "--set", "prompt=x"], home: dir)
        #expect(check.status == 0)
    }

    @Test func dryRunWritesNothing() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-fix-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await preflight(["fix", TestMedia.path("long_720p_12s.mp4"), "--model", kling, "--dry-run", "--json",
                               "-o", dir.appendingPathComponent("x.mp4").path], home: dir)
        #expect(r.status == 0)
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(plan["action"] as? String == "trim_copy")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".mp4") }.isEmpty)
    }

    @Test func refusesWhatCannotBeFixed() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-fix-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await preflight(["fix", TestMedia.path("h264_aac.mp4"), "--model", kling, "-o", dir.appendingPathComponent("x.mp4").path], home: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot be fixed: Kling O1 video edit needs at least 3 s of video; this clip is 2.0"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".mp4") }.isEmpty)
        #expect(try await preflight(["fix", TestMedia.path("not_media.mp4"), "--model", kling], home: dir).status == 65)
        #expect(try await preflight(["fix", "/nonexistent.mp4", "--model", kling], home: dir).status == 66)
        #expect(try await preflight(["fix", TestMedia.path("h264_aac.mp4"), "--model", kling, "--fit", "stretch"], home: dir).status == 64)
        let nowhere = try await preflight(["fix", TestMedia.path("long_720p_12s.mp4"), "--model", kling, "-o", "/nonexistent/dir/x.mp4"], home: dir)
        #expect(nowhere.status == 64)
        #expect(nowhere.stderr.contains("the folder /nonexistent/dir does not exist"))
        #expect(nowhere.stdout.isEmpty) // refused before any plan is printed
    }

    @Test func ctrlCLeavesNoPartialFile() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-fix-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A clip long enough that a slow encode is still running when interrupted.
        let source = dir.appendingPathComponent("big.mp4").path
        let ffmpeg = try #require(which("ffmpeg"))
        _ = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=20",
                             "-c:v", "libx264", "-preset", "ultrafast", source])
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: preflightExecutable)
        process.arguments = ["fix", source, "--model", "fal-ai/kling-video/o3/pro/video-to-video/edit", "--reencode",
                             "--preset", "veryslow", "-q", "-o", dir.appendingPathComponent("out.mp4").path]
        var env = ProcessInfo.processInfo.environment
        env["PREFLIGHT_HOME"] = dir.path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        #expect(try await encodeStarted(process, in: dir), "the encode finished before it could be interrupted")
        process.interrupt() // SIGINT, as Ctrl-C sends
        await waitForExit(process)
        #expect(process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("out") }.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
    }
}
