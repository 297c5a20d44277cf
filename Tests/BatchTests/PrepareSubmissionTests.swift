import Batch
import FalClient
import FalSimulator
import Foundation
import MediaAdapt
import ModelCatalog
import PreflightCore
import Submission
import Testing
import TestSupport

/// `prepare --submit` as library code: a prepare run, then its submit stage through a real
/// engine against fal-sim on loopback, with the ledger of what the server accepted.
@Suite struct PrepareSubmissionTests {
    static let wan = "fal-ai/wan/v2.7/edit-video"

    struct Setup {
        let folder: URL
        let server: FalSimulatorServer
        let engine: SubmissionEngine
        var source: URL { folder.appendingPathComponent("src") }
        var dest: URL { folder.appendingPathComponent("dest") }
        var results: URL { folder.appendingPathComponent("results") }
        var manifest: URL { dest.appendingPathComponent(Manifest.fileName) }
    }

    func with(extra: [(String, String)] = [], _ body: (Setup) async throws -> Void) async throws {
        let folder = try TestMedia.temporaryFolder("preflight-batch-submit")
        defer { try? FileManager.default.removeItem(at: folder) }
        var book = ScenarioBook()
        book.defaultScenario.queueMs = 50
        book.defaultScenario.progressMs = 50
        let server = try FalSimulatorServer(.init(scenarios: book))
        let base = try await server.start()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
        var policy = RetryPolicy()
        policy.baseDelay = 0.01
        let engine = SubmissionEngine(client: client, journal: try Journal(path: folder.appendingPathComponent("state/preflight.sqlite")),
                                      catalog: Catalog.bundled(), policy: policy, pollInterval: 0.05)
        let setup = Setup(folder: folder, server: server, engine: engine)
        try FileManager.default.createDirectory(at: setup.source, withIntermediateDirectories: true)
        for (name, media) in [("a.mp4", "hd_1280x720_4s.mp4"), ("long.mp4", "long_720p_12s.mp4"), ("notes.txt", nil)] + extra.map { ($0.0, Optional($0.1)) } {
            let target = setup.source.appendingPathComponent(name)
            if let media { try FileManager.default.copyItem(atPath: TestMedia.path(media), toPath: target.path) } else { try Data("notes".utf8).write(to: target) }
        }
        do { try await body(setup) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func prepare(_ s: Setup) async throws -> PrepareSummary {
        let options = PrepareOptions(source: s.source.path, output: s.dest.path, models: [try Catalog.bundled().model(Self.wan)], tool: "test")
        return try await PrepareRun(options: options).run()
    }

    @Test func sendsEveryReadyFileOnceRecordsItAndARerunSendsNothing() async throws {
        try await with { s in
            let prepared = try await prepare(s)
            let stage = PrepareSubmission(models: [try Catalog.bundled().model(Self.wan)], payload: ["prompt": "snow"], results: s.results,
                                          policy: MediaPolicy())
            #expect(stage.payloadProblems().isEmpty)
            let first = try await stage.run(prepared, destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil, cancel: CancelSignal())
            #expect(first.items == 2 && first.fresh == 2 && first.done == 2)
            #expect(first.category == nil)
            #expect(await s.server.acceptedRequests().count == 2)
            // Each row names its job and its results, which are on disk.
            let rows = try #require(try Manifest.load(s.manifest)).rows.filter { $0.submission != nil }
            #expect(rows.count == 2)
            for row in rows { #expect(row.submission?.isDoneWithResults == true, "\(row.source)") }
            // The same batch again: nothing sent, everything kept.
            let again = try await stage.run(try await prepare(s), destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil,
                                            cancel: CancelSignal())
            #expect(again.kept == 2 && again.fresh == 0 && again.done == 2)
            #expect(await s.server.acceptedRequests().count == 2)
        }
    }

    @Test func aMissingPromptIsFoundBeforeAnythingAndASignalBeforeSendingSendsNothing() async throws {
        try await with { s in
            let spec = try Catalog.bundled().model(Self.wan)
            #expect(!PrepareSubmission(models: [spec], payload: [:], results: s.results, policy: MediaPolicy()).payloadProblems().isEmpty)
            let stage = PrepareSubmission(models: [spec], payload: ["prompt": "snow"], results: s.results, policy: MediaPolicy())
            let stopped = try await stage.run(try await prepare(s), destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil,
                                              cancel: CancelSignal(), sending: { _ in false })
            #expect(stopped.stoppedBeforeSending)
            #expect(await s.server.exchanges().isEmpty)
        }
    }

    @Test func aBudgetSendsWhatFitsInOrderAndALargerOneSendsOnlyTheRest() async throws {
        try await with(extra: [("b.mp4", "h264_aac.mp4")]) { s in
            let spec = try Catalog.bundled().model(Self.wan)
            let prepared = try await prepare(s)
            // Each ready row is priced as it will be sent (long.mp4 after its cut to Wan's 10 s).
            let ready = prepared.rows.filter { $0.status == .compliant || $0.status == .fixed }.sorted { $0.source < $1.source }
            #expect(ready.map(\.source) == ["a.mp4", "b.mp4", "long.mp4"])
            let costs = ready.map { $0.cost?.total ?? -1 }
            #expect(costs.allSatisfy { $0 > 0 }, "\(costs)")
            #expect(try #require(try Manifest.load(s.manifest)).cost?.total ?? 0 > 0)
            let two = costs[0] + costs[1]
            let stage = { (limit: Double) in
                PrepareSubmission(models: [spec], payload: ["prompt": "snow"], results: s.results, policy: MediaPolicy(),
                                  budget: BatchBudget(limit: limit, allowUnpriced: false))
            }
            let first = try await stage(two + 0.001).run(prepared, destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil, cancel: CancelSignal())
            #expect(first.fresh == 2 && first.done == 2 && first.held.keys.sorted() == ["long.mp4"], "\(first.held)")
            #expect(first.category == .refused)
            #expect(await s.server.acceptedRequests().count == 2)
            let held = try #require(try Manifest.load(s.manifest)).rows.first { $0.source == "long.mp4" }
            #expect(held?.notSent?.hasPrefix("ready, not sent: budget") == true, "\(held?.notSent ?? "nil")")
            #expect(held?.submission == nil)

            // The same budget again: nothing more (the two sent count against it).
            let same = try await stage(two + 0.001).run(try await prepare(s), destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil, cancel: CancelSignal())
            #expect(same.fresh == 0 && same.kept == 2 && same.held.count == 1)
            #expect(await s.server.acceptedRequests().count == 2)

            // A larger budget sends the third only.
            let larger = try await stage(costs.reduce(0, +) + 0.001).run(try await prepare(s), destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil, cancel: CancelSignal())
            #expect(larger.fresh == 1 && larger.kept == 2 && larger.held.isEmpty && larger.category == nil)
            let accepted = await s.server.acceptedRequests()
            #expect(accepted.count == 3)
            let row = try #require(try Manifest.load(s.manifest)).rows.first { $0.source == "long.mp4" }
            #expect(row?.notSent == nil && row?.submission?.isDoneWithResults == true)
        }
    }

    @Test func anUnpricedModelHoldsTheBatchBackUnlessAllowed() async throws {
        try await with { s in
            let kling = try Catalog.bundled().model("fal-ai/kling-video/o1/video-to-video/edit")
            let options = PrepareOptions(source: s.source.path, output: s.dest.path, models: [kling], tool: "test")
            let prepared = try await PrepareRun(options: options).run()
            let held = try await PrepareSubmission(models: [kling], payload: ["prompt": "snow"], results: s.results, policy: MediaPolicy(),
                                                   budget: BatchBudget(limit: 1000, allowUnpriced: false))
                .run(prepared, destination: s.dest.path, engine: s.engine, manifest: s.manifest, csv: nil, cancel: CancelSignal())
            #expect(held.fresh == 0 && held.held.count == 2)
            #expect(held.held.values.allSatisfy { $0.contains("no price for fal-ai/kling-video/o1/video-to-video/edit") }, "\(held.held)")
            #expect(await s.server.acceptedRequests().isEmpty)
        }
    }

    /// `fix`'s default output (NAME.preflight.EXT beside the source) is a copy, not new footage:
    /// prepare passes it over and says so, so nothing is prepared or paid for twice.
    @Test func aFixOutputBesideItsSourceIsPassedOver() async throws {
        try await with(extra: [("a.preflight.mp4", "hd_1280x720_4s.mp4")]) { s in
            let prepared = try await prepare(s)
            #expect(prepared.fixOutputsPassedOver == ["a.preflight.mp4"])
            #expect(!prepared.rows.contains { $0.source == "a.preflight.mp4" })
            #expect(prepared.rows.contains { $0.source == "a.mp4" })
        }
    }
}
