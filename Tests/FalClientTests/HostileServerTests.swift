import FalClient
import FalSimulator
import Foundation
import PreflightCore
import ModelCatalog
import Testing
import TestSupport

/// Issue: hostile input and hostile servers. The key never crosses plain http to a host that is not
/// loopback, never shows in any text a server can make us print, and nothing a server or the
/// environment says can crash the client.
@Suite struct HostileServerTests {
    static let secret = "sim-key-secret-not-real"
    static let keyID = "sim-key-id"

    @Test func loopbackIsDecidedOnParsedAddresses() throws {
        for host in ["127.0.0.1", "127.1.2.3", "[::1]", "::1", "localhost", "LOCALHOST", "::ffff:127.0.0.1"] {
            #expect(FalEndpoints.isLoopback(host), "\(host)")
        }
        for host in ["127.0.0.1.evil.example", "127.evil.example", "128.0.0.1", "0.0.0.0", "10.0.0.1", "localhost.evil.example",
                     "::2", "[::1].evil", "127.0.0.1:80", "", "1270.0.0.1", "127.0.0.1 ", "evil.example#127.0.0.1", "localhost."] {
            #expect(!FalEndpoints.isLoopback(host), "\(host)")
        }
        for bad in ["http://127.0.0.1.evil.example:8800", "http://127.evil.example", "http://evil.example#@127.0.0.1",
                    "http://127.0.0.1@evil.example", "http://user:pw@127.0.0.1:8800", "ftp://127.0.0.1", "http://localhost.:8787",
                    "http://127.0.0.1:99999"] {
            #expect(throws: FalError.self, "\(bad)") { try FalEndpoints.resolve(environment: ["PREFLIGHT_FAL_URL": bad]) }
        }
        #expect(try FalEndpoints.resolve(environment: ["PREFLIGHT_FAL_URL": "http://[::1]:8787"]).queue.port == 8787)
    }

