import Foundation
import MediaAdapt
import MediaIO
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// HDR and interlaced sources through a re-encode, against the ffmpeg CLI doing the same with the
/// same libavfilter filters.
@Suite struct PictureFilterTests {
    let h264Only = model(requirement { $0.videoCodecs = ["h264"] })

    /// Mean saturation (signalstats SATAVG, 8-bit scale) over every frame.
    func saturation(_ path: String) async throws -> Double {
        let ffmpeg = try #require(which("ffmpeg"))
        let r = try await run(ffmpeg, ["-hide_banner", "-nostats", "-i", path, "-vf", "signalstats,metadata=print:key=lavfi.signalstats.SATAVG", "-f", "null", "-"])
        let values = r.stderr.components(separatedBy: "SATAVG=").dropFirst().compactMap { Double($0.prefix { "0123456789.".contains($0) }) }
        return values.reduce(0, +) / Double(max(values.count, 1))
    }

    /// idet's multi-frame counts: (interlaced, progressive).
    func combing(_ path: String) async throws -> (Int, Int) {
        let ffmpeg = try #require(which("ffmpeg"))
        let r = try await run(ffmpeg, ["-hide_banner", "-nostats", "-i", path, "-vf", "idet", "-f", "null", "-"])
        guard let line = r.stderr.components(separatedBy: "\n").first(where: { $0.contains("Multi frame detection") }) else { return (-1, -1) }
        let numbers = line.components(separatedBy: CharacterSet.decimalDigits.inverted).compactMap(Int.init)
        // "... TFF: a BFF: b Progressive: c Undetermined: d": the last four numbers.
        let n = Array(numbers.suffix(4))
        return (n[0] + n[1], n[2])
    }

    @Test(arguments: ["hlg_bt2020.mp4", "pq_bt2020.mp4"])
    func hdrIsToneMappedToBT709(_ clip: String) async throws {
        let (result, folder) = try fix(clip, [h264Only])
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try #require(result.output)
        #expect(result.plan.video?.toneMap?.curve == .hable)
        // Tagged SDR BT.709, 8-bit, as probed by ffprobe.
        let v = try #require(try await FFprobeReport(out).streams.first { $0["codec_type"] as? String == "video" })
        #expect(v["color_primaries"] as? String == "bt709")
        #expect(v["color_transfer"] as? String == "bt709")
        #expect(v["color_space"] as? String == "bt709")
        #expect(v["pix_fmt"] as? String == "yuv420p")
        // Against the ffmpeg CLI's zscale + tonemap chain on the same clip: the same picture, and
        // colours as saturated (a plain 10-to-8-bit conversion, what fix did before, is far duller).
        let ffmpeg = try #require(which("ffmpeg"))
        let reference = folder.appendingPathComponent("cli.mp4").path, naive = folder.appendingPathComponent("naive.mp4").path
        let transfer = clip.hasPrefix("hlg") ? "arib-std-b67" : "smpte2084"
        let chain = "zscale=tin=\(transfer):pin=2020:min=2020_ncl:rin=limited:t=linear:npl=100,format=gbrpf32le,zscale=p=709,"
            + "tonemap=tonemap=hable:desat=0,zscale=t=709:m=709:r=limited,format=yuv420p"
        _ = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-i", TestMedia.path(clip), "-vf", chain, "-c:v", "libx264", "-crf", "18", reference])
        _ = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-i", TestMedia.path(clip), "-vf", "format=yuv420p", "-c:v", "libx264", "-crf", "18", naive])
        #expect(try await ssim(reference, out) > 0.97)
        let ours = try await saturation(out), theirs = try await saturation(reference), plain = try await saturation(naive)
        #expect(ours > 0.95 * theirs && ours < 1.05 * theirs, "saturation \(ours) against the CLI's \(theirs)")
        #expect(ours > plain, "saturation \(ours) is no better than without tone mapping (\(plain))")
    }

