import Foundation
import MediaAdapt
import MediaIO
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Issue 20: `fix` converts every real-footage shape the ffmpeg CLI converts, and its plan says what
/// it keeps: the plan, not the file, was what went wrong (edit lists counted, a second video track's
/// length taken, tracks a model does not take left to fail verification, a cut-short end kept).
@Suite struct RealFootageFixTests {
    /// A model that takes any MP4; the same with a length limit (the probe then reads every packet)
    /// and without sound.
    static let models: [ModelSpec] = [
        model(requirement { $0.formats = ["mp4"] }, id: "test/any-mp4"),
        model(requirement { $0.formats = ["mp4"]; $0.maxDuration = 3; $0.audio = .forbidden }, id: "test/mp4-3s-silent"),
    ]

    /// Every shape x model x (copy where possible, re-encode): a file is written and verified, and it
    /// runs as long as the ffmpeg CLI's conversion (within two frames).
    @Test(arguments: TestMedia.realFootage) func convertsWhatTheCLIConverts(_ name: String) async throws {
        let cli = try await cliDuration(TestMedia.path(name))
        for spec in Self.models {
            for reencode in [false, true] {
                var policy = MediaPolicy()
                policy.forceReencode = reencode
                let (result, folder) = try fix(name, [spec], options: policy)
                defer { try? FileManager.default.removeItem(at: folder) }
                let output = try #require(result.output)
                let info = try Prober.probe(output, options: ProbeOptions(depth: .accurate))
                let planned = try #require(result.plan.duration)
                #expect(abs((info.duration ?? .nan) - planned) < 0.1, "\(name) x \(spec.id) reencode=\(reencode): \(info.duration ?? .nan) s, planned \(planned) s")
                // The CLI keeps sound (the longer track may be the sound) and a cut-short file's concealed last frame.
                if spec.id == "test/any-mp4" {
                    #expect(abs((info.duration ?? .nan) - cli) <= 0.1, "\(name) reencode=\(reencode): \(info.duration ?? .nan) s, the CLI \(cli) s")
                }
                #expect(info.video.count == 1 && info.subtitles.isEmpty && info.data.isEmpty && info.audio.count <= 1, "\(name): \(output)")
                #expect(info.truncation == nil)
                // The output decodes cleanly: a stream copy kept what its first frames need.
                let health = try #require(try Prober.probe(output, options: ProbeOptions(health: .full)).decodeHealth)
                #expect(health.verdict == .healthy, "\(name) x \(spec.id) reencode=\(reencode): \(health.spans)")
            }
        }
    }

    /// The plan says what it leaves out and what a cut-short file loses.
    @Test func plansSayWhatTheyLeaveOut() throws {
        func steps(_ name: String) throws -> String {
            let info = try Prober.probe(TestMedia.path(name))
            return try planned(info, models: [Self.models[0]]).steps.joined(separator: "\n")
        }
        #expect(try steps("two_video_tracks.mp4").contains("video track 1 (160x120 hevc, 3.60 s)"))
        let mkv = try steps("cut_short_subs.mkv")
        #expect(mkv.contains("3 subtitle tracks") && mkv.contains("a further audio track"), "\(mkv)")
        #expect(mkv.contains("cut short") && mkv.contains("of the 4.02 s its header describes are missing"), "\(mkv)")
        #expect(try steps("hlg_iphone.mov").contains("a data track (timecode, metadata)"))
        #expect(try steps("dv_one_frame.dv").contains("keep the 0.033 s up to the last whole frame"))
        // Nothing else to change: the tracks stay, and the plan says so.
        let info = try Prober.probe(TestMedia.path("cut_short_subs.mkv"))
        #expect(info.subtitles.count == 3 && info.audio.count == 2)
    }

    /// A file none of whose frames decode is refused in those words, and leaves nothing.
    @Test func undecodableIsRefusedAsSuch() throws {
        var policy = MediaPolicy()
        policy.forceReencode = true
        let folder = try TestMedia.temporaryFolder("preflight-fix")
        defer { try? FileManager.default.removeItem(at: folder) }
        let info = try Prober.probe(TestMedia.path("undecodable.mp4"))
        let plan = try planned(info, policy: policy, models: [Self.models[0]])
        #expect {
            try Conformer(pipeline: MediaPipeline(models: [Self.models[0]], policy: policy)).run(plan, output: folder.appendingPathComponent("out.mp4"), source: info)
        } throws: { error in
            "\(error)".contains("not one frame of the video decodes") && "\(error)".contains("Invalid NAL unit size")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// With the health check on, damage is a verdict: `check` fails the file and no plan is made.
    @Test func aDamagedFileFailsTheCheckAndIsNotPlanned() async throws {
        let pipeline = MediaPipeline(models: [Self.models[0]], health: .full)
        for name in TestMedia.damaged {
            let info = try await pipeline.probe(TestMedia.path(name))
            let report = pipeline.check(info)
            #expect(MediaPipeline.mediaFailures(report).map(\.rule) == [.advice(.damaged)], "\(name)")
            #expect(throws: FixError.self) { try pipeline.plan(report) }
        }
        // A cut-short file is no damage inside: it fails as cut short, and the plan converts what is whole.
        let dv = try await pipeline.probe(TestMedia.path("dv_one_frame.dv"))
        let report = pipeline.check(dv)
        let rules = MediaPipeline.mediaFailures(report).map(\.rule)
        #expect(rules.contains(.advice(.cutShort)) && !rules.contains(.advice(.damaged)), "\(rules)")
        #expect(try pipeline.plan(report).action == .reencode)
    }

    private func cliDuration(_ path: String) async throws -> Double {
        let folder = try TestMedia.temporaryFolder("preflight-cli-oracle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.mp4").path
        let ffmpeg = try #require(which("ffmpeg"))
        _ = try await run(ffmpeg, ["-v", "error", "-i", path, "-c:v", "libx264", "-preset", "ultrafast", out])
        return FFprobeReport.number(try await FFprobeReport(out).format, "duration") ?? .nan
    }
}
