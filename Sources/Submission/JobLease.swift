import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One process carries out a job at a time. Two at once (a batch run twice in parallel, `resume`
/// while `submit` still uploads) would both submit a pending run and pay twice. The lease is an
/// flock(2) on a file per job beside the journal: the kernel releases it when the process ends,
/// however it ends (SIGKILL included), so a crash never leaves a job locked.
final class JobLease: @unchecked Sendable {
    private var descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// The lease, or nil when another process holds it.
    static func take(job: String, folder: URL) throws(SubmissionError) -> JobLease? {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw SubmissionError(.localState, code: "lease", message: "cannot make \(folder.path): \((error as NSError).localizedDescription)",
                                  hint: "Check that the state folder is writable (PREFLIGHT_HOME or XDG_DATA_HOME).")
        }
        let path = folder.appendingPathComponent(job.filter { $0.isLetter || $0.isNumber || $0 == "-" } + ".lock").path
        // The holder removes the file when it lets go; a lease taken on a file removed meanwhile is
        // no lease, so check that the path still names the locked file, and try again if not.
        for _ in 0..<8 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw SubmissionError(.localState, code: "lease", message: "cannot open \(path): \(String(cString: strerror(errno)))",
                                      hint: "Check that the state folder is writable.")
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                return nil
            }
            var held = stat(), named = stat()
            if fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
                return JobLease(descriptor: fd, path: path)
            }
            close(fd)
        }
        return nil
    }

    /// Lets go (removing the file first, while still holding it, so no one locks a stale one).
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