    @Test func noKeyGoesOverPlainHTTPToARemoteHost() async throws {
        // Bypassing FalEndpoints.resolve: the client itself refuses before any byte is sent.
        let endpoints = FalEndpoints(local: try #require(URL(string: "http://127.0.0.1.evil.example:9")))
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: endpoints)
        let e = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) })
        #expect(e.kind == .usage)
        #expect(e.message.contains("not https"))
        #expect(!e.description.contains(Self.secret))
    }

    @Test func hostEnvironmentVariablesAreChecked() throws {
        for (name, value) in [("FAL_RUN_HOST", "["), ("FAL_QUEUE_RUN_HOST", "bad host"), ("FAL_QUEUE_RUN_HOST", "a/b"),
                              ("FAL_RUN_HOST", "\u{1B}[31m"), ("PREFLIGHT_FAL_URL", "::"), ("PREFLIGHT_FAL_REST_URL", "http//x")] {
            do {
                _ = try FalEndpoints.resolve(environment: [name: value])
                Issue.record("\(name)=\(value.debugDescription) accepted")
            } catch {
                #expect(error.kind == .usage && error.category == .usage)
                #expect(error.message.contains(name))
                #expect(!error.message.contains("\u{1B}"))
            }
        }
    }

    @Test(arguments: [400, 401, 403, 422, 500])
    func anEchoedKeyIsRedacted(status: Int) async throws {
        let lines = LockedLines()
        let server = try FalSimulatorServer(.init(scenarios: book(default: scenario { $0.echoKeyStatus = status })))
        let base = try await server.start()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base), log: { lines.add($0) })
        let submit = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) })
        let upload = try #require(await FalError.capture { _ = try await client.upload(file: TestMedia.path("still.jpg")) })
        await server.stop()
        for e in [submit, upload] {
            #expect(e.status == status)
            var texts = [e.description, e.message, e.hint, e.rawBody ?? "", e.errorType ?? "", e.requestID ?? ""] + lines.all
            for r in e.rejections { texts += [r.message, r.type, r.field ?? "", "\(r.ctx)"] }
            // The server did echo it: the raw body held the key before redaction.
            #expect(texts.contains { $0.contains("****") }, "status \(status): nothing was redacted, so nothing was echoed")
            for text in texts {
                #expect(!text.contains(Self.secret) && !text.contains(Self.keyID), "status \(status) leaked the key into: \(text)")
            }
        }
        #expect(submit.category == (status == 401 || status == 403 ? .notPermitted : status == 500 ? .unavailable : .refused))
    }

    @Test func aTokenBaseURLThatIsNotAURLOrNotHTTPSFallsBackSafely() async throws {
        for base in ["::not a url::", "http://example.invalid:8800/", "http://127.0.0.1.example.invalid/"] {
            try await withSimulator(book(default: scenario { $0.tokenBaseURL = base })) { client, server in
                // The CDN path is refused before anything is sent to that base; the signed-URL
                // fallback (on the real loopback server) still uploads.
                let url = try await client.upload(file: TestMedia.path("still.jpg"))
                #expect(url.host == "127.0.0.1")
                let wire = await server.exchanges()
                #expect(wire.contains { $0.hasPrefix("POST /storage/upload/initiate -> 200") })
                #expect(!wire.contains { $0.hasPrefix("POST /files/upload") })
            }
        }
    }

    @Test func aSignedURLOnPlainHTTPIsRefused() async throws {
        try await withSimulator(book(default: scenario { $0.signedURLOnHTTP = true })) { client, _ in
            var options = UploadOptions()
            options.signedURLOnly = true
            let e = try #require(await FalError.capture { _ = try await client.upload(file: TestMedia.path("still.jpg"), options: options) })
            #expect(e.kind == .usage)
            #expect(e.message.contains("not https"))
        }
    }

    @Test func absurdNumbersDoNotCrashOrPassAsValues() async throws {
        try await withSimulator(book(default: scenario { $0.absurdNumbers = true; $0.queueMs = 200 })) { client, _ in
            let url = try await client.upload(file: TestMedia.path("still.jpg"))
            let s = try await client.submit(model: "fal-ai/kling-video/v1.6/pro/image-to-video",
                                            input: ["prompt": "x", "image_url": .string(url.absoluteString), "duration": "5"])
            // 1e300 as a queue position is not a position: the status still reads, without one.
            let first = try await client.status(s)
            #expect(first.queuePosition == nil)
            _ = try await waitForCompletion(client, s)
            let result = try await client.result(s)
            #expect(result.mediaURLs.count == 1)
        }
    }

    @Test func uploadRefusesWhatIsNotAFile() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try await withSimulator { client, server in
            for path in [dir.path, "/dev/zero", fifo, dir.appendingPathComponent("missing").path] {
                let e = try #require(await FalError.capture { _ = try await client.upload(file: path) }, "\(path)")
                #expect(e.kind == .usage, "\(path)")
            }
            #expect(await server.exchanges().isEmpty)
        }
    }

    @Test func theSimulatorRefusesABusyOrImpossiblePort() async throws {
        let first = try FalSimulatorServer()
        let base = try await first.start()
        let port = try #require(base.port)
        do {
            let second = try FalSimulatorServer(.init(port: port))
            _ = try await second.start()
            Issue.record("a second server started on a port in use")
        } catch {
            #expect("\(error)".contains("cannot listen on 127.0.0.1:\(port)"))
        }
        await first.stop()
        #expect(throws: FalSimulatorError.self) { try FalSimulatorServer(.init(port: 99_999)) }
    }

    /// Mutated answers (statuses, retry headers, damaged bodies, echoed keys) through every client
    /// call: no crash, no hang, no leaked key, no non-finite number taken as a value. The count
    /// comes from FUZZ_SERVER_ANSWERS (default 300; the closing run used 10,000).
    @Test func fuzzedServerAnswers() async throws {
        let count = Int(ProcessInfo.processInfo.environment["FUZZ_SERVER_ANSWERS"] ?? "") ?? 300
        let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? 7
        let server = try FalSimulatorServer(.init(scenarios: book(default: scenario { $0.chaosSeed = seed; $0.queueMs = 0; $0.progressMs = 0 })))
        let base = try await server.start()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
        var options = UploadOptions()
        options.attempts = 2
        options.baseDelay = 0.001
        var outcomes: [String: Int] = [:]
        let known = try client.submission(model: "acme/any", requestID: "0f0f")
        for i in 0..<count {
            var texts: [String] = []
            do {
                switch i % 6 {
                case 0: texts.append("\(try await client.submit(model: "acme/any", input: ["x": 1]))")
                case 1:
                    let s = try await client.status(known)
                    if let p = s.queuePosition { #expect(p >= 0, "a negative queue position taken as a value") }
                    if let t = s.inferenceTime { #expect(t.isFinite && t >= 0, "a non-finite inference time taken as a value") }
                    texts.append("\(s)")
                case 2: texts.append("\(try await client.result(known).body)")
                case 3: texts.append("\(try await client.cancel(known))")
                case 4: texts.append(try await client.upload(file: TestMedia.path("tiny_64x36.mp4"), options: options).absoluteString)
                default:
                    for try await s in client.statusStream(known, idleTimeout: 2) { texts.append("\(s)") }
                }
                outcomes["ok", default: 0] += 1
            } catch let e as FalError {
                outcomes[e.kind.rawValue, default: 0] += 1
                texts += [e.description, e.rawBody ?? "", e.errorType ?? ""] + e.rejections.map { "\($0.message) \($0.ctx)" }
                #expect([.refused, .usage, .unavailable, .temporary, .notPermitted].contains(e.category))
            } catch {
                outcomes["other", default: 0] += 1
                texts.append("\(error)")
            }
            for t in texts where t.contains(Self.secret) { Issue.record("answer \(i) leaked the key: \(t.prefix(300))") }
        }
        await server.stop()
        print("fuzzed server answers: \(count) (seed \(seed)): \(outcomes.sorted { $0.key < $1.key })")
    }
}

