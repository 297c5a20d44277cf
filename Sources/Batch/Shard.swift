import FalClient
import Foundation
import PreflightCore

/// `--shard K/N`: a deterministic share of the files, chosen by a hash of each relative path, so
/// N machines (or N processes) given the same tree split it without talking to each other.
/// `--shard auto` reads K and N from the job runner's environment (``Shard/fromRunner(_:count:)``).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based, as GNU parallel numbers its jobs; a runner's task id or index is mapped onto it by
    /// ``Shard/fromRunner(_:count:)``.
    public var index: Int
    /// How many shards the source folder is split into (N of --shard K/N).
    public var count: Int

    /// Shard `index` of `count`; refuses an index outside 1...count.
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
        guard parts.count == 2, let k = RunnerNumber.parse(parts[0]), let n = RunnerNumber.parse(parts[1]) else {
            throw BatchError(.usage, "--shard takes K/N, auto or auto/N, e.g. --shard 2/8 (got \(Printable.escape(String(text.prefix(40)))))")
        }
        try self.init(index: k, count: n)
    }

    /// `--shard` as typed: `K/N`, or `auto` and `auto/N` for the runner's environment. `origin` says
    /// where an automatic shard came from, for the job's log; nil for `K/N`.
    public static func resolve(_ text: String, environment: [String: String]) throws(BatchError) -> (shard: Shard, origin: String?) {
        if text == "auto" { return try fromRunner(environment, count: nil) }
        if text.hasPrefix("auto/") {
            guard let n = RunnerNumber.parse(text.dropFirst(5)), n >= 1 else {
                throw BatchError(.usage, "--shard auto/N takes a number of shards N of 1 or more (got \(Printable.escape(String(text.prefix(40)))))",
                                 hint: "For a Kubernetes indexed Job, N is the Job's completions: --shard auto/8.")
            }
            return try fromRunner(environment, count: n)
        }
        return (try Shard(text), nil)
    }

    /// "K/N", as --shard takes it.
    public var description: String { "\(index)/\(count)" }

    /// Whether this shard handles the file at `relativePath`: a hash of the path, the same on every
    /// machine, so N shards split a folder without talking to each other.
    public func contains(_ relativePath: String) -> Bool {
        var hash = SHA256()
        hash.update(Data(relativePath.utf8))
        // The first 60 bits of the hex digest: uniform, and the same on every machine.
        let value = UInt64(hash.finish().prefix(15), radix: 16) ?? 0
        return Int(value % UInt64(count)) == index - 1
    }

    /// Each shard keeps its own manifest, so shards can share one output folder.
    public var manifestName: String { count == 1 ? Manifest.fileName : "preflight-manifest.shard-\(index)-of-\(count).json" }

    /// The shard whose manifest is named `name` (the last part of a path), nil for another name.
    public init?(manifestName name: String) {
        let prefix = "preflight-manifest.shard-", suffix = ".json"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let middle = name.dropFirst(prefix.count).dropLast(suffix.count).components(separatedBy: "-of-")
        guard middle.count == 2, let k = RunnerNumber.parse(Substring(middle[0])), let n = RunnerNumber.parse(Substring(middle[1])),
              let shard = try? Shard(index: k, count: n), shard.manifestName == name else { return nil }
        self = shard
    }

    /// The shards of N that `manifestNames` lack, when every name is a shard manifest of one N: a
    /// task that never ran, or refused, leaves its files out of a merge without a word otherwise.
    public static func missing(from manifestNames: [String]) -> [Shard] {
        let shards = manifestNames.compactMap(Shard.init(manifestName:))
        guard shards.count == manifestNames.count, let n = shards.first?.count, shards.allSatisfy({ $0.count == n }) else { return [] }
        let present = Set(shards.map(\.index))
        return (1...n).filter { !present.contains($0) }.compactMap { try? Shard(index: $0, count: n) }
    }
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
