import FalClient
import FalSimulator
import Foundation
import PreflightCore
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// The client as fal really behaves (fal-protocol.md, corrected November 2026), each item against a
/// simulator scenario that would have failed the old client.
@Suite struct StatusStreamTests {
    @Test func theParserFollowsTheStandard() throws {
        let text = ": hello\r\ndata: {\"a\":1}\r\n\r\ndata:two\rdata: lines\r\revent: x\ndata: three\n\n: keep-alive\n\ndata: no end"
        // Byte by byte: a chunk may end anywhere (inside a CRLF, inside a UTF-8 sequence).
        var parser = ServerSentEventParser()
        var events: [ServerSentEventParser.Event] = []
        for byte in Array(text.utf8) { events += try parser.feed(Data([byte])) }
        #expect(events.map(\.data) == ["{\"a\":1}", "two\nlines", "three"])
        #expect(events.map(\.type) == ["message", "message", "x"])
        #expect(parser.comments == 2)
        var whole = ServerSentEventParser()
        #expect(try whole.feed(Data(text.utf8)) == events)
        var utf8 = ServerSentEventParser()
        let snow = Array("data: ❄️\n\n".utf8)
        var got: [ServerSentEventParser.Event] = []
        for b in snow { got += try utf8.feed(Data([b])) }
        #expect(got.first?.data == "❄️")
    }

    @Test(arguments: ["crlf", "cr", "lf"])
    func aStreamInAnyLineEnding(ending: String) async throws {
        try await withSimulator(book(default: scenario { $0.streamLineEnding = ending; $0.queueMs = 8_000; $0.progressMs = 3_000; $0.keepaliveMs = 100 })) { client, _ in
            let s = try await client.submit(model: "acme/any", input: ["x": 1])
            var states: [QueueStatus.State] = []
            for try await status in client.statusStream(s) { states.append(status.status) }
            #expect(states == [.inQueue, .inProgress, .completed], "\(ending)")
        }
    }

    @Test func aQueuedRequestMayBeQuietForMoreThanThirtySeconds() async throws {
        // 32 s in the queue with a keep-alive every 5 s: libcurl's old low-speed abort killed this
        // stream at about 30 s; liveness is judged by arrivals now.
        try await withSimulator(book(default: scenario { $0.queueMs = 32_000; $0.progressMs = 200; $0.keepaliveMs = 5_000 })) { client, _ in
            let s = try await client.submit(model: "acme/any", input: ["x": 1])
            var last: QueueStatus?
            for try await status in client.statusStream(s) { last = status }
            #expect(last?.status == .completed)
        }
    }

    @Test func aDeadSilentStreamFailsByItsIdleTimeout() async throws {
        try await withSimulator(book(default: scenario { $0.queueMs = 10_000; $0.keepaliveMs = 0 })) { client, _ in
            let s = try await client.submit(model: "acme/any", input: ["x": 1])
            let started = Date()
            do {
                for try await _ in client.statusStream(s, idleTimeout: 1.5) {}
                Issue.record("a silent stream ended without an error")
            } catch let e as FalError {
                #expect(e.kind == .network && e.retryable)
                #expect(e.message.contains("nothing arrived"))
            }
            #expect(Date().timeIntervalSince(started) < 8)
        }
    }

    @Test func anErrorOnTheStreamKeepsItsBody() async throws {
        // Locked: status polls still answer, but the stream's 403 carries "User is locked".
        try await withSimulator(book(models: ["acme/locked": scenario { $0.streamLocked = true }])) { client, _ in
            let s = try await client.submit(model: "acme/locked", input: ["x": 1])
            // The request's scenario is chosen at submit; lock this one's account after the fact
            // through a second request made under the locked scenario's header.
            let stream = client.statusStream(s)
            do {
                for try await _ in stream {}
                Issue.record("a locked account's stream succeeded")
            } catch let e as FalError {
                #expect(e.kind == .billing)
                #expect(e.category == .notPermitted)
                #expect(e.message.contains("locked"))
            }
        }
    }
}

