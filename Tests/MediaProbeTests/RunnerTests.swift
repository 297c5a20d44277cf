import Foundation
import MediaProbe
import PreflightCore
import Testing
import TestSupport

@Suite struct RunnerTests {
    @Test func folderWalkFindsMediaInOrderAndSkipsTheRest() throws {
        let expansion = MediaFinder().expand([TestMedia.directory.path])
        let names = expansion.files.map { ($0 as NSString).lastPathComponent }
        #expect(Set(names) == Set(TestMedia.valid + TestMedia.hostile + TestMedia.lyingHeader + TestMedia.codecShapes + TestMedia.realFootage + TestMedia.damaged))
        #expect(names == names.sorted())
        #expect(expansion.skipped == 1) // README.md
        #expect(expansion.failures.isEmpty)
    }

    @Test func aFolderWithoutMediaIsAFailure() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("notes".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let expansion = MediaFinder().expand([dir.path])
        #expect(expansion.files.isEmpty)
        #expect(expansion.failures.map(\.code) == [.noMediaFound])
        #expect(expansion.failures.first?.category == .inputMissing)
    }

    @Test func concurrentRunMatchesOneByOne() async throws {
        let paths = (TestMedia.valid + TestMedia.hostile).map(TestMedia.path)
        let outcomes = await ProbeRunner(width: 4).probeAll(paths)
        #expect(outcomes.map(\.path) == paths)
        for outcome in outcomes {
            let alone = Result { () throws(ProbeError) in try Prober.probe(outcome.path) }
            switch (outcome.result, alone) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)): #expect(a == b)
            default: Issue.record("\(outcome.path): concurrent and single probes disagree")
            }
        }
    }

    @Test func eachFileIsReportedOnce() async throws {
        let paths = Array(repeating: TestMedia.path("h264_aac.mp4"), count: 40)
        var seen: [Int] = []
        for await outcome in ProbeRunner(width: 3).outcomes(for: paths) { seen.append(outcome.position) }
        #expect(seen.sorted() == Array(0..<40))
    }

    @Test func jsonRoundTripsWithSnakeCaseKeys() throws {
        let info = try Prober.probe(TestMedia.path("anamorphic_pal.mp4"))
        let data = try ProbeJSON.encoder().encode(info)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"display_width\":1024"))
        #expect(text.contains("\"sample_aspect_ratio\":{\"den\":45,\"num\":64,\"value\":1.4222"))
        #expect(text.contains("\"duration_source\":\"container\""))
        #expect(try ProbeJSON.decoder().decode(MediaInfo.self, from: data) == info)
    }
}
