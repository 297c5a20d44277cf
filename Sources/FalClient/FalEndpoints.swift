import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The base URLs preflight talks to. Every one can be overridden (flag, environment, config), so
/// the same client talks to fal or to the local simulator; plain http is allowed only on loopback.
public struct FalEndpoints: Sendable, Equatable {
    /// fal's queue: submit, status, result and cancel (https://queue.fal.run).
    public var queue: URL
    /// fal's synchronous endpoint (https://fal.run).
    public var run: URL
    /// fal's REST API: storage upload tokens and uploads (https://rest.fal.ai).
    public var rest: URL
    /// fal's status page, read to tell a fal outage from a local problem.
    public var statusPage: URL
    /// Where model OpenAPI documents are served (`/api/openapi/queue/openapi.json`).
    public var openAPI: URL = URL(string: "https://fal.ai")!
    /// fal's platform API (`/v1/models/pricing`).
    public var platform: URL = URL(string: "https://api.fal.ai")!
    /// Where a call goes when its host cannot be reached at all (no address, connection refused):
    /// fal's backup hosts, as fal-client 1.0.3 replays them (`queue.fal.run` -> `queue.falrun.com`,
    /// `fal.run` -> `falrun.com`). Keyed by "host" or "host:port"; nothing else is replayed.
    public var backups: [String: URL] = [
        "queue.fal.run": URL(string: "https://queue.falrun.com")!,
        "fal.run": URL(string: "https://falrun.com")!,
    ]

    /// fal's own hosts, as every command uses them unless told otherwise.
    public static let fal = FalEndpoints(
        queue: URL(string: "https://queue.fal.run")!, run: URL(string: "https://fal.run")!,
        rest: URL(string: "https://rest.fal.ai")!, statusPage: URL(string: "https://status.fal.ai/api/v2/status.json")!)

    /// Endpoints at these base URLs (the platform API defaults to fal's).
    public init(queue: URL, run: URL, rest: URL, statusPage: URL) {
        self.queue = queue
        self.run = run
        self.rest = rest
        self.statusPage = statusPage
    }

    /// `url` on its backup host, when its host has one.
    public func backup(for url: URL) -> URL? {
        guard let host = url.host?.lowercased() else { return nil }
        guard let target = backups[url.port.map { "\(host):\($0)" } ?? host],
              var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return nil }
        parts.scheme = target.scheme
        parts.host = target.host
        parts.port = target.port
        return parts.url
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
                throw FalError(kind: .usage, message: "\(name) is not a URL: '\(Redactor.printable(text))'",
                               hint: "Write it like https://queue.fal.run or http://127.0.0.1:8787.")
            }
            return u
        }
        if let u = try host("FAL_RUN_HOST", environment) { e.run = u }
        if let u = try host("FAL_QUEUE_RUN_HOST", environment) { e.queue = u }
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

    /// FAL_RUN_HOST / FAL_QUEUE_RUN_HOST hold a bare host (and optional port), as the official
    /// clients read them; anything else (a path, spaces, brackets that do not close) is refused.
    private static func host(_ name: String, _ environment: [String: String]) throws(FalError) -> URL? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-:[]"))
        guard text.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }),
              let u = URL(string: "https://\(text)"), let h = u.host, !h.isEmpty, u.path.isEmpty else {
            throw FalError(kind: .usage, message: "\(name) is not a host name: '\(Redactor.printable(text))'",
                           hint: "Give a host (and port) only, like queue.fal.run or queue.fal.run:443; or unset it.")
        }
        return u
    }

    /// Refuses plain http anywhere but loopback: a key must never cross a network unencrypted.
    public func validate() throws(FalError) {
        for (name, u) in [("queue", queue), ("run", run), ("rest", rest), ("status page", statusPage), ("OpenAPI", openAPI), ("platform", platform)] {
            try Self.requireSecure(u, name: name)
        }
    }

    /// The rule for every URL preflight sends anything to, whoever supplied it (the user, the
    /// environment, or a server's answer): https, or http to a loopback address. User names and
    /// passwords in URLs are refused too (they hide the real host from a reader).
    public static func requireSecure(_ u: URL, name: String) throws(FalError) {
        guard let scheme = u.scheme?.lowercased(), let host = u.host, !host.isEmpty else {
            throw FalError(kind: .usage, message: "the \(name) URL '\(Redactor.printable(u.absoluteString))' has no scheme or host",
                           hint: "URLs look like https://queue.fal.run or http://127.0.0.1:8787.")
        }
        if let port = u.port, !(1...65_535).contains(port) {
            throw FalError(kind: .usage, message: "the \(name) URL has port \(port), which no server can listen on",
                           hint: "Ports are 1 to 65535, e.g. http://127.0.0.1:8787.")
        }
        if u.user != nil || u.password != nil {
            throw FalError(kind: .usage, message: "the \(name) URL carries a user name or password",
                           hint: "Remove the user@ part: credentials travel in the Authorization header only.")
        }
        if scheme == "https" { return }
        if scheme == "http", Self.isLoopback(host) { return }
        throw FalError(kind: .usage, message: "the \(name) URL \(redactedURL(u)) is not https",
                       hint: "Plain http is allowed only for loopback addresses written as 127.x.y.z, ::1 or localhost; nothing was sent.")
    }

    /// Loopback decided on parsed addresses, never on a name's prefix (`127.0.0.1.evil.example` is
    /// a public name): an IPv4 literal in 127.0.0.0/8, the IPv6 literal ::1 (or an IPv4-mapped
    /// 127.x), or the name `localhost`.
    public static func isLoopback(_ rawHost: String) -> Bool {
        var host = rawHost.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // `localhost` only as written: libcurl answers it without DNS; `localhost.` would be resolved.
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return (UInt32(bigEndian: v4.s_addr) >> 24) == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true } // ::1
            // ::ffff:127.x.y.z
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
        }
        return false
    }

    /// scheme://host:port/path, without query or fragment (signed URLs carry tokens there).
    public static func redactedURL(_ url: URL) -> String {
        Redactor.printable("\(url.scheme ?? "")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")\(url.path)")
    }
}
