import Batch
import FalClient
import Foundation
import MediaAdapt
import Testing
import TestSupport

/// The HTML page of `prepare --report`, read back as text: one row per manifest row, pictures that
/// decode (ffprobe as the judge), nothing from outside the page, outside text escaped.
@Suite struct ReportTests {
    /// The prepare tree plus a portrait clip, a file with no index (no picture can be made of it) and
    /// a name made of markup and quotes (a folder "<script>alert(1)<" holds "script> …", since a file
    /// name cannot hold "/").
    static func makeTree(_ label: String) throws -> SourceTree {
        let tree = try SourceTree.make(label)
        let fm = FileManager.default
        let extra = [("Reise/Tag 2/portrait.mov", "rotated_90.mov"), ("broken/no index.mp4", "truncated_no_index.mp4"),
                     (hostileName, "h264_aac.mp4")]
        for (path, media) in extra {
            let url = tree.source.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(atPath: TestMedia.path(media), toPath: url.path)
        }
        return tree
    }

    static let hostileName = "<script>alert(1)</script> \"quoted\" 'x'\u{1B}[2K.mp4"

    static func writeReport(_ tree: SourceTree, to path: String? = nil) async throws -> (String, Manifest, PrepareReport.Summary) {
        _ = try await prepare(tree)
        let manifest = try loadManifest(tree)
        let report = PrepareReport(manifest: manifest, sourceFolder: tree.source.path, outputFolder: tree.output.path,
                                   modelNames: [lipsync: "Kling lip sync (text to video)"], width: 2)
        let target = path ?? tree.output.appendingPathComponent("report.html").path
        let summary = try await report.write(to: target)
        return (try String(contentsOfFile: target, encoding: .utf8), manifest, summary)
    }

    /// Each table row's HTML, in page order.
    static func rows(_ html: String) -> [Substring] {
        guard let body = html.split(separator: "<tbody>", maxSplits: 1).last?.split(separator: "</tbody>").first else { return [] }
        return body.split(separator: "<tr ").filter { $0.hasPrefix("class=\"s-") }
    }

    /// (declared width, declared height, base64 JPEG) of every embedded picture in `html`.
    static func pictures(_ html: some StringProtocol) throws -> [(Int, Int, String)] {
        let pattern = /<img alt="[a-z]+" width="(\d+)" height="(\d+)" src="data:image\/jpeg;base64,([A-Za-z0-9+\/=]+)">/
        return String(html).matches(of: pattern).compactMap { match in
            guard let w = Int(match.1), let h = Int(match.2) else { return nil }
            return (w, h, String(match.3))
        }
    }

