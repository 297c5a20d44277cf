import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// A fix is kept only on the verdict `check` gives, on every path.
@Suite struct VerdictTests {
    /// "Nothing to do" planned from a lying header: the verification (every packet read) fails, so
    /// the fix fails and writes nothing, with or without an output path.
    @Test func nothingToDoIsVerifiedToo() throws {
        let spec = model(requirement { $0.maxDuration = 10.05 })
        let header = try Prober.probe(TestMedia.path("header4s_packets34s.mp4"), options: ProbeOptions(depth: .fast))
        let plan = try planned(header, models: [spec])
        #expect(plan.action == .none) // the header's 4 s
        let folder = try TestMedia.temporaryFolder("preflight-verdict")
        defer { try? FileManager.default.removeItem(at: folder) }
        for output in [nil, folder.appendingPathComponent("out.mp4")] {
            #expect(throws: FixError.self) { try Conformer(pipeline: MediaPipeline(models: [spec])).run(plan, output: output) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// Audio codecs the model names are what the output gets, whichever the container.
    @Test(arguments: [("mp3", "mp4", "mp3"), ("opus", "webm", "opus"), ("pcm_s16le", "mov", "pcm_s16le"), ("aac", "mkv", "aac")])
    func audioIsEncodedAsTheModelSays(_ codec: String, _ format: String, _ expected: String) throws {
        let spec = model(requirement { $0.audioCodecs = [codec]; $0.formats = [format] })
        let (result, folder) = try fix("h264_aac.mp4", [spec], output: "out.\(format)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try Prober.probe(result.output!)
        #expect(out.primaryAudio?.codec == expected)
        #expect(Checker().check(out, models: [spec]).compliant)
    }
}
