import FalClient
import FalSimulator
import Foundation
import PreflightCore
import ModelCatalog
import Testing
import TestSupport

/// Every error class, produced by the simulator and classified by the client: the right category,
/// the right retryability, and a message that names the fix.
@Suite struct ErrorClassTests {
    func submitError(_ s: Scenario, model: String = "acme/any") async throws -> FalError? {
        try await withSimulator(book(default: s)) { client, _ in
            await FalError.capture { _ = try await client.submit(model: model, input: ["x": 1]) }
        }
    }

    func resultError(_ s: Scenario) async throws -> FalError? {
        try await withSimulator(book(default: s)) { client, _ in
            let submission = try await client.submit(model: "acme/any", input: ["x": 1])
            _ = try await waitForCompletion(client, submission)
            return await FalError.capture { _ = try await client.result(submission) }
        }
    }

    @Test func capacityThenSuccess() async throws {
        try await withSimulator(book(default: scenario { $0.failSubmits = 2; $0.failStatus = 503 })) { client, _ in
            for _ in 0..<2 {
                let e = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) })
                #expect(e.kind == .capacity && e.retryable && e.status == 503)
                #expect(e.errorType == "runner_scheduling_failure")
            }
            _ = try await client.submit(model: "acme/any", input: ["x": 1]) // the third goes through
        }
        let tooMany = try #require(try await submitError(scenario { $0.failSubmits = 1; $0.failStatus = 429 }))
        #expect(tooMany.kind == .capacity && tooMany.retryable && tooMany.status == 429)
        let ingress = try #require(try await submitError(scenario { $0.failSubmits = 1; $0.failStatus = 502; $0.failFromIngress = true }))
        #expect(ingress.kind == .capacity && ingress.errorType == "ingress" && ingress.requestID == nil)
    }

    @Test func serverErrors() async throws {
        for status in [500, 502, 504] {
            let e = try #require(try await submitError(scenario { $0.failSubmits = 1; $0.failStatus = status }))
            #expect(e.kind == .server, "\(status)")
            #expect(e.retryable, "\(status)")
            #expect(e.hint.contains("not charged"))
        }
        let completedWithError = try #require(try await resultError(scenario { $0.resultStatus = 500; $0.resultErrorType = "internal_server_error" }))
        #expect(completedWithError.kind == .server && completedWithError.retryable)
    }

    @Test func userStartTimeoutIsNeverRetried() async throws {
        let e = try #require(try await resultError(scenario { $0.userStartTimeout = true }))
        #expect(e.kind == .userStartTimeout)
        #expect(!e.retryable)
        #expect(e.status == 504)
    }

    @Test func authAndBilling() async throws {
        let auth = try #require(try await submitError(scenario { $0.invalidKey = true }))
        #expect(auth.kind == .auth && !auth.retryable && auth.status == 401)
        #expect(auth.message.contains("No user found for Key ID and Secret"))
        #expect(auth.category == .notPermitted)
        try await withSimulator(book(default: scenario { $0.locked = true })) { client, _ in
            let e = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) })
            #expect(e.kind == .billing && !e.retryable && e.status == 403)
            #expect(e.hint.contains("fal.ai/dashboard/billing"))
            let upload = try #require(await FalError.capture { _ = try await client.upload(file: TestMedia.path("still.jpg")) })
            #expect(upload.kind == .billing)
        }
    }

    @Test func moderationMalformedAndExpired() async throws {
        let moderation = try #require(try await resultError(scenario { $0.resultStatus = 422; $0.resultErrorType = "content_policy_violation" }))
        #expect(moderation.kind == .moderation && !moderation.retryable)
        let malformed = try #require(try await resultError(scenario { $0.malformedResult = true }))
        #expect(malformed.kind == .unexpectedOutput)
        #expect(malformed.rawBody?.hasPrefix("{\"video\"") == true)
        #expect(malformed.hint.contains("do not resubmit"))
        let expired = try #require(try await resultError(scenario { $0.resultExpired = true }))
        #expect(expired.kind == .notFound)
    }

    @Test func networkFailures() async throws {
        // Nothing listens on a port just released.
        let server = try FalSimulatorServer()
        let base = try await server.start()
        await server.stop()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
        let refused = try #require(await FalError.capture { _ = try await client.submit(model: "acme/any", input: ["x": 1]) })
        #expect(refused.kind == .network && refused.retryable && !refused.mayHaveBeenAccepted)
        #expect(refused.hint.contains("Nothing answers"))

        let dropped = try #require(try await resultError(scenario { $0.dropResult = true }))
        #expect(dropped.kind == .network)

        try await withSimulator(book(default: scenario { $0.dropUploadAfter = 10_000 })) { client, _ in
            let e = try #require(await FalError.capture { _ = try await client.upload(file: TestMedia.path("hd_1280x720_4s.mp4")) })
            #expect(e.kind == .network)
        }
    }
}
