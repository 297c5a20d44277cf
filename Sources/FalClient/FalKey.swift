import Foundation

/// A fal API key. It is never printed, logged, journaled or put in an error: `description` shows
/// `Key ****abcd` at most.
public struct FalKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let secret: String

    /// Where the key came from, for messages ("FAL_KEY", "FAL_KEY_ID + FAL_KEY_SECRET", a file).
    public let origin: String

    /// A key in fal's `id:secret` form; `origin` says where it came from (FAL_KEY, a file) in messages, never the key.
    public init(_ value: String, origin: String = "a key") throws(FalError) {
        if let problem = FalKey.problem(in: value, origin: origin) { throw problem }
        secret = value
        self.origin = origin
    }

    /// The Authorization header value: `Key <id>:<secret>` (never Bearer).
    var authorization: String { "Key \(secret)" }

    /// At most the last four characters, and none of a key too short to spare them.
    public var redacted: String { secret.count >= 12 ? "Key ****" + String(secret.suffix(4)) : "Key ****" }
    /// The redacted form: a key printed by accident shows at most its last four characters.
    public var description: String { redacted }
    /// The redacted form, also in debugger output and `dump`.
    public var debugDescription: String { redacted }

    /// The key mistakes users make, found before anything is sent.
    static func problem(in value: String, origin: String) -> FalError? {
        func fail(_ what: String, _ hint: String) -> FalError {
            FalError(kind: .usage, message: "the fal key in \(origin) \(what)", hint: hint)
        }
        if value.isEmpty { return fail("is empty", "Set FAL_KEY to your key from https://fal.ai/dashboard/keys.") }
        if value != value.trimmingCharacters(in: .whitespacesAndNewlines) {
            return fail("has spaces or a line break around it", "Remove them (a key pasted from a file often ends with a newline).")
        }
        if value.contains(where: \.isWhitespace) && !value.lowercased().hasPrefix("bearer ") && !value.lowercased().hasPrefix("key ") {
            return fail("contains spaces", "A fal key is one word: <key_id>:<key_secret>.")
        }
        if let first = value.first, let last = value.last, "\"'`".contains(first) || "\"'`".contains(last) {
            return fail("is wrapped in quotes", "Remove the quotes: FAL_KEY=<key_id>:<key_secret>.")
        }
        if value.lowercased().hasPrefix("bearer ") {
            return fail("starts with 'Bearer '", "fal wants 'Authorization: Key ...'; preflight adds it: set FAL_KEY to the key alone.")
        }
        if value.lowercased().hasPrefix("key ") {
            return fail("starts with 'Key '", "preflight adds the 'Key ' scheme itself: set FAL_KEY to the key alone.")
        }
        return nil
    }

    /// Hides this key (whole, id and secret) in any text.
    package var redactor: Redactor { Redactor(key: secret) }

    /// A key without `id:secret` shape works with some guides' keys, but is worth a warning.
    public var looksComplete: Bool { secret.contains(":") }

    /// FAL_KEY; else FAL_KEY_ID + FAL_KEY_SECRET; else the `fal_key` line of `credentialsFile`.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               credentialsFile: URL? = nil) throws(FalError) -> FalKey {
        // An empty FAL_KEY counts as unset (as `export FAL_KEY=` leaves it), so the id + secret pair still works.
        if let key = environment["FAL_KEY"], !key.isEmpty { return try FalKey(key, origin: "FAL_KEY") }
        if let id = environment["FAL_KEY_ID"], let secret = environment["FAL_KEY_SECRET"], !id.isEmpty || !secret.isEmpty {
            if let problem = problem(in: id, origin: "FAL_KEY_ID") ?? problem(in: secret, origin: "FAL_KEY_SECRET") { throw problem }
            return try FalKey("\(id):\(secret)", origin: "FAL_KEY_ID + FAL_KEY_SECRET")
        }
        if let file = credentialsFile, let text = try? String(contentsOf: file, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == "fal_key" || parts[0] == "FAL_KEY" { return try FalKey(parts[1], origin: file.path) }
            }
        }
        throw FalError(kind: .usage, message: "no fal key found",
                       hint: "Set FAL_KEY (or FAL_KEY_ID and FAL_KEY_SECRET), or write fal_key=<key> in \(credentialsFile?.path ?? "the credentials file").")
    }
}