    @Test func hdrIsToneMappedByDefaultAndKeptWithTonemapOff() throws {
        // The default policy: models are trained on SDR, so HDR is tone-mapped even when the limits pass.
        let (mapped, folder) = try fix("pq_bt2020.mp4", [model(requirement { $0.formats = ["mov"] })], output: "out.mov")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(mapped.plan.action == .reencode)
        let sdr = try Prober.probe(mapped.output!).primaryVideo
        #expect(sdr?.hdr == nil)
        #expect(sdr?.color.transfer == "bt709")
        // --tonemap off, and nothing else needs a re-encode: the HDR is copied as it is.
        var keep = MediaPolicy()
        keep.toneMap = nil
        let (kept, folder2) = try fix("pq_bt2020.mp4", [model(requirement { $0.formats = ["mov"] })], options: keep, output: "out.mov")
        defer { try? FileManager.default.removeItem(at: folder2) }
        #expect(kept.plan.action == .rewrap)
        #expect(try Prober.probe(kept.output!).primaryVideo?.hdr == .pq)
    }

    @Test func interlacedIsDeinterlacedAtTheSameRate() async throws {
        var options = MediaPolicy()
        options.forceReencode = true
        let (result, folder) = try fix("interlaced.mp4", [h264Only], options: options)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = try #require(result.output)
        #expect(result.plan.video?.deinterlace == .frame)
        let probed = try Prober.probe(out, options: ProbeOptions(depth: .accurate))
        #expect(probed.primaryVideo?.interlaced == false)
        #expect(probed.primaryVideo?.fieldOrder == .progressive)
        #expect(probed.primaryVideo?.averageFrameRate?.value == 25)
        let before = try await combing(TestMedia.path("interlaced.mp4")), after = try await combing(out)
        #expect(before.0 >= 20, "the test clip should comb: \(before)")
        // The same as the ffmpeg CLI's bwdif (a few frames of fast motion still read as combed).
        let ffmpeg = try #require(which("ffmpeg"))
        let reference = folder.appendingPathComponent("cli.mp4").path
        _ = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-i", TestMedia.path("interlaced.mp4"), "-vf", "bwdif=mode=send_frame:parity=auto:deint=all",
                                   "-c:v", "libx264", "-crf", "18", reference])
        let cli = try await combing(reference)
        #expect(after.0 <= before.0 / 4, "combing \(before) -> \(after)")
        #expect(after.0 <= cli.0 + 1, "preflight \(after) against the CLI's \(cli)")

        options.deinterlace = .field
        let (doubled, folder2) = try fix("interlaced.mp4", [h264Only], options: options)
        defer { try? FileManager.default.removeItem(at: folder2) }
        let fields = try Prober.probe(doubled.output!, options: ProbeOptions(depth: .accurate)).primaryVideo
        #expect(fields?.averageFrameRate?.value == 50)
        #expect(fields?.frameCount == 50)

        options.deinterlace = .off
        let (kept, folder3) = try fix("interlaced.mp4", [h264Only], options: options)
        defer { try? FileManager.default.removeItem(at: folder3) }
        #expect(kept.plan.video?.deinterlace == nil)
        #expect(try await combing(kept.output!).0 >= 20)
    }

    /// A cut lands a frame inside a duration limit by default, and says so; --margin 0 lands on it.
    @Test func cutsAimInsideTheLimit() throws {
        let spec = model(requirement { $0.maxDuration = 10.05 })
        let (result, folder) = try fix("long_720p_12s.mp4", [spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        let d = try #require(try Prober.probe(result.output!, options: ProbeOptions(depth: .accurate)).duration)
        #expect(d <= 10.05 - 1.0 / 30 + 0.001, "\(d)")
        #expect(result.plan.steps.contains { $0.contains("inside the 10.05 s limit (--margin 1 frame)") })
        for frames in [0, 3] {
            var options = MediaPolicy()
            options.marginFrames = frames
            let info = try Prober.probe(TestMedia.path("long_720p_12s.mp4"))
            let plan = try planned(info, policy: options, models: [spec])
            #expect(abs(plan.trim!.duration - (10.05 - Double(frames) / 30)) < 1e-9)
        }
    }
}
