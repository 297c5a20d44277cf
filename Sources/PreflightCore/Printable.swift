/// Text from outside (file names, FFmpeg's messages, catalogs, servers) made safe for a terminal:
/// control characters and escape sequences would otherwise move the cursor, recolour or rewrite
/// lines, or hide text (a name holding ESC [2K, or a right-to-left override). Each is shown as a
/// visible escape instead: \n, \t, \r, \x1B, \u{202E}. The one implementation every layer uses.
package enum Printable {
    /// - Parameter newlines: keep line breaks (a multi-line document whose pieces from outside were
    ///   already escaped); any other control character is still escaped.
    package static func escape(_ text: String, keepingNewlines newlines: Bool = false) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where newlines: out.unicodeScalars.append(scalar)
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x00..<0x20, 0x7F: out += "\\x" + hex(scalar.value, 2)
            case 0x80..<0xA0, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
                out += "\\u{" + hex(scalar.value, 4) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32, _ digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
