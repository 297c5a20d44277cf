import Foundation
import PreflightCore

/// Expands the paths a user typed into the files to probe: files as named, folders walked
/// recursively for files with a media extension (hidden files and folders skipped), in a stable order.
public struct MediaFinder: Sendable {
    /// Extensions that FFmpeg reads and that people send to models; lower case, without the dot.
    public static let mediaExtensions: Set<String> = [
        "mp4", "m4v", "mov", "qt", "mkv", "webm", "avi", "wmv", "asf", "flv", "ts", "mts", "m2ts", "mpg", "mpeg",
        "vob", "3gp", "3g2", "mxf", "ogv", "ivf", "y4m", "h264", "264", "h265", "265", "hevc", "dv",
        "ogg", "oga", "opus", "mp3", "m4a", "aac", "wav", "flac", "aif", "aiff", "caf", "wma", "ac3", "eac3", "mka",
        "jpg", "jpeg", "png", "apng", "webp", "gif", "bmp", "tif", "tiff", "heic", "heif", "avif", "jxl",
    ]

    /// The media files a list of paths and folders names, and what was passed over.
    public struct Expansion: Sendable {
        /// Files to probe, in the order given (folders' contents sorted by path).
        public var files: [String] = []
        /// Paths that could not be expanded (missing, or a folder with no media in it).
        public var failures: [ProbeError] = []
        /// Files inside folders that were passed over because their names are not media names.
        public var skipped = 0
        /// Copies `fix` made beside their sources (NAME.preflight.EXT), passed over inside folders.
        public var fixOutputs = 0
    }

    /// A finder with the standard media extensions.
    public init() {}

    /// The files `paths` name: a file as given (whatever its extension), a folder walked for media files.
    public func expand(_ paths: [String]) -> Expansion {
        var result = Expansion()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                // Let the prober word it (missing vs. a dangling link), as for any named file.
                result.files.append(path)
                continue
            }
            guard isDirectory.boolValue else {
                result.files.append(path)
                continue
            }
            let before = result.files.count
            walk(path, into: &result)
            if result.files.count == before {
                result.failures.append(ProbeError(.noMediaFound, path: path, message: "no media files in this folder",
                                                  hint: "Media files are recognised by extension (.mp4, .mov, .jpg, ...); name files directly to probe others."))
            }
        }
        return result
    }

    private func walk(_ folder: String, into result: inout Expansion) {
        let root = URL(fileURLWithPath: folder)
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        ) else { return }
        var found: [String] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            if FileNames.isFixOutput(url.lastPathComponent) {
                result.fixOutputs += 1
            } else if MediaFinder.mediaExtensions.contains(url.pathExtension.lowercased()) {
                found.append(Self.relativePath(url.path, under: root.path, as: folder))
            } else {
                result.skipped += 1
            }
        }
        result.files += found.sorted()
    }

    /// Keeps paths as the user wrote the folder ("TestMedia/a.mp4", not an absolute path).
    private static func relativePath(_ path: String, under root: String, as typed: String) -> String {
        guard path.hasPrefix(root) else { return path }
        var rest = path.dropFirst(root.count)
        if rest.hasPrefix("/") { rest = rest.dropFirst() }
        return typed.hasSuffix("/") ? typed + rest : typed + "/" + rest
    }
}
