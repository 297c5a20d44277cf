import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `fix` may write. The output is renamed into place, so whatever sits at that path is
/// replaced: a device (`-o /dev/null` as root), a FIFO, or the source reached through another name
/// would be destroyed or made into a regular file. Only a new path or a regular file that is not the
/// source is a valid target.
package enum OutputTarget {
    /// Why `output` cannot receive `fix`'s result for `source`, or nil when it can.
    package static func problem(output: String, source: String) -> String? {
        problem(output: output, protecting: [source], what: "fix")
    }

    /// The same rule for every file a command writes (`report -o`, `manifest merge -o`): a new
    /// path or a regular file, never one of `protected` (a source, the journal) under any name.
    package static func problem(output: String, protecting protected: [String], what writer: String) -> String? {
        var target = stat()
        guard stat(output, &target) == 0 else { return nil }  // new (or a dangling link, which rename replaces)
        let type = target.st_mode & S_IFMT
        if type == S_IFDIR {
            return "\(output) is a folder; give a file name, e.g. \(output)/clip.mp4"
        }
        if type != S_IFREG {
            let what = type == S_IFCHR || type == S_IFBLK ? "a device" : type == S_IFIFO ? "a FIFO" : type == S_IFSOCK ? "a socket" : "not a regular file"
            return "\(output) is \(what); \(writer) writes only to a new file or replaces a regular one: choose another path"
        }
        for (i, path) in protected.enumerated() {
            var original = stat()
            if stat(path, &original) == 0, original.st_dev == target.st_dev, original.st_ino == target.st_ino {
                let which = i == 0 && writer == "fix" ? "the source file itself" : "\(path)"
                return "\(output) is \(which) (the same file under this name or a link); \(writer) never replaces it: choose another path"
            }
        }
        return nil
    }

    /// The temporary name a conversion writes to beside `target`; it carries the writer's pid so
    /// that a later run can tell a live writer's file from one left by a process that was killed.
    static func partialName(for target: URL, suffix: String) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())\(suffix)")
    }

    /// Removes partial files beside `target` (`.NAME.partial-PID...`) whose process is gone (killed
    /// with SIGKILL, a power cut). Files of live processes, this one included, are left alone.
    @discardableResult
    package static func removeStalePartials(beside target: URL) -> [String] {
        removeStalePartials(in: target.deletingLastPathComponent(), prefix: ".\(target.lastPathComponent).partial-")
    }

    /// Removes every stale partial file (`.NAME.partial-PID...` of a dead process) in `folder`.
    @discardableResult
    package static func removeStalePartials(in folder: URL) -> [String] {
        removeStalePartials(in: folder, prefix: nil)
    }

    private static func removeStalePartials(in folder: URL, prefix: String?) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix ?? ".") {
            guard let marker = name.range(of: ".partial-"), prefix == nil || name.hasPrefix(prefix ?? "") else { continue }
            let digits = name[marker.upperBound...].prefix(while: \.isNumber)
            guard let pid = pid_t(digits), pid > 0, pid != getpid() else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = folder.appendingPathComponent(name).path
            var st = stat()
            // Only regular files this naming scheme made; never follow a link out of the folder.
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }
}
