import Foundation
import PreflightCore

/// SHA-256 for the upload cache's keys and job fingerprints: swift-crypto's, through
/// `ContentHash` (this name is kept for the callers that know it).
package struct SHA256 {
    private var hasher = ContentHash.Hasher()

    package init() {}

    package mutating func update(_ data: Data) { hasher.update(data) }

    package mutating func finish() -> String { hasher.finish() }

    package static func file(_ path: String) throws -> String { try ContentHash.file(path) }
}
