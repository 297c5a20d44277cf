import FalClient
import FalSimulator
import Foundation
import ModelCatalog
import Testing
import TestSupport

@Suite struct KeyTests {
    @Test func mistakesAreCaughtBeforeSending() {
        let cases: [(String, String)] = [
            ("", "is empty"), ("Bearer abc:def", "starts with 'Bearer '"), ("Key abc:def", "starts with 'Key '"),
            ("\"abc:def\"", "wrapped in quotes"), ("abc:def\n", "line break"), (" abc:def", "spaces or a line break"),
        ]
        for (value, words) in cases {
            do {
                _ = try FalKey(value)
                Issue.record("accepted \(value.debugDescription)")
            } catch {
                #expect(error.kind == .usage)
                #expect(error.message.contains(words), "\(value.debugDescription): \(error.message)")
            }
        }
        #expect((try? FalKey("fal-1234567890"))?.looksComplete == false)
    }

    @Test func resolutionOrder() async throws {
        #expect(try FalKey.resolve(environment: ["FAL_KEY": "a:b", "FAL_KEY_ID": "c", "FAL_KEY_SECRET": "d"]).origin == "FAL_KEY")
        #expect(try FalKey.resolve(environment: ["FAL_KEY_ID": "c", "FAL_KEY_SECRET": "d"]).redacted == "Key ****") // too short to show any
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("credentials")
        try "fal_key = id:secretsecret\n".write(to: file, atomically: true, encoding: .utf8) // 15 characters
        #expect(try FalKey.resolve(environment: [:], credentialsFile: file).redacted == "Key ****cret")
        #expect(throws: FalError.self) { try FalKey.resolve(environment: [:]) }
    }

    @Test func theKeyNeverShows() async throws {
        let secret = "sim-key-secret-not-real"
        let lines = LockedLines()
        let server = try FalSimulatorServer(.init(scenarios: book(default: scenario { $0.invalidKey = true })))
        let base = try await server.start()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base), log: { lines.add($0) })
        let error = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) })
        await server.stop()
        let everything = lines.all + [error.description, error.message, error.hint, error.rawBody ?? "", "\(client.key)", String(reflecting: client.key)]
        #expect(!lines.all.isEmpty)
        for text in everything { #expect(!text.contains(secret), "the key leaked into: \(text)") }
        #expect("\(client.key)" == "Key ****real")
    }

    @Test func plainHTTPOnlyOnLoopback() async throws {
        #expect(throws: FalError.self) { try FalEndpoints.resolve(environment: ["PREFLIGHT_FAL_URL": "http://example.com"]) }
        #expect(throws: FalError.self) { try FalEndpoints.resolve(environment: ["PREFLIGHT_FAL_URL": "http://10.0.0.5:8080"]) }
        #expect(try FalEndpoints.resolve(environment: ["PREFLIGHT_FAL_URL": "http://127.0.0.1:8787"]).queue.port == 8787)
        #expect(try FalEndpoints.resolve(environment: ["FAL_QUEUE_RUN_HOST": "queue.example.org"]).queue.absoluteString == "https://queue.example.org")
        #expect(try FalEndpoints.resolve(environment: [:]) == .fal)
    }
}

@Suite struct UploadTests {
    @Test func multipartWithAPartFailingOnce() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("big.bin")
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<(3 * 262_144 + 1000)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try bytes.write(to: file)
        try await withSimulator(book(default: scenario { $0.failPart = 2; $0.failPartTimes = 1 })) { client, server in
            var options = UploadOptions()
            options.multipartThreshold = 262_144
            options.partSize = 262_144
            let url = try await client.upload(file: file.path, options: options)
            let back = try await HTTPTransport().send(HTTPRequest(method: "GET", url: url))
            #expect(back.body == bytes)
            let wire = await server.exchanges()
            let parts = wire.filter { $0.contains("/multipart/") && $0.hasPrefix("PUT") }
            #expect(parts.count == 5) // 4 parts, part 2 twice
            #expect(parts.filter { $0.contains("/2 -> 500") }.count == 1)
            #expect(wire.contains { $0.contains("/complete -> 200") })
        }
    }

    @Test func theSameBytesAreUploadedOnce() async throws {
        try await withSimulator { client, server in
            let cache = MemoryUploadCache()
            let a = try await client.upload(file: TestMedia.path("still.jpg"), cache: cache)
            let b = try await client.upload(file: TestMedia.path("still.jpg"), cache: cache)
            #expect(a == b)
            #expect(await server.exchanges().filter { $0.hasPrefix("POST /files/upload") }.count == 1)
        }
    }

    @Test func theSignedURLPath() async throws {
        try await withSimulator { client, server in
            var options = UploadOptions()
            options.signedURLOnly = true
            let url = try await client.upload(file: TestMedia.path("still.jpg"), options: options)
            let back = try await HTTPTransport().send(HTTPRequest(method: "GET", url: url))
            #expect(back.body == (try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("still.jpg")))))
            let wire = await server.exchanges()
            #expect(wire.contains { $0.hasPrefix("POST /storage/upload/initiate -> 200") })
            #expect(wire.contains { $0.hasPrefix("PUT /uploads/") && $0.hasSuffix("-> 200") })
        }
    }

    @Test func smallFilesAsDataURIsWhenAsked() async throws {
        try await withSimulator { client, server in
            var options = UploadOptions()
            options.allowDataURI = true
            let url = try await client.upload(file: TestMedia.path("tiny_64x36.mp4"), options: options)
            #expect(url.absoluteString.hasPrefix("data:video/mp4;base64,"))
            #expect(await server.exchanges().isEmpty)
        }
    }

    @Test func sha256MatchesTheStandard() async throws {
        var h = SHA256()
        h.update(Data("abc".utf8))
        #expect(h.finish() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var empty = SHA256()
        #expect(empty.finish() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let r = try await run(try #require(which("sha256sum")), [TestMedia.path("h264_aac.mp4")])
        #expect(try SHA256.file(TestMedia.path("h264_aac.mp4")) == String(r.stdout.prefix(64)))
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
