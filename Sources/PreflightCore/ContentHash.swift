import Crypto
import Foundation

/// SHA-256 of files and bytes through swift-crypto (BoringSSL, which uses the CPU's SHA extensions
/// where it has them): fast enough that every upload and every job is keyed by content, whatever
/// its size. Files are read in 1 MiB pieces, so memory stays flat.
package enum ContentHash {
    /// An incremental hash.
    package struct Hasher {
        private var state = Crypto.SHA256()
        package init() {}
        package mutating func update(_ data: Data) { state.update(data: data) }
        package func finish() -> String { state.finalize().map { String(format: "%02x", $0) }.joined() }
    }

    package static func data(_ data: Data) -> String {
        var h = Hasher()
        h.update(data)
        return h.finish()
    }

    /// The hex SHA-256 of a file's bytes.
    package static func file(_ path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var h = Hasher()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { h.update(chunk) }
        return h.finish()
    }
}
