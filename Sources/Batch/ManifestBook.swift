import Foundation

/// The manifest while a run goes: rows updated as files finish, written atomically at most every
/// quarter second (and at the end), so a killed run leaves at worst a few finished files unrecorded
/// (redone next time), never a row whose output is missing.
actor ManifestBook {
    private let header: Manifest
    private(set) var rows: [String: ManifestRow]
    private let url: URL
    private let csv: URL?
    private var lastWrite = Date.distantPast
    private var dirty = false
    private var writeError: BatchError?

    init(manifest: Manifest, rows: [String: ManifestRow], url: URL, csv: URL?) {
        self.header = manifest
        self.rows = rows
        self.url = url
        self.csv = csv
    }

    func set(_ row: ManifestRow) {
        rows[row.source] = row
        dirty = true
        if Date().timeIntervalSince(lastWrite) > 0.25 {
            do { try write() } catch { writeError = error }
        }
    }

    func flush() throws(BatchError) {
        try write()
        if let writeError { throw writeError }
    }

    private func write() throws(BatchError) {
        var manifest = header
        manifest.rows = rows.values.sorted { $0.source < $1.source }
        try manifest.write(to: url, csv: csv)
        lastWrite = Date()
        dirty = false
    }
}