    @Test func oneRowPerFileWithPicturesThatDecode() async throws {
        let tree = try Self.makeTree("preflight-report")
        defer { tree.remove() }
        let (html, manifest, summary) = try await Self.writeReport(tree)
        let rows = Self.rows(html)
        #expect(rows.count == manifest.rows.count && summary.rows == manifest.rows.count)
        for (row, manifestRow) in zip(rows, manifest.rows) {
            #expect(row.hasPrefix("class=\"s-\(manifestRow.status.rawValue)"), "\(manifestRow.source) is not \(manifestRow.status)")
            #expect(row.contains("attention") == manifestRow.needsAttention)
            let pictures = try Self.pictures(row)
            // The source (when a picture can be made of it) and, for a fixed file, the output too.
            switch manifestRow.status {
            case .fixed: #expect(pictures.count == 2, "\(manifestRow.source)")
            case .compliant: #expect(pictures.count == 1 && row.contains("copied as is"), "\(manifestRow.source)")
            case .notMedia: #expect(pictures.isEmpty && row.contains("not media"))
            default: break
            }
        }

        let folder = try TestMedia.temporaryFolder("preflight-report-pictures")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pictures = try Self.pictures(html)
        #expect(pictures.count == summary.pictures && pictures.count >= 8)
        for (i, (width, height, base64)) in pictures.enumerated() {
            let file = folder.appendingPathComponent("\(i).jpg")
            try #require(Data(base64Encoded: base64)).write(to: file)
            let stream = try await FFprobeReport(file.path).stream(0)
            #expect(FFprobeReport.text(stream, "codec_name") == "mjpeg")
            #expect(stream["width"] as? Int == width && stream["height"] as? Int == height, "picture \(i): \(width)x\(height) declared")
            #expect(width <= 192 && height <= 108 && width > 0 && height > 0)
        }
        // A 16:9 clip fills the box; the portrait clip stands upright in it.
        let row = { (source: String) in rows[try #require(manifest.rows.firstIndex { $0.source == source })] }
        #expect(try Self.pictures(try row("clip 4s.mp4")).first.map { [$0.0, $0.1] } == [192, 108])
        #expect(try Self.pictures(try row("Reise/Tag 2/portrait.mov")).first.map { [$0.0, $0.1] } == [60, 108])
        // Nothing is made of a file without an index, and the page says so.
        let broken = try row("broken/no index.mp4")
        #expect(try Self.pictures(broken).isEmpty && broken.contains("class=\"frame ph\">no preview<"))
        #expect(summary.placeholders >= 1)
    }

    @Test func refersToNothingOutsideItselfAndEscapesOutsideText() async throws {
        let tree = try Self.makeTree("preflight-report-safe")
        defer { tree.remove() }
        let (html, _, _) = try await Self.writeReport(tree)
        #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("url("))
        for match in html.matches(of: /(?:src|href)="([^"]*)"/) {
            #expect(match.1.hasPrefix("data:image/jpeg;base64,") || match.1.hasPrefix("#"), "\(match.1.prefix(40))")
        }
        // The name is shown, never run: no tag of it survives, and the terminal escape shows as text.
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/</span>script&gt; &quot;quoted&quot; &#39;x&#39;\\x1B[2K.mp4"))
        #expect(!html.contains("\u{1B}"))
        // Written under a temporary name and renamed: nothing else is left in the folder.
        let hidden = try FileManager.default.contentsOfDirectory(atPath: tree.output.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "\(hidden)")
    }

