import Batch
import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import PreflightCore
import Testing
import TestSupport

/// A generated source tree of TestMedia copies: nested folders, names with spaces and unicode, a
/// corrupt file, a file that is not media, a picture without an extension, hidden files, a partial
/// download and a symlink loop.
struct SourceTree {
    let root: URL
    var source: URL { root.appendingPathComponent("src") }
    var output: URL { root.appendingPathComponent("out") }

    /// Relative path -> TestMedia file (or nil for a text file).
    static let layout: [(String, String?)] = [
        ("clip 4s.mp4", "hd_1280x720_4s.mp4"),
        ("Reise/Tag 1/lång 12s.mp4", "long_720p_12s.mp4"),
        ("Reise/Tag 1/kein index.mkv", "no_durations.mkv"),
        ("Reise/Tag 2/日本.mkv", "no_durations.mkv"),
        ("Reise/Tag 2/short.mp4", "sd_854x480.mp4"),
        ("stills/photo", "still.jpg"),
        ("broken/cut short.mp4", "truncated_no_index.mp4"),
        ("notes.txt", nil),
    ]

    /// The rows a run must produce: every regular, visible, complete file.
    static var expectedSources: [String] { layout.map(\.0).sorted() }

    static func make(_ label: String) throws -> SourceTree {
        let tree = SourceTree(root: try TestMedia.temporaryFolder(label))
        let fm = FileManager.default
        for (path, media) in layout {
            let url = tree.source.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let media { try fm.copyItem(atPath: TestMedia.path(media), toPath: url.path) } else { try Data("shot list\n".utf8).write(to: url) }
        }
        // Passed over: hidden, partial downloads, and a link back up the tree.
        try fm.copyItem(atPath: TestMedia.path("h264_aac.mp4"), toPath: tree.source.appendingPathComponent(".hidden.mp4").path)
        try fm.copyItem(atPath: TestMedia.path("h264_aac.mp4"), toPath: tree.source.appendingPathComponent("Reise/dl.mp4.crdownload").path)
        try Data([0, 0, 0]).write(to: tree.source.appendingPathComponent("Reise/clip.mp4.part"))
        try fm.createSymbolicLink(atPath: tree.source.appendingPathComponent("Reise/Tag 2/loop").path, withDestinationPath: "../..")
        return tree
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// SHA-256 of every file under the source, to prove it untouched.
    func sourceHashes() throws -> [String: String] {
        var hashes: [String: String] = [:]
        for (path, _) in Self.layout { hashes[path] = try SHA256.file(source.appendingPathComponent(path).path) }
        return hashes
    }
}

/// The lip-sync model: at least 2 s, and MP4/MOV, so the tree has compliant, fixed (re-encoded),
/// unfixable, failed and not-media files.
let lipsync = "fal-ai/kling-video/lipsync/text-to-video"
/// Kling O1 edit (at least 3 s): no file of the tree needs a re-encode, for the tests about placing and walking.
let klingEdit = "fal-ai/kling-video/o1/video-to-video/edit"

func models(_ ids: [String]) throws -> [ModelSpec] {
    let catalog = Catalog.bundled()
    return try ids.map { try catalog.model($0) }
}

func prepare(_ tree: SourceTree, models ids: [String] = [lipsync], link: LinkMode = .copy) async throws -> PrepareSummary {
    let options = PrepareOptions(source: tree.source.path, output: tree.output.path, models: try models(ids), link: link, width: 2, tool: "preflight test")
    return try await PrepareRun(options: options).run()
}

func loadManifest(_ tree: SourceTree) throws -> Manifest {
    try #require(try Manifest.load(tree.output.appendingPathComponent(Manifest.fileName)))
}

/// Every row with an output: the file is there with the recorded hash, probes, and passes every model.
func expectOutputsVerified(_ manifest: Manifest, tree: SourceTree, models specs: [ModelSpec]) throws {
    for row in manifest.rows where row.status == .compliant || row.status == .fixed {
        let output = try #require(row.output, "\(row.source) has no output")
        let path = tree.output.appendingPathComponent(output).path
        #expect(try SHA256.file(path) == row.outputHash, "\(output)")
        let info = try Prober.probe(path)
        let report = Checker().check(info, models: specs)
        #expect(MediaPipeline.mediaFailures(report).isEmpty, "\(output) fails: \(MediaPipeline.mediaFailures(report).map(\.message))")
    }
}

/// Files in the output folder besides the manifests: exactly the rows' outputs, and no temporary leftovers.
func outputFiles(_ tree: SourceTree) throws -> [String] {
    let walker = try #require(FileManager.default.enumerator(atPath: tree.output.path))
    var files: [String] = []
    while let relative = walker.nextObject() as? String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: tree.output.appendingPathComponent(relative).path, isDirectory: &isDirectory)
        if !isDirectory.boolValue && !relative.hasPrefix("preflight-manifest.") { files.append(relative) }
    }
    return files.sorted()
}

