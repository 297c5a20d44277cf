import ArgumentParser
import FalClient
import Foundation
import ModelCatalog
import PreflightCore

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the fal key, the network path to fal, the account and fal's status.",
        discussion: """
        One line per check, with the fix when it fails: the key's format (Bearer/Key prefixes, quotes, \
        whitespace, a missing ':'), each base URL's reachability, an authenticated call that reveals \
        a locked account, and fal's public status page. Base URLs come from PREFLIGHT_FAL_URL (all), \
        PREFLIGHT_FAL_QUEUE_URL, PREFLIGHT_FAL_REST_URL, PREFLIGHT_FAL_STATUS_URL or fal's defaults.

        Exit codes: 0 all fine; 64 key or URL mistake; 69 fal reports an outage; 75 unreachable; \
        77 key refused or account locked.
        """
    )

    @Flag(help: "The findings as JSON.")
    var json = false

    @OptionGroup var fal: FalOptions

    func run() async throws {
        let findings = await Doctor(environment: fal.environment(), credentialsFile: fal.credentialsFile).run()
        if json {
            Terminal.out(try CLIJSON.string(findings))
        } else {
            for f in findings {
                Terminal.out("\(f.ok ? "ok  " : "FAIL")  \(f.check.padding(toLength: 12, withPad: " ", startingAt: 0))  \(f.detail)")
                if !f.ok, let fix = f.fix { Terminal.out("      fix: \(fix)") }
            }
        }
        // The most serious failure decides: permissions, then usage, then outages, then the network.
        let categories = findings.compactMap(\.category)
        for c in [ErrorCategory.notPermitted, .usage, .unavailable, .temporary] where categories.contains(c) { throw Exit.code(for: c) }
        if let other = categories.first { throw Exit.code(for: other) }
    }
}
