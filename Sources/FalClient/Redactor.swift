import Foundation
import PreflightCore

/// Removes a key from text before the text goes anywhere a person or a file can see it: terminal
/// output, logs, error messages, the journal, reports. A server may echo the Authorization header
/// in an error body, so everything that came from outside passes through here.
package struct Redactor: Sendable {
    /// The strings to hide, longest first (so a whole key is hidden before its parts).
    package let secrets: [String]

    /// Parts shorter than this are not hidden on their own: a one-letter key id would turn every
    /// message into asterisks, and a short part is no secret without the rest.
    static let shortest = 6

    package init(secrets: [String]) {
        var all: Set<String> = []
        for s in secrets where s.count >= Self.shortest {
            all.insert(s)
            // The forms a server or a file may give it back in: JSON-escaped, percent-encoded.
            if let json = try? JSONEncoder().encode(s), let text = String(data: json, encoding: .utf8) { all.insert(String(text.dropFirst().dropLast())) }
            if let encoded = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { all.insert(encoded) }
        }
        self.secrets = all.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// A key's whole value, its id and its secret (`<key_id>:<key_secret>`).
    package init(key value: String) {
        var parts = [value]
        if let colon = value.firstIndex(of: ":") {
            parts.append(String(value[..<colon]))
            parts.append(String(value[value.index(after: colon)...]))
        }
        self.init(secrets: parts)
    }

    /// Every credential the environment (and a credentials file's text) holds.
    package static func fromEnvironment(_ environment: [String: String], credentialsText: String? = nil) -> Redactor {
        var values: [String] = []
        for name in ["FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "FAL_ADMIN_KEY"] {
            if let v = environment[name] { values += Redactor(key: v.trimmingCharacters(in: .whitespacesAndNewlines)).roots(v) }
        }
        for line in (credentialsText ?? "").split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let name = parts[0].uppercased()
            if name.contains("KEY") || name.contains("SECRET") || name.contains("TOKEN") {
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                values += Redactor(key: value).roots(value)
            }
        }
        return Redactor(secrets: values)
    }

    private func roots(_ value: String) -> [String] {
        var parts = [value, value.trimmingCharacters(in: .whitespacesAndNewlines)]
        let trimmed = parts[1]
        if let colon = trimmed.firstIndex(of: ":") {
            parts.append(String(trimmed[..<colon]))
            parts.append(String(trimmed[trimmed.index(after: colon)...]))
        }
        return parts
    }

    package var isEmpty: Bool { secrets.isEmpty }

    package func callAsFunction(_ text: String) -> String { redact(text) }

    package func redact(_ text: String) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "****") }
        return out
    }

    /// Text from outside made safe to print on one line: control characters and escape sequences
    /// shown as `\u{1B}` and the like instead of acting on the terminal.
    package static func printable(_ text: String) -> String { Printable.escape(text) }
}

extension FalError {
    /// The same error with every secret removed from its texts, including the rejection details a
    /// server sent (`msg`, `input`, `ctx`).
    package func redacted(by r: Redactor) -> FalError {
        guard !r.isEmpty else { return self }
        var e = self
        e.message = r(message)
        e.hint = r(hint)
        e.rawBody = rawBody.map(r.redact)
        e.errorType = errorType.map(r.redact)
        e.requestID = requestID.map(r.redact)
        e.rejections = rejections.map { $0.redacted(by: r) }
        return e
    }
}

extension Rejection {
    func redacted(by r: Redactor) -> Rejection {
        var copy = self
        copy.type = r(type)
        copy.message = r(message)
        copy.field = field.map(r.redact)
        copy.ctx = ctx.mapValues { $0.redacted(by: r) }
        return copy
    }
}

extension JSONValue {
    /// Every string inside, redacted.
    package func redacted(by r: Redactor) -> JSONValue {
        switch self {
        case .string(let s): .string(r(s))
        case .array(let a): .array(a.map { $0.redacted(by: r) })
        case .object(let o): .object(Dictionary(o.map { (r($0.key), $0.value.redacted(by: r)) }, uniquingKeysWith: { first, _ in first }))
        default: self
        }
    }
}
