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

    var credentialsFile: URL { Self.credentialsFile }
    static var credentialsFile: URL { PreflightPaths().config.appendingPathComponent("credentials") }

    /// The one configuration of this machine (FalConfiguration merges the file, the environment and the flag).
    var configuration: FalConfiguration { Self.configuration(falURL: falURL) }

    /// The same for a command without the flag (check, fix): the file and the environment.
    static func configuration(falURL: String?) -> FalConfiguration {
        FalConfiguration.resolve(credentialsFile: credentialsFile, baseURL: falURL)
    }

    /// The environment with the credentials file's settings under it and the flag over it.
    func environment() -> [String: String] { configuration.environment }

    func client(log: (@Sendable (String) -> Void)? = nil) throws(FalError) -> FalClient { try configuration.client(log: log) }
}
