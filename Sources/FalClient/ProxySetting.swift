import Foundation

/// The proxy an https request goes through, when the user named one for https. Read once per
/// process: `PREFLIGHT_HTTPS_PROXY`, else `HTTPS_PROXY` / `https_proxy`; `NO_PROXY` / `no_proxy`
/// lists hosts that go direct. Plain-http requests never use a proxy (see `CurlTransfer.setProxy`).
struct ProxySetting: Sendable {
    var url: String
    var noProxy: String?

    static func https(environment: [String: String] = ProcessInfo.processInfo.environment) -> ProxySetting? {
        let names = ["PREFLIGHT_HTTPS_PROXY", "HTTPS_PROXY", "https_proxy"]
        guard let url = names.lazy.compactMap({ environment[$0]?.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty }) else { return nil }
        let noProxy = (environment["NO_PROXY"] ?? environment["no_proxy"]).flatMap { $0.isEmpty ? nil : $0 }
        return ProxySetting(url: url, noProxy: noProxy)
    }

    static let current: ProxySetting? = https()
}
