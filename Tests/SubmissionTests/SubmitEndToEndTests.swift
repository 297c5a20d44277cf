import FalClient
import FalSimulator
import Foundation
import MediaProbe
import ModelCatalog
import PreflightCore
import Submission
import Testing
import TestSupport

/// `submit` end to end against the simulator over loopback: real uploads, real files served and
/// downloaded, a real SQLite journal.
@Suite struct SubmitEndToEndTests {
    @Test func aClipThatNeedsFixingGoesToTwoModelsAndComesBack() async throws {
        try await Bench.with { bench in
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path("long_720p_12s.mp4"), models: [klingEdit, wanEdit],
                                        payload: ["prompt": "snow"], settings: SubmitSettings(), outRoot: bench.out)
            let outcome = try await engine.run(job: job.id)
            #expect(outcome.category == nil)
            #expect(outcome.job.state == .done)
            for run in outcome.runs {
                #expect(run.state == .downloaded, "\(run.model): \(run.errorMessage ?? "")")
                let runID = try #require(run.id)
                let files = try #require(outcome.outputs[runID])
                #expect(files.count == 1)
                let file = try #require(files.first)
                // The output is the simulator's stored file: bytes on disk, probed, within the model's limit.
                let info = try Prober.probe(file.path)
                #expect(try #require(info.duration) <= (run.model == wanEdit ? 10.0 : 10.05))
                #expect(FileManager.default.fileExists(atPath: (file.path as NSString).deletingLastPathComponent + "/result.json"))
                #expect(try SHA256.file(file.path) == file.sha256)
                // The order of the journal: submitting, then submitted (with the id), then the status.
                let kinds = try bench.journal.events(job: job.id).filter { $0.runID == run.id }.map(\.kind)
                let submitted = try #require(kinds.firstIndex(of: "submitted"))
                #expect(try #require(kinds.firstIndex(of: "submitting")) < submitted)
                #expect(try #require(kinds.firstIndex(of: "status")) > submitted)
            }
            // Nothing partial left in the job's folder.
            let names = try FileManager.default.subpathsOfDirectory(atPath: outcome.job.outDir)
            #expect(!names.contains { $0.contains(".partial") })
            #expect(await bench.submits() == 2)
            // One fix satisfies both models (10 s is inside 10.05 s): one file, one upload.
            #expect(Set(outcome.runs.compactMap(\.preparedPath)).count == 1)
            #expect(await bench.uploads() == 1)
        }
    }

    @Test func failureClassesAndTheirRetryDecisions() async throws {
        // (scenario, expected state, expected submits, expected category)
        let cases: [(String, Scenario, RunState, Int, String?)] = [
            ("capacity twice, then fine", sim { $0.failSubmits = 2; $0.failStatus = 503 }, .downloaded, 3, nil),
            ("concurrency 429 once", sim { $0.failSubmits = 1; $0.failStatus = 429 }, .downloaded, 2, nil),
            ("front door 502", sim { $0.failSubmits = 1; $0.failStatus = 502; $0.failFromIngress = true }, .downloaded, 2, nil),
            ("always at capacity", sim { $0.failSubmits = 99; $0.failStatus = 503 }, .failed, 4, "capacity"),
            ("key refused", sim { $0.invalidKey = true }, .failed, 0, "auth"), // refused at the upload already
            ("locked account", sim { $0.locked = true }, .failed, 0, "billing"),
            ("moderation", sim { $0.resultStatus = 422; $0.resultErrorType = "content_policy_violation" }, .failed, 1, "moderation"),
            ("user start timeout", sim { $0.userStartTimeout = true }, .failed, 1, "user_start_timeout"),
            ("model server error is resubmitted", sim { $0.resultStatus = 500; $0.resultErrorType = "internal_server_error" }, .failed, 4, "server"),
            ("no media generated is not", sim { $0.resultStatus = 422; $0.resultErrorType = "no_media_generated" }, .failed, 1, "server"),
        ]
        for (name, scenario, state, submits, category) in cases {
            try await Bench.with(book(default: scenario)) { bench in
                let engine = bench.engine()
                let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                            settings: SubmitSettings(), outRoot: bench.out)
                let outcome = try await engine.run(job: job.id)
                let run = try #require(outcome.runs.first)
                #expect(run.state == state, "\(name): \(run.errorMessage ?? "")")
                #expect(await bench.submits() == submits, "\(name)")
                #expect(run.errorCategory == category, "\(name)")
                if state == .failed { #expect(!(run.errorMessage ?? "").isEmpty, "\(name): no message") }
            }
        }
    }

    @Test func whenOneOfTwoFailsTheOtherIsKeptAndRetryFinishesTheJob() async throws {
        try await Bench.with(book(models: [wanEdit: sim { $0.failSubmits = 2; $0.failStatus = 503 }])) { bench in
            let engine = bench.engine(maxAttempts: 2)
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [klingEdit, wanEdit], payload: ["prompt": "rain"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let first = try await engine.run(job: job.id)
            #expect(first.category == .someFailed)
            #expect(first.job.state == .partial)
            let kept = try #require(first.runs.first { $0.model == klingEdit })
            #expect(kept.state == .downloaded)
            let failed = try #require(first.runs.first { $0.model == wanEdit })
            #expect(failed.state == .failed && failed.errorCategory == "capacity")
            #expect((failed.errorMessage ?? "").contains("Similar models"))
            // retry re-runs only what failed, with the same inputs.
            #expect(try engine.reopen(job: job.id, model: nil, includeUncertain: false) == 1)
            let second = try await engine.run(job: job.id)
            #expect(second.category == nil)
            let retried = try #require(second.runs.first { $0.model == wanEdit })
            #expect(retried.state == .downloaded)
            #expect(retried.inputJSON == failed.inputJSON)
            #expect(second.runs.first { $0.model == klingEdit }?.requestID == kept.requestID) // not run again
        }
    }

    @Test func aStricterLimitIsLearnedOnceAndFixedLocallyNextTime() async throws {
        // The simulated model is stricter than the catalog (6 s instead of 10 s).
        var strict = Catalog.bundled()
        let field = try #require(try strict.model(wanEdit).media.first?.name)
        strict.apply(learned: [LearnedRequirement(modelID: wanEdit, field: field, key: .maxDuration, value: .number(6), learnedAt: "2026-11-22",
                                                  rejection: Rejection(type: "test", message: "the simulated model is stricter", field: field, ctx: [:]))])
        try await Bench.with(simulatorCatalog: strict) { bench in
            let job = try bench.engine().create(source: TestMedia.path("long_720p_12s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                                settings: SubmitSettings(), outRoot: bench.out)
            let first = try await bench.engine().run(job: job.id)
            #expect(first.runs.first?.state == .failed)
            #expect(first.runs.first?.errorCategory == "input_rejected")
            // Kept for the simulator's base URL only: fal's own catalog is not tightened by it.
            let learned = try JournalLearnedStore(bench.journal, queue: bench.client.endpoints.queue).all()
            #expect(try JournalLearnedStore(bench.journal).all().isEmpty)
            #expect(learned.contains { $0.modelID == wanEdit && $0.key == .maxDuration && $0.value.numberValue == 6 })
            let uploadsBefore = await bench.uploads()
            // A new process: the catalog carries the lesson, the clip is cut to 6 s before uploading.
            let engine = bench.engine(catalog: try bench.reloadedCatalog())
            let second = try engine.create(source: TestMedia.path("long_720p_12s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                           settings: SubmitSettings(), outRoot: bench.out)
            let outcome = try await engine.run(job: second.id)
            let run = try #require(outcome.runs.first)
            #expect(run.state == .downloaded, "\(run.errorMessage ?? "")")
            let prepared = try Prober.probe(try #require(run.preparedPath))
            #expect(try #require(prepared.duration) <= 6)
            #expect(await bench.uploads() == uploadsBefore + 1) // one upload: the fixed file, never the rejected one
            // With --fix never it stops before any upload instead.
            var never = SubmitSettings()
            never.fix = .never
            let third = try engine.create(source: TestMedia.path("long_720p_12s.mp4"), models: [wanEdit], payload: ["prompt": "x"], settings: never, outRoot: bench.out)
            let refused = try await engine.run(job: third.id)
            #expect(refused.runs.first?.state == .refused)
            #expect(await bench.uploads() == uploadsBefore + 1)
        }
    }

    @Test func detachThenResume() async throws {
        try await Bench.with(book(default: sim { $0.queueMs = 4_000 })) { bench in
            var settings = SubmitSettings()
            settings.timeout = 0.3
            settings.detach = true
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"], settings: settings, outRoot: bench.out)
            let first = try await engine.run(job: job.id)
            #expect(first.runs.first?.state == .submitted)
            #expect(first.job.state == .detached)
            #expect(try bench.journal.unfinishedJobs().map(\.id) == [job.id])
            let resumed = try await engine.run(job: job.id, resuming: true) // waits as long as it takes
            #expect(resumed.runs.first?.state == .downloaded)
            #expect(resumed.runs.first?.requestID == first.runs.first?.requestID)
            #expect(await bench.submits() == 1)
            #expect(try bench.journal.unfinishedJobs().isEmpty)
        }
    }

    @Test func aLostSubmitAnswerIsNeverResentBlindly() async throws {
        // fal's history does not list it either (found there, it would be followed: MoneyGuardTests).
        try await Bench.with(book(default: sim { $0.dropSubmitAnswer = true; $0.unlisted = true })) { bench in
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let first = try await engine.run(job: job.id)
            let run = try #require(first.runs.first)
            #expect(run.state == .uncertain)
            #expect(await bench.server.acceptedRequests().count == 1) // fal did accept it
            #expect(await bench.submits() == 1)
            // resume does not send it again; it reports it.
            let resumed = try await engine.run(job: job.id)
            #expect(resumed.runs.first?.state == .uncertain)
            #expect(await bench.submits() == 1)
            #expect(resumed.category == .uncertain)
        }
    }

    @Test func nothingIsUploadedWhileAKnownRequirementFails() async throws {
        try await Bench.with { bench in
            let engine = bench.engine()
            // A 2 s clip for a model that needs 3 s: no fix makes it longer.
            let job = try engine.create(source: TestMedia.path("h264_aac.mp4"), models: [klingEdit], payload: ["prompt": "x"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let outcome = try await engine.run(job: job.id)
            #expect(outcome.runs.first?.state == .refused)
            #expect(outcome.category == .refused)
            #expect(await bench.server.exchanges().isEmpty)
            // A payload mistake stops it as well.
            let bad = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": 5],
                                        settings: SubmitSettings(), outRoot: bench.out)
            #expect(try await engine.run(job: bad.id).runs.first?.state == .refused)
            #expect(await bench.server.exchanges().isEmpty)
        }
    }

    @Test func aLostResultIsFetchedAgainNeverResubmitted() async throws {
        try await Bench.with(book(default: sim { $0.dropResult = true })) { bench in
            let engine = bench.engine(maxAttempts: 3, patience: 2)
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let outcome = try await engine.run(job: job.id)
            let run = try #require(outcome.runs.first)
            // Completed and paid for: still `submitted`, for resume to fetch; never a second request.
            #expect(run.state == .submitted, "\(run.errorMessage ?? "")")
            #expect((run.errorMessage ?? "").contains("preflight resume"))
            #expect(await bench.server.acceptedRequests().count == 1)
            #expect(outcome.category == .temporary)
            #expect(try bench.journal.unfinishedJobs().map(\.id) == [job.id])
        }
    }

    @Test func uploadsAreNotReusedAcrossStoragesOrAccounts() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-scope")
        defer { try? FileManager.default.removeItem(at: folder) }
        let journal = try Journal(path: folder.appendingPathComponent("j.sqlite"))
        var urls: [URL] = []
        for _ in 0..<2 {
            let server = try FalSimulatorServer()
            let base = try await server.start()
            let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
            urls.append(try await client.upload(file: TestMedia.path("still.jpg"), cache: JournalUploadCache(journal)))
            #expect(await server.exchanges().contains { $0.hasPrefix("POST /files/upload -> 200") }, "each storage got its own upload")
            await server.stop()
        }
        #expect(urls[0].port != urls[1].port)
    }
}