    @Test func aStoppedReportLeavesNothing() async throws {
        let tree = try Self.makeTree("preflight-report-stop")
        defer { tree.remove() }
        _ = try await prepare(tree)
        let report = PrepareReport(manifest: try loadManifest(tree), sourceFolder: tree.source.path, outputFolder: tree.output.path)
        let cancel = CancellationFlag()
        cancel.cancel()
        let target = tree.output.appendingPathComponent("report.html")
        await #expect(throws: BatchError.self) { try await report.write(to: target.path, cancel: cancel) }
        let left = try FileManager.default.contentsOfDirectory(atPath: tree.output.path).filter { $0.contains("report") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func neverReplacesAnOutput() async throws {
        let tree = try Self.makeTree("preflight-report-output")
        defer { tree.remove() }
        _ = try await prepare(tree)
        let manifest = try loadManifest(tree)
        let output = try #require(manifest.rows.first { $0.status == .compliant }?.output)
        let path = tree.output.appendingPathComponent(output).path
        let before = try SHA256.file(path)
        let report = PrepareReport(manifest: manifest, sourceFolder: tree.source.path, outputFolder: tree.output.path)
        await #expect(throws: BatchError.self) { try await report.write(to: path) }
        #expect(try SHA256.file(path) == before)
    }

    @Test func destinationsRefusedBeforeARun() throws {
        let root = try TestMedia.temporaryFolder("preflight-report-paths")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("src"), output = root.appendingPathComponent("src/prepared")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let check = { (path: String) throws(BatchError) in try PrepareReport.checkDestination(path, source: source.path, output: output.path) }
        // Inside the output folder (even one inside the source, not created yet) or beside the source: fine.
        try check(output.appendingPathComponent("report.html").path)
        try check(output.appendingPathComponent("pages/report.html").path)
        try check(root.appendingPathComponent("report.html").path)
        for refused in [source.appendingPathComponent("report.html").path, source.appendingPathComponent("sub/../report.html").path,
                        root.path, root.appendingPathComponent("missing/report.html").path,
                        output.appendingPathComponent("preflight-manifest.json").path] {
            #expect(throws: BatchError.self, "\(refused)") { try check(refused) }
        }
    }
}

@Suite struct HTMLEscapeTests {
    @Test func markupQuotesControlsAndDirectionOverrides() async throws {
        let root = try TestMedia.temporaryFolder("preflight-report-escape")
        defer { try? FileManager.default.removeItem(at: root) }
        // Through the page itself: a model name and paths are outside text too.
        var manifest = Manifest(tool: "t<b>", models: ["m\"1"], settings: "s", rows: [])
        var row = ManifestRow(source: "a/\u{202E}4pm.exe & <i>", status: .failed, settings: "s", tool: "t")
        row.error = "bad\nline \u{7} 'q'"
        row.submission = SubmissionNote(job: "j<1>", state: "done", results: ["a.mp4"])
        manifest.rows = [row]
        let report = PrepareReport(manifest: manifest, sourceFolder: root.path, outputFolder: root.path, modelNames: ["m\"1": "<M>"])
        let target = root.appendingPathComponent("r.html").path
        _ = try await report.write(to: target)
        let html = try String(contentsOfFile: target, encoding: .utf8)
        #expect(html.contains("t&lt;b&gt;") && html.contains("title=\"m&quot;1\"") && html.contains("&lt;M&gt;"))
        #expect(html.contains("\\u{202E}4pm.exe &amp; &lt;i&gt;"))
        #expect(html.contains("bad\\nline \\x07 &#39;q&#39;"))
        #expect(html.contains("sent: job <code>j&lt;1&gt;</code>, done, 1 result"))
        #expect(!html.contains("\u{202E}") && !html.contains("\u{7}") && !html.contains("<i>"))
    }
}

@Suite struct ReportWordsTests {
    /// A limit fal never published (learned from a rejection) says so on the page, with its day;
    /// a published one does not; an .mp4 is called mp4, not by its demuxer's family name "mov".
    @Test func learnedLimitsAreMarkedAndContainersNamedByTheirFile() async throws {
        let root = try TestMedia.temporaryFolder("preflight-report-learned")
        defer { try? FileManager.default.removeItem(at: root) }
        let json = """
        {"model": "m", "sourcePasses": false, "violations": ["needs at least 3 s", "at most 1000 px"],
         "problems": [{"rule": "min_duration", "message": "needs at least 3 s", "fixable": false, "remedy": "", "learnedOn": "2026-12-01"},
                      {"rule": "max_width", "message": "at most 1000 px", "fixable": true, "remedy": "scale down"}]}
        """
        let outcome = try JSONDecoder().decode(ModelOutcome.self, from: Data(json.utf8))
        var row = ManifestRow(source: "clip.mp4", status: .unfixable, settings: "s", tool: "t")
        row.verdicts = [outcome]
        row.probe = try JSONDecoder().decode(ProbeSummary.self, from: Data("""
            {"kind": "video", "container": "mov,mp4,m4a,3gp,3g2,mj2", "duration": 2, "width": 1280, "height": 720, "videoCodec": "h264"}
            """.utf8))
        let manifest = Manifest(tool: "t", models: ["m"], settings: "s", rows: [row])
        let target = root.appendingPathComponent("r.html").path
        _ = try await PrepareReport(manifest: manifest, sourceFolder: root.path, outputFolder: root.path).write(to: target)
        let html = try String(contentsOfFile: target, encoding: .utf8)
        #expect(html.components(separatedBy: ">learned 2026-12-01</span>").count - 1 == 1, "only the learned limit is marked")
        #expect(html.contains("<span>mp4</span>") && !html.contains("<span>mov</span>"))
    }
}
