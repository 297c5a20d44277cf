import Foundation
import PreflightCore

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

    /// One model's own file in a dual run whose models cannot share one: where the shared file
    /// would be, in a folder named after the model (`day 1/wan-v2.7-edit-video/clip.mp4`), so the
    /// file keeps the clip's name (uploads and results are named after it).
    func modelOutput(for source: String, model: String, format: String) -> String {
        let shared = fixedOutput(for: source, format: format)
        let url = URL(fileURLWithPath: "/" + shared)
        let folder = String(url.deletingLastPathComponent().path.dropFirst())
        let prefix = (folder.isEmpty ? "" : folder + "/") + ModelName.short(model) + "/"
        let named = prefix + url.lastPathComponent
        // A source of that very path (a folder of SRC named like the model): the model's name goes in the file's too.
        return taken.contains(named.lowercased()) ? prefix + url.deletingPathExtension().lastPathComponent + "." + ModelName.short(model) + "." + url.pathExtension : named
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
