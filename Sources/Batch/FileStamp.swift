import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What stat(2) says about a file: when size, modification time, inode and device are unchanged,
/// the bytes are taken as unchanged and their hash is not computed again (as rsync and git do).
public struct FileStamp: Codable, Sendable, Equatable {
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var modifiedNanos: Int64
    public var inode: UInt64
    public var device: UInt64

    /// The stamp of the file at `path`, following links; nil when it is missing or unreadable.
    public static func of(_ path: String) -> FileStamp? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        #if canImport(Darwin)
        let seconds = Int64(s.st_mtimespec.tv_sec), nanos = Int64(s.st_mtimespec.tv_nsec)
        #else
        let seconds = Int64(s.st_mtim.tv_sec), nanos = Int64(s.st_mtim.tv_nsec)
        #endif
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return FileStamp(size: Int64(s.st_size), modifiedNanos: overflow ? seconds : scaled &+ nanos,
                         inode: UInt64(truncatingIfNeeded: s.st_ino), device: UInt64(truncatingIfNeeded: s.st_dev))
    }
}
