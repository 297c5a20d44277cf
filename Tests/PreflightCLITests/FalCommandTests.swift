import FalSimulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `preflight doctor` and `preflight upload` against a simulator started in the test.
@Suite struct FalCommandTests {
    func withSimulator(_ scenarios: ScenarioBook = ScenarioBook(), _ body: (URL) async throws -> Void) async throws {
        let server = try FalSimulatorServer(.init(scenarios: scenarios))
        let base = try await server.start()
        do { try await body(base) } catch { await server.stop(); throw error }
        await server.stop()
    }

    func preflight(_ args: [String], base: URL, key: String = FalSimulatorServer.testKey) async throws -> ProcessResult {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("pf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        return try await PreflightCLITests.preflight(args, home: home, environment: ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": key])
    }

    @Test func uploadRefusesWhatProbeRefusesBeforeAnyNetworkCall() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let server = try FalSimulatorServer()
        let base = try await server.start()
        for (path, code) in [(dir.path, Int32(66)), ("/dev/zero", 66), (fifo, 66)] {
            let r = try await preflight(["upload", path], base: base)
            #expect(r.status == code, "\(path): \(r.stderr)")
        }
        // One such path among good files: nothing at all is sent.
        let mixed = try await preflight(["upload", TestMedia.path("still.jpg"), fifo], base: base)
        #expect(mixed.status == 66 && mixed.stdout.isEmpty, "\(mixed.stderr)")
        #expect(await server.exchanges().isEmpty)
        await server.stop()
    }

    /// fal's storage takes any file (a LoRA, a zip of training images): a 120 MiB file that is not
    /// media goes up in parts and comes back byte for byte.
    @Test func anyRegularFileIsUploadedAndComesBackByteForByte() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("style.safetensors")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        // One random MiB, each copy stamped with its index so no two parts are alike.
        var words = (0..<(1 << 17)).map { _ in UInt64.random(in: 0...UInt64.max) }
        for i in 0..<120 {
            words[0] = UInt64(i)
            try handle.write(contentsOf: words.withUnsafeBytes { Data($0) })
        }
        try handle.close()
        let server = try FalSimulatorServer()
        let base = try await server.start()
        let r = try await preflight(["upload", file.path, TestMedia.path("not_media.mp4")], base: base)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("not_media.mp4: not media; uploaded as a plain file"), "\(r.stderr)")
        let urls = r.stdout.split(separator: "\n").compactMap { URL(string: String($0)) }
        #expect(urls.count == 2)
        if let first = urls.first {
            let (back, _) = try await URLSession.shared.data(from: first)
            #expect(back.count == 120 << 20)
            #expect(back == (try Data(contentsOf: file)))
        }
        await server.stop()
    }

    @Test func aKeyEchoedByTheServerIsNeverPrinted() async throws {
        for status in [401, 403, 422, 500, 400] {
            var book = ScenarioBook()
            book.defaultScenario.echoKeyStatus = status
            try await withSimulator(book) { base in
                for args in [["upload", TestMedia.path("still.jpg"), "--verbose"], ["doctor", "--json"], ["doctor"]] {
                    let r = try await preflight(args, base: base)
                    let all = r.stdout + r.stderr
                    #expect(!all.contains("sim-key-secret-not-real") && !all.contains("sim-key-id"), "\(status) \(args): \(all)")
                    #expect(all.contains("****"), "\(status) \(args): the echo was not seen")
                    if status == 401 || status == 403 { #expect(r.status == 77, "\(status) \(args)") }
                }
            }
        }
    }

    @Test func falSimRefusesABusyOrImpossiblePort() async throws {
        let server = try FalSimulatorServer()
        let base = try await server.start()
        let busy = try await run(falSimExecutable, ["--port", String(try #require(base.port))])
        #expect(busy.status == 69)
        #expect(busy.stderr.contains("cannot listen on 127.0.0.1:\(try #require(base.port))"))
        await server.stop()
        let impossible = try await run(falSimExecutable, ["--port", "99999"])
        #expect(impossible.status == 64)
        #expect(impossible.stderr.contains("--port takes 0 to 65535"))
    }

    @Test func doctorPasses() async throws {
        try await withSimulator { base in
            let r = try await preflight(["doctor"], base: base)
            #expect(r.status == 0)
            #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("ok") }.count == 6)
            #expect(!r.stdout.contains("sim-key-secret-not-real"))
        }
    }

    @Test func doctorNamesTheProblem() async throws {
        var locked = ScenarioBook()
        locked.defaultScenario.locked = true
        try await withSimulator(locked) { base in
            let r = try await preflight(["doctor"], base: base)
            #expect(r.status == 77)
            #expect(r.stdout.contains("FAIL  account       authenticated call: User is locked"))
            #expect(r.stdout.contains("fix: Top up or unlock the account"))
        }
        try await withSimulator { base in
            let r = try await preflight(["doctor"], base: base, key: "Bearer " + FalSimulatorServer.testKey)
            #expect(r.status == 64)
            #expect(r.stdout.contains("starts with 'Bearer '"))
            #expect(!(r.stdout + r.stderr).contains("sim-key-secret-not-real"))
        }
    }

    @Test func uploadPrintsURLs() async throws {
        try await withSimulator { base in
            let r = try await preflight(["upload", TestMedia.path("still.jpg"), "--verbose"], base: base)
            #expect(r.status == 0)
            let url = try #require(URL(string: r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(url.path.hasSuffix("/still.jpg"))
            #expect(r.stderr.contains("POST http://127.0.0.1"))
            #expect(!r.stderr.contains("sim-key-secret-not-real") && !r.stderr.contains("sim-cdn-token"))
            #expect(try await preflight(["upload", "/nonexistent.mp4"], base: base).status == 66)
        }
    }
}