/// What must be equal between two runs on the same sources (timings and stat stamps aside).
struct RowEssence: Equatable, CustomStringConvertible {
    var source: String, status: RowStatus, fingerprint: String?, probe: ProbeSummary?, verdicts: [ModelOutcome]
    var plan: PlanSummary?, method: String?, output: String?, outputHash: String?, error: String?
    init(_ r: ManifestRow) {
        (source, status, fingerprint, probe, verdicts) = (r.source, r.status, r.fingerprint, r.probe, r.verdicts)
        (plan, method, output, outputHash, error) = (r.plan, r.method, r.output, r.outputHash, r.error)
    }
    var description: String { "\(source): \(status) \(output ?? "-") \(outputHash?.prefix(8) ?? "-")" }
}

@Suite struct PrepareTreeTests {
    @Test func preparesTheTreeAndRecordsEveryFile() async throws {
        let tree = try SourceTree.make("preflight-prepare")
        defer { tree.remove() }
        let before = try tree.sourceHashes()
        let summary = try await prepare(tree)
        let manifest = try loadManifest(tree)

        // One row per visible complete file, none for hidden files, partial downloads or the loop.
        #expect(manifest.rows.map(\.source) == SourceTree.expectedSources)
        #expect(summary.rows.map(RowEssence.init) == manifest.rows.map(RowEssence.init))
        let status = Dictionary(uniqueKeysWithValues: manifest.rows.map { ($0.source, $0.status) })
        #expect(status["clip 4s.mp4"] == .compliant)
        #expect(status["Reise/Tag 1/lång 12s.mp4"] == .compliant)
        #expect(status["Reise/Tag 1/kein index.mkv"] == .fixed)
        #expect(status["Reise/Tag 2/日本.mkv"] == .fixed)
        #expect(status["Reise/Tag 2/short.mp4"] == .unfixable)
        #expect(status["stills/photo"] == .unfixable) // recognised as a picture by content; a video model takes none
        #expect(status["broken/cut short.mp4"] == .failed)
        #expect(status["notes.txt"] == .notMedia)
        for row in manifest.rows {
            #expect(row.fingerprint == before[row.source], "\(row.source)")
            if row.status == .unfixable || row.status == .failed { #expect(row.error?.isEmpty == false); #expect(row.output == nil) }
            if row.status != .notMedia && row.status != .failed { #expect(row.verdicts.map(\.model) == [lipsync]); #expect(row.probe != nil) }
        }
        // The re-encoded Matroska files land as MP4 beside where their sources sit in the tree.
        #expect(manifest.rows.first { $0.source == "Reise/Tag 2/日本.mkv" }?.output == "Reise/Tag 2/日本.mp4")
        try expectOutputsVerified(manifest, tree: tree, models: try models([lipsync]))
        #expect(try outputFiles(tree) == manifest.rows.compactMap(\.output).sorted())
        #expect(try tree.sourceHashes() == before)
        let csv = ManifestCSV.text(manifest).split(separator: "\n")
        #expect(csv.count == manifest.rows.count + 1)
    }

    @Test func aRerunDoesNothingAndAChangedSourceRedoesOnlyItself() async throws {
        let tree = try SourceTree.make("preflight-prepare")
        defer { tree.remove() }
        _ = try await prepare(tree)
        let first = try loadManifest(tree)
        let stamps = try outputFiles(tree).map { FileStamp.of(tree.output.appendingPathComponent($0).path) }

        let again = try await prepare(tree)
        #expect(again.reused == first.rows.count)
        #expect(try loadManifest(tree).rows == first.rows)
        #expect(try outputFiles(tree).map { FileStamp.of(tree.output.appendingPathComponent($0).path) } == stamps)

        // Replace one compliant source with other content: only its row and output change.
        let changed = "clip 4s.mp4"
        let url = tree.source.appendingPathComponent(changed)
        try FileManager.default.removeItem(at: url)
        try FileManager.default.copyItem(atPath: TestMedia.path("long_720p_12s.mp4"), toPath: url.path)
        let third = try await prepare(tree)
        #expect(third.reused == first.rows.count - 1)
        let after = try loadManifest(tree)
        for (old, new) in zip(first.rows, after.rows) {
            if old.source == changed {
                #expect(new.fingerprint != old.fingerprint)
                #expect(new.outputHash == (try SHA256.file(TestMedia.path("long_720p_12s.mp4"))))
            } else {
                #expect(new == old, "\(old.source) changed")
            }
        }
        try expectOutputsVerified(after, tree: tree, models: try models([lipsync]))
    }

    @Test func linksInsteadOfCopies() async throws {
        for mode in [LinkMode.symlink, .hard] {
            let tree = try SourceTree.make("preflight-prepare")
            defer { tree.remove() }
            let summary = try await prepare(tree, models: [klingEdit], link: mode)
            let row = try #require(summary.rows.first { $0.source == "clip 4s.mp4" })
            #expect(row.method == (mode == .symlink ? "symlink" : "hardlink"))
            let out = tree.output.appendingPathComponent("clip 4s.mp4").path
            let attributes = try FileManager.default.attributesOfItem(atPath: out)
            if mode == .symlink {
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out) == tree.source.appendingPathComponent("clip 4s.mp4").standardizedFileURL.path)
            } else {
                #expect((attributes[.referenceCount] as? Int) == 2)
            }
            #expect(try SHA256.file(out) == row.fingerprint)
            // A re-run keeps the links.
            #expect(try await prepare(tree, models: [klingEdit], link: mode).reused == summary.rows.count)
        }
    }

