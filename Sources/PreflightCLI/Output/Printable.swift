import PreflightCore

/// Text from outside (file names, FFmpeg's messages, catalogs, servers) made safe for a terminal:
/// control characters and escape sequences would otherwise move the cursor, recolour or rewrite
/// lines, or hide text (a name holding ESC [2K, or a right-to-left override). Each is shown as a
/// visible escape instead: \n, \t, \r, \x1B, \u{202E}. Every line the CLI prints with outside text
/// in it goes through `Terminal.printable`, once, where it is printed.
extension Terminal {
    /// - Parameter newlines: keep line breaks (for a multi-line document whose pieces from outside
    ///   were already escaped); any other control character is still escaped.
    static func printable(_ text: String, keepingNewlines newlines: Bool = false) -> String {
        Printable.escape(text, keepingNewlines: newlines)
    }

    /// "error: " (red on a colour terminal) and the message, escaped.
    static func error(_ message: String) {
        err(red("error: ") + printable(message))
    }
}
