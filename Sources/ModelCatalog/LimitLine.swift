import Foundation

/// fal's generated schemas end a media field's description with one machine-readable line:
///
///     Max file size: 200.0MB, Min width: 720px, Min height: 720px, Max duration: 10.05s, Min FPS: 24.0, Timeout: 30.0s
///
/// This reads such a line (any subset of keys, in any order) into a requirement.
package enum LimitLine {
    /// fal's names for the limits it writes in the line.
    static let names: [String: LimitKey] = [
        "max file size": .maxFileSize, "min width": .minWidth, "max width": .maxWidth, "min height": .minHeight,
        "max height": .maxHeight, "min duration": .minDuration, "max duration": .maxDuration, "min fps": .minFPS,
        "max fps": .maxFPS, "min aspect ratio": .minAspectRatio, "max aspect ratio": .maxAspectRatio, "timeout": .downloadTimeout,
    ]

    /// The requirement stated by the first limit line in `description`, or nil when it has none.
    package static func parse(_ description: String) -> MediaRequirement? {
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
            guard parts.count == 2, let key = names[parts[0].lowercased()] else { continue }
            let raw = parts[1]
            // A hostile document may say "Min width: 1e400px": only finite numbers that fit are read.
            guard let value = Double(raw.lowercased().trimmingCharacters(in: CharacterSet.letters.union(.whitespaces))),
                  value.isFinite, value >= 0 else { continue }
            // Sizes say their unit ("200.0MB"); MB is MiB, as fal means it.
            let number = key == .maxFileSize ? ByteCount(parsing: raw).map { Double($0.bytes) } ?? value * 1_048_576 : value
            let before = r
            r.set(key, to: .number(number))
            if r != before { found = true }
        }
        return found ? r : nil
    }
}
