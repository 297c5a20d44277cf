import Batch
import Foundation
import PreflightCore
import Testing
import TestSupport

@Suite struct ShardTests {
    static let kling = "fal-ai/kling-video/o1/video-to-video/edit"

    @Test func shardsSplitEveryPathOnceAndMergeToASingleRun() async throws {
        // Every path in exactly one of N shards, for several N.
        let paths = (0..<500).map { "folder \($0 % 7)/clip \($0).mp4" }
        for n in 1...6 {
            let shards = try (1...n).map { try Shard(index: $0, count: n) }
            for path in paths { #expect(shards.filter { $0.contains(path) }.count == 1) }
            if n > 1 { #expect(shards.allSatisfy { shard in paths.contains { shard.contains($0) } }, "a shard of \(n) got nothing") }
        }
        #expect(throws: BatchError.self) { try Shard("0/3") }
        #expect(throws: BatchError.self) { try Shard("4/3") }
        #expect(throws: BatchError.self) { try Shard("x") }

        let single = try SourceTree.make("preflight-prepare-shard")
        defer { single.remove() }
        let specs = try models([Self.kling])
        _ = try await PrepareRun(options: PrepareOptions(source: single.source.path, output: single.output.path, models: specs, width: 2, tool: "t")).run()
        let expected = try loadManifest(single).rows.map(RowEssence.init)

        let sharded = try SourceTree.make("preflight-prepare-shard")
        defer { sharded.remove() }
        var manifests: [Manifest] = []
        for k in 1...3 {
            let options = PrepareOptions(source: sharded.source.path, output: sharded.output.path, models: specs, width: 2, tool: "t",
                                         shard: try Shard(index: k, count: 3))
            let run = PrepareRun(options: options)
            _ = try await run.run()
            manifests.append(try #require(try Manifest.load(run.manifestURL)))
        }
        #expect(manifests.map(\.rows.count).reduce(0, +) == expected.count)
        let merged = try Manifest.merge(manifests)
        #expect(merged.rows.map(RowEssence.init) == expected)
        try expectOutputsVerified(merged, tree: sharded, models: specs)
        // Manifests of another command line do not merge.
        var other = manifests[0]
        other.settings = "different"
        #expect(throws: BatchError.self) { try Manifest.merge([manifests[1], other]) }
    }
}

@Suite struct ManifestSafetyTests {
    /// A hand-edited manifest pointing outside the output folder is never followed (nothing outside is deleted).
    @Test func anEditedManifestCannotReachOutsideTheOutput() async throws {
        let tree = try SourceTree.make("preflight-prepare-safety")
        defer { tree.remove() }
        let victim = tree.root.appendingPathComponent("victim.txt")
        try Data("keep me".utf8).write(to: victim)
        _ = try await prepare(tree, models: [klingEdit])
        var manifest = try loadManifest(tree)
        let index = try #require(manifest.rows.firstIndex { $0.source == "clip 4s.mp4" })
        for escape in ["../victim.txt", "/" + victim.path.dropFirst(), "a//../../victim.txt"] {
            manifest.rows[index].output = escape
            manifest.rows[index].outputStamp = FileStamp.of(victim.path)
            // A different fingerprint and no stamp force a redo, which removes the old output.
            manifest.rows[index].fingerprint = "changed"
            manifest.rows[index].sourceStamp = nil
            try manifest.write(to: tree.output.appendingPathComponent(Manifest.fileName))
            _ = try await prepare(tree, models: [klingEdit])
            #expect(FileManager.default.fileExists(atPath: victim.path), "\(escape)")
            manifest = try loadManifest(tree)
        }
        #expect(manifest.rows[index].output == "clip 4s.mp4")
    }
}
