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

    func with(_ body: (Setup) async throws -> Void) async throws {
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
        for (name, media) in [("a.mp4", "hd_1280x720_4s.mp4"), ("long.mp4", "long_720p_12s.mp4"), ("notes.txt", nil)] {
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
}
