import ArgumentParser
import Batch
import FalClient
import Foundation
import MediaAdapt
import ModelCatalog

struct ManifestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Work with prepare's manifests.",
        subcommands: [ManifestMerge.self]
    )
}

struct ManifestMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the manifests of `prepare --shard K/N` runs into one.",
        discussion: """
        Every shard must have run with the same command line and preflight version. Writes OUT \
        atomically (default: preflight-manifest.json beside the first manifest). When the manifests \
        are shards K of one N by name and some K is missing (a task that never ran, or refused), \
        nothing is merged unless --partial is given.

        Exit codes: 0 merged; 64 usage or manifests that do not belong together; 66 a manifest or \
        a shard missing.
        """
    )

    @Argument(help: "The shards' manifests (preflight-manifest.shard-K-of-N.json).", completion: .file())
    var manifests: [String]

    @Option(name: .shortAndLong, help: "The merged manifest.")
    var output: String?

    @Flag(help: "Also write the merged manifest as CSV beside it.")
    var csv = false

    @Flag(help: "Merge even when some shards of N are missing (their files are then absent).")
    var partial = false

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("Name the shard manifests to merge, e.g. out/preflight-manifest.shard-*.json.") }
    }

    func run() async throws {
        let names = manifests.map { URL(fileURLWithPath: $0).lastPathComponent }
        let counts = Set(names.compactMap { Shard(manifestName: $0)?.count })
        if counts.count > 1 {
            Terminal.error("these are shards of different runs (of \(counts.sorted().map(String.init).joined(separator: " and ")) shards); merge the manifests of one run.")
            throw Exit.usage
        }
        let missing = Shard.missing(from: names)
        if !missing.isEmpty, !partial {
            let absent = missing.map(\.manifestName)
            Terminal.error("shard(s) \(missing.map { String($0.index) }.joined(separator: ", ")) of \(missing[0].count) missing: "
                + absent.prefix(3).joined(separator: ", ") + (absent.count > 3 ? ", ..." : "")
                + ". Run those shards (their files are in no manifest yet), or merge what there is with --partial.")
            throw Exit.inputMissing
        }
        var loaded: [Manifest] = []
        for path in manifests {
            do {
                guard let manifest = try Manifest.load(URL(fileURLWithPath: path)) else {
                    Terminal.error("\(path): no such file")
                    throw Exit.inputMissing
                }
                loaded.append(manifest)
            } catch let error as BatchError {
                throw Terminal.report(error)
            }
        }
        let target = URL(fileURLWithPath: output ?? (URL(fileURLWithPath: manifests[0]).deletingLastPathComponent().appendingPathComponent(Manifest.fileName).path))
        let csvTarget = target.deletingPathExtension().appendingPathExtension("csv")
        for path in [target.path] + (csv ? [csvTarget.path] : []) {
            if let problem = OutputTarget.problem(output: path, protecting: manifests + PreflightPaths().stateFiles, what: "manifest merge") {
                Terminal.error(Redactor.printable(problem))
                throw Exit.usage
            }
        }
        do {
            let merged = try Manifest.merge(loaded)
            try merged.write(to: target, csv: csv ? csvTarget : nil)
            Terminal.out("merged \(loaded.count) manifests, \(merged.rows.count) rows: \(target.path)")
        } catch {
            throw Terminal.report(error)
        }
    }
}
