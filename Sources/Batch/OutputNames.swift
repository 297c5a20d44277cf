import Foundation

/// Where each source lands in the output folder: the same relative path, with the new container's
/// extension when a fix changes it, unless that name belongs to another source (then both
/// extensions: "clip.mov.mp4"). Decided from the scan alone, so every run picks the same names.
struct OutputNames: Sendable {
    private let taken: Set<String>

    init(sources: [String]) { taken = Set(sources.map { $0.lowercased() }) }

    static let synonyms: [String: String] = ["jpeg": "jpg", "tif": "tiff", "m4v": "mp4", "qt": "mov"]

    /// A relative path that cannot lead out of the folder it is joined to.
    static func staysInside(_ relative: String) -> Bool {
        !relative.isEmpty && !relative.hasPrefix("/") && !relative.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty }
    }

    func fixedOutput(for source: String, format: String) -> String {
        let url = URL(fileURLWithPath: "/" + source)
        let ext = url.pathExtension.lowercased()
        let canonical = { (e: String) in Self.synonyms[e] ?? e }
        if canonical(ext) == canonical(format.lowercased()) { return source }
        let stem = String(url.deletingPathExtension().path.dropFirst())
        let renamed = stem + "." + format
        if !taken.contains(renamed.lowercased()) { return renamed }
        return source + "." + format
    }
}