@Suite struct RetryDecisionTests {
    func answer(_ status: Int, _ body: String, _ headers: [String: String] = [:]) -> FalError {
        FalError.classify(HTTPResponse(status: status, headers: Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) }),
                                       body: Data(body.utf8)), operation: "t")
    }

    @Test func retryHeadersInEveryDocumentedSpelling() {
        for (value, expected) in [("1", true), ("true", true), ("YES", true), ("0", false), ("false", false), ("No", false)] {
            #expect(answer(500, #"{"detail":"x"}"#, ["X-Fal-Retryable": value]).retryable == expected, "\(value)")
            #expect(answer(500, #"{"detail":"x"}"#, ["X-Fal-Needs-Retry": value]).retryable == expected, "\(value)")
        }
        // A concurrency 429 with fal's own spelling stays retryable (it was read as "do not retry").
        #expect(answer(429, #"{"detail":"Concurrent request limit reached"}"#, ["X-Fal-needs-retry": "1"]).retryable)
        // A value that does not parse changes nothing.
        #expect(answer(503, #"{"detail":"x"}"#, ["X-Fal-Retryable": "maybe"]).retryable)
        #expect(!answer(400, #"{"detail":"x"}"#, ["X-Fal-Retryable": "perhaps"]).retryable)
        // X-Fal-Retryable is read first.
        #expect(!answer(503, #"{"detail":"x"}"#, ["X-Fal-Retryable": "false", "X-Fal-Needs-Retry": "1"]).retryable)
    }

    @Test func theRetryabilityTable() {
        #expect(answer(408, #"{"detail":"Request Timeout"}"#).retryable)
        #expect(answer(409, #"{"detail":"Conflict"}"#).retryable)
        let noMedia = answer(422, #"{"detail":[{"loc":["body"],"msg":"No media generated","type":"no_media_generated"}]}"#)
        #expect(!noMedia.retryable && noMedia.hint.contains("charged"))
        #expect(!answer(400, #"{"detail":[{"loc":["body"],"msg":"Upstream refused","type":"downstream_service_error"}]}"#).retryable)
        #expect(answer(400, #"{"detail":[{"loc":["body"],"msg":"Upstream refused","type":"downstream_service_error"}]}"#, ["X-Fal-Retryable": "true"]).retryable)
        let unavailable = answer(500, #"{"detail":[{"loc":["body"],"msg":"Upstream down","type":"downstream_service_unavailable"}]}"#)
        #expect(unavailable.retryable && unavailable.kind == .server)
        // The message of a non-422 detail[] body is kept.
        #expect(unavailable.message.contains("Upstream down"))
        for status in [502, 503, 504] {
            let front = answer(status, "<html><center>nginx</center></html>")
            #expect(front.retryable && front.kind == .capacity && front.errorType == "ingress", "\(status)")
        }
        let user = answer(504, #"{"detail":"Request timed out","error_type":"request_timeout"}"#,
                          ["X-Fal-Request-Timeout-Type": "user", "X-Fal-Retryable": "true"])
        #expect(!user.retryable && user.kind == .userStartTimeout)
        #expect(answer(403, #"{"detail":"Not allowed"}"#).category == .notPermitted)
        for text in [answer(404, "{}").hint, answer(404, #"{"detail":"Request not found"}"#).description] {
            #expect(!text.contains("an hour"))
        }
    }

    @Test func theSimulatorsConcurrencyLimitIsRetryable() async throws {
        let e = try await withSimulator(book(default: scenario { $0.failSubmits = 1; $0.failStatus = 429 })) { client, _ in
            await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) }
        }
        #expect(e?.retryable == true && e?.kind == .capacity)
    }
}

