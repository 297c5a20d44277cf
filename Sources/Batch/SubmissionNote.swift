import Foundation

/// A manifest row's submission (`prepare --submit`): the journal has the whole story; the row
/// says where to look and where the results are.
public struct SubmissionNote: Codable, Sendable, Equatable {
    /// The job id (`preflight status JOB`).
    public var job: String
    /// The job's state when the batch last looked: done, partial, failed, cancelled, open, detached.
    public var state: String
    /// The downloaded result files.
    public var results: [String]
    /// What was sent (the batch's digest of file, models, payload and settings): a re-run that
    /// would send the same, with these results on disk, sends nothing, whichever journal it uses.
    public var sent: String?

    public init(job: String, state: String, results: [String], sent: String? = nil) {
        self.job = job
        self.state = state
        self.results = results
        self.sent = sent
    }

    /// Done, with every result file still on disk.
    public var isDoneWithResults: Bool {
        state == "done" && !results.isEmpty && results.allSatisfy { FileManager.default.fileExists(atPath: $0) }
    }
}

extension Manifest {
    /// Writes each sent row's submission (keyed by source) into the manifest on disk, atomically,
    /// so a row always says which job carried its output; `held`: the ready rows the budget kept
    /// back, with why ("ready, not sent: budget"), cleared once a run sends them.
    public static func record(_ notes: [String: SubmissionNote], held: [String: String] = [:], at url: URL, csv: URL?) throws(BatchError) {
        guard var manifest = try load(url) else { return }
        for i in manifest.rows.indices {
            let source = manifest.rows[i].source
            if let note = notes[source] {
                manifest.rows[i].submission = note
                manifest.rows[i].notSent = nil
            } else if let why = held[source] {
                manifest.rows[i].notSent = why
            }
        }
        try manifest.write(to: url, csv: csv)
    }
}
