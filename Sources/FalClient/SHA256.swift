import Foundation
import PreflightCore

/// SHA-256 for the upload cache's keys and job fingerprints: swift-crypto's, through
/// `ContentHash` (this name is kept for the callers that know it).
public struct SHA256 {
    private var hasher = ContentHash.Hasher()

    public init() {}

    public mutating func update(_ data: Data) { hasher.update(data) }

    public mutating func finish() -> String { hasher.finish() }

    public static func file(_ path: String) throws -> String { try ContentHash.file(path) }
}
