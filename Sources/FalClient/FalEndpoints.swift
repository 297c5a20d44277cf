import Foundation

/// The base URLs preflight talks to. Every one can be overridden (flag, environment, config), so
/// the same client talks to fal or to the local simulator; plain http is allowed only on loopback.
public struct FalEndpoints: Sendable, Equatable {
    public var queue: URL
    public var run: URL
    public var rest: URL
    public var statusPage: URL
    /// Where model OpenAPI documents are served (`/api/openapi/queue/openapi.json`).
    public var openAPI: URL = URL(string: "https://fal.ai")!
    /// fal's platform API (`/v1/models/pricing`).
    public var platform: URL = URL(string: "https://api.fal.ai")!

    public static let fal = FalEndpoints(
        queue: URL(string: "https://queue.fal.run")!, run: URL(string: "https://fal.run")!,
        rest: URL(string: "https://rest.fal.ai")!, statusPage: URL(string: "https://status.fal.ai/api/v2/status.json")!)

    public init(queue: URL, run: URL, rest: URL, statusPage: URL) {
        self.queue = queue
        self.run = run
        self.rest = rest
        self.statusPage = statusPage
    }

    /// All of them on one local server (the simulator).
    public init(local base: URL) {
        self.init(queue: base, run: base, rest: base, statusPage: base.appendingPathComponent("api/v2/status.json"))
        openAPI = base
        platform = base
    }

    /// fal's defaults, overridden by PREFLIGHT_FAL_QUEUE_URL, PREFLIGHT_FAL_RUN_URL,
    /// PREFLIGHT_FAL_REST_URL, PREFLIGHT_FAL_STATUS_URL, PREFLIGHT_FAL_OPENAPI_URL,
    /// PREFLIGHT_FAL_PLATFORM_URL, or PREFLIGHT_FAL_URL for all of them (a
    /// simulator); FAL_QUEUE_RUN_HOST and FAL_RUN_HOST are read as the official clients read them.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(FalError) -> FalEndpoints {
        var e = FalEndpoints.fal
        func url(_ name: String) throws(FalError) -> URL? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let u = URL(string: text), u.scheme != nil, u.host != nil else {
                throw FalError(category: .usage, message: "\(name) is not a URL: '\(text)'", hint: "Write it like https://queue.fal.run or http://127.0.0.1:8787.")
            }
            return u
        }
        if let host = environment["FAL_RUN_HOST"], !host.isEmpty { e.run = URL(string: "https://\(host)")! }
        if let host = environment["FAL_QUEUE_RUN_HOST"], !host.isEmpty { e.queue = URL(string: "https://\(host)")! }
        if let all = try url("PREFLIGHT_FAL_URL") { e = FalEndpoints(local: all) }
        if let u = try url("PREFLIGHT_FAL_QUEUE_URL") { e.queue = u }
        if let u = try url("PREFLIGHT_FAL_RUN_URL") { e.run = u }
        if let u = try url("PREFLIGHT_FAL_REST_URL") { e.rest = u }
        if let u = try url("PREFLIGHT_FAL_STATUS_URL") { e.statusPage = u }
        if let u = try url("PREFLIGHT_FAL_OPENAPI_URL") { e.openAPI = u }
        if let u = try url("PREFLIGHT_FAL_PLATFORM_URL") { e.platform = u }
        try e.validate()
        return e
    }

    /// Refuses plain http anywhere but loopback: a key must never cross a network unencrypted.
    public func validate() throws(FalError) {
        for (name, u) in [("queue", queue), ("run", run), ("rest", rest), ("status page", statusPage), ("OpenAPI", openAPI), ("platform", platform)] {
            try Self.requireSecure(u, name: name)
        }
    }

    static func requireSecure(_ u: URL, name: String) throws(FalError) {
        if u.scheme == "https" { return }
        if u.scheme == "http", let host = u.host, Self.isLoopback(host) { return }
        throw FalError(category: .usage, message: "the \(name) URL \(u.absoluteString) is not https",
                       hint: "Plain http is allowed only for loopback addresses (127.0.0.1, ::1, localhost).")
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
