import Foundation
import PreflightCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file found under the source folder.
package struct SourceFile: Sendable, Hashable {
    /// Path relative to the source root, "/"-separated, as it will be mirrored into the output.
    package var relativePath: String
    /// The path to open.
    package var path: String
}

/// Walks a source tree: every regular file is a candidate (media is recognised by content later,
/// not by name), except hidden files, partial downloads and the output folder itself. Symlinked
/// folders are followed once each, so a link loop ends the walk instead of the program.
package struct SourceScanner: Sendable {
    /// Name endings of downloads still in progress (browsers, curl, wget, rsync keep these).
    package static let partialSuffixes = [".part", ".crdownload", ".download", ".tmp"]

    /// The files a source folder holds, and what the scan skipped.
    package struct Scan: Sendable {
        package var files: [SourceFile] = []
        /// Names passed over and why, for the curious (hidden, partial, the output folder, loops).
        package var skipped: [(path: String, reason: String)] = []
    }

    package var root: String
    /// Never descended into (the output folder when it sits inside the source).
    package var exclude: [String]

    package init(root: String, exclude: [String] = []) {
        self.root = root
        self.exclude = exclude
    }

    package static func isPartialDownload(_ name: String) -> Bool {
        let lower = name.lowercased()
        if partialSuffixes.contains(where: { lower.hasSuffix($0) }) { return true }
        // ".partial", ".partial1", "x.mp4.partial-3"...
        return lower.range(of: ".partial") != nil
    }

    /// `fix` writes NAME.preflight.EXT beside its source by default: a copy made of footage, not
    /// new footage. Preparing (and paying for) it again beside its source would do the work twice.
    package static func isFixOutput(_ name: String) -> Bool { FileNames.isFixOutput(name) }

    package static let fixOutputReason = "a copy `preflight fix` made (NAME.preflight.EXT), not footage"

    package func scan() throws(BatchError) -> Scan {
        var rootStat = stat()
        guard stat(root, &rootStat) == 0 else {
            throw BatchError(.sourceMissing, "\(root): \(String(cString: strerror(errno)))", hint: "Give an existing folder of media.")
        }
        guard (rootStat.st_mode & S_IFMT) == S_IFDIR else {
            throw BatchError(.usage, "\(root) is not a folder", hint: "prepare takes a folder; for one file use `preflight fix`.")
        }
        var excluded = Set<FileID>()
        for path in exclude {
            var s = stat()
            if stat(path, &s) == 0 { excluded.insert(FileID(s)) }
        }
        var result = Scan()
        var visited: Set<FileID> = [FileID(rootStat)]
        walk(root, relative: "", visited: &visited, excluded: excluded, into: &result)
        result.files.sort { $0.relativePath < $1.relativePath }
        return result
    }

    private func walk(_ folder: String, relative: String, visited: inout Set<FileID>, excluded: Set<FileID>, into result: inout Scan) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            result.skipped.append((relative.isEmpty ? "." : relative, "cannot be listed"))
            return
        }
        for name in names.sorted() {
            let path = folder + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            if name.hasPrefix(".") { result.skipped.append((rel, "hidden")); continue }
            var s = stat()
            // stat follows links: a link to a file is that file, a dangling link is passed over.
            guard stat(path, &s) == 0 else { result.skipped.append((rel, "dangling link or unreadable")); continue }
            let id = FileID(s)
            switch s.st_mode & S_IFMT {
            case S_IFDIR:
                if excluded.contains(id) { result.skipped.append((rel, "the output folder")); continue }
                guard visited.insert(id).inserted else { result.skipped.append((rel, "a link back to a folder already walked")); continue }
                walk(path, relative: rel, visited: &visited, excluded: excluded, into: &result)
            case S_IFREG:
                if Self.isPartialDownload(name) { result.skipped.append((rel, "partial download")); continue }
                if Self.isFixOutput(name) { result.skipped.append((rel, Self.fixOutputReason)); continue }
                result.files.append(SourceFile(relativePath: rel, path: path))
            default:
                result.skipped.append((rel, "not a regular file"))
            }
        }
    }
}

/// A file's identity on its device, to recognise a folder reached twice.
struct FileID: Hashable {
    var device: UInt64
    var inode: UInt64
    init(_ s: stat) {
        device = UInt64(truncatingIfNeeded: s.st_dev)
        inode = UInt64(truncatingIfNeeded: s.st_ino)
    }
}
