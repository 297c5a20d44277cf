import Batch
import FalClient
import Foundation
import MediaProbe
import ModelCatalog
import PreflightCore
import Testing
import TestSupport

/// Dual runs whose models cannot share one file: each model that can take a clip gets it in its
/// own form, every file made is checked against its own model from the bytes on disk, and a run
/// again redoes only what is gone.
@Suite struct PerModelRunTests {
    static func spec(_ id: String, _ build: (inout MediaRequirement) -> Void) -> ModelSpec {
        var r = MediaRequirement()
        r.formats = ["mp4", "mov"]
        build(&r)
        return ModelSpec(id: id, name: id, provider: "fal", category: "test", media: [MediaField(name: "video_url", kind: .video, requirement: r)],
                         payload: PayloadSchema(), price: nil, source: Source(ref: "test"), notes: nil, origin: "test")
    }

    /// At most 640 px wide, against at least 1000 px wide: no file satisfies both.
    static let small = spec("test/small") { $0.set(.maxWidth, to: .number(640)) }
    static let large = spec("test/large") { $0.set(.minWidth, to: .number(1000)) }
    /// 30 s and more: no 4 s clip can become that.
    static let long = spec("test/long") { $0.set(.minDuration, to: .number(30)) }

    func withSource(_ files: [(String, String)], _ body: (URL, URL) async throws -> Void) async throws {
        let root = try TestMedia.temporaryFolder("preflight-per-model-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("src"), output = root.appendingPathComponent("out")
        for (name, media) in files {
            let url = source.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestMedia.path(media), toPath: url.path)
        }
        try await body(source, output)
    }

    /// Each output, probed from disk, passes its own model and only the split made that possible.
    func expectEachFilePassesItsModel(_ row: ManifestRow, output: URL, models: [ModelSpec]) throws {
        for file in row.perModel ?? [] where file.status == .compliant || file.status == .fixed {
            let path = output.appendingPathComponent(try #require(file.output)).path
            let info = try Prober.probe(path)
            let spec = try #require(models.first { $0.id == file.model })
            let verdict = Checker().check(info, models: [spec]).verdicts[0]
            #expect(verdict.violations.filter(\.failsMedia).isEmpty, "\(file.model): \(verdict.violations.map(\.message))")
            #expect(try SHA256.file(path) == file.outputHash)
        }
    }

    @Test func conflictingModelsEachGetTheirOwnFile() async throws {
        try await withSource([("a/clip.mp4", "hd_1280x720_4s.mp4"), ("sd.mp4", "sd_854x480.mp4")]) { source, output in
            let models = [Self.small, Self.large]
            let options = PrepareOptions(source: source.path, output: output.path, models: models, width: 2, tool: "preflight test")
            let first = try await PrepareRun(options: options).run()
            let rows = Dictionary(uniqueKeysWithValues: first.rows.map { ($0.source, $0) })
            let clip = try #require(rows["a/clip.mp4"])
            #expect(clip.status == .fixed, "\(clip.error ?? "")")
            #expect(clip.output == nil)
            let files = Dictionary(uniqueKeysWithValues: (clip.perModel ?? []).map { ($0.model, $0) })
            #expect(files["test/small"]?.status == .fixed)
            #expect(files["test/small"]?.output == "a/test-small/clip.mp4")
            #expect(files["test/large"]?.status == .compliant, "1280 px is wide enough as it is")
            #expect(files["test/large"]?.output == "a/test-large/clip.mp4")
            try expectEachFilePassesItsModel(clip, output: output, models: models)
            // The wide one is the clip's own bytes; the narrow one is not.
            #expect(try SHA256.file(output.appendingPathComponent("a/test-large/clip.mp4").path) == clip.fingerprint)
            let sd = try #require(rows["sd.mp4"])
            #expect(sd.perModel?.count == 2)
            try expectEachFilePassesItsModel(sd, output: output, models: models)

            // Again: nothing is redone; a model's file that went missing is made again, alone.
            let second = try await PrepareRun(options: options).run()
            #expect(second.reused == 2)
            try FileManager.default.removeItem(at: output.appendingPathComponent("a/test-small/clip.mp4"))
            let third = try await PrepareRun(options: options).run()
            #expect(third.reused == 1)
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("a/test-small/clip.mp4").path))
            let again = try #require(third.rows.first { $0.source == "a/clip.mp4" })
            try expectEachFilePassesItsModel(again, output: output, models: models)
        }
    }

    @Test func aModelThatCannotTakeTheClipLeavesItToTheOther() async throws {
        try await withSource([("clip.mp4", "hd_1280x720_4s.mp4")]) { source, output in
            let options = PrepareOptions(source: source.path, output: output.path, models: [Self.long, Self.small], width: 2, tool: "preflight test")
            let run = try await PrepareRun(options: options).run()
            let row = try #require(run.rows.first)
            #expect(row.status == .partial)
            #expect(row.needsAttention)
            let files = Dictionary(uniqueKeysWithValues: (row.perModel ?? []).map { ($0.model, $0) })
            #expect(files["test/long"]?.status == .unfixable)
            #expect(files["test/long"]?.output == nil)
            #expect(files["test/small"]?.status == .fixed)
            try expectEachFilePassesItsModel(row, output: output, models: [Self.long, Self.small])
            // What a --submit sends: one file, to the model that takes it.
            #expect(row.deliveries.map(\.models) == [["test/small"]])
            // Nothing under the refusing model's folder.
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("test-long").path))
        }
    }

    @Test func noModelTakingItIsUnfixableWithEveryReason() async throws {
        try await withSource([("clip.mp4", "hd_1280x720_4s.mp4")]) { source, output in
            let tooLong = Self.spec("test/longer") { $0.set(.minDuration, to: .number(60)) }
            let options = PrepareOptions(source: source.path, output: output.path, models: [Self.long, tooLong], width: 2, tool: "preflight test")
            let row = try #require(try await PrepareRun(options: options).run().rows.first)
            #expect(row.status == .unfixable)
            #expect(row.deliveries.isEmpty)
            // Every model's reason, and each model planned on its own (a run again knows it).
            #expect(row.error?.contains("30") == true && row.error?.contains("60") == true, "\(row.error ?? "")")
            #expect(row.perModel?.map(\.status) == [.unfixable, .unfixable])
            let made = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { !$0.hasPrefix("preflight-manifest") }
            #expect(made.isEmpty, "\(made)")
        }
    }
}

/// What redoes a prepared folder: a limit, the policy, the link mode or the tool; not where a limit
/// was read nor when (a `models refresh` that changes no limit).
@Suite struct SettingsDigestTests {
    @Test func onlyWhatShapesAnOutputChangesTheDigest() {
        let spec = PerModelRunTests.small
        let digest = { (s: ModelSpec) in PrepareOptions(source: "/s", output: "/o", models: [s], tool: "t").settingsDigest }
        var refreshed = spec
        refreshed.source = Source(ref: "fal platform API, refreshed", date: "2026-12-04")
        refreshed.media[0].limitSources[.maxWidth] = Source(ref: "refreshed", date: "2026-12-04")
        refreshed.notes = "seen again today"
        #expect(digest(refreshed) == digest(spec))
        var tighter = spec
        tighter.media[0].requirement.set(.maxWidth, to: .number(600))
        #expect(digest(tighter) != digest(spec))
        var policy = PrepareOptions(source: "/s", output: "/o", models: [spec], tool: "t")
        policy.policy.toneMap = nil
        #expect(policy.settingsDigest != digest(spec))
    }
}
