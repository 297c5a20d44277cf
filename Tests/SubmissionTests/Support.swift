import FalClient
import FalSimulator
import Foundation
import ModelCatalog
import Submission
import TestSupport

/// A simulator, a journal in a fresh folder and an engine wired to both; everything removed after.
struct Bench {
    let server: FalSimulatorServer
    let client: FalClient
    let journal: Journal
    let folder: URL
    let catalog: Catalog

    /// `prepareState`: called with the state folder before the journal is opened in it (a test
    /// mounts a small disk there); `releaseState` after the server stopped.
    static func with<T>(_ scenarios: ScenarioBook = ScenarioBook(), simulatorCatalog: Catalog = Catalog.bundled(),
                        prepareState: ((URL) async throws -> Void)? = nil, releaseState: ((URL) async -> Void)? = nil,
                        _ body: (Bench) async throws -> T) async throws -> T {
        let folder = try TestMedia.temporaryFolder("preflight-submit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = folder.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try await prepareState?(state)
        let server = try FalSimulatorServer(.init(scenarios: scenarios, catalog: simulatorCatalog))
        let base = try await server.start()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
        let bench = Bench(server: server, client: client, journal: try Journal(path: folder.appendingPathComponent("state/preflight.sqlite")),
                          folder: folder, catalog: Catalog.bundled())
        do {
            let r = try await body(bench)
            await server.stop()
            await releaseState?(state)
            return r
        } catch {
            await server.stop()
            await releaseState?(state)
            throw error
        }
    }

    /// An engine that retries quickly (tests never wait for real backoff).
    /// `patience`: seconds of odd answers before a run is left for resume (short only in tests of
    /// that leaving; long enough elsewhere that a loaded machine never trips it).
    func engine(catalog: Catalog? = nil, maxAttempts: Int = 4, patience: Double = 30, historyLag: Double = 600,
                observe: @escaping @Sendable (_ job: String, SubmissionEvent) -> Void = { _, _ in }) -> SubmissionEngine {
        var policy = RetryPolicy()
        policy.baseDelay = 0.01
        policy.maxAttempts = maxAttempts
        policy.fetchPatience = patience
        policy.followPatience = patience
        policy.quietPoll = 0.25
        policy.stallTimeout = 3
        policy.historyLag = historyLag
        return SubmissionEngine(client: client, journal: journal, catalog: catalog ?? self.catalog, policy: policy, pollInterval: 0.05, observe: observe)
    }

    /// The catalog as a new `preflight` process would load it: bundled plus what the journal learned.
    func reloadedCatalog() throws -> Catalog {
        var c = Catalog.bundled()
        c.apply(learned: try JournalLearnedStore(journal, queue: client.endpoints.queue).all())
        return c
    }

    var out: URL { folder.appendingPathComponent("out") }

    func submits() async -> Int { await server.exchanges().filter { $0.hasPrefix("POST /") && !$0.hasPrefix("POST /storage") && !$0.hasPrefix("POST /files") }.count }
    func uploads() async -> Int { await server.exchanges().filter { $0.hasPrefix("POST /files/upload") || $0.hasPrefix("PUT /uploads/") }.count }
}

func sim(_ build: (inout Scenario) -> Void) -> Scenario {
    var s = Scenario()
    s.queueMs = 50
    s.progressMs = 50
    build(&s)
    return s
}

func book(models: [String: Scenario] = [:], default d: Scenario = sim { _ in }) -> ScenarioBook {
    var b = ScenarioBook()
    b.models = models
    b.defaultScenario = d
    return b
}

let klingEdit = "fal-ai/kling-video/o1/video-to-video/edit"
let wanEdit = "fal-ai/wan/v2.7/edit-video"
