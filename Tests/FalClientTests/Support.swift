import FalClient
import FalSimulator
import Foundation
import ModelCatalog
import TestSupport

/// Starts a simulator on a free loopback port with these scenarios, runs `body`, stops it.
func withSimulator<T>(_ scenarios: ScenarioBook = ScenarioBook(), _ body: (FalClient, FalSimulatorServer) async throws -> T) async throws -> T {
    let server = try FalSimulatorServer(.init(scenarios: scenarios))
    let base = try await server.start()
    let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
    do {
        let result = try await body(client, server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

func book(_ named: [String: Scenario] = [:], models: [String: Scenario] = [:], default d: Scenario = Scenario()) -> ScenarioBook {
    var b = ScenarioBook()
    b.named = named
    b.models = models
    b.defaultScenario = d
    return b
}

func scenario(_ build: (inout Scenario) -> Void) -> Scenario {
    var s = Scenario()
    build(&s)
    return s
}

/// Polls until COMPLETED (the simulator's clock moves requests along), for at most 20 s.
func waitForCompletion(_ client: FalClient, _ submission: QueueSubmission) async throws -> QueueStatus {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        let status = try await client.status(submission)
        if status.status == .completed { return status }
        try await Task.sleep(nanoseconds: 25_000_000)
    }
    throw CocoaError(.featureUnsupported)
}

extension FalError {
    static func capture(_ body: () async throws -> Void) async -> FalError? {
        do { try await body(); return nil } catch let e as FalError { return e } catch { return nil }
    }
}

let klingEdit = "fal-ai/kling-video/o1/video-to-video/edit"
let wanEdit = "fal-ai/wan/v2.7/edit-video"
