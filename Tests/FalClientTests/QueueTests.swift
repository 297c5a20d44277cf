import FalClient
import FalSimulator
import Foundation
import ModelCatalog
import Testing
import TestSupport

/// The client against the simulator over real HTTP on loopback: every queue endpoint.
@Suite struct QueueTests {
    @Test func uploadSubmitPollAndFetchAResult() async throws {
        try await withSimulator(book(default: scenario { $0.queueMs = 6_000 })) { client, server in
            let source = TestMedia.path("hd_1280x720_4s.mp4")
            let url = try await client.upload(file: source)
            #expect(url.path.hasSuffix("/hd_1280x720_4s.mp4"))
            let submission = try await client.submit(model: klingEdit, input: ["prompt": "snow", "video_url": .string(url.absoluteString)])
            // Status URLs drop the model's sub-path: owner/app only.
            #expect(submission.statusURL.path.hasPrefix("/fal-ai/kling-video/requests/\(submission.requestID)/status"))
            let first = try await client.status(submission)
            #expect(first.status == .inQueue)
            let done = try await waitForCompletion(client, submission)
            #expect(done.error == nil)
            let result = try await client.result(submission)
            let output = try #require(result.mediaURLs.first)
            #expect(result.body["video"]?["content_type"]?.stringValue == "video/mp4")
            // The output is a real file served over HTTP: download it and compare.
            let downloaded = try await HTTPTransport().send(HTTPRequest(method: "GET", url: output))
            #expect(downloaded.body == (try Data(contentsOf: URL(fileURLWithPath: source))))
            let wire = await server.exchanges()
            #expect(wire.contains { $0.hasPrefix("POST /fal-ai/kling-video/o1/video-to-video/edit -> 200") })
            #expect(wire.contains { $0.contains("/status -> 202") })
            #expect(wire.contains { $0.contains("/status -> 200") })
        }
    }

    @Test func aClipTooShortIsRejectedWithItsLimit() async throws {
        try await withSimulator { client, _ in
            let url = try await client.upload(file: TestMedia.path("h264_aac.mp4"))
            let submission = try await client.submit(model: klingEdit, input: ["prompt": "snow", "video_url": .string(url.absoluteString)])
            let done = try await waitForCompletion(client, submission)
            #expect(done.failed)
            // The model's own types stay in the result body; the status names no request error.
            #expect(done.errorType == nil)
            let error = try #require(await FalError.capture { _ = try await client.result(submission) })
            #expect(error.kind == .inputRejected)
            #expect(error.status == 422)
            #expect(!error.retryable)
            #expect(error.hint.contains("preflight fix"))
            #expect(error.rejections.map(\.type) == ["image_too_small", "video_duration_too_short"])
            let rejection = try #require(error.rejections.first { $0.type == "video_duration_too_short" })
            #expect(rejection.field == "video_url")
            #expect(rejection.ctx["min_duration"]?.numberValue == 3.0)
            #expect(rejection.ctx["provided_duration"]?.numberValue == 2.0)
            // The lesson a rejection teaches is exactly the published limit.
            let lessons = LearnedRequirement.from(error.rejections, modelID: klingEdit)
            #expect(lessons.contains { $0.key == .minDuration && $0.value.numberValue == 3.0 })
        }
    }

    @Test func payloadMistakesComeBackAs422s() async throws {
        try await withSimulator { client, _ in
            let url = try await client.upload(file: TestMedia.path("still.jpg"))
            let submission = try await client.submit(model: "fal-ai/kling-video/v1.6/pro/image-to-video",
                                                      input: ["prompt": "x", "image_url": .string(url.absoluteString), "duration": 5])
            _ = try await waitForCompletion(client, submission)
            let error = try #require(await FalError.capture { _ = try await client.result(submission) })
            #expect(error.kind == .inputRejected)
            #expect(error.rejections.map(\.type) == ["string_type"])
            #expect(error.rejections.first?.field == "duration")
        }
    }

    @Test func statusStreamEndsCompleted() async throws {
        try await withSimulator(book(default: scenario { $0.queueMs = 6_000; $0.progressMs = 1_500 })) { client, _ in
            let url = try await client.upload(file: TestMedia.path("hd_1280x720_4s.mp4"))
            let submission = try await client.submit(model: wanEdit, input: ["prompt": "x", "video_url": .string(url.absoluteString)])
            var states: [QueueStatus.State] = []
            for try await status in client.statusStream(submission) { states.append(status.status) }
            #expect(states.first == .inQueue)
            #expect(states.contains(.inProgress))
            #expect(states.last == .completed)
            #expect(try await client.result(submission).mediaURLs.count == 1)
        }
    }

    @Test func cancelBeforeAndAfterCompletion() async throws {
        try await withSimulator(book(models: ["acme/slow": scenario { $0.queueMs = 600_000 }])) { client, _ in
            let a = try await client.submit(model: "acme/slow", input: ["x": 1])
            #expect(try await client.cancel(a) == .requested)
            let b = try await client.submit(model: "acme/unknown-model", input: ["x": 1])
            _ = try await waitForCompletion(client, b)
            #expect(try await client.cancel(b) == .alreadyCompleted)
            var ghost = b
            ghost.cancelURL = ghost.cancelURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("nope/cancel")
            #expect(try await client.cancel(ghost) == .notFound)
        }
    }

    @Test func slowAnswersStillArrive() async throws {
        // The simulator holds every answer back; the client waits rather than failing.
        try await withSimulator(book(default: scenario { $0.delayMs = 300; $0.queueMs = 600_000 })) { client, server in
            let s = try await client.submit(model: "acme/unknown-model", input: ["x": 1])
            #expect(try await client.status(s).status == .inQueue)
            #expect(await server.exchanges().count == 2)
        }
    }

    @Test func aResultBeforeCompletionIsNotReady() async throws {
        try await withSimulator(book(default: scenario { $0.queueMs = 600_000 })) { client, _ in
            let s = try await client.submit(model: "acme/unknown-model", input: ["x": 1])
            let error = try #require(await FalError.capture { _ = try await client.result(s) })
            #expect(error.kind == .notReady)
            #expect(error.status == 400)
        }
    }
}