@Suite struct UploadFidelityTests {
    @Test func aFailingCDNFallsBackToTheSignedURL() async throws {
        try await withSimulator(book(default: scenario { $0.cdnUploadFails = true })) { client, server in
            var options = UploadOptions()
            options.baseDelay = 0.01
            let url = try await client.upload(file: TestMedia.path("still.jpg"), options: options)
            let back = try await HTTPTransport().send(HTTPRequest(method: "GET", url: url))
            #expect(back.body == (try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("still.jpg")))))
            let wire = await server.exchanges()
            #expect(wire.filter { $0.hasPrefix("POST /files/upload -> 500") }.count == options.attempts) // each try, then the fallback
            #expect(wire.contains { $0.hasPrefix("PUT /uploads/") && $0.hasSuffix("-> 200") })
        }
    }

    @Test func partsAskForAnUncompressedAnswerWithTheirRealType() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("clip.mp4")
        try Data((0..<(600_000)).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: file)
        try await withSimulator(book(default: scenario { $0.compressPartAnswers = true })) { client, server in
            var options = UploadOptions()
            options.multipartThreshold = 262_144
            options.partSize = 262_144
            let url = try await client.upload(file: file.path, options: options)
            let back = try await HTTPTransport().send(HTTPRequest(method: "GET", url: url))
            #expect(back.body == (try Data(contentsOf: file)))
            let parts = await server.uploadHeaders().filter { ($0[":path"] ?? "").contains("/multipart/") && !($0[":path"] ?? "").hasSuffix("/complete") }
            #expect(parts.count == 3)
            for p in parts {
                #expect(p["accept-encoding"] == "identity")
                #expect(p["content-type"] == "video/mp4")
            }
        }
    }

    @Test func aLifetimeIsSentAndBoundsTheCache() async throws {
        try await withSimulator { client, server in
            var options = UploadOptions()
            options.lifetime = 7200
            let cache = MemoryUploadCache()
            _ = try await client.upload(file: TestMedia.path("still.jpg"), options: options, cache: cache)
            let sent = await server.uploadHeaders().filter { $0[":path"] == "/files/upload" }
            #expect(sent.first?["x-fal-object-lifecycle-preference"] == #"{"expiration_duration_seconds":7200}"#)
        }
        let now = Date()
        var options = UploadOptions()
        #expect(options.trustedUntil(from: now).timeIntervalSince(now) == 3600) // unknown: an hour
        options.lifetime = 7200
        #expect(options.trustedUntil(from: now).timeIntervalSince(now) == 7200 - 720)
        options.lifetime = 600
        #expect(options.trustedUntil(from: now).timeIntervalSince(now) == 300)
        let cache = MemoryUploadCache()
        await cache.remember(hash: "h", url: try #require(URL(string: "https://v3.fal.media/x")), until: now.addingTimeInterval(-1))
        #expect(await cache.url(forHash: "h") == nil)
    }
}

