import Batch
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// `prepare --health`: every file's frames decoded before anything is planned; a damaged one is
/// listed with its spans (a structured field in the manifest, and in the report), a cut-short one
/// converted up to its last whole frame; asking for more on a later run decodes the earlier rows
/// again without converting anything again.
@Suite struct HealthTests {
    static let anyMP4 = ModelSpec(id: "test/any-mp4", name: "Any MP4", provider: "fal", category: "test",
                                  media: [MediaField(name: "video_url", kind: .video, requirement: { var r = MediaRequirement(); r.formats = ["mp4"]; return r }())],
                                  payload: PayloadSchema(), price: nil, source: Source(ref: "test"), notes: nil, origin: "test")

    @Test func damagedFilesAreListedAndAskingForMoreLaterDecodesAgain() async throws {
        let root = try TestMedia.temporaryFolder("preflight-health")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("src"), output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for (name, media) in [("good.mp4", "h264_aac.mp4"), ("broken.mp4", "damaged_middle.mp4"), ("none.mp4", "undecodable.mp4"), ("cut.mkv", "cut_short_subs.mkv")] {
            try FileManager.default.copyItem(atPath: TestMedia.path(media), toPath: source.appendingPathComponent(name).path)
        }
        var options = PrepareOptions(source: source.path, output: output.path, models: [Self.anyMP4], width: 2, tool: "preflight test")

        // No decode check: the damage goes unseen (the headers are fine), the cut-short file is converted.
        let first = try await PrepareRun(options: options).run()
        let before = Dictionary(uniqueKeysWithValues: first.rows.map { ($0.source, $0) })
        #expect(before["broken.mp4"]?.status == .compliant && before["none.mp4"]?.status == .compliant)
        #expect(before["cut.mkv"]?.status == .fixed)
        #expect(before["cut.mkv"]?.plan?.steps.first?.contains("cut short") == true)
        #expect(first.rows.allSatisfy { $0.health == nil })

        // Every frame now: the damaged files are refused and their copies removed; the others stand, not redone.
        options.health = .full
        let second = try await PrepareRun(options: options).run()
        let after = Dictionary(uniqueKeysWithValues: second.rows.map { ($0.source, $0) })
        #expect(second.reused == 2)
        #expect(after["good.mp4"]?.status == .compliant && after["good.mp4"]?.health?.verdict == .healthy)
        #expect(after["good.mp4"]?.health?.scope == .full)
        #expect(after["cut.mkv"]?.status == .fixed && after["cut.mkv"]?.outputHash == before["cut.mkv"]?.outputHash)
        #expect(after["cut.mkv"]?.health?.isUsable == true, "the cut-short end is not damage inside the file")
        let broken = try #require(after["broken.mp4"])
        #expect(broken.status == .unfixable)
        #expect(broken.error?.contains("frames do not decode") == true, "\(broken.error ?? "")")
        #expect(broken.output == nil)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("broken.mp4").path))
        #expect(after["none.mp4"]?.health?.verdict == .undecodable)

        // The manifest on disk holds the spans as data: times and FFmpeg's words.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent(Manifest.fileName))) as? [String: Any]
        let row = try #require((json?["rows"] as? [[String: Any]])?.first { $0["source"] as? String == "broken.mp4" })
        let health = try #require(row["health"] as? [String: Any])
        #expect(health["verdict"] as? String == "damaged")
        let span = try #require((health["spans"] as? [[String: Any]])?.first)
        #expect((span["start"] as? Double).map { $0 > 1 && $0 < 3 } == true)
        #expect((span["messages"] as? [String])?.isEmpty == false)

        // The report shows it.
        let page = root.appendingPathComponent("report.html")
        _ = try await PrepareReport(manifest: try #require(try Manifest.load(output.appendingPathComponent(Manifest.fileName))),
                                    sourceFolder: source.path, outputFolder: output.path).write(to: page.path)
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("frames do not decode"))
        #expect(html.contains("✓ decodes (every frame)"))
        #expect(html.contains("not one frame decodes"))

        // Asked again: nothing is decoded or done again.
        let third = try await PrepareRun(options: options).run()
        #expect(third.reused == 4)
    }
}
