import FalSimulator
import Foundation
import Testing
import TestSupport

/// A dual-model `prepare` is per model: a clip one model takes and the other refuses still goes to
/// the first; one file serves both when it can. Run as a user runs it, against fal-sim.
@Suite struct PerModelPrepareTests {
    static let kling = "fal-ai/kling-video/o1/video-to-video/edit"
    static let wan = "fal-ai/wan/v2.7/edit-video"

    /// SRC: `both.mp4` (4 s, 1280x720: both models take it as it is), `day 1/short.mp4` (2.5 s: Wan
    /// takes 2 s and more, Kling 3 s and more), `long.mp4` (12 s: both cut it to 10 s, one file).
    func withFootage(_ body: (URL) async throws -> Void) async throws {
        let folder = try TestMedia.temporaryFolder("preflight-per-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("day 1"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestMedia.path("hd_1280x720_4s.mp4"), toPath: source.appendingPathComponent("both.mp4").path)
        try FileManager.default.copyItem(atPath: TestMedia.path("long_720p_12s.mp4"), toPath: source.appendingPathComponent("long.mp4").path)
        let ffmpeg = try #require(which("ffmpeg"))
        let cut = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-i", TestMedia.path("hd_1280x720_4s.mp4"), "-t", "2.5",
                                         "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", source.appendingPathComponent("day 1/short.mp4").path])
        #expect(cut.status == 0, "\(cut.stderr)")
        try await body(folder)
    }

    func rows(_ dest: URL) throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: dest.appendingPathComponent("preflight-manifest.json"))
        let rows = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["rows"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["source"] as? String).map { ($0, row) } })
    }

    @Test func eachModelGetsTheClipWhenItCanTakeIt() async throws {
        try await withFootage { folder in
            var book = ScenarioBook()
            book.defaultScenario.queueMs = 50
            book.defaultScenario.progressMs = 50
            let server = try FalSimulatorServer(.init(scenarios: book))
            let base = try await server.start()
            defer { Task { await server.stop() } }
            let dest = folder.appendingPathComponent("dest"), results = folder.appendingPathComponent("results")
            let page = folder.appendingPathComponent("report.html")
            let args = ["prepare", folder.appendingPathComponent("src").path, "--model", Self.wan, "--model", Self.kling, "--out", dest.path,
                        "--results", results.path, "--submit", "--set", "prompt=snow", "--report", page.path]
            let env = ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey]
            let home = folder.appendingPathComponent("home")
            let r = try await preflight(args, home: home, environment: env)
            // Kling refused one clip: a refusal's exit code, although everything that could go went.
            #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("ready for some models only"), "\(r.stdout)")
            #expect(r.stderr.contains("(1 of them each to one model: its own file)"), "\(r.stderr)")
            #expect(r.stdout.contains("partial: day 1/short.mp4: kling-video-o1-video-to-video-edit:"), "\(r.stdout)")

            let manifest = try rows(dest)
            // One file serves both where one can.
            for shared in ["both.mp4", "long.mp4"] {
                let row = try #require(manifest[shared])
                #expect(row["perModel"] == nil, "\(shared)")
                #expect(["compliant", "fixed"].contains(row["status"] as? String ?? ""), "\(shared)")
            }
            let short = try #require(manifest["day 1/short.mp4"])
            #expect(short["status"] as? String == "partial")
            let perModel = try #require(short["perModel"] as? [[String: Any]])
            let wan = try #require(perModel.first { $0["model"] as? String == Self.wan })
            let kling = try #require(perModel.first { $0["model"] as? String == Self.kling })
            #expect(wan["status"] as? String == "compliant")
            #expect(wan["output"] as? String == "day 1/wan-v2.7-edit-video/short.mp4")
            #expect(kling["status"] as? String == "unfixable")
            #expect(kling["output"] == nil)
            #expect((kling["error"] as? String ?? "").contains("3"), "\(kling)")
            // The per-model file is the clip's bytes, probed from disk.
            let placed = dest.appendingPathComponent("day 1/wan-v2.7-edit-video/short.mp4").path
            #expect(try Data(contentsOf: URL(fileURLWithPath: placed)) == Data(contentsOf: folder.appendingPathComponent("src/day 1/short.mp4")))
            // Only what goes out is priced: Wan's line for the short clip, not Kling's.
            let cost = try #require(short["cost"] as? [String: Any])
            let lines = try #require(cost["lines"] as? [[String: Any]])
            #expect(lines.first { $0["model"] as? String == Self.kling }?["wouldSend"] as? Bool == false)

            // fal got both models for the shared files, Wan alone for the short one: five requests.
            let accepted = await server.acceptedRequests()
            #expect(accepted.count == 5, "\(accepted)")
            let wanNote = try #require(wan["submission"] as? [String: Any])
            #expect(wanNote["state"] as? String == "done")
            let files = try #require(wanNote["results"] as? [String])
            #expect(files.contains { $0.hasSuffix("day 1/short/wan-v2.7-edit-video/short.wan-v2.7-edit-video.mp4") }, "\(files)")
            for f in files { #expect(FileManager.default.fileExists(atPath: f)) }
            #expect(kling["submission"] == nil)

            // The report says what each model got.
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(html.contains("Each model its own file"))
            #expect(html.contains("some models only"))
            #expect(html.contains("gets nothing: "))

            // The same command again: nothing made again, nothing sent again.
            let again = try await preflight(args, home: home, environment: env)
            #expect(again.status == 1, "\(again.stderr)")
            #expect(await server.acceptedRequests().count == 5)
            #expect(try rows(dest)["day 1/short.mp4"]?["status"] as? String == "partial")
        }
    }
}