@Suite struct QueueFidelityTests {
    @Test func outputsUnderURLKeysAndURLFields() throws {
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(#"""
        {"video":{"url":"https://v3.fal.media/a.mp4"},"images":[{"url":"https://v3.fal.media/b.png"}],"audio_url":"https://v3.fal.media/c.wav",
         "frame_urls":["https://v3.fal.media/d.png","https://v3.fal.media/e.png"],"nested":{"mask_url":"https://v3.fal.media/f.png"},
         "prompt":"https://not-a-file.example","thumbnail_url":"data:image/png;base64,AAAA","dup":{"url":"https://v3.fal.media/a.mp4"}}
        """#.utf8))
        let urls = FalClient.mediaURLs(in: body).map(\.lastPathComponent).sorted()
        #expect(urls == ["a.mp4", "b.png", "c.wav", "d.png", "e.png", "f.png"])
    }

    @Test func anOutputUnderAudioURLIsFound() async throws {
        try await withSimulator(book(default: scenario { $0.outputShape = "audio_url" })) { client, _ in
            let url = try await client.upload(file: TestMedia.path("hd_1280x720_4s.mp4"))
            let s = try await client.submit(model: wanEdit, input: ["prompt": "x", "video_url": .string(url.absoluteString)])
            _ = try await waitForCompletion(client, s)
            let result = try await client.result(s)
            #expect(result.body["audio_url"]?.stringValue != nil)
            #expect(result.mediaURLs.count == 1)
        }
    }

    @Test func platformOptionsAreCheckedThenSent() async throws {
        try await withSimulator { client, server in
            var options = FalClient.SubmitOptions(webhook: URL(string: "https://hooks.example/fal?sig=a+b/c%2Bd&x=1"), startTimeout: 30, priority: .low)
            options.noRetry = true
            options.storeIO = false
            options.objectLifetime = 86_400
            options.runnerHint = "session-42"
            _ = try await client.submit(model: "acme/any", input: ["x": 1], options: options)
            let headers = try #require(await server.submitHeaders().first)
            #expect(headers["x-fal-request-timeout"] == "30")
            #expect(headers["x-fal-queue-priority"] == "low")
            #expect(headers["x-fal-no-retry"] == "1")
            #expect(headers["x-fal-store-io"] == "0")
            #expect(headers["x-fal-object-lifecycle-preference"] == #"{"expiration_duration_seconds":86400}"#)
            #expect(headers["x-fal-runner-hint"] == "session-42")
            // `+` arrives as `+`, not as a space.
            #expect(await server.webhooks() == ["https://hooks.example/fal?sig=a+b/c%2Bd&x=1"])
            for bad in [FalClient.SubmitOptions(startTimeout: 0.5), FalClient.SubmitOptions(startTimeout: .nan),
                        FalClient.SubmitOptions(webhook: URL(string: "http://hooks.example/x")), FalClient.SubmitOptions(maxQueueLength: 0)] {
                let e = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1], options: bad) })
                #expect(e.kind == .usage && e.category == .usage)
            }
            #expect(await server.submitHeaders().count == 1) // the refused ones sent nothing
        }
    }

    @Test func anEmptyKeyCountsAsUnset() throws {
        let key = try FalKey.resolve(environment: ["FAL_KEY": "", "FAL_KEY_ID": "some-id", "FAL_KEY_SECRET": "some-secret"])
        #expect(key.origin == "FAL_KEY_ID + FAL_KEY_SECRET")
    }

    @Test func aSubmissionRebuiltFromIDsWorks() async throws {
        try await withSimulator(book(default: scenario { $0.queueMs = 0; $0.progressMs = 0 })) { client, _ in
            let original = try await client.submit(model: "fal-ai/some-app/v2/sub/path", input: ["x": 1])
            let rebuilt = try client.submission(model: "fal-ai/some-app/v2/sub/path", requestID: original.requestID)
            #expect(rebuilt.statusURL == original.statusURL && rebuilt.responseURL == original.responseURL && rebuilt.cancelURL == original.cancelURL)
            _ = try await waitForCompletion(client, rebuilt)
            #expect(try await client.result(rebuilt).body["echo"] != nil)
            #expect(try client.submission(model: "workflows/owner/flow/x", requestID: "abc").statusURL.path == "/workflows/owner/flow/requests/abc/status")
            for bad in [("fal-ai", "abc"), ("fal-ai/../x", "abc"), ("fal-ai/app", "../etc"), ("fal-ai/app", "")] {
                #expect(throws: FalError.self) { try client.submission(model: bad.0, requestID: bad.1) }
            }
        }
    }

    @Test func timeMovesARequestNotPolls() async throws {
        try await withSimulator(book(default: scenario { $0.queueMs = 8_000; $0.progressMs = 500 })) { client, server in
            let s = try await client.submit(model: "acme/any", input: ["x": 1])
            #expect(try await client.status(s).status == .inQueue)
            try await Task.sleep(nanoseconds: 9_000_000_000)
            #expect(try await client.status(s).status == .completed) // one poll, after the time passed
            #expect(await server.exchanges().filter { $0.contains("/status") }.count == 2)
        }
    }

    @Test func aCancelMayLoseTheRaceAndUnknownIDsAreNotFound() async throws {
        try await withSimulator(book(default: scenario { $0.cancelLosesRace = true; $0.queueMs = 100; $0.progressMs = 4_000 })) { client, _ in
            let url = try await client.upload(file: TestMedia.path("hd_1280x720_4s.mp4"))
            let s = try await client.submit(model: wanEdit, input: ["prompt": "x", "video_url": .string(url.absoluteString)])
            #expect(try await client.cancel(s) == .requested)
            let done = try await waitForCompletion(client, s)
            #expect(done.error == nil) // it completed after all: the paid result is there
            #expect(try await client.result(s).mediaURLs.count == 1)
            let ghost = try client.submission(model: wanEdit, requestID: "00000000-0000-0000-0000-000000000000")
            #expect(try await client.cancel(ghost) == .notFound)
            let e = try #require(await FalError.capture { _ = try await client.status(ghost) })
            #expect(e.kind == .notFound)
        }
    }
}

/// The simulator judges media by its own code (ffprobe + its own comparisons), so it can disagree
/// with preflight's Checker. Over every TestMedia video and still x every bundled media field, the
/// two must agree on accept/reject for the limits both implement; a disagreement is a bug in one.
@Suite struct IndependentJudgeTests {
    @Test func theSimulatorAndTheCheckerAgreeOnEveryFile() throws {
        let catalog = Catalog.bundled()
        let shared: Set<LimitKey> = [.formats, .videoCodecs, .audioCodecs, .minWidth, .maxWidth, .minHeight, .maxHeight, .minShortSide,
                                     .maxLongSide, .minPixels, .maxPixels, .minAspectRatio, .maxAspectRatio, .minDuration, .maxDuration,
                                     .minFPS, .maxFPS, .maxFileSize]
        var compared = 0
        var disagreements: [String] = []
        for name in TestMedia.valid {
            let file = TestMedia.path(name)
            guard let info = try? Prober.probe(file, options: ProbeOptions(depth: .accurate)), info.kind == .video || info.kind == .image else { continue }
            for spec in catalog.models.values.sorted(by: { $0.id < $1.id }) {
                for field in spec.media where field.kind.element.rawValue == info.kind.rawValue {
                    let requirement = try Self.keeping(shared.subtracting(field.requirement.advisory ?? []), of: field.requirement)
                    guard !requirement.keys.isEmpty else { continue }
                    guard let sim = SimulatorJudge.rejections(file: file, requirement: requirement, kind: info.kind.rawValue) else { continue }
                    var one = spec
                    one.media = [MediaField(name: field.name, kind: field.kind, required: true, requirement: requirement)]
                    let report = Checker().check(info, models: [one], payload: [:], field: field.name)
                    let mine = report.verdicts[0].violations.filter(\.failsMedia)
                    compared += 1
                    if sim.isEmpty != mine.isEmpty {
                        disagreements.append("\(name) x \(spec.id).\(field.name): simulator \(sim), checker \(mine.map(\.rule.description))")
                    }
                }
            }
        }
        print("judge comparisons: \(compared), disagreements: \(disagreements.count)")
        #expect(compared > 100)
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    /// A requirement with only these limits (through its catalog keys, so no list is written again).
    static func keeping(_ keys: Set<LimitKey>, of r: MediaRequirement) throws -> MediaRequirement {
        let all = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(r))
        let kept = all.filter { LimitKey(rawValue: $0.key).map(keys.contains) ?? false }
        return try JSONDecoder().decode(MediaRequirement.self, from: JSONEncoder().encode(kept))
    }
}
