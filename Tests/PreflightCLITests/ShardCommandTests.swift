import Foundation
import Testing
import TestSupport

/// `prepare --shard auto` as a job runner starts it (its variables in the environment), and
/// `manifest merge` refusing to join a run with a shard missing.
@Suite struct ShardCommandTests {
    @Test func autoShardsFromSlurmsVariablesMergeAndAMissingShardIsRefused() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-shard-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("src"), output = root.appendingPathComponent("out"), home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let clips = ["hd_1280x720_4s.mp4", "still.jpg", "sd_854x480.mp4", "vfr.mp4", "truncated.mp4", "tiny_64x36.mp4"]
        for (i, clip) in clips.enumerated() {
            try FileManager.default.copyItem(atPath: TestMedia.path(clip), toPath: source.appendingPathComponent("\(i) \(clip)").path)
        }
        let args = ["prepare", source.path, "--model", kling, "--out", output.path, "--shard", "auto", "-j", "1"]

        // Outside any job runner (whatever runs this test): a usage error, and nothing is made.
        var bare = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_") && !$0.key.hasPrefix("AWS_BATCH_") }
        bare["JOB_COMPLETION_INDEX"] = nil
        bare["PREFLIGHT_HOME"] = home.path
        let alone = try await run(preflightExecutable, args, environment: bare)
        #expect(alone.status == 64 && alone.stderr.contains("--shard K/N"), "\(alone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))

        // The three tasks of sbatch --array=0-2, as Slurm sets their variables.
        for id in 0...2 {
            let env = ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0",
                       "SLURM_ARRAY_TASK_MAX": "2", "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_JOB_ID": "9", "SLURM_JOB_ID": "\(10 + id)"]
            let task = try await preflight(args, home: home, environment: env)
            #expect([0, 1, 2].contains(task.status), "task \(id): \(task.stderr)")
            #expect(task.stderr.contains("shard \(id + 1)/3 from Slurm array task \(id) of --array=0-2"), "\(task.stderr)")
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("preflight-manifest.shard-\(id + 1)-of-3.json").path))
        }
        let merged = output.appendingPathComponent("preflight-manifest.json")
        let shards = (1...3).map { output.appendingPathComponent("preflight-manifest.shard-\($0)-of-3.json").path }

        // Shard 2 missing: refused (66), nothing written; --partial merges what there is.
        let refused = try await preflight(["manifest", "merge", shards[0], shards[2]], home: home)
        #expect(refused.status == 66 && refused.stderr.contains("shard(s) 2 of 3 missing"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: merged.path))
        let partial = try await preflight(["manifest", "merge", "--partial", shards[0], shards[2], "-o", root.appendingPathComponent("partial.json").path], home: home)
        #expect(partial.status == 0, "\(partial.stderr)")

        let whole = try await preflight(["manifest", "merge"] + shards, home: home)
        #expect(whole.status == 0 && whole.stdout.contains("\(clips.count) rows"), "\(whole.stdout)\(whole.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: merged)) as? [String: Any]
        let sources = (json?["rows"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
        #expect(sources.sorted() == clips.enumerated().map { "\($0.offset) \($0.element)" }.sorted())

        // Shards of two different runs (3 and 4) do not merge.
        let other = output.appendingPathComponent("preflight-manifest.shard-1-of-4.json")
        try FileManager.default.copyItem(atPath: shards[0], toPath: other.path)
        let mixed = try await preflight(["manifest", "merge", shards[0], shards[1], shards[2], other.path], home: home)
        #expect(mixed.status == 64 && mixed.stderr.contains("different runs"), "\(mixed.stderr)")
    }
}
