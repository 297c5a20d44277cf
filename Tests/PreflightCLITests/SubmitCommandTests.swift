import FalSimulator
import Foundation
import Testing
import TestSupport

/// `preflight submit` and the job commands as a user runs them, against fal-sim on loopback.
@Suite struct SubmitCommandTests {
    struct Setup {
        let base: URL
        let home: URL
        let out: URL
        var env: [String: String] { ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey] }
        func preflight(_ args: [String]) async throws -> ProcessResult {
            try await PreflightCLITests.preflight(args, home: home, environment: env)
        }
    }

    func with(_ scenario: Scenario = Scenario(), _ body: (Setup, FalSimulatorServer) async throws -> Void) async throws {
        var book = ScenarioBook()
        book.defaultScenario = scenario
        let server = try FalSimulatorServer(.init(scenarios: book))
        let base = try await server.start()
        let folder = try TestMedia.temporaryFolder("preflight-submit-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try await body(Setup(base: base, home: folder.appendingPathComponent("home"), out: folder.appendingPathComponent("out")), server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func quick(_ build: (inout Scenario) -> Void = { _ in }) -> Scenario {
        var s = Scenario()
        s.queueMs = 100
        s.progressMs = 100
        build(&s)
        return s
    }

    @Test func submitThenTheJobCommands() async throws {
        try await with(Self.quick()) { setup, server in
            let r = try await setup.preflight(["submit", TestMedia.path("long_720p_12s.mp4"), "--model", kling, "--set", "prompt=snow", "--out", setup.out.path])
            #expect(r.status == 0, "\(r.stderr)")
            let paths = r.stdout.split(separator: "\n").map(String.init)
            #expect(paths.count == 1)
            #expect(FileManager.default.fileExists(atPath: try #require(paths.first)))
            #expect(r.stderr.contains("fixed and verified"))
            let jobs = try await setup.preflight(["jobs", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]]
            let job = try #require((list?.first?["job"] as? [String: Any])?["id"] as? String)
            let status = try await setup.preflight(["status", String(job.prefix(15))])
            #expect(status.status == 0)
            #expect(status.stdout.contains("downloaded") && status.stdout.contains("history:"))
            let report = try await setup.preflight(["report", job])
            #expect(report.status == 0)
            #expect(report.stdout.contains("\"request_id\""))
            #expect(!report.stdout.contains("sim-key-secret-not-real"))
            #expect(try await setup.preflight(["status", "no-such-job"]).status == 64)
            #expect(await server.acceptedRequests().count == 1)
        }
    }

    /// Two models sharing one fix: the plan is said before the file is encoded or uploaded, and
    /// `status` shows it; each model gets its own plan when they cannot share one.
    @Test func aDualSubmitSaysItsPlanFirstAndStatusShowsIt() async throws {
        try await with(Self.quick()) { setup, server in
            let r = try await setup.preflight(["submit", TestMedia.path("long_720p_12s.mp4"), "--model", kling, "--model", wanEdit,
                                               "--set", "prompt=snow", "--out", setup.out.path])
            #expect(r.status == 0, "\(r.stderr)")
            let said = try #require(r.stderr.range(of: "one file for every model), because"), "\(r.stderr)")
            let fixed = try #require(r.stderr.range(of: "fixed and verified (one file for both models)"), "\(r.stderr)")
            #expect(said.lowerBound < fixed.lowerBound, "the plan comes before the encode: \(r.stderr)")
            let jobs = try await setup.preflight(["jobs", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]]
            let job = try #require((list?.first?["job"] as? [String: Any])?["id"] as? String)
            let status = try await setup.preflight(["status", job])
            #expect(status.stdout.contains("one file for every model of the job: cut"), "\(status.stdout)")
            #expect(await server.acceptedRequests().count == 2)
        }
    }

    /// A compliant .mov the policy turns upright, sent to two models: one plan said once, one encode
    /// in the clip's own container, one file for both (a shared fix named .mp4 failed before, and
    /// each model then encoded its own copy: three encodes for one).
    @Test func aDualSubmitOfAMovEncodesOnce() async throws {
        try await with(Self.quick()) { setup, server in
            let folder = setup.out.deletingLastPathComponent()
            let clip = folder.appendingPathComponent("turned.mov").path
            let ffmpeg = try #require(which("ffmpeg"))
            let made = try await run(ffmpeg, ["-v", "error", "-i", TestMedia.path("hd_1280x720_4s.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", clip])
            #expect(made.status == 0, "\(made.stderr)")
            let r = try await setup.preflight(["submit", clip, "--model", kling, "--model", wanEdit, "--set", "prompt=snow", "--out", setup.out.path])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.components(separatedBy: "plan (").count - 1 == 1, "one plan, said once: \(r.stderr)")
            #expect(r.stderr.contains("because the picture is stored"), "the reason, not the steps again: \(r.stderr)")
            #expect(r.stderr.components(separatedBy: "fixed and verified (one file for both models)").count - 1 == 2, "\(r.stderr)")
            let prepared = setup.out.appendingPathComponent("turned/.prepared")
            let files = try FileManager.default.subpathsOfDirectory(atPath: prepared.path).filter { !$0.hasSuffix("/") && $0.contains(".") }
            #expect(files == ["turned.mov"], "\(files)")
            #expect(await server.acceptedRequests().count == 2)
        }
    }

    /// A buffering proxy keeps the status stream silent, and the outputs expire 5 s after the
    /// request completes (fal's `expires_in`): polls beside the stream notice the completion in
    /// time and the output comes home. Outputs already gone say so, and `status` lists them.
    @Test func aSilentStreamStillBringsShortLivedOutputsHome() async throws {
        try await with(Self.quick { $0.silentStream = true; $0.outputsExpireMs = 5000; $0.queueMs = 300; $0.progressMs = 300 }) { setup, _ in
            let r = try await setup.preflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path])
            #expect(r.status == 0, "\(r.stderr)")
            let path = try #require(r.stdout.split(separator: "\n").first.map(String.init))
            // The model's output is the clip itself (fal-sim makes no pixels): the bytes prove the download whole.
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: TestMedia.path("hd_1280x720_4s.mp4"))))
        }
        try await with(Self.quick { $0.outputsExpireMs = 0 }) { setup, server in
            let r = try await setup.preflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path])
            #expect(r.status != 0)
            #expect(r.stderr.contains("expired before it could be downloaded"), "\(r.stderr)")
            #expect(!r.stderr.contains("check the model id"), "\(r.stderr)")
            let jobs = try await setup.preflight(["jobs", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]]
            let job = try #require((list?.first?["job"] as? [String: Any])?["id"] as? String)
            let status = try await setup.preflight(["status", job])
            #expect(status.stdout.contains("expired before it could be downloaded"), "\(status.stdout)")
            // Gone for good: the job ends (failed), so neither resume nor a retry-on-75 wrapper loops on it.
            #expect((list?.first?["job"] as? [String: Any])?["state"] as? String == "failed", "\(jobs.stdout)")
            let resumed = try await setup.preflight(["resume", job])
            #expect(resumed.status != 75, "\(resumed.stderr)")
            // What the message advises works: retry sends it once more (a new paid attempt, asked for).
            let retried = try await setup.preflight(["retry", job])
            #expect(retried.stderr.contains("submitted"), "\(retried.stderr)")
            #expect(await server.acceptedRequests().count == 2)
        }
    }

    @Test func usageMistakesAreCaughtBeforeAnything() async throws {
        try await with { setup, server in
            let clip = TestMedia.path("hd_1280x720_4s.mp4")
            for args in [["--start-timeout", "0.5"], ["--start-timeout", "nan"], ["--timeout", "-1"], ["--max-cost", "-2"], ["--max-cost", "0x10"], ["--max-cost", "1e3"], ["--timeout", "0x10"],
                         ["--model", wanEdit, "--model", "fal-ai/bytedance/dreamactor/v2"], ["--fix", "sometimes"], ["--priority", "urgent"],
                         ["--jobs", "0"]] {
                let r = try await setup.preflight(["submit", clip, "--model", kling, "--set", "prompt=x"] + args)
                #expect(r.status == 64, "\(args): \(r.stderr)")
            }
            #expect(try await setup.preflight(["submit", "/nonexistent.mp4", "--model", kling, "--set", "prompt=x"]).status == 66)
            // What probe refuses is refused before any job: a device that never ends, a pipe, a folder, not media.
            let folder = try TestMedia.temporaryFolder("preflight-submit-odd")
            defer { try? FileManager.default.removeItem(at: folder) }
            let fifo = folder.appendingPathComponent("pipe").path
            #expect(mkfifo(fifo, 0o600) == 0)
            for (path, code) in [("/dev/zero", Int32(66)), (fifo, 66), (folder.path, 66), (TestMedia.path("not_media.mp4"), 65)] {
                let r = try await setup.preflight(["submit", path, "--model", kling, "--set", "prompt=x"])
                #expect(r.status == code, "\(path): \(r.stderr)")
            }
            let file = folder.appendingPathComponent("a-file")
            try Data("x".utf8).write(to: file)
            #expect(try await setup.preflight(["submit", clip, "--model", kling, "--set", "prompt=x", "--out", file.path]).status == 64)
            #expect(await sentBeyondPlatformReads(server).isEmpty)
        }
    }

    @Test func aDamagedJournalStopsASubmitBeforeAnythingIsPaid() async throws {
        try await with(Self.quick()) { setup, server in
            #expect(try await setup.preflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x",
                                               "--out", setup.out.path]).status == 0)
            let database = setup.home.appendingPathComponent("state/preflight.sqlite")
            // Checkpoint the WAL into the file first, then damage the middle of the file.
            let size = try #require(try FileManager.default.attributesOfItem(atPath: database.path)[.size] as? NSNumber).intValue
            let handle = try FileHandle(forWritingTo: database)
            try handle.seek(toOffset: UInt64(max(4096, size / 2)))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
            try handle.close()
            try? FileManager.default.removeItem(atPath: database.path + "-wal")
            try? FileManager.default.removeItem(atPath: database.path + "-shm")
            let before = await server.acceptedRequests().count
            let r = try await setup.preflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path])
            #expect(r.status == 74, "a damaged journal does not heal by waiting: \(r.stderr)")
            #expect(r.stderr.contains("journal"))
            #expect(await server.acceptedRequests().count == before)
        }
    }

    @Test func maxCostRefusesBeforeUploading() async throws {
        try await with(Self.quick()) { setup, server in
            let r = try await setup.preflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", "fal-ai/kling-video/o1/standard/video-to-video/edit",
                                               "--set", "prompt=x", "--max-cost", "0.01", "--out", setup.out.path])
            #expect(r.status == 1)
            #expect(r.stderr.contains("--max-cost"))
            #expect(await sentBeyondPlatformReads(server).isEmpty)
        }
    }

    @Test func aReusedUploadThatFalCannotFetchIsUploadedAgain() async throws {
        var book = ScenarioBook()
        book.defaultScenario = Self.quick()
        let folder = try TestMedia.temporaryFolder("preflight-reupload")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home"), out = folder.appendingPathComponent("out")
        let clip = TestMedia.path("hd_1280x720_4s.mp4")
        let server = try FalSimulatorServer(.init(scenarios: book))
        let base = try await server.start()
        let env = ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey]
        let sent = try await preflight(["submit", clip, "--model", wanEdit, "--set", "prompt=x", "--out", out.path], home: home, environment: env)
        #expect(sent.status == 0, "\(sent.stderr)")
        // The upload the journal trusts for an hour is gone from fal's storage. (This test once
        // restarted the simulator on the same port, which another test's listener could take.)
        let before = await server.acceptedRequests().count
        await server.dropStoredFiles()
        let again = try await preflight(["submit", clip, "--model", wanEdit, "--set", "prompt=x", "--out", out.path], home: home, environment: env)
        await server.stop()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("uploading it again"))
        // The request fal failed because it could not fetch the media, then the one after the upload.
        let accepted = await server.acceptedRequests().count - before
        #expect(accepted == 2, "accepted \(accepted)")
    }

    @Test func aJobCancelledAtFalIsReportedAsCancelledNotAsAModelFailure() async throws {
        try await with(Self.quick { $0.queueMs = 120_000 }) { setup, _ in
            let sent = try await setup.preflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x",
                                                  "--out", setup.out.path, "--detach", "--timeout", "0.5"])
            #expect(sent.stderr.contains("still running at fal"), "\(sent.stderr)")
            #expect(sent.status == 75, "detached: nothing failed, resume later")
            let jobs = try await setup.preflight(["jobs", "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]]
            let job = try #require((list?.first?["job"] as? [String: Any])?["id"] as? String)
            #expect(try await setup.preflight(["cancel", job]).status == 0)
            let resumed = try await setup.preflight(["resume", job])
            #expect(resumed.stderr.contains("cancelled"), "\(resumed.stderr)")
            #expect(!resumed.stderr.contains("model failed"), "\(resumed.stderr)")
            #expect(try await setup.preflight(["jobs"]).stdout.contains("cancelled"))
        }
    }

    @Test func aCancelThatComesTooLateBringsThePaidResultHome() async throws {
        // Every answer takes 0.8 s and the request finishes at once: --timeout passes while fal
        // has already completed it, so the cancel is answered ALREADY_COMPLETED.
        try await with(Self.quick { $0.queueMs = 0; $0.progressMs = 0; $0.delayMs = 800 }) { setup, server in
            let process = try startPreflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path,
                                 "--timeout", "2.5", "--quiet"], home: setup.home, environment: setup.env)
            await waitForExit(process, within: 90, "submit after a late cancel")
            let cancels = await server.exchanges().filter { $0.hasPrefix("PUT ") && $0.contains("/cancel") }
            #expect(cancels.count <= 1, "asked to cancel \(cancels.count) times")
            let jobs = try await setup.preflight(["jobs"])
            if !cancels.isEmpty { #expect(jobs.stdout.contains("done"), "a completed request's result comes home: \(jobs.stdout)") }
        }
    }

    @Test func ctrlCThatLosesTheRaceStillBringsTheResultHome() async throws {
        try await with(Self.quick { $0.queueMs = 800; $0.progressMs = 800; $0.cancelLosesRace = true }) { setup, server in
            let process = try startPreflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path, "--quiet"], home: setup.home, environment: setup.env)
            try await waitUntilAccepted(server, seconds: 30)
            process.interrupt()
            await waitForExit(process)
            #expect(process.terminationStatus == 130)
            // fal finished it anyway: it is paid for, so it is downloaded (now, or by resume).
            _ = try await setup.preflight(["resume"])
            let jobs = try await setup.preflight(["jobs"])
            #expect(jobs.stdout.contains("done"), "\(jobs.stdout)")
            let files = FileManager.default.enumerator(atPath: setup.out.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".wan-v2.7-edit-video.mp4") && !$0.contains(".prepared") } ?? []
            #expect(files.count == 1, "\(files)")
        }
    }

    @Test func aJobIsCarriedOutByOneProcessAtATime() async throws {
        try await with(Self.quick { $0.queueMs = 3_000 }) { setup, server in
            let process = try startPreflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path, "--quiet"], home: setup.home, environment: setup.env)
            try await waitUntilAccepted(server, seconds: 30)
            // While the first process waits on its request, `resume` must not drive the same job
            // (it would mark the run uncertain, or submit a pending one a second time).
            let resumed = try await setup.preflight(["resume"])
            #expect(resumed.status == 75, "\(resumed.stderr)")
            #expect(resumed.stderr.contains("another preflight process"))
            await waitForExit(process)
            #expect(process.terminationStatus == 0)
            #expect(await server.acceptedRequests().count == 1)
            let jobs = try await setup.preflight(["jobs"])
            #expect(jobs.stdout.contains("done"), "\(jobs.stdout)")
            // The lease is gone with the process: the job can be taken up again.
            #expect(try await setup.preflight(["resume"]).status == 0)
        }
    }

    @Test(arguments: [false, true])
    func ctrlCCancelsOrDetaches(detach: Bool) async throws {
        try await with(Self.quick { $0.queueMs = 8_000 }) { setup, server in
            let process = try startPreflight(["submit", TestMedia.path("hd_1280x720_4s.mp4"), "--model", wanEdit, "--set", "prompt=x", "--out", setup.out.path]
                + (detach ? ["--detach"] : []), home: setup.home, environment: setup.env)
            // Wait until the request is at fal, then press Ctrl-C once.
            try await waitUntilAccepted(server, seconds: 30)
            try await Task.sleep(nanoseconds: 300_000_000)
            process.interrupt()
            await waitForExit(process, within: 90, "submit after Ctrl-C")
            #expect(process.terminationStatus == 130)
            let cancels = await server.exchanges().filter { $0.hasPrefix("PUT ") && $0.contains("/cancel") }
            #expect(cancels.count == (detach ? 0 : 1))
            let jobs = try await setup.preflight(["jobs"])
            #expect(jobs.stdout.contains(detach ? "submitted" : "cancelled"), "\(jobs.stdout)")
            if detach {
                // The request kept running at fal: resume brings its result home.
                let resumed = try await setup.preflight(["resume"])
                #expect(resumed.status == 0, "\(resumed.stderr)")
                // Named after the clip and the model: RESULTS/<clip>/<model>/<clip>.<model>.mp4.
                #expect(resumed.stdout.contains("/hd_1280x720_4s/wan-v2.7-edit-video/hd_1280x720_4s.wan-v2.7-edit-video.mp4"), "\(resumed.stdout)")
            }
        }
    }
}

let wanEdit = "fal-ai/wan/v2.7/edit-video"
