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
        atomically (default: preflight-manifest.json beside the first manifest).

        Exit codes: 0 merged; 64 usage or manifests that do not belong together; 66 a manifest missing.
        """
    )

    @Argument(help: "The shards' manifests (preflight-manifest.shard-K-of-N.json).", completion: .file())
    var manifests: [String]

    @Option(name: .shortAndLong, help: "The merged manifest.")
    var output: String?

    @Flag(help: "Also write the merged manifest as CSV beside it.")
    var csv = false

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("Name the shard manifests to merge, e.g. out/preflight-manifest.shard-*.json.") }
    }

    func run() async throws {
        var loaded: [Manifest] = []
        for path in manifests {
            do {
                guard let manifest = try Manifest.load(URL(fileURLWithPath: path)) else {
                    Terminal.error("\(path): no such file")
                    throw Exit.inputMissing
                }
                loaded.append(manifest)
            } catch let error as BatchError {
                Terminal.error(error.description)
                throw Exit.usage
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
            Terminal.error(error.description)
            throw Exit.usage
        }
    }
}
