import Foundation

/// Where preflight keeps configuration (user model catalogs) and state (the SQLite journal with
/// learned requirements). PREFLIGHT_HOME overrides both, which is how tests isolate themselves.
public struct PreflightPaths: Sendable {
    public var config: URL
    public var state: URL

    public init(config: URL, state: URL) {
        self.config = config
        self.state = state
    }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        if let root = environment["PREFLIGHT_HOME"], !root.isEmpty {
            let base = URL(fileURLWithPath: root)
            config = base.appendingPathComponent("config")
            state = base.appendingPathComponent("state")
        } else {
            let xdgConfig = environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".config")
            let xdgData = environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".local/share")
            config = xdgConfig.appendingPathComponent("preflight")
            state = xdgData.appendingPathComponent("preflight")
        }
    }

    /// User catalogs: every .yaml, .yml and .json file here, read in name order.
    public var userCatalogs: URL { config.appendingPathComponent("models") }
    /// The SQLite database: journal, learned requirements, upload cache.
    public var database: URL { state.appendingPathComponent("preflight.sqlite") }
    /// The database and SQLite's files beside it: nothing a command writes may replace them.
    public var stateFiles: [String] { ["", "-wal", "-shm"].map { database.path + $0 } }
}
