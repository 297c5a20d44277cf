import Foundation
import PreflightCore

/// `preflight doctor`'s checks: is the key well-formed, can each base URL be reached, does an
/// authenticated call go through (a locked account shows here), and what fal's status page says.
public struct Doctor: Sendable {
    public struct Finding: Sendable, Codable {
        public var check: String
        public var ok: Bool
        public var detail: String
        /// What to do when it failed.
        public var fix: String?
        /// The exit code this failure maps to.
        public var exitCode: Int32?
    }

    public var environment: [String: String]
    public var credentialsFile: URL?
    public var transport: HTTPTransport

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, credentialsFile: URL? = nil,
                transport: HTTPTransport = HTTPTransport()) {
        self.environment = environment
        self.credentialsFile = credentialsFile
        self.transport = transport
    }

    public func run() async -> [Finding] {
        var findings: [Finding] = []
        let endpoints: FalEndpoints
        do {
            endpoints = try FalEndpoints.resolve(environment: environment)
            findings.append(Finding(check: "base URLs", ok: true, detail: "queue \(endpoints.queue.absoluteString), rest \(endpoints.rest.absoluteString)"))
        } catch {
            findings.append(Finding(check: "base URLs", ok: false, detail: error.message, fix: error.hint, exitCode: 64))
            return findings
        }
        var key: FalKey?
        do {
            let k = try FalKey.resolve(environment: environment, credentialsFile: credentialsFile)
            key = k
            findings.append(Finding(check: "key", ok: true, detail: "\(k.redacted) from \(k.origin)" + (k.looksComplete ? "" : " (no ':' in it: fal keys are <key_id>:<key_secret>)")))
        } catch {
            findings.append(Finding(check: "key", ok: false, detail: error.message, fix: error.hint, exitCode: 64))
        }
        for (name, url) in [("queue", endpoints.queue), ("rest", endpoints.rest)] {
            do {
                let r = try await transport.send(HTTPRequest(method: "GET", url: url, timeout: 10))
                findings.append(Finding(check: "reach \(name)", ok: true, detail: "\(FalClient.redactedPath(url)) answered HTTP \(r.status)"))
            } catch {
                let e = FalError.network(error, operation: "reach \(url.host ?? "")", isSubmit: false)
                findings.append(Finding(check: "reach \(name)", ok: false, detail: e.message, fix: e.hint, exitCode: 75))
            }
        }
        if let key {
            let client = FalClient(key: key, endpoints: endpoints, transport: transport)
            let url = FalClient.with(endpoints.rest.appendingPathComponent("storage/auth/token"), query: "storage_type", "fal-cdn-v3")
            do {
                _ = try await client.send("POST", url, headers: [("Content-Type", "application/json")], body: .data(Data("{}".utf8)),
                                          operation: "authenticated call")
                findings.append(Finding(check: "account", ok: true, detail: "the key is accepted and the account can upload and submit"))
            } catch {
                findings.append(Finding(check: "account", ok: false, detail: error.message, fix: error.hint, exitCode: error.exitCode))
            }
        }
        do {
            let r = try await transport.send(HTTPRequest(method: "GET", url: endpoints.statusPage, timeout: 10))
            let json = try? JSONDecoder().decode(JSONValue.self, from: r.body)
            let indicator = json?["status"]?["indicator"]?.stringValue ?? "unknown"
            let description = json?["status"]?["description"]?.stringValue ?? "no description"
            let ok = indicator == "none"
            findings.append(Finding(check: "fal status", ok: ok, detail: "\(description) (indicator: \(indicator))",
                                    fix: ok ? nil : "fal reports trouble: expect delays or failures; see https://status.fal.ai", exitCode: ok ? nil : 69))
        } catch {
            findings.append(Finding(check: "fal status", ok: false, detail: "the status page did not answer (\(error.message))",
                                    fix: "Not fatal: check https://status.fal.ai in a browser.", exitCode: nil))
        }
        return findings
    }
}
