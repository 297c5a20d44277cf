import FalClient
import FalSimulator
import Foundation
import ModelCatalog
import Submission
import Testing
import TestSupport

/// The money guards against fal-sim's ledger of what it accepted: they fail closed (a model that
/// cannot be priced is not sent under a cost limit), a fallback is sent in the same run, a refusal
/// the same request meets again is not resent unchanged, and an uncertain submit is settled by
/// fal's request history, never by sending it again blindly.
@Suite struct MoneyGuardTests {
    static let clip = "hd_1280x720_4s.mp4"

    @Test func anUnpricedModelUnderAMaxCostSendsNothing() async throws {
        try await Bench.with(book()) { bench in
            // Kling O1 edit has no price in the bundled catalog.
            #expect(bench.catalog.models[klingEdit]?.price == nil)
            let engine = bench.engine()
            var settings = SubmitSettings()
            settings.maxCost = 100
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [klingEdit], payload: ["prompt": "x"], settings: settings, outRoot: bench.out)
            let outcome = try await engine.run(job: job.id)
            #expect(outcome.runs.first?.state == .refused)
            #expect(outcome.runs.first?.errorMessage?.contains("--allow-unpriced") == true, "\(outcome.runs.first?.errorMessage ?? "")")
            #expect(await bench.submits() == 0)
            #expect(await bench.uploads() == 0)

            // Accepted knowingly: sent once.
            settings.allowUnpriced = true
            let allowed = try engine.create(source: TestMedia.path(Self.clip), models: [klingEdit], payload: ["prompt": "x"], settings: settings, outRoot: bench.out)
            #expect(try await engine.run(job: allowed.id).runs.first?.state == .downloaded)
            #expect(await bench.server.acceptedRequests().count == 1)
        }
    }

    @Test func aPricedModelOverTheLimitSendsNothingAndTheEstimateIsJournaled() async throws {
        try await Bench.with(book()) { bench in
            let engine = bench.engine()
            var settings = SubmitSettings()
            settings.maxCost = 0.0001
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "x"], settings: settings, outRoot: bench.out)
            let refused = try await engine.run(job: job.id)
            #expect(refused.runs.first?.state == .refused)
            #expect(await bench.submits() == 0)
            settings.maxCost = 100
            let sent = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "x"], settings: settings, outRoot: bench.out)
            let done = try await engine.run(job: sent.id)
            #expect(done.runs.first?.state == .downloaded)
            let spend = Spend(runs: try bench.journal.runs(job: sent.id))
            #expect(spend.requests == 1 && spend.unpriced == 0 && spend.amount > 0, "\(spend)")
        }
    }

    @Test func theFallbackIsSentAndDownloadedInTheSameRun() async throws {
        // Wan has no free runner, ever; Kling is well.
        let busy = sim { $0.failSubmits = 1000; $0.failStatus = 503 }
        try await Bench.with(book(models: [wanEdit: busy])) { bench in
            let engine = bench.engine(maxAttempts: 2)
            var settings = SubmitSettings()
            settings.fallback = klingEdit
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "x"], settings: settings, outRoot: bench.out)
            let outcome = try await engine.run(job: job.id)
            #expect(outcome.job.state == .done, "\(outcome.runs.map { "\($0.model): \($0.state) \($0.errorMessage ?? "")" })")
            let fallback = try #require(outcome.runs.first { $0.model == klingEdit })
            #expect(fallback.fallbackOf == wanEdit && fallback.state == .downloaded)
            #expect(await bench.server.acceptedRequests().map(\.model) == [klingEdit])
            // Each submit carried the header that keeps fal from rerouting on its own.
            // Run again: nothing more is sent.
            let again = try await engine.run(job: job.id, resuming: true)
            #expect(again.job.state == .done)
            #expect(await bench.server.acceptedRequests().count == 1)
        }
    }

    @Test func aModerationRefusalIsNotResentUnchangedAndIsResentOnceWithANewPrompt() async throws {
        let moderated = sim { $0.resultStatus = 422; $0.resultErrorType = "content_policy_violation" }
        try await Bench.with(book(default: moderated)) { bench in
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "a"], settings: SubmitSettings(), outRoot: bench.out)
            let first = try await engine.run(job: job.id)
            #expect(first.runs.first?.state == .failed)
            #expect(first.runs.first?.errorCategory == "moderation", "\(first.runs.first?.errorCategory ?? "nil")")
            #expect(await bench.server.acceptedRequests().count == 1)

            // A plain retry: refused, nothing sent.
            #expect(throws: SubmissionError.self) { try engine.reopen(job: job.id, model: nil, includeUncertain: false) }
            #expect(await bench.server.acceptedRequests().count == 1)

            // Values that change nothing the model reads, or that its payload refuses: nothing sent.
            #expect(throws: SubmissionError.self) { try engine.reopen(job: job.id, model: nil, includeUncertain: false, changes: ["prompt": "a"]) }
            #expect(throws: SubmissionError.self) { try engine.reopen(job: job.id, model: nil, includeUncertain: false, changes: ["bogus": 1]) }
            #expect(throws: SubmissionError.self) { try engine.reopen(job: job.id, model: nil, includeUncertain: false, changes: ["prompt": ""]) }
            #expect(await bench.server.acceptedRequests().count == 1)

            // A new prompt: reopened, checked and sent once, with the new prompt.
            #expect(try engine.reopen(job: job.id, model: nil, includeUncertain: false, changes: ["prompt": "b"]) == 1)
            _ = try await engine.run(job: job.id, resuming: true)
            let accepted = await bench.server.acceptedRequests()
            #expect(accepted.count == 2)
            let inputs = await bench.server.acceptedInputs()
            #expect(accepted.last.flatMap { inputs[$0.id]?["prompt"] } == .string("b"))
        }
    }

    @Test func anUncertainSubmitListedInFalsHistoryIsFollowedNotSentAgain() async throws {
        // fal accepts; its answer is lost (an HTML 200 naming no request).
        let lost = sim { $0.faults = [Fault(route: .submit, nth: 1, times: 1, status: 200, body: "html")] }
        try await Bench.with(book(default: lost)) { bench in
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "x"], settings: SubmitSettings(), outRoot: bench.out)
            let outcome = try await engine.run(job: job.id)
            let run = try #require(outcome.runs.first)
            #expect(run.state == .downloaded, "\(run.errorMessage ?? "")")
            let accepted = await bench.server.acceptedRequests()
            #expect(accepted.count == 1 && run.requestID == accepted.first?.id)
            #expect(await bench.submits() == 1)
            #expect(try bench.journal.events(job: job.id).contains { $0.detail.contains("found in fal's request history") })
        }
    }

    @Test func anUncertainSubmitFalsHistoryDoesNotListIsSentOnlyByTheExplicitCommand() async throws {
        // fal accepts; the answer is lost; its history does not list the request.
        let lost = sim { $0.faults = [Fault(route: .submit, nth: 1, times: 1, status: 200, body: "html")]; $0.unlisted = true }
        try await Bench.with(book(default: lost)) { bench in
            // The history is taken as complete at once (in use, it is given ten minutes).
            let engine = bench.engine(historyLag: 0)
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "x"], settings: SubmitSettings(), outRoot: bench.out)
            let first = try await engine.run(job: job.id)

            #expect(first.runs.first?.state == .uncertain)
            #expect(await bench.submits() == 1)
            // Resume asks the history again: still not listed, not sent.
            let again = try await engine.run(job: job.id, resuming: true)
            #expect(again.runs.first?.state == .uncertain)
            #expect(try bench.journal.events(job: job.id).contains { $0.kind == "not-at-fal" })
            #expect(await bench.submits() == 1)
            // A plain retry does not send it; --uncertain does, once.
            #expect(try engine.reopen(job: job.id, model: nil, includeUncertain: false) == 0)
            #expect(try engine.reopen(job: job.id, model: nil, includeUncertain: true) == 1)
            let sent = try await engine.run(job: job.id, resuming: true)
            #expect(sent.runs.first?.state == .downloaded)
            #expect(await bench.submits() == 2)
        }
    }

    @Test func anUncertainSubmitIsMatchedByItsWholeInputNotByAReusedUpload() async throws {
        // The second submit's answer is lost; both jobs send the same bytes (one upload, one URL).
        let lost = sim { $0.faults = [Fault(route: .submit, nth: 2, times: 1, status: 200, body: "html")] }
        try await Bench.with(book(default: lost)) { bench in
            let engine = bench.engine()
            let first = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "a"], settings: SubmitSettings(), outRoot: bench.out)
            let a = try await engine.run(job: first.id)
            let second = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "b"], settings: SubmitSettings(), outRoot: bench.out)
            let b = try await engine.run(job: second.id)
            #expect(await bench.uploads() == 1)
            let ra = try #require(a.runs.first), rb = try #require(b.runs.first)
            #expect(ra.state == .downloaded && rb.state == .downloaded, "\(rb.errorMessage ?? "")")
            let inputs = await bench.server.acceptedInputs()
            #expect(rb.requestID != ra.requestID)
            #expect(rb.requestID.flatMap { inputs[$0]?["prompt"] } == .string("b"))
            #expect(await bench.submits() == 2)
        }
    }

    @Test func anUncertainSubmitResentBeforeFalsHistorySettlesItCountsAsMaybeBilled() async throws {
        let lost = sim { $0.faults = [Fault(route: .submit, nth: 1, times: 1, status: 200, body: "html")]; $0.unlisted = true }
        try await Bench.with(book(default: lost)) { bench in
            let engine = bench.engine() // the history's ten minutes have not passed: nothing is known
            let job = try engine.create(source: TestMedia.path(Self.clip), models: [wanEdit], payload: ["prompt": "x"], settings: SubmitSettings(), outRoot: bench.out)
            #expect(try await engine.run(job: job.id).runs.first?.state == .uncertain)
            #expect(try engine.reopen(job: job.id, model: nil, includeUncertain: true) == 1)
            #expect(try await engine.run(job: job.id, resuming: true).runs.first?.state == .downloaded)
            #expect(await bench.submits() == 2)
            // Both requests count in the spend view: fal may bill the first.
            let spend = Spend(runs: try bench.journal.runs(job: job.id), events: try bench.journal.events(job: job.id))
            #expect(spend.requests == 2 && spend.unpriced == 0, "\(spend)")
        }
    }
}
