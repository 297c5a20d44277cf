import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What stat(2) says about a file: when size, modification time, inode and device are unchanged,
/// the bytes are taken as unchanged (as rsync and git do). `prepare` skips hashing a source again
/// on it; `fix` refuses an output when its source's stamp changed while it was read.
public struct FileStamp: Codable, Sendable, Equatable {
    /// Size in bytes.
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var modifiedNanos: Int64
    /// The inode number: a file replaced under the same name gets another.
    public var inode: UInt64
    /// The device the file is on.
    public var device: UInt64

    /// A stamp of the given parts (`FileStamp.of(path)` reads one from a file).
    public init(size: Int64, modifiedNanos: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.modifiedNanos = modifiedNanos
        self.inode = inode
        self.device = device
    }

    /// The stamp of the file at `path`, following links; nil when it is missing or unreadable.
    public static func of(_ path: String) -> FileStamp? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        // The one place that knows where each system keeps the modification time in `struct stat`.
        #if os(Linux) || os(Android)
        let seconds = Int64(s.st_mtim.tv_sec), nanos = Int64(s.st_mtim.tv_nsec)
        #elseif canImport(Darwin)
        let seconds = Int64(s.st_mtimespec.tv_sec), nanos = Int64(s.st_mtimespec.tv_nsec)
        #else
        #error("FileStamp: name this system's stat(2) modification time field")
        #endif
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        // dev_t is signed on Darwin and st_size is off_t: bit patterns, not value conversions, so a
        // large or negative number cannot trap.
        return FileStamp(size: Int64(truncatingIfNeeded: s.st_size), modifiedNanos: overflow ? seconds : scaled &+ nanos,
                         inode: UInt64(truncatingIfNeeded: s.st_ino), device: UInt64(truncatingIfNeeded: s.st_dev))
    }
}
