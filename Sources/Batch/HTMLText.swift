import PreflightCore

/// Text from outside (file names, FFmpeg's and the catalog's messages) made safe inside an HTML page:
/// markup characters become entities, so a file named `<script>…` is shown, never run, and control
/// characters and direction overrides become the visible escapes `Printable` uses everywhere else,
/// so a name cannot disguise itself (a right-to-left override) or break the page's layout.
enum HTMLText {
    /// Safe in element content and in quoted attribute values alike.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in Printable.escape(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
