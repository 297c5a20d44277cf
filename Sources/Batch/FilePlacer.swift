import CFileClone
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a compliant file reaches the output folder.
public enum LinkMode: String, Codable, Sendable, CaseIterable {
    /// A copy-on-write clone where the filesystem offers one (Btrfs, XFS, APFS...), else a copy.
    case copy
    /// A symbolic link to the source (absolute path).
    case symlink
    /// A hard link: the same bytes under two names; editing one edits the source.
    case hard
}

/// Places a compliant source at its output path: written under a temporary hidden name in the
/// target folder, then renamed, so an interruption never leaves a half file under the real name.
enum FilePlacer {
    /// The marker in temporary names, so a later run can recognise and remove what a killed one left.
    static let temporaryMarker = ".preflight-tmp-"

    static func temporaryPath(for target: String) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent(
            "." + url.lastPathComponent + temporaryMarker + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// Returns how the file was placed ("clone", "copy", "symlink", "hardlink").
    static func place(_ source: String, at target: String, mode: LinkMode, cancel: () -> Bool) throws(BatchError) -> String {
        let temporary = temporaryPath(for: target)
        defer { unlink(temporary) }
        let method: String
        switch mode {
        case .symlink:
            let absolute = URL(fileURLWithPath: source).standardizedFileURL.path
            guard symlink(absolute, temporary) == 0 else { throw failure("cannot link", target) }
            method = "symlink"
        case .hard:
            guard link(source, temporary) == 0 else {
                throw failure("cannot hard-link (a hard link needs the output on the source's filesystem; try --link symlink)", target)
            }
            method = "hardlink"
        case .copy:
            method = try copy(source, to: temporary, cancel: cancel)
        }
        guard rename(temporary, target) == 0 else { throw failure("cannot rename into place", target) }
        return method
    }

    private static func copy(_ source: String, to temporary: String, cancel: () -> Bool) throws(BatchError) -> String {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("cannot read the source", source) }
        defer { close(input) }
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw failure("cannot create", temporary) }
        defer { close(output) }
        if preflight_clone_fd(output, input) == 0 { return "clone" }
        // No clone here: an in-kernel copy, in chunks so Ctrl-C is heard, then plain reads and
        // writes where even that is refused (across filesystems on old kernels).
        let chunk = 64 << 20
        while true {
            if cancel() { throw BatchError(.output, "interrupted") }
            let n = preflight_copy_range(input, output, chunk)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                if [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EPERM].contains(errno) { try plainCopy(input, output, cancel: cancel); break }
                throw failure("cannot copy", temporary)
            }
        }
        guard fsync(output) == 0 else { throw failure("cannot flush", temporary) }
        return "copy"
    }

    private static func plainCopy(_ input: Int32, _ output: Int32, cancel: () -> Bool) throws(BatchError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            if cancel() { throw BatchError(.output, "interrupted") }
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n == 0 { return }
            if n < 0 { if errno == EINTR { continue }; throw failure("cannot read the source", "") }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { raw -> Int in
                    guard let base = raw.baseAddress else { return -1 }
                    return write(output, base + written, n - written)
                }
                if w < 0 { if errno == EINTR { continue }; throw failure("cannot write", "") }
                written += w
            }
        }
    }

    private static func failure(_ what: String, _ path: String) -> BatchError {
        BatchError(.output, "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
