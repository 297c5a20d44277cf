import Foundation
import MediaAdapt
import MediaIO
import MediaProbe
import ModelCatalog
import TestSupport

/// A model with one media field and exactly this requirement.
func model(_ r: MediaRequirement, kind: MediaFieldKind = .video, id: String = "test/model") -> ModelSpec {
    ModelSpec(id: id, name: id, provider: "fal", category: "test",
              media: [MediaField(name: kind == .image ? "image_url" : "video_url", kind: kind, requirement: r)],
              payload: PayloadSchema(), price: nil, source: Source(ref: "test"), notes: nil, origin: "test")
}

func requirement(_ build: (inout MediaRequirement) -> Void) -> MediaRequirement {
    var r = MediaRequirement()
    build(&r)
    return r
}

/// Plans and runs a fix of a TestMedia file into a fresh folder; returns the result and the folder.
func fix(_ name: String, _ models: [ModelSpec], options: MediaPolicy = MediaPolicy(), output: String = "out.mp4",
         cancel: CancellationFlag = CancellationFlag()) throws -> (FixResult, URL) {
    let folder = try TestMedia.temporaryFolder("preflight-fix")
    let info = try Prober.probe(TestMedia.path(name))
    let keyframes = KeyframeLocator.near(path: info.path, stream: info.primaryVideo?.index ?? 0)
    var options = options
    // As the CLI does: the output's extension chooses among the formats the models take.
    if options.outputFormat == nil { options.outputFormat = URL(fileURLWithPath: output).pathExtension.lowercased() }
    let plan = try planned(info, policy: options, models: models, keyframes: keyframes)
    let result = try Conformer(pipeline: MediaPipeline(models: models, policy: options)).run(plan, output: folder.appendingPathComponent(output), cancel: cancel)
    return (result, folder)
}

/// First presentation time (seconds) of each stream's packets, and the first video packet's bytes.
struct PacketSurvey {
    var firstTime: [Int: Double] = [:]
    var firstVideoBytes: [UInt8] = []
    var videoPackets: [[UInt8]] = []

    init(_ path: String, videoStream: Int = 0, keepVideo: Int = 0) throws {
        let demuxer = try Demuxer(path: path)
        try demuxer.findStreamInfo()
        let packet = Packet()
        while try demuxer.read(into: packet) {
            let tb = demuxer.timeBase(of: packet.streamIndex).value ?? 0
            if let pts = packet.pts {
                let t = Double(pts) * tb
                firstTime[packet.streamIndex] = min(firstTime[packet.streamIndex] ?? t, t)
            }
            if packet.streamIndex == videoStream {
                if firstVideoBytes.isEmpty { firstVideoBytes = packet.bytes }
                if videoPackets.count < keepVideo { videoPackets.append(packet.bytes) }
            }
        }
    }
}

/// The ffmpeg CLI's SSIM (All) of `a` against `b` after scaling `b` to `a`'s size.
func ssim(_ a: String, _ b: String) async throws -> Double {
    let ffmpeg = try #require(which("ffmpeg"))
    let r = try await run(ffmpeg, ["-hide_banner", "-nostats", "-i", a, "-i", b, "-lavfi", "[1:v][0:v]scale2ref[ref][main];[main][ref]ssim", "-f", "null", "-"])
    guard let range = r.stderr.range(of: "All:") else { throw CocoaError(.fileReadCorruptFile) }
    return Double(r.stderr[range.upperBound...].prefix { "0123456789.".contains($0) }) ?? 0
}

func sha(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

import Testing

/// A plan as the pipeline makes it: the pipeline's verdict on `info`, then the planner over it.
func planned(_ info: MediaInfo, policy: MediaPolicy = MediaPolicy(), models: [ModelSpec], payload: [String: JSONValue] = [:],
             keyframes: @escaping (ClosedRange<Double>) -> [Double] = { _ in [] }) throws(FixError) -> FixPlan {
    let pipeline = MediaPipeline(models: models, payload: payload, policy: policy)
    return try FixPlanner(policy: policy).plan(pipeline.check(info), models: models, keyframes: keyframes)
}
