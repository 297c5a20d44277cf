import Foundation

/// fal's generated schemas end a media field's description with one machine-readable line:
///
///     Max file size: 200.0MB, Min width: 720px, Min height: 720px, Max duration: 10.05s, Min FPS: 24.0, Timeout: 30.0s
///
/// This reads such a line (any subset of keys, in any order) into a requirement.
public enum LimitLine {
    /// The requirement stated by the first limit line in `description`, or nil when it has none.
    public static func parse(_ description: String) -> MediaRequirement? {
        for line in description.split(whereSeparator: \.isNewline) {
            if let r = parseLine(String(line)) { return r }
        }
        return nil
    }

    static func parseLine(_ line: String) -> MediaRequirement? {
        var r = MediaRequirement()
        var found = false
        for pair in line.split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let key = parts[0].lowercased()
            let raw = parts[1]
            let number = Double(raw.lowercased().trimmingCharacters(in: CharacterSet.letters.union(.whitespaces)))
            // "Min width: 1e999px" reads as infinity; Int(infinity) would trap on a hostile document.
            guard let value = number, value.isFinite, abs(value) < 1e15 else { continue }
            switch key {
            case "max file size": r.maxFileSize = ByteCount(parsing: raw) ?? ByteCount(Int64(value * 1_048_576))
            case "min width": r.minWidth = Int(value)
            case "max width": r.maxWidth = Int(value)
            case "min height": r.minHeight = Int(value)
            case "max height": r.maxHeight = Int(value)
            case "min duration": r.minDuration = value
            case "max duration": r.maxDuration = value
            case "min fps": r.minFPS = value
            case "max fps": r.maxFPS = value
            case "min aspect ratio": r.minAspectRatio = value
            case "max aspect ratio": r.maxAspectRatio = value
            case "timeout": r.downloadTimeout = value
            default: continue
            }
            found = true
        }
        return found ? r : nil
    }
}
