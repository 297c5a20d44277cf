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

    /// A note of `job` as the batch last saw it.
    public init(job: String, state: String, results: [String], sent: String? = nil) {
        self.job = job
        self.state = state
        self.results = results
        self.sent = sent
    }

    /// How a batch names one sending of a row: its source, and the model when the row's models
    /// got their own files (nil: one file for every model).
    public static func key(_ source: String, models: [String]?) -> String {
        models.map { source + "\u{0}" + $0.joined(separator: ",") } ?? source
    }

    /// Done, with every result file still on disk.
    public var isDoneWithResults: Bool {
        state == "done" && !results.isEmpty && results.allSatisfy { FileManager.default.fileExists(atPath: $0) }
    }
}

extension Manifest {
    /// Writes each sent row's submission (keyed by `SubmissionNote.key`) into the manifest on disk, atomically,
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
                // Held back now: an earlier run's job (another prompt, another budget) is not this
                // row's result any more (the journal keeps it).
                manifest.rows[i].notSent = why
                manifest.rows[i].submission = nil
            }
            for m in (manifest.rows[i].perModel ?? []).indices {
                let key = SubmissionNote.key(source, models: [manifest.rows[i].perModel?[m].model ?? ""])
                if let note = notes[key] {
                    manifest.rows[i].perModel?[m].submission = note
                    manifest.rows[i].perModel?[m].notSent = nil
                } else if let why = held[key] {
                    manifest.rows[i].perModel?[m].notSent = why
                    manifest.rows[i].perModel?[m].submission = nil
                }
            }
        }
        try manifest.write(to: url, csv: csv)
    }
}
