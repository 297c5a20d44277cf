import Foundation
import GRDB

/// One `preflight submit`: a source file, the models it goes to, the payload and settings. The
/// columns come from the coding keys (GRDB derives them), so the list is written once.
public struct JobRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "jobs"
    public var id: String
    public var createdAt: Date
    public var source: String
    /// SHA-256 of the source, so a resumed job knows it is still the same file.
    public var sourceFingerprint: String
    /// The payload as the user gave it (media fields are filled per run).
    public var payloadJSON: String
    public var settingsJSON: String
    public var outDir: String
    public var state: JobState
    /// Set by a batch: a digest of the file, models, payload and settings the job sends (unique).
    public var batchKey: String?

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", source, sourceFingerprint = "source_fingerprint", payloadJSON = "payload_json"
        case settingsJSON = "settings_json", outDir = "out_dir", state, batchKey = "batch_key"
    }
}

/// Where a job stands: open (runs to carry out), done, partial, failed, cancelled, detached.
public enum JobState: String, Codable, Sendable, DatabaseValueConvertible {
    case open, done, partial, failed, cancelled, detached
}

/// One model's part of a job, and everything needed to take it up again after a crash.
public struct RunRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"
    public var id: Int64?
    public var jobID: String
    public var model: String
    /// The model this run stands in for, when it is a `--fallback`.
    public var fallbackOf: String?
    public var state: RunState
    public var attempts: Int
    public var preparedPath: String?
    public var mediaField: String?
    public var mediaURL: String?
    /// The exact input sent (or about to be sent), for `report` and for settling uncertain submits.
    public var inputJSON: String?
    public var requestID: String?
    public var statusURL: String?
    public var responseURL: String?
    public var cancelURL: String?
    public var errorCategory: String?
    public var errorMessage: String?
    public var errorBody: String?
    public var resultJSON: String?
    /// Where the result was saved (result.json beside the outputs).
    public var resultFile: String?
    /// The outputs the result names to download (a JSON list of URLs).
    public var outputsJSON: String?
    /// The cost estimated when it was prepared (a CostEstimate, JSON), after its plan.
    public var estimateJSON: String?
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, jobID = "job_id", model, fallbackOf = "fallback_of", state, attempts, preparedPath = "prepared_path"
        case mediaField = "media_field", mediaURL = "media_url", inputJSON = "input_json", requestID = "request_id"
        case statusURL = "status_url", responseURL = "response_url", cancelURL = "cancel_url"
        case errorCategory = "error_category", errorMessage = "error_message", errorBody = "error_body"
        case resultJSON = "result_json", resultFile = "result_file", outputsJSON = "outputs_json", estimateJSON = "estimate_json"
        case updatedAt = "updated_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Where a run is. Each step is journaled before the step that depends on it.
public enum RunState: String, Codable, Sendable, DatabaseValueConvertible {
    /// Waiting to be prepared.
    case pending
    /// Refused locally (a known requirement fails and cannot be fixed): nothing uploaded or paid.
    case refused
    /// Media ready and uploaded; the submit is about to go out.
    case submitting
    /// The submit was sent and its answer lost: fal may have accepted (and bill) it. Never
    /// resubmitted blindly.
    case uncertain
    /// fal accepted it: the request id is journaled.
    case submitted
    /// The result is in the journal; outputs are being downloaded.
    case completed
    /// Every output is on disk.
    case downloaded
    case failed
    case cancelled

    public var isFinished: Bool { [.refused, .downloaded, .failed, .cancelled].contains(self) }
}

/// A line of a run's history: what happened, when (status changes, retries, errors, learning).
public struct EventRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "events"
    public var id: Int64?
    public var jobID: String
    public var runID: Int64?
    public var at: Date
    public var kind: String
    public var detail: String

    enum CodingKeys: String, CodingKey { case id, jobID = "job_id", runID = "run_id", at, kind, detail }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A downloaded output file.
public struct OutputRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outputs"
    public var id: Int64?
    public var runID: Int64
    public var url: String
    public var path: String
    public var bytes: Int64
    public var sha256: String

    enum CodingKeys: String, CodingKey { case id, runID = "run_id", url, path, bytes, sha256 }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A file already in fal storage, by content, trusted until its known lifetime runs out.
public struct UploadRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uploads"
    public var contentKey: String
    public var url: String
    public var until: Date

    enum CodingKeys: String, CodingKey { case contentKey = "content_key", url, until }
}
