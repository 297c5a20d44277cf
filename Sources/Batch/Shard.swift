import FalClient
import Foundation

/// `--shard K/N`: a deterministic share of the files, chosen by a hash of each relative path, so
/// N machines (or N processes) given the same tree split it without talking to each other.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based, as job runners number their tasks (Slurm arrays, GNU parallel); Kubernetes' 0-based
    /// JOB_COMPLETION_INDEX is K-1.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(BatchError) {
        guard count >= 1, (1...count).contains(index) else {
            throw BatchError(.usage, "--shard \(index)/\(count): K must be between 1 and N", hint: "For example --shard 1/4 ... --shard 4/4.")
        }
        self.index = index
        self.count = count
    }

    /// Parses "K/N".
    public init(_ text: String) throws(BatchError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw BatchError(.usage, "--shard takes K/N, e.g. --shard 2/8 (got \(text))")
        }
        try self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ relativePath: String) -> Bool {
        var hash = SHA256()
        hash.update(Data(relativePath.utf8))
        // The first 60 bits of the hex digest: uniform, and the same on every machine.
        let value = UInt64(hash.finish().prefix(15), radix: 16) ?? 0
        return Int(value % UInt64(count)) == index - 1
    }

    /// Each shard keeps its own manifest, so shards can share one output folder.
    public var manifestName: String { count == 1 ? Manifest.fileName : "preflight-manifest.shard-\(index)-of-\(count).json" }
}

extension Manifest {
    /// Joins shard manifests into one: rows of every shard, by source path. The shards must have
    /// run with the same settings and tool; a source in two shards must have the same row.
    public static func merge(_ manifests: [Manifest]) throws(BatchError) -> Manifest {
        guard let first = manifests.first else { throw BatchError(.usage, "no manifests to merge") }
        var rows: [String: ManifestRow] = [:]
        for manifest in manifests {
            guard manifest.settings == first.settings, manifest.tool == first.tool, manifest.models == first.models else {
                throw BatchError(.manifest, "the manifests were made with different models, settings or tool versions (\(first.settings) vs \(manifest.settings))",
                                 hint: "Run every shard with the same command line and preflight version.")
            }
            for row in manifest.rows {
                if let seen = rows[row.source], seen != row, seen.status != .pending, row.status != .pending {
                    throw BatchError(.manifest, "\(row.source) appears in two manifests with different results", hint: "Run the shard that owns it again.")
                }
                if rows[row.source] == nil || rows[row.source]?.status == .pending { rows[row.source] = row }
            }
        }
        return Manifest(tool: first.tool, models: first.models, settings: first.settings, rows: rows.values.sorted { $0.source < $1.source })
    }
}
