/// A model's short name, for folders, file names and tables: the id without fal's own owner
/// (`fal-ai/`), its path joined with `-`. One per id (another owner keeps its name), so two Kling
/// models never share one as `video-to-video/edit` did: `kling-video-o1-video-to-video-edit`.
public enum ModelName {
    /// The short name of the endpoint id `id`, e.g. "fal-ai/kling-video/o1/video-to-video/edit" ->
    /// "kling-video-o1-video-to-video-edit"; "model" when nothing usable is left.
    public static func short(_ id: String) -> String {
        let trimmed = id.hasPrefix("fal-ai/") ? String(id.dropFirst("fal-ai/".count)) : id
        return FileNames.safe(trimmed.replacingOccurrences(of: "/", with: "-"), fallback: "model")
    }
}

/// Names made safe for a folder or file: no path separators or reserved characters, no control
/// characters or bidirectional overrides, no leading dot, at most 100 bytes.
public enum FileNames {
    /// `name` with what a file system or terminal must not see removed, trimmed of leading dots and
    /// spaces and trailing dots and spaces, cut to 100 bytes; `fallback` when nothing is left.
    public static func safe(_ name: String, fallback: String) -> String {
        var out = String(String.UnicodeScalarView(name.unicodeScalars.filter { s in
            let v = s.value
            return v >= 0x20 && v != 0x7F && !(0x80..<0xA0).contains(v) && !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v)
                && v != 0x200E && v != 0x200F && !"/\\:*?\"<>|".unicodeScalars.contains(s)
        }))
        while out.hasPrefix(".") || out.hasPrefix(" ") { out.removeFirst() }
        while out.hasSuffix(" ") || out.hasSuffix(".") { out.removeLast() }
        while out.utf8.count > 100 { out.removeLast() }
        return out.isEmpty ? fallback : out
    }

    /// A file's name without its folder and extension, made safe ("day 1/a clip.mp4" -> "a clip").
    public static func stem(of path: String, fallback: String = "clip") -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        let dot = last.lastIndex(of: ".").map { last[..<$0] }.map(String.init) ?? last
        return safe(dot, fallback: fallback)
    }
}

extension FileNames {
    /// The name `fix` gives its output beside the source when no -o is given: NAME.preflight.EXT.
    public static func fixOutput(stem: String, format: String) -> String { stem + ".preflight." + format }

    /// Whether a file name is one `fix` gave (a copy of footage, not footage): what `check` and
    /// `prepare` pass over in a folder, so the same clip is not judged, priced or paid for twice.
    public static func isFixOutput(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts[parts.count - 2] == "preflight" && !parts[0].isEmpty
    }
}
