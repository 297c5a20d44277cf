import FalSimulator
import Foundation
import Testing
import TestSupport

/// `preflight prepare --submit` as a user runs it against fal-sim: every ready file is sent once,
/// the manifest says which job carried it, and running the command again pays for nothing new.
@Suite struct PrepareSubmitTests {
    struct Setup {
        let folder: URL
        var source: URL { folder.appendingPathComponent("src") }
        var dest: URL { folder.appendingPathComponent("dest") }
        var results: URL { folder.appendingPathComponent("results") }
        var home: URL { folder.appendingPathComponent("home") }

        func prepare(_ base: URL, _ extra: [String]) async throws -> ProcessResult {
            try await preflight(["prepare", source.path, "--model", wanEdit, "--out", dest.path, "--results", results.path, "--quiet"] + extra,
                                home: home, environment: ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey])
        }

        /// The same batch as `prepare`, in the background (for kills, signals and races).
        func startBatch(_ base: URL) throws -> Process {
            try startPreflight(["prepare", source.path, "--model", wanEdit, "--out", dest.path, "--results", results.path, "--quiet",
                                "--submit", "--set", "prompt=snow"],
                               home: home, environment: ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey])
        }

        func manifestRows() throws -> [[String: Any]] {
            let data = try Data(contentsOf: dest.appendingPathComponent("preflight-manifest.json"))
            return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["rows"] as? [[String: Any]])
        }
    }

    /// A small tree: a compliant clip, one that needs a fix, a nested name with a space and
    /// unicode, and a text file that is not media.
    func withTree(_ body: (Setup) async throws -> Void) async throws {
        let folder = try TestMedia.temporaryFolder("preflight-prepare-submit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let setup = Setup(folder: folder)
        let nested = setup.source.appendingPathComponent("day 1/é")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestMedia.path("hd_1280x720_4s.mp4"), toPath: setup.source.appendingPathComponent("a clip.mp4").path)
        try FileManager.default.copyItem(atPath: TestMedia.path("long_720p_12s.mp4"), toPath: nested.appendingPathComponent("long ü.mp4").path)
        try Data("notes".utf8).write(to: setup.source.appendingPathComponent("notes.txt"))
        try await body(setup)
    }

    func withServer(_ scenario: Scenario, _ body: (URL, FalSimulatorServer) async throws -> Void) async throws {
        var book = ScenarioBook()
        book.defaultScenario = scenario
        let server = try FalSimulatorServer(.init(scenarios: book))
        let base = try await server.start()
        do { try await body(base, server) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static var quick: Scenario {
        var s = Scenario()
        s.queueMs = 50
        s.progressMs = 50
        return s
    }

    /// Another machine, pod or user: the same batch run with a journal that knows none of its
    /// jobs. DEST's manifest records each done with its results on disk: nothing is sent again.
    @Test func aRerunWithAnotherJournalTrustsDestsManifest() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                let first = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(first.status == 0, "\(first.stderr)")
                #expect(await server.acceptedRequests().count == 2)
                let elsewhere = setup.folder.appendingPathComponent("another-home")
                let second = try await preflight(["prepare", setup.source.path, "--model", wanEdit, "--out", setup.dest.path, "--results",
                                                  setup.results.path, "--submit", "--set", "prompt=snow"],
                                                 home: elsewhere, environment: ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey])
                #expect(second.status == 0, "\(second.stderr)")
                #expect(await server.acceptedRequests().count == 2)
                #expect(second.stdout.contains("2 recorded done in DEST's manifest by a run with another journal"), "\(second.stdout)")
                // A different prompt is different work: it is sent.
                let third = try await preflight(["prepare", setup.source.path, "--model", wanEdit, "--out", setup.dest.path, "--results",
                                                 setup.results.path, "--submit", "--set", "prompt=rain", "--quiet"],
                                                home: elsewhere, environment: ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey])
                #expect(third.status == 0, "\(third.stderr)")
                #expect(await server.acceptedRequests().count == 4)
            }
        }
    }

    @Test func sendsEveryReadyFileOnceAndARerunPaysForNothing() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                let first = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(first.status == 0, "\(first.stderr)")
                let accepted = await server.acceptedRequests()
                #expect(accepted.count == 2)
                // What fal received is what was prepared: the prompt, and media the simulator took.
                for (_, input) in await server.acceptedInputs() {
                    #expect(input["prompt"] == .string("snow"))
                    #expect(input["video_url"] != nil)
                }
                let rows = try setup.manifestRows()
                #expect(rows.count == 3)
                for row in rows where (row["status"] as? String) != "not_media" {
                    let submission = try #require(row["submission"] as? [String: Any], "\(row["source"] ?? "")")
                    #expect(submission["state"] as? String == "done")
                    let files = try #require(submission["results"] as? [String])
                    #expect(files.count == 1)
                    for f in files { #expect(FileManager.default.fileExists(atPath: f)) }
                }
                #expect(rows.first { ($0["status"] as? String) == "not_media" }?["submission"] == nil)

                // The same command again: nothing prepared again, nothing sent again.
                let again = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(again.status == 0, "\(again.stderr)")
                #expect(await server.acceptedRequests().count == 2)
                #expect(again.stdout.contains("2 of 2 job(s) done (2 finished by an earlier run, not sent again)"), "\(again.stdout)")

                // A different prompt is a different generation: both files are sent again, once.
                let other = try await setup.prepare(base, ["--submit", "--set", "prompt=rain"])
                #expect(other.status == 0, "\(other.stderr)")
                #expect(await server.acceptedRequests().count == 4)
            }
        }
    }

    @Test func aSheetGivesEachFileItsPromptAndChoosesTheFiles() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                // A broken sheet is refused before anything is prepared or sent.
                let broken = setup.folder.appendingPathComponent("broken.csv")
                try Data("file,prompt\na clip.mp4,x\n".utf8).write(to: broken)
                let refused = try await setup.prepare(base, ["--submit", "--per-file", broken.path])
                #expect(refused.status == 64, "\(refused.stderr)")
                #expect(refused.stderr.contains("source"))
                #expect(!FileManager.default.fileExists(atPath: setup.dest.path))
                #expect(await sentBeyondPlatformReads(server).isEmpty)

                let sheet = setup.folder.appendingPathComponent("sheet.csv")
                try Data("source,prompt\n\"day 1/é/long ü.mp4\",\"a quiet, snowy street\"\nmissing.mp4,x\n".utf8).write(to: sheet)
                let r = try await setup.prepare(base, ["--submit", "--per-file", sheet.path])
                #expect(r.status == 0, "\(r.stderr)")
                let inputs = Array(await server.acceptedInputs().values)
                #expect(inputs.count == 1)
                #expect(inputs.first?["prompt"] == .string("a quiet, snowy street"))
                #expect(r.stderr.contains("not in SRC"))
            }
        }
    }

    /// `--max-cost` as a batch budget, as a user meets it: what is held back is said, recorded in
    /// the manifest and exits 1; a budget that admits the rest sends only the rest.
    @Test func aBudgetHoldsBackWhatItCannotPayForAndSaysSo() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                let none = try await setup.prepare(base, ["--submit", "--set", "prompt=snow", "--max-cost", "0"])
                #expect(none.status == 1, "\(none.stdout)\n\(none.stderr)")
                #expect(none.stdout.contains("ready, not sent: 2 file(s) (budget)"), "\(none.stdout)")
                #expect(none.stdout.contains("with a larger --max-cost"))
                #expect(await server.acceptedRequests().isEmpty)
                let rows = try setup.manifestRows()
                #expect(rows.filter { ($0["notSent"] as? String)?.hasPrefix("ready, not sent: budget") == true }.count == 2)
                let all = try await setup.prepare(base, ["--submit", "--set", "prompt=snow", "--max-cost", "100"])
                #expect(all.status == 0, "\(all.stderr)")
                #expect(await server.acceptedRequests().count == 2)
                #expect(try setup.manifestRows().allSatisfy { $0["notSent"] == nil })
                // Another prompt under a budget that holds everything back: the rows say "not sent",
                // and no longer show the earlier prompt's finished job as theirs.
                let held = try await setup.prepare(base, ["--submit", "--set", "prompt=rain", "--max-cost", "0"])
                #expect(held.status == 1, "\(held.stderr)")
                for row in try setup.manifestRows() where (row["status"] as? String) != "not_media" {
                    #expect((row["notSent"] as? String)?.hasPrefix("ready, not sent") == true)
                    #expect(row["submission"] == nil, "\(row["source"] ?? "")")
                }
            }
        }
    }

    /// The report is written again once the jobs end: each row says what was sent and shows a
    /// picture of what came back.
    @Test func theReportShowsWhatCameBack() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, _ in
                let page = setup.folder.appendingPathComponent("report.html")
                let r = try await setup.prepare(base, ["--submit", "--set", "prompt=snow", "--report", page.path])
                #expect(r.status == 0, "\(r.stderr)")
                let html = try String(contentsOf: page, encoding: .utf8)
                #expect(html.components(separatedBy: "sent: job").count - 1 == 2)
                #expect(html.components(separatedBy: "alt=\"result\"").count - 1 == 2, "a picture of each result")
                #expect(html.contains(".wan-v2.7-edit-video.mp4"))
            }
        }
    }

    @Test func aFailedJobIsKeptUntilTheUserAsksForAnotherPaidTry() async throws {
        try await withTree { setup in
            var refusing = Self.quick
            // A failure a new attempt may cure (moderation is never resent unchanged: MoneyGuardTests).
            refusing.resultStatus = 500
            refusing.resultErrorType = "downstream_service_error"
            try await withServer(refusing) { base, server in
                let r = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(r.status == 2, "\(r.stderr)")
                #expect(await server.acceptedRequests().count == 2)
                let again = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(again.status == 2)
                #expect(await server.acceptedRequests().count == 2, "a failed generation is not paid for again unasked")
                let states = try setup.manifestRows().compactMap { ($0["submission"] as? [String: Any])?["state"] as? String }
                #expect(states == ["failed", "failed"])
            }
            try await withServer(Self.quick) { base, server in
                let retried = try await setup.prepare(base, ["--submit", "--set", "prompt=snow", "--retry-failed"])
                #expect(retried.status == 0, "\(retried.stderr)")
                #expect(await server.acceptedRequests().count == 2)
                let states = try setup.manifestRows().compactMap { ($0["submission"] as? [String: Any])?["state"] as? String }
                #expect(states == ["done", "done"])
            }
        }
    }

    /// Runs in the journal in `state`, as `preflight jobs --json` reports them (it reads while a batch writes).
    func journaledRuns(_ setup: Setup, _ base: URL, state: String) async throws -> Int {
        let jobs = try await preflight(["jobs", "--json"], home: setup.home)
        let list = (try? JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8))) as? [[String: Any]] ?? []
        return list.flatMap { ($0["runs"] as? [[String: Any]]) ?? [] }.filter { ($0["state"] as? String) == state }.count
    }

    @Test func aBatchKilledWhileItsJobsWaitFinishesOnTheNextRunWithoutPayingTwice() async throws {
        try await withTree { setup in
            var slow = Self.quick
            slow.queueMs = 5_000
            try await withServer(slow) { base, server in
                let process = try setup.startBatch(base)
                // Both requests at fal, their ids in the journal, waiting in fal's queue: then the
                // power goes. (A kill between fal's accept and the journal's write is the
                // `uncertain` case, never resent; crash-trials and its own test cover it.)
                try await waitUntilAccepted(server, count: 2, seconds: 60)
                #expect(await server.acceptedRequests().count == 2)
                let deadline = Date().addingTimeInterval(30)
                while try await journaledRuns(setup, base, state: "submitted") < 2, Date() < deadline {
                    try await Task.sleep(nanoseconds: 50_000_000)
                }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()

                let again = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(again.status == 0, "\(again.stderr)")
                #expect(await server.acceptedRequests().count == 2, "the journaled requests are followed, not sent again")
                let rows = try setup.manifestRows().filter { $0["submission"] != nil }
                #expect(rows.count == 2)
                for row in rows {
                    let submission = try #require(row["submission"] as? [String: Any])
                    #expect(submission["state"] as? String == "done")
                    let files = try #require(submission["results"] as? [String])
                    #expect(files.count == 1)
                    for f in files { #expect(FileManager.default.fileExists(atPath: f)) }
                }
                // One download per output: no file was fetched twice under another name.
                let downloaded = FileManager.default.enumerator(atPath: setup.results.path)?.compactMap { $0 as? String }
                    .filter { $0.hasSuffix(".mp4") } ?? []
                #expect(downloaded.count == 2, "\(downloaded)")
            }
        }
    }

    @Test func whatWouldRefuseTheJobsIsAskedBeforeAnythingIsPrepared() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                let r = try await setup.prepare(base, ["--submit"])
                #expect(r.status == 1, "\(r.stderr)")
                #expect(r.stderr.contains("prompt"))
                #expect(!FileManager.default.fileExists(atPath: setup.dest.path))
                #expect(await sentBeyondPlatformReads(server).isEmpty)
            }
        }
    }

    @Test func resultsInsideTheSourceAreNotPreparedAndSentOnTheNextRun() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                let inside = setup.source.appendingPathComponent("preflight-out").path
                for _ in 0..<2 {
                    let r = try await setup.prepare(base, ["--submit", "--set", "prompt=snow", "--results", inside])
                    #expect(r.status == 0, "\(r.stderr)")
                }
                #expect(await server.acceptedRequests().count == 2)
                #expect(try setup.manifestRows().allSatisfy { !(($0["source"] as? String) ?? "").hasPrefix("preflight-out") })
            }
        }
    }

    /// A scheduler preempting the shard sends SIGTERM: the requests fal may already bill are left
    /// running (no cancel), exit 143, and the same command again takes them up and brings the
    /// results home without sending anything new.
    @Test func sigtermWhileTheBatchWaitsLeavesTheRequestsRunningForTheNextRun() async throws {
        try await withTree { setup in
            var slow = Self.quick
            slow.queueMs = 4_000
            try await withServer(slow) { base, server in
                let process = try setup.startBatch(base)
                try await waitUntilAccepted(server, count: 2, seconds: 60)
                try await Task.sleep(nanoseconds: 300_000_000)
                kill(process.processIdentifier, SIGTERM)
                await waitForExit(process, within: 60, "prepare --submit after SIGTERM")
                #expect(process.terminationStatus == 143)
                #expect(await server.exchanges().filter { $0.hasPrefix("PUT ") && $0.contains("/cancel") }.isEmpty, "nothing cancelled")
                let again = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(again.status == 0, "\(again.stderr)")
                #expect(await server.acceptedRequests().count == 2, "taken up, not sent again")
                for row in try setup.manifestRows() where (row["status"] as? String) != "not_media" {
                    let note = try #require(row["submission"] as? [String: Any])
                    #expect(note["state"] as? String == "done")
                }
            }
        }
    }

    @Test func ctrlCWhileTheBatchWaitsCancelsAtFalAndExits130() async throws {
        try await withTree { setup in
            var slow = Self.quick
            slow.queueMs = 20_000
            try await withServer(slow) { base, server in
                let process = try setup.startBatch(base)
                try await waitUntilAccepted(server, count: 2, seconds: 60)
                try await Task.sleep(nanoseconds: 300_000_000)
                process.interrupt()
                await waitForExit(process, within: 60, "prepare --submit after Ctrl-C")
                #expect(process.terminationStatus == 130)
                let cancels = await server.exchanges().filter { $0.hasPrefix("PUT ") && $0.contains("/cancel") }
                #expect(cancels.count == 2)
            }
        }
    }

    @Test func resultsAsTheSourceFolderAreRefusedBeforeAnything() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, server in
                let r = try await setup.prepare(base, ["--submit", "--set", "prompt=snow", "--results", setup.source.path + "/."])
                #expect(r.status == 64, "\(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: setup.dest.path))
                #expect(await sentBeyondPlatformReads(server).isEmpty)
            }
        }
    }

    @Test func aReportNeverReplacesWhatIsNotAReport() async throws {
        try await withTree { setup in
            try await withServer(Self.quick) { base, _ in
                let precious = setup.folder.appendingPathComponent("result.mp4")
                try FileManager.default.copyItem(atPath: TestMedia.path("hd_1280x720_4s.mp4"), toPath: precious.path)
                let link = setup.folder.appendingPathComponent("link.html")
                try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: precious.path)
                for target in [precious.path, link.path, "/dev/null"] {
                    let r = try await setup.prepare(base, ["--report", target])
                    #expect(r.status == 64, "\(target): \(r.stderr)")
                }
                #expect(try Data(contentsOf: precious) == (try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("hd_1280x720_4s.mp4")))))
                #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == precious.path)
                // An earlier report is replaced.
                let page = setup.folder.appendingPathComponent("report.html").path
                #expect(try await setup.prepare(base, ["--report", page]).status == 0)
                #expect(try await setup.prepare(base, ["--report", page]).status == 0)
            }
        }
    }

    @Test func aSecondRunOfTheSameBatchStepsAsideWhileTheFirstDrivesIt() async throws {
        try await withTree { setup in
            var slow = Self.quick
            slow.queueMs = 3_000
            try await withServer(slow) { base, server in
                let first = try setup.startBatch(base)
                try await waitUntilAccepted(server, count: 2, seconds: 60)
                let second = try await setup.prepare(base, ["--submit", "--set", "prompt=snow"])
                #expect(second.status == 75, "nothing failed: the jobs are being driven elsewhere; \(second.stderr)")
                #expect(second.stderr.contains("another preflight process"))
                await waitForExit(first)
                #expect(first.terminationStatus == 0)
                #expect(await server.acceptedRequests().count == 2)
            }
        }
    }
}
