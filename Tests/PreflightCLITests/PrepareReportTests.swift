import Foundation
import Testing
import TestSupport

/// `preflight prepare --report` as a user runs it: where the page may go, what it covers after a
/// resumed run, and what happens when it cannot be written.
@Suite struct PrepareReportTests {
    /// A compliant clip, one to cut, and one without an index (failed): exit 2.
    static func makeTree(_ root: URL) throws -> URL {
        let source = root.appendingPathComponent("src")
        for (path, media) in [("clip.mp4", "hd_1280x720_4s.mp4"), ("day 1/long.mp4", "long_720p_12s.mp4"), ("day 1/broken.mp4", "truncated_no_index.mp4")] {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestMedia.path(media), toPath: url.path)
        }
        return source
    }

    static func rowCount(_ html: String) -> Int { html.components(separatedBy: "<tr class=\"s-").count - 1 }

    @Test func aResumedRunsPageCoversEveryFile() async throws {
        let root = try TestMedia.temporaryFolder("preflight-cli-report")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = try Self.makeTree(root), output = root.appendingPathComponent("out")
        let first = try await preflight(["prepare", source.path, "--model", kling, "--out", output.path, "-q"], home: root)
        #expect(first.status == 2, "\(first.stderr)")
        // Everything was done by the first run; the page still has a row for every file.
        let page = output.appendingPathComponent("report.html")
        let second = try await preflight(["prepare", source.path, "--model", kling, "--out", output.path, "-q", "--report", page.path], home: root)
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stdout.contains("3 done by an earlier run"))
        #expect(second.stdout.contains("report: \(page.path) (3 pictures, 1 could not be made"), "\(second.stdout)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(Self.rowCount(html) == 3)
        #expect(html.contains("Kling O1 video edit") && html.contains("Cut at a keyframe"))
    }

    /// A cut clip's "before" picture comes from the part that is kept, not from what was cut away;
    /// the manifest records that part.
    @Test func theBeforePictureOfACutClipComesFromTheKeptPart() async throws {
        let root = try TestMedia.temporaryFolder("preflight-cli-report-kept")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("src"), output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestMedia.path("long_720p_12s.mp4"), toPath: source.appendingPathComponent("long.mp4").path)
        let page = output.appendingPathComponent("report.html")
        let r = try await preflight(["prepare", source.path, "--model", kling, "--out", output.path, "-q", "--from", "7", "--report", page.path], home: root)
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: output.appendingPathComponent("preflight-manifest.json"))
        let rows = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["rows"] as? [[String: Any]])
        let kept = try #require((rows.first?["plan"] as? [String: Any])?["kept"] as? [String: Double])
        let start = try #require(kept["start"])
        #expect(start >= 6 && start <= 7.01, "a keyframe at or before 7 s: \(kept)")
        let html = try String(contentsOf: page, encoding: .utf8)
        // "before · at 8.6 s": inside the kept part (from about 7 s to the end), never in the first 7 s.
        let caption = try #require(html.range(of: #"before · at ([0-9.]+) s"#, options: .regularExpression).map { String(html[$0]) })
        let seconds = try #require(Double(caption.replacingOccurrences(of: "before · at ", with: "").replacingOccurrences(of: " s", with: "")))
        #expect(seconds >= start && seconds <= 12, "\(caption)")
    }

    /// HDR, bit depth, a rotation flag and interlacing are facts of the file, stated beside its size.
    @Test func whatThePolicyActsOnIsStatedAsAFact() async throws {
        let root = try TestMedia.temporaryFolder("preflight-cli-report-facts")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("src"), output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for name in ["hlg_iphone.mov", "rotated_90.mov", "interlaced.mp4", "h264_aac.mp4"] {
            try FileManager.default.copyItem(atPath: TestMedia.path(name), toPath: source.appendingPathComponent(name).path)
        }
        let page = output.appendingPathComponent("report.html")
        _ = try await preflight(["prepare", source.path, "--model", "fal-ai/wan/v2.7/edit-video", "--out", output.path, "-q", "--report", page.path], home: root)
        let html = try String(contentsOf: page, encoding: .utf8)
        let facts = html.components(separatedBy: "<div class=\"facts\">").dropFirst().map { $0.components(separatedBy: "</div>")[0] }
        func factsOf(_ name: String) -> String { zip(html.components(separatedBy: "<div class=\"path\">").dropFirst(), facts).first { $0.0.contains(name) }?.1 ?? "" }
        #expect(factsOf("hlg_iphone.mov").contains("HDR HLG") && factsOf("hlg_iphone.mov").contains("10-bit"), "\(factsOf("hlg_iphone.mov"))")
        #expect(factsOf("rotated_90.mov").contains("rotated 90° by a flag"), "\(factsOf("rotated_90.mov"))")
        #expect(factsOf("interlaced.mp4").contains("interlaced"), "\(factsOf("interlaced.mp4"))")
        let plain = factsOf("h264_aac.mp4")
        #expect(!plain.isEmpty && !plain.contains("HDR") && !plain.contains("rotated") && !plain.contains("interlaced"), "\(plain)")
    }

    @Test func pathsRefusedBeforeTheRunStarts() async throws {
        let root = try TestMedia.temporaryFolder("preflight-cli-report-refused")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = try Self.makeTree(root), output = root.appendingPathComponent("out")
        let refused: [(String, String)] = [
            (source.appendingPathComponent("report.html").path, "inside the source folder"),
            (root.appendingPathComponent("missing/report.html").path, "does not exist"),
            (root.path, "is a folder"),
            ("", "takes a file name"),
        ]
        for (path, message) in refused {
            let result = try await preflight(["prepare", source.path, "--model", kling, "--out", output.path, "--report", path], home: root)
            #expect(result.status == 64, "\(path): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(path): \(result.stderr)")
            // Refused before any work: no output folder, nothing written into the sources.
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: source.path).sorted() == ["clip.mp4", "day 1", "day 1/broken.mp4", "day 1/long.mp4"])
    }

    @Test func aPageThatCannotBeWrittenKeepsTheRunsWork() async throws {
        let root = try TestMedia.temporaryFolder("preflight-cli-report-late")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = try Self.makeTree(root), output = root.appendingPathComponent("out")
        // Only known at the end: the page would take the place of an output.
        let clip = output.appendingPathComponent("clip.mp4")
        let result = try await preflight(["prepare", source.path, "--model", kling, "--out", output.path, "-q", "--report", clip.path], home: root)
        #expect(result.status == 64)
        #expect(result.stderr.contains("would replace the output of clip.mp4") && result.stderr.contains("the manifest are complete"), "\(result.stderr)")
        #expect(result.stdout.contains("manifest: "))
        #expect(FileManager.default.contentsEqual(atPath: clip.path, andPath: source.appendingPathComponent("clip.mp4").path))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("preflight-manifest.json").path))
        // Running again with another page redoes nothing but the page.
        let again = try await preflight(["prepare", source.path, "--model", kling, "--out", output.path, "-q", "--report", root.appendingPathComponent("r.html").path], home: root)
        #expect(again.status == 2 && again.stdout.contains("3 done by an earlier run") && again.stdout.contains("report: "), "\(again.stdout)\(again.stderr)")
    }
}