    @Test func outputInsideTheSourceIsNotWalked() async throws {
        let tree = try SourceTree.make("preflight-prepare")
        defer { tree.remove() }
        let inside = tree.source.appendingPathComponent("prepared")
        let options = PrepareOptions(source: tree.source.path, output: inside.path, models: try models([klingEdit]), width: 2, tool: "preflight test")
        _ = try await PrepareRun(options: options).run()
        let second = try await PrepareRun(options: options).run()
        #expect(second.rows.map(\.source) == SourceTree.expectedSources)
        #expect(second.reused == SourceTree.expectedSources.count)
    }

    @Test func staleTemporaryFilesOfADeadRunAreRemoved() async throws {
        let tree = try SourceTree.make("preflight-prepare")
        defer { tree.remove() }
        try FileManager.default.createDirectory(at: tree.output.appendingPathComponent("Reise/Tag 2"), withIntermediateDirectories: true)
        // A pid that cannot be alive (above the kernel's pid_max).
        let leftovers = [".日本.mp4.partial-99999999-1.mp4", ".clip 4s.mp4.preflight-tmp-99999999-7"]
        try Data("half".utf8).write(to: tree.output.appendingPathComponent("Reise/Tag 2/" + leftovers[0]))
        try Data("half".utf8).write(to: tree.output.appendingPathComponent(leftovers[1]))
        _ = try await prepare(tree, models: [klingEdit])
        #expect(try outputFiles(tree) == (try loadManifest(tree)).rows.compactMap(\.output).sorted())
    }
}
