import FalSimulator
import Foundation
import Testing
import TestSupport

/// The run state machine's promises as a user meets them: bounded memory and time, exit codes
/// that no retry-on-75 wrapper turns into a second payment, secrets kept out of files and proxies,
/// and outputs that stay where they belong.
@Suite struct PaidOnceCommandTests {
    struct Setup {
        let base: URL
        let folder: URL
        var home: URL { folder.appendingPathComponent("home") }
        var out: URL { folder.appendingPathComponent("out") }
        var env: [String: String] {
            var e = ProcessInfo.processInfo.environment
            e["PREFLIGHT_FAL_URL"] = base.absoluteString
            e["FAL_KEY"] = FalSimulatorServer.testKey
            e["PREFLIGHT_HOME"] = home.path
            return e
        }
        func submit(_ extra: [String] = [], clip: String = "hd_1280x720_4s.mp4") -> [String] {
            ["submit", TestMedia.path(clip), "--model", wanEdit, "--set", "prompt=snow", "--out", out.path, "--quiet"] + extra
        }
        func preflight(_ args: [String], environment extra: [String: String] = [:]) async throws -> ProcessResult {
            try await run(preflightExecutable, args, environment: env.merging(extra) { _, new in new })
        }
    }

    /// `unlisted`: fal's request history does not list the requests (an uncertain submit stays so).
    func with(_ faults: [Fault], unlisted: Bool = false, _ body: (Setup, FalSimulatorServer) async throws -> Void) async throws {
        var book = ScenarioBook()
        book.defaultScenario.unlisted = unlisted
        book.defaultScenario.queueMs = 100
        book.defaultScenario.progressMs = 100
        book.defaultScenario.faults = faults
        let server = try FalSimulatorServer(.init(scenarios: book))
        let base = try await server.start()
        let folder = try TestMedia.temporaryFolder("preflight-paid-once")
        defer { try? FileManager.default.removeItem(at: folder) }
        do { try await body(Setup(base: base, folder: folder), server) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aHugeResultAndAnEndlessStreamLineStayUnder200MiB() async throws {
        var endless = Fault(route: .stream, nth: 1, times: 0, behaviour: .endlessLine)
        endless.sizeBytes = 600 << 20
        var huge = Fault(route: .result, nth: 1, times: 1, behaviour: .hugeResult)
        huge.sizeBytes = 36 << 20
        try await with([endless, huge]) { setup, server in
            let measured = try await runMeasured(preflightExecutable, setup.submit(), environment: setup.env)
            #expect(measured.result.status == 0, "\(measured.result.stderr)")
            #expect(measured.peakResidentBytes < 200 << 20, "peak \(measured.peakResidentBytes >> 20) MiB")
            let paths = measured.result.stdout.split(separator: "\n").map(String.init)
            #expect(paths.count == 1)
            // The 36 MB result is on disk (redacted), beside the output it names.
            let result = URL(fileURLWithPath: try #require(paths.first)).deletingLastPathComponent().appendingPathComponent("result.json")
            let size = try #require(try FileManager.default.attributesOfItem(atPath: result.path)[.size] as? NSNumber).int64Value
            #expect(size > 30 << 20)
            #expect(await server.acceptedRequests().count == 1)
        }
    }

    @Test func aStalledDownloadEndsWithinTheTimeoutAndResumeBringsItHome() async throws {
        try await with([Fault(route: .download, nth: 1, times: 0, behaviour: .stall)]) { setup, server in
            let measured = try await runMeasured(preflightExecutable, setup.submit(["--timeout", "8"]), environment: setup.env)
            #expect(measured.result.status == 75, "\(measured.result.stderr)")
            #expect(measured.seconds < 8 + 20, "took \(measured.seconds) s") // bounded, not fast: a loaded machine adds seconds
            await server.clearFaults()
            let resumed = try await setup.preflight(["resume", "--quiet"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdout.split(separator: "\n").count == 1)
            #expect(await server.acceptedRequests().count == 1)
        }
    }

    @Test func theFirstSigtermStopsAStalledDownload() async throws {
        try await with([Fault(route: .download, nth: 1, times: 0, behaviour: .stall)]) { setup, server in
            let process = try startPreflight(setup.submit(), home: setup.home, environment: setup.env)
            let deadline = Date().addingTimeInterval(60)
            while !(await server.exchanges().contains { $0.hasPrefix("GET /files/") }), Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
            try await Task.sleep(nanoseconds: 300_000_000)
            let sent = Date()
            kill(process.processIdentifier, SIGTERM)
            await waitForExit(process, within: 15, "submit after one SIGTERM")
            #expect(process.terminationStatus == 143)
            #expect(Date().timeIntervalSince(sent) < 8)
            let names = try FileManager.default.subpathsOfDirectory(atPath: setup.out.path)
            #expect(!names.contains { $0.contains(".partial") }, "\(names)")
        }
    }

    @Test func plainHttpNeverGoesThroughAProxy() async throws {
        try await with([]) { setup, server in
            let proxy = try ConnectionCounter()
            defer { proxy.stop() }
            let url = "http://127.0.0.1:\(proxy.port)"
            let r = try await setup.preflight(setup.submit(), environment: ["http_proxy": url, "HTTP_PROXY": url, "ALL_PROXY": url, "all_proxy": url,
                                                                            "https_proxy": url, "NO_PROXY": "", "no_proxy": ""])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(proxy.connections == 0)
            #expect(await server.acceptedRequests().count == 1)
        }
    }

    @Test func aKeyEchoedIntoTheStatusURLsIsNeverStoredOrPrinted() async throws {
        let key = FalSimulatorServer.testKey
        let body = #"{"request_id":"{id}","status_url":"{base}/fal-ai/wan/requests/{id}/status?auth=\#(key)","# +
            #""response_url":"{base}/fal-ai/wan/requests/{id}?auth=\#(key)","cancel_url":"{base}/fal-ai/wan/requests/{id}/cancel?auth=\#(key)"}"#
        try await with([Fault(route: .submit, nth: 1, times: 1, status: 200, body: body)]) { setup, _ in
            let r = try await setup.preflight(setup.submit())
            #expect(r.status == 0, "\(r.stderr)")
            for suffix in ["", "-wal"] {
                let bytes = (try? Data(contentsOf: setup.home.appendingPathComponent("state/preflight.sqlite" + suffix))) ?? Data()
                #expect(bytes.range(of: Data("sim-key-secret-not-real".utf8)) == nil, "the key is in preflight.sqlite\(suffix)")
            }
            let jobs = try await setup.preflight(["jobs", "--json"])
            let job = try #require(((try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]])?.first?["job"] as? [String: Any])?["id"] as? String)
            // `report` without the key configured at that moment.
            let report = try await setup.preflight(["report", job], environment: ["FAL_KEY": ""])
            #expect(report.status == 0)
            #expect(!report.stdout.contains("sim-key-secret-not-real"))
        }
    }

    @Test func anUncertainSubmitFoundInFalsHistoryIsBroughtHome() async throws {
        try await with([Fault(route: .submit, nth: 1, times: 1, status: 200, body: "html")]) { setup, server in
            let r = try await setup.preflight(setup.submit([]).filter { $0 != "--quiet" })
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("fal's request history lists it"), "\(r.stderr)")
            #expect(await server.acceptedRequests().count == 1)
        }
    }

    @Test func anUncertainSubmitHasOneExitCodeThatIsNotTryAgain() async throws {
        try await with([Fault(route: .submit, nth: 1, times: 1, status: 200, body: "html")], unlisted: true) { setup, server in
            let r = try await setup.preflight(setup.submit())
            #expect(r.status == 3, "\(r.stderr)")
            #expect(r.stderr.contains("uncertain"))
            let resumed = try await setup.preflight(["resume"])
            #expect(resumed.status == 3, "\(resumed.stderr)")
            #expect(await server.acceptedRequests().count == 1)
        }
    }

    @Test func aDamagedOrMissingJournalIsSaidWithItsOwnCode() async throws {
        try await with([]) { setup, _ in
            // No journal where jobs are expected: said, and not made anew.
            let missing = try await setup.preflight(["status", "20261204-000000-000000"])
            #expect(missing.status == 66, "\(missing.stderr)")
            #expect(missing.stderr.contains("there is no journal"))
            #expect(!FileManager.default.fileExists(atPath: setup.home.appendingPathComponent("state/preflight.sqlite").path))
            let resume = try await setup.preflight(["resume"])
            #expect(resume.status == 66)
            // A damaged one does not heal by waiting: not 75.
            let first = try await setup.preflight(setup.submit())
            #expect(first.status == 0, "\(first.stderr)")
            let db = setup.home.appendingPathComponent("state/preflight.sqlite")
            let handle = try FileHandle(forWritingTo: db)
            try handle.seek(toOffset: 4096)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
            try handle.close()
            try? FileManager.default.removeItem(atPath: db.path + "-wal")
            let damaged = try await setup.preflight(setup.submit())
            #expect(damaged.status == 74, "\(damaged.stderr)")
        }
    }

    @Test func reportAndMergeNeverReplaceADeviceAFIFOOrTheJournal() async throws {
        try await with([]) { setup, _ in
            let r = try await setup.preflight(setup.submit())
            #expect(r.status == 0)
            let jobs = try await setup.preflight(["jobs", "--json"])
            let job = try #require(((try JSONSerialization.jsonObject(with: Data(jobs.stdout.utf8)) as? [[String: Any]])?.first?["job"] as? [String: Any])?["id"] as? String)
            let fifo = setup.folder.appendingPathComponent("fifo").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let journal = setup.home.appendingPathComponent("state/preflight.sqlite").path
            for target in ["/dev/null", fifo, journal] {
                let report = try await setup.preflight(["report", job, "-o", target])
                #expect(report.status == 64, "report -o \(target): \(report.stderr)")
                let merge = try await setup.preflight(["manifest", "merge", "/nonexistent/preflight-manifest.shard-1-of-1.json", "-o", target])
                #expect(merge.status == 64 || merge.status == 66, "merge -o \(target)")
            }
            var st = stat()
            #expect(stat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
            #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
            #expect(try await setup.preflight(["status", job]).status == 0)
        }
    }

    @Test func prepareNeverWritesThroughALinkOutOfDest() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-dest-link")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("src/day")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestMedia.path("hd_1280x720_4s.mp4"), toPath: source.appendingPathComponent("clip.mp4").path)
        let dest = folder.appendingPathComponent("dest")
        let elsewhere = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dest.appendingPathComponent("day"), withDestinationURL: elsewhere)
        let r = try await preflight(["prepare", folder.appendingPathComponent("src").path, "--model", wanEdit, "--out", dest.path, "--quiet"],
                                    home: folder.appendingPathComponent("home"))
        #expect(r.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        let manifest = try String(contentsOf: dest.appendingPathComponent("preflight-manifest.json"), encoding: .utf8)
        #expect(manifest.contains("symbolic link"))
    }
}

/// A TCP listener on loopback that only counts who connects (a would-be proxy).
final class ConnectionCounter: @unchecked Sendable {
    let port: Int
    private let socketFD: Int32
    private let lock = NSLock()
    private var count = 0
    private var stopped = false

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let client = accept(socketFD, nil, nil)
                lock.lock(); let done = stopped; if client >= 0 && !done { count += 1 }; lock.unlock()
                if client >= 0 { close(client) }
                if done || client < 0 { return }
            }
        }.start()
    }

    var connections: Int { lock.lock(); defer { lock.unlock() }; return count }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }
}
