import Foundation

/// What credentials look like, so that text from a file is never quoted when it may be one. Errs on
/// the side of silence: an unquoted error page costs a user nothing, a quoted key costs them the key.
enum CredentialShape {
    /// Words that name secrets in file names and in `NAME=value` / `name: value` assignments.
    static let words = ["key", "secret", "token", "password", "passwd", "credential", "auth", "bearer", "session", "cookie", "private"]

    /// `.env`, `fal.key`, `credentials.json`, `id_rsa`, `.netrc` and the like.
    static func nameLooksSecret(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.hasPrefix(".env") || name.hasSuffix(".env") || name.hasPrefix("id_") || name.contains("netrc") || name.hasSuffix(".pem") { return true }
        return words.contains { name.contains($0) }
    }

    /// Any line that assigns to a secret-sounding name, mentions fal's or preflight's key variables,
    /// or holds a `key_id:secret` pair or a long hex or base64 token.
    static func textLooksSecret(_ text: String) -> Bool {
        let lower = text.lowercased()
        if lower.contains("fal_") || lower.contains("preflight_") { return true }
        for line in lower.split(whereSeparator: \.isNewline) {
            if assignsSecret(line) { return true }
        }
        return hasToken(text)
    }

    /// `api_key = ...`, `"token": ...`, `SECRET:...`, `Authorization: Key ...`.
    private static func assignsSecret(_ line: Substring) -> Bool {
        guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return false }
        let name = line[..<separator]
        return words.contains { name.contains($0) }
    }

    /// A run of 24+ hex digits, 32+ base64/URL-safe characters, or `id:secret` with a 16+ character
    /// secret: the shapes of API keys whatever they are called.
    private static func hasToken(_ text: String) -> Bool {
        var hexRun = 0, base64Run = 0
        var previous: Character = " "
        var idBeforeColon = 0, afterColon = -1
        for c in text {
            let hex = c.isHexDigit && c.isASCII
            let b64 = c.isASCII && (c.isLetter || c.isNumber || "+/_-=".contains(c))
            hexRun = hex ? hexRun + 1 : 0
            base64Run = b64 ? base64Run + 1 : 0
            if hexRun >= 24 || base64Run >= 32 { return true }
            if c == ":" && previous != " " && idBeforeColon >= 4 {
                afterColon = 0
            } else if afterColon >= 0 && b64 {
                afterColon += 1
                if afterColon >= 16 { return true }
            } else {
                afterColon = -1
            }
            idBeforeColon = b64 ? idBeforeColon + 1 : 0
            previous = c
        }
        return false
    }
}
