import FalClient
import FalSimulator
import Foundation
import MediaProbe
import PreflightCore
import Submission
import Testing
import TestSupport

/// Paid once, brought home: one fault per run between the engine and fal (as a proxy or a flaky
/// fal gives them), and the simulator's ledger of what it accepted and served. Every case must end
/// with exactly one accepted request and its output on disk, or (when fal's answer named no
/// request) uncertain and never sent again.
@Suite struct PaidOnceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var faults: [Fault]
        var testDescription: String { name }
    }

    static func result(_ status: Int, _ body: String, times: Int = 2) -> Fault { Fault(route: .result, nth: 1, times: times, status: status, body: body) }

    /// Answers on the result endpoint after a clean COMPLETED that are not fal's word on the request.
    static let resultFaults: [Case] = [
        Case(name: "nginx 502", faults: [result(502, "nginx")]),
        Case(name: "nginx 503", faults: [result(503, "nginx")]),
        Case(name: "nginx 504", faults: [result(504, "nginx")]),
        Case(name: "429", faults: [result(429, #"{"detail":"Too many requests"}"#)]),
        Case(name: "409", faults: [result(409, #"{"detail":"Conflict"}"#)]),
        Case(name: "500 plain", faults: [result(500, "Internal Server Error")]),
        Case(name: "503 plain", faults: [result(503, "plain")]),
        Case(name: "404 once", faults: [result(404, #"{"detail":"Request not found"}"#, times: 1)]),
        Case(name: "still in progress after COMPLETED", faults: [result(400, #"{"detail":"Request is still in progress"}"#, times: 3)]),
        Case(name: "200 that is not JSON", faults: [result(200, "<html><body>cached page</body></html>", times: 1)]),
    ]

    @Test(arguments: resultFaults) func aResultFetchFaultIsFetchedAgainNeverPaidTwice(_ c: Case) async throws {
        try await Bench.with(book(default: sim { $0.faults = c.faults })) { bench in
            let outcome = try await bench.runOnce()
            try await bench.expectPaidOnceAndHome(outcome, c.name)
            #expect(try bench.journal.events(job: outcome.job.id).contains { $0.kind == "result" && $0.detail.contains("never sent again") }, "\(c.name)")
        }
    }

    /// Status answers that are not fal's verdict; the stream is down throughout, so polls see them.
    static let statusFaults: [Case] = [404, 401, 403, 400].map { status in
        Case(name: "status \(status) twice", faults: [Fault(route: .stream, times: 0, status: 503, body: "nginx"),
                                                      Fault(route: .status, nth: 1, times: 2, status: status, body: #"{"detail":"odd \#(status)"}"#)])
    } + [
        Case(name: "status 200 that is not JSON", faults: [Fault(route: .stream, times: 0, status: 503, body: "nginx"),
                                                           Fault(route: .status, nth: 1, times: 2, status: 200, body: "<html>maintenance</html>")]),
        Case(name: "stream of keep-alives only", faults: [Fault(route: .stream, times: 0, behaviour: .keepaliveForever)]),
    ]

    @Test(arguments: statusFaults) func oddStatusAnswersKeepFollowing(_ c: Case) async throws {
        try await Bench.with(book(default: sim { $0.faults = c.faults })) { bench in
            try await bench.expectPaidOnceAndHome(try await bench.runOnce(), c.name)
        }
    }

    @Test func anOutageWhileFollowingLeavesTheRunForResume() async throws {
        let down: [Fault] = [Fault(route: .stream, times: 0, status: 503, body: "nginx"), Fault(route: .status, times: 0, status: 503, body: "nginx")]
        try await Bench.with(book(default: sim { $0.faults = down })) { bench in
            let first = try await bench.runOnce(patience: 2)
            let run = try #require(first.runs.first)
            #expect(run.state == .submitted, "\(run.errorMessage ?? "")")
            #expect(first.category == .temporary)
            #expect((run.errorMessage ?? "").contains("preflight resume"))
            #expect(try bench.journal.unfinishedJobs().map(\.id) == [first.job.id])
            // The outage ends; resume brings the same request home.
            await bench.server.clearFaults()
            let resumed = try await bench.engine().run(job: first.job.id, resuming: true)
            try await bench.expectPaidOnceAndHome(resumed, "after the outage")
        }
    }

    @Test func aFrontDoorThatStaysDownOnTheResultPaysOnceAndResumeFetches() async throws {
        try await Bench.with(book(default: sim { $0.faults = [Self.result(503, "nginx", times: 0)] })) { bench in
            let first = try await bench.runOnce(patience: 2)
            #expect(first.runs.first?.state == .submitted)
            #expect(first.category == .temporary)
            #expect(await bench.server.acceptedRequests().count == 1)
            await bench.server.clearFaults()
            try await bench.expectPaidOnceAndHome(try await bench.engine().run(job: first.job.id, resuming: true), "resumed")
        }
    }

    /// fal's own word ends a run: a request that failed (COMPLETED with an error) is not followed
    /// for ever, and a cancelled one is cancelled.
    @Test func falsVerdictStillEndsTheRun() async throws {
        try await Bench.with(book(default: sim { $0.resultStatus = 422; $0.resultErrorType = "content_policy_violation" })) { bench in
            let outcome = try await bench.runOnce()
            #expect(outcome.runs.first?.state == .failed)
            #expect(outcome.runs.first?.errorCategory == "moderation")
            #expect(await bench.server.acceptedRequests().count == 1)
        }
    }

    // MARK: - Submit answers

    static func submit(_ status: Int, _ body: String) -> [Fault] { [Fault(route: .submit, nth: 1, times: 1, status: status, body: body)] }

    @Test(arguments: [
        Case(name: "200 with only request_id", faults: submit(200, "request-id-only")),
        Case(name: "status URLs on plain http to another host", faults: submit(200, "http-urls")),
        Case(name: "status URLs on https to another host", faults: submit(200, #"{"request_id":"{id}","status_url":"https://collector.example.invalid/s","response_url":"https://collector.example.invalid/r","cancel_url":"https://collector.example.invalid/c"}"#)),
        Case(name: "the id only in x-fal-request-id", faults: [Fault(route: .submit, status: 202, body: "empty", headers: ["x-fal-request-id": "{id}"])]),
    ]) func anAcceptedSubmitOfAnOddShapeIsFollowed(_ c: Case) async throws {
        try await Bench.with(book(default: sim { $0.faults = c.faults })) { bench in
            try await bench.expectPaidOnceAndHome(try await bench.runOnce(), c.name)
        }
    }

    @Test(arguments: [
        Case(name: "an HTML 200", faults: submit(200, "html")),
        Case(name: "an empty 202", faults: submit(202, "empty")),
        Case(name: "a 201 that is not JSON", faults: submit(201, "Created")),
    ]) func anAcceptedSubmitThatNamesNoRequestIsUncertainNeverResent(_ c: Case) async throws {
        // fal's history does not list it either (found there, it is followed: MoneyGuardTests).
        try await Bench.with(book(default: sim { $0.faults = c.faults; $0.unlisted = true })) { bench in
            let first = try await bench.runOnce()
            #expect(first.runs.first?.state == .uncertain, "\(c.name)")
            #expect(first.category == .uncertain)
            let again = try await bench.engine().run(job: first.job.id, resuming: true)
            #expect(again.runs.first?.state == .uncertain)
            #expect(await bench.server.acceptedRequests().count == 1, "\(c.name)")
            #expect(await bench.submits() == 1, "\(c.name)")
        }
    }

    // MARK: - Bounds

    @Test func aStalledDownloadEndsAndResumeDownloadsIt() async throws {
        let stall = Fault(route: .download, nth: 1, times: 0, behaviour: .stall)
        try await Bench.with(book(default: sim { $0.faults = [stall] })) { bench in
            let started = Date()
            let first = try await bench.runOnce()
            // The engine's stall bound is 3 s in tests; the download gives up, not the test.
            #expect(Date().timeIntervalSince(started) < 30)
            let run = try #require(first.runs.first)
            #expect(run.state == .completed, "\(run.errorMessage ?? "")")
            #expect(first.category == .temporary)
            await bench.server.clearFaults()
            try await bench.expectPaidOnceAndHome(try await bench.engine().run(job: first.job.id, resuming: true), "after the stall", downloadAttempts: 2)
            let names = try FileManager.default.subpathsOfDirectory(atPath: first.job.outDir)
            #expect(!names.contains { $0.contains(".partial") }, "\(names)")
        }
    }

    @Test func anOutputInlinedAsADataURIIsWrittenOut() async throws {
        let inline = Fault(route: .result, nth: 1, times: 1, behaviour: .hugeDataURI)
        var f = inline
        f.sizeBytes = 3 << 20
        try await Bench.with(book(default: sim { $0.faults = [f] })) { bench in
            let outcome = try await bench.runOnce()
            let run = try #require(outcome.runs.first)
            #expect(run.state == .downloaded, "\(run.errorMessage ?? "")")
            let files = try #require(run.id.flatMap { outcome.outputs[$0] })
            #expect(files.count == 1)
            let file = try #require(files.first)
            #expect(file.url == "data:1")
            // Decoded bytes on disk: a real video that probes (the stored output, repeated).
            #expect(file.bytes > 2 << 20)
            #expect(try SHA256.file(file.path) == file.sha256)
            #expect(try Prober.probe(file.path).kind == .video)
            #expect(await bench.server.exchanges().filter { $0.hasPrefix("GET /files/") }.isEmpty)
        }
    }

    @Test func aResultThatNamesNothingToDownloadIsNotDone() async throws {
        let bodies = [#"{"video":{"url":null}}"#, #"{"video":{"url":"file:///tmp/out.mp4"}}"#, #"{"video":null}"#]
        for body in bodies {
            try await Bench.with(book(default: sim { $0.faults = [Fault(route: .result, nth: 1, times: 0, status: 200, body: body)] })) { bench in
                let outcome = try await bench.runOnce()
                let run = try #require(outcome.runs.first)
                #expect(run.state == .failed, "\(body)")
                #expect(run.errorCategory == "no_output", "\(body)")
                #expect(outcome.category == .refused)
                #expect(await bench.server.acceptedRequests().count == 1)
            }
        }
    }
}

extension Bench {
    /// One 4 s clip to Wan edit (it passes as it is): create and run the job.
    func runOnce(patience: Double = 30) async throws -> JobOutcome {
        let engine = engine(patience: patience)
        let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                    settings: SubmitSettings(), outRoot: out)
        return try await engine.run(job: job.id)
    }

    /// Exactly one request accepted at fal, its output on disk once, the run downloaded.
    /// `downloadAttempts`: answers the simulator began for output files (a stalled one counts).
    func expectPaidOnceAndHome(_ outcome: JobOutcome, _ name: String, downloadAttempts: Int = 1,
                               sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let run = try #require(outcome.runs.first, sourceLocation: sourceLocation)
        #expect(run.state == .downloaded, "\(name): \(run.errorMessage ?? "")", sourceLocation: sourceLocation)
        #expect(outcome.category == nil, "\(name)", sourceLocation: sourceLocation)
        #expect(await server.acceptedRequests().count == 1, "\(name): requests accepted at fal", sourceLocation: sourceLocation)
        let files = run.id.flatMap { outcome.outputs[$0] } ?? []
        #expect(files.count == 1, "\(name)", sourceLocation: sourceLocation)
        for file in files {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(name)", sourceLocation: sourceLocation)
            #expect((try? SHA256.file(file.path)) == file.sha256, "\(name)", sourceLocation: sourceLocation)
        }
        let downloads = await server.exchanges().filter { $0.hasPrefix("GET /files/") && $0.hasSuffix("-> 200") }.count
        #expect(downloads == downloadAttempts, "\(name): downloads", sourceLocation: sourceLocation)
    }
}
