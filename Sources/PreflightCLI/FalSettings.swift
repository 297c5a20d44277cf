import ArgumentParser
import FalClient
import Foundation
import ModelCatalog

/// Where the fal key and base URLs come from, for commands that talk to fal: a flag, then the
/// environment, then `$XDG_CONFIG_HOME/preflight/credentials` (lines `fal_key=...`,
/// `PREFLIGHT_FAL_URL=...`; the environment wins over the file).
struct FalOptions: ParsableArguments {
    @Option(name: .customLong("fal-url"), help: ArgumentHelp("One base URL for fal's queue, storage and status (e.g. a local fal-sim).", valueName: "url"))
    var falURL: String?

    var credentialsFile: URL { PreflightPaths().config.appendingPathComponent("credentials") }

    /// The environment with the credentials file's settings under it and the flag over it.
    func environment() -> [String: String] {
        var merged: [String: String] = [:]
        if let text = try? String(contentsOf: credentialsFile, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                // The key itself is read from the file by FalKey.resolve, which names the file as its origin.
                guard parts.count == 2, parts[0].hasPrefix("PREFLIGHT_FAL_") || parts[0].hasPrefix("FAL_") && parts[0] != "FAL_KEY" else { continue }
                merged[parts[0]] = parts[1]
            }
        }
        merged.merge(ProcessInfo.processInfo.environment) { _, env in env }
        if let falURL { merged["PREFLIGHT_FAL_URL"] = falURL }
        return merged
    }

    func client(log: (@Sendable (String) -> Void)? = nil) throws(FalError) -> FalClient {
        let env = environment()
        return FalClient(key: try FalKey.resolve(environment: env, credentialsFile: credentialsFile),
                         endpoints: try FalEndpoints.resolve(environment: env), log: log)
    }
}
