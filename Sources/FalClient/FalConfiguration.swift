import Foundation

/// Where a client's key and base URLs come from, merged in one place for every caller (each
/// command, a library user): the credentials file (`fal_key=...`, `PREFLIGHT_FAL_*=...`,
/// `FAL_*=...` lines) under the environment, and an explicit base URL (`--fal-url`) over both.
package struct FalConfiguration: Sendable {
    /// The merged settings, as `FalKey.resolve` and `FalEndpoints.resolve` read them.
    package var environment: [String: String]
    package var credentialsFile: URL?

    package static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment, credentialsFile: URL?,
                               baseURL: String? = nil) -> FalConfiguration {
        var merged: [String: String] = [:]
        if let file = credentialsFile, let text = try? String(contentsOf: file, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                // The key itself is read from the file by FalKey.resolve, which names the file as its origin.
                guard parts.count == 2, parts[0].hasPrefix("PREFLIGHT_FAL_") || parts[0].hasPrefix("FAL_") && parts[0] != "FAL_KEY" else { continue }
                merged[parts[0]] = parts[1]
            }
        }
        merged.merge(environment) { _, env in env }
        if let baseURL { merged["PREFLIGHT_FAL_URL"] = baseURL }
        return FalConfiguration(environment: merged, credentialsFile: credentialsFile)
    }

    package func key() throws(FalError) -> FalKey { try FalKey.resolve(environment: environment, credentialsFile: credentialsFile) }

    package func endpoints() throws(FalError) -> FalEndpoints { try FalEndpoints.resolve(environment: environment) }

    /// A client with the key and base URLs this configuration names.
    package func client(log: (@Sendable (String) -> Void)? = nil) throws(FalError) -> FalClient {
        FalClient(key: try key(), endpoints: try endpoints(), log: log)
    }
}
