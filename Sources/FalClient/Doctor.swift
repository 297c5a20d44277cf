import Foundation
import PreflightCore

/// `preflight doctor`'s checks: is the key well-formed, can each base URL be reached, does an
/// authenticated call go through (a locked account shows here), and what fal's status page says.
package struct Doctor: Sendable {
    /// One thing `doctor` checked, what it found, and what to do about it.
    package struct Finding: Sendable, Codable {
        package var check: String
        package var ok: Bool
        package var detail: String
        /// What to do when it failed.
        package var fix: String?
        /// What kind of failure it is (the CLI's exit code); nil for a failure that is not fatal.
        package var category: ErrorCategory?
    }

    package var environment: [String: String]
    package var credentialsFile: URL?
    package var transport: HTTPTransport

    package init(environment: [String: String] = ProcessInfo.processInfo.environment, credentialsFile: URL? = nil,
                transport: HTTPTransport = HTTPTransport()) {
        self.environment = environment
        self.credentialsFile = credentialsFile
        self.transport = transport
    }

    package func run() async -> [Finding] {
        var findings: [Finding] = []
        let endpoints: FalEndpoints
        do {
            endpoints = try FalEndpoints.resolve(environment: environment)
            findings.append(Finding(check: "base URLs", ok: true, detail: "queue \(endpoints.queue.absoluteString), rest \(endpoints.rest.absoluteString)"))
        } catch {
            findings.append(Finding(check: "base URLs", ok: false, detail: error.message, fix: error.hint, category: error.category))
            return findings
        }
        var key: FalKey?
        do {
            let k = try FalKey.resolve(environment: environment, credentialsFile: credentialsFile)
            key = k
            if k.looksComplete {
                findings.append(Finding(check: "key", ok: true, detail: "\(k.redacted) from \(k.origin)"))
            } else {
                // fal refuses a key without its secret part: a finding, not a pass with a footnote.
                findings.append(Finding(check: "key", ok: false, detail: "\(k.redacted) from \(k.origin) has no ':'",
                                        fix: "fal keys are <key_id>:<key_secret> (https://fal.ai/dashboard/keys): set the whole key", category: .usage))
            }
        } catch {
            findings.append(Finding(check: "key", ok: false, detail: error.message, fix: error.hint, category: error.category))
        }
        for (name, url) in [("queue", endpoints.queue), ("rest", endpoints.rest)] {
            do {
                let r = try await transport.send(HTTPRequest(method: "GET", url: url, timeout: 10))
                findings.append(Finding(check: "reach \(name)", ok: true, detail: "\(FalClient.redactedPath(url)) answered HTTP \(r.status)"))
            } catch {
                let e = FalError.network(error, operation: "reach \(url.host ?? "")", isSubmit: false)
                findings.append(Finding(check: "reach \(name)", ok: false, detail: e.message, fix: e.hint, category: e.category))
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
                findings.append(Finding(check: "account", ok: false, detail: error.message, fix: error.hint, category: error.category))
            }
        }
        do {
            let r = try await transport.send(HTTPRequest(method: "GET", url: endpoints.statusPage, timeout: 10))
            let json = try? JSONDecoder().decode(JSONValue.self, from: r.body)
            // Only fal's own word is an outage: a page that cannot be read is "unknown", not trouble.
            if (200..<300).contains(r.status), let indicator = json?["status"]?["indicator"]?.stringValue,
               ["none", "minor", "major", "critical", "maintenance"].contains(indicator) {
                let description = json?["status"]?["description"]?.stringValue ?? "no description"
                let ok = indicator == "none"
                findings.append(Finding(check: "fal status", ok: ok, detail: "\(Redactor.printable(description)) (indicator: \(indicator))",
                                        fix: ok ? nil : "fal reports trouble: expect delays or failures; see https://status.fal.ai", category: ok ? nil : .unavailable))
            } else {
                findings.append(Finding(check: "fal status", ok: false, detail: "unknown: the status page answered HTTP \(r.status) without a status fal's page gives",
                                        fix: "Not fatal: check https://status.fal.ai in a browser.", category: nil))
            }
        } catch {
            findings.append(Finding(check: "fal status", ok: false, detail: "unknown: the status page did not answer (\(error.message))",
                                    fix: "Not fatal: check https://status.fal.ai in a browser.", category: nil))
        }
        return findings
    }
}
