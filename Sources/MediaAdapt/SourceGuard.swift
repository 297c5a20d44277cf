import Foundation
import PreflightCore

/// The source as it was when the plan was made. A source overwritten or cut short while `fix` reads
/// it (a copy still running, an export replacing it) gives an output that matches neither the old nor
/// the new file, so a change of size, modification time or identity fails the fix.
struct SourceGuard {
    let path: String
    private let snapshot: FileStamp?

    /// - Parameter expectedSize: the size the source was probed at, when known.
    init(path: String, expectedSize: Int64? = nil) throws(FixError) {
        self.path = path
        snapshot = FileStamp.of(path)
        if let expectedSize, let size = snapshot?.size, size != expectedSize {
            throw FixError.media("the source changed after it was probed (\(expectedSize) bytes, now \(size)); nothing was written. Run fix again once the file is complete")
        }
    }

    /// Throws when the source is no longer the file the plan was made from.
    func verifyUnchanged() throws(FixError) {
        let now = FileStamp.of(path)
        guard now == snapshot else {
            let detail = switch (snapshot, now) {
            case (let a?, let b?) where a.size != b.size: "its size went from \(a.size) to \(b.size) bytes"
            case (_?, _?): "it was modified or replaced"
            default: "it disappeared"
            }
            throw FixError.media("the source changed during the conversion (\(detail)); the output was not kept. Run fix again once the file is complete")
        }
    }
}
