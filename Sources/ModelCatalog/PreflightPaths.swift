import Foundation

/// Where preflight keeps configuration (user model catalogs) and state (the SQLite journal with
/// learned requirements). PREFLIGHT_HOME overrides both, which is how tests isolate themselves.
public struct PreflightPaths: Sendable {
    /// The configuration folder: user catalogs live in its `models` folder.
    public var config: URL
    /// The state folder: the SQLite journal, learned limits, refreshed entries and prices.
    public var state: URL

    /// Paths given outright (tests, an app with its own folders).
    public init(config: URL, state: URL) {
        self.config = config
        self.state = state
    }

    /// PREFLIGHT_HOME/config and PREFLIGHT_HOME/state when it is set, else the XDG folders:
    /// $XDG_CONFIG_HOME/preflight (~/.config/preflight) and $XDG_DATA_HOME/preflight (~/.local/share/preflight).
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
