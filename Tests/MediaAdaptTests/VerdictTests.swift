import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// A fix is kept only on the verdict `check` gives, on every path.
@Suite struct VerdictTests {
    /// "Nothing to do" planned from a lying header: the verification (every packet read) fails, so
    /// the fix fails and writes nothing, with or without an output path. The header: the 12 s
    /// clip's movie header rewritten to say 4 s (header4s_packets34s.mp4's 34 s are a packet its edit
    /// list hides: 3.5 s are shown, by FFmpeg as by the probe, so it no longer lies about the length).
    @Test func nothingToDoIsVerifiedToo() throws {
        let spec = model(requirement { $0.maxDuration = 10.05 })
        let folder = try TestMedia.temporaryFolder("preflight-verdict")
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("long_720p_12s.mp4"))))
        let mvhd = try #require((0..<(bytes.count - 24)).first { bytes[$0..<$0 + 4].elementsEqual("mvhd".utf8) })
        #expect(bytes[mvhd + 4] == 0) // version 0: 32-bit times
        let timescale = bytes[(mvhd + 16)..<(mvhd + 20)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let four = 4 * timescale
        for i in 0..<4 { bytes[mvhd + 20 + i] = UInt8(truncatingIfNeeded: four >> (24 - 8 * i)) }
        let lying = folder.appendingPathComponent("lying.mp4").path
        try Data(bytes).write(to: URL(fileURLWithPath: lying))
        let header = try Prober.probe(lying, options: ProbeOptions(depth: .fast))
        #expect(header.duration == 4)
        let plan = try planned(header, models: [spec])
        #expect(plan.action == .none) // the header's 4 s
        let outputs = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        for output in [nil, outputs.appendingPathComponent("out.mp4")] {
            #expect(throws: FixError.self) { try Conformer(pipeline: MediaPipeline(models: [spec])).run(plan, output: output) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputs.path).isEmpty)
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

/// Two models no single file serves: each is planned and priced on its own (`planEach`), the one
/// path `prepare` splits by and `check` prices by.
@Suite struct PlanEachTests {
    @Test func eachModelIsPlannedAndPricedOnItsOwn() throws {
        let small = model(requirement { $0.set(.maxWidth, to: .number(640)) }, id: "test/small")
        let large = model(requirement { $0.set(.minWidth, to: .number(1000)) }, id: "test/large")
        let long = model(requirement { $0.set(.minDuration, to: .number(30)) }, id: "test/long")
        let info = try Prober.probe(TestMedia.path("hd_1280x720_4s.mp4"))

        let conflicting = MediaPipeline(models: [small, large])
        #expect(throws: FixError.self) { try conflicting.plan(conflicting.check(info)) }
        let routes = Dictionary(uniqueKeysWithValues: conflicting.planEach(info).map { ($0.model.id, $0) })
        let narrow = try #require(try routes["test/small"]?.plan.get())
        #expect((narrow.video?.width ?? 0) <= 640 && narrow.action == .reencode)
        #expect(try routes["test/large"]?.plan.get().action == FixPlan.Action.none)

        let refusing = MediaPipeline(models: [long, small])
        let priced = refusing.priced(refusing.check(info))
        let lines = Dictionary(uniqueKeysWithValues: (priced.cost?.lines ?? []).map { ($0.model, $0) })
        #expect(lines["test/long"]?.wouldSend == false, "a model that cannot take the file is sent nothing")
        #expect(lines["test/small"]?.wouldSend == true)
        #expect(priced.cost?.afterPlan == true, "priced as the small model's own fix will send it")
    }
}
