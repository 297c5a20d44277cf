import Foundation
import GRDB

/// One `preflight submit`: a source file, the models it goes to, the payload and settings. The
/// columns come from the coding keys (GRDB derives them), so the list is written once.
public struct JobRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The journal table the jobs live in.
    public static let databaseTableName = "jobs"
    /// The job's id: UTC time of creation and six random hex digits, e.g. "20261204-190500-0a3f9c".
    public var id: String
    /// When the job was created (journaled before anything is uploaded or paid for).
    public var createdAt: Date
    /// Absolute, standardised path of the source file.
    public var source: String
    /// SHA-256 of the source, so a resumed job knows it is still the same file.
    public var sourceFingerprint: String
    /// The payload as the user gave it (media fields are filled per run).
    public var payloadJSON: String
    /// The `SubmitSettings` the job was created with, as JSON: a resume carries on with the same fix mode,
    /// retries and timeouts.
    public var settingsJSON: String
    /// The job's results folder (RESULTS/<clip>, or <clip>-2... when taken): one folder per model inside.
    public var outDir: String
    /// Where the job stands as a whole, from its runs' states.
    public var state: JobState
    /// Set by a batch: a digest of the file, models, payload and settings the job sends (unique).
    public var batchKey: String?

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", source, sourceFingerprint = "source_fingerprint", payloadJSON = "payload_json"
        case settingsJSON = "settings_json", outDir = "out_dir", state, batchKey = "batch_key"
    }
}

/// Where a job stands: open (runs to carry out), detached (runs accepted by fal, not waited for), done
/// (every model's outputs downloaded, a fallback's counting), partial (some), failed, cancelled.
public enum JobState: String, Codable, Sendable, DatabaseValueConvertible {
    case open, done, partial, failed, cancelled, detached
}

/// One model's part of a job, and everything needed to take it up again after a crash.
public struct RunRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    /// The journal table the runs live in.
    public static let databaseTableName = "runs"
    /// The run's row id; nil until it is inserted.
    public var id: Int64?
    /// The job this run belongs to.
    public var jobID: String
    /// The model's endpoint id this run sends to.
    public var model: String
    /// The model this run stands in for, when it is a `--fallback`.
    public var fallbackOf: String?
    /// Where the run is (journaled before each step that depends on it).
    public var state: RunState
    /// How many times the submit went out (each retry counts).
    public var attempts: Int
    /// The file the run sends: the source itself, or the fixed copy under the job folder's `.prepared`;
    /// nil before the run is prepared.
    public var preparedPath: String?
    /// The payload field the media goes into, e.g. "video_url" or "image_url"; nil before it is prepared.
    public var mediaField: String?
    /// Where fal reads the media: a fal storage URL, or a data: URI for a small file; nil before upload.
    public var mediaURL: String?
    /// The exact input sent (or about to be sent), for `report` and for settling uncertain submits.
    public var inputJSON: String?
    /// The request id fal's queue gave the submit; nil until fal accepted it.
    public var requestID: String?
    /// The queue's status URL for this request, as fal returned it.
    public var statusURL: String?
    /// The queue's response URL (the result) for this request, as fal returned it.
    public var responseURL: String?
    /// The queue's cancel URL for this request, as fal returned it.
    public var cancelURL: String?
    /// The kind of the last error: a `FalError.Kind` ("capacity", "input_rejected"...) or a local one
    /// ("local_state", "no_output"); nil when the last step worked.
    public var errorCategory: String?
    /// The last error in words, redacted; nil when the last step worked.
    public var errorMessage: String?
    /// The body of fal's error answer (up to 64 KiB), for `report` and learning; nil without one.
    public var errorBody: String?
    /// fal's result as pretty-printed JSON once the request completed; nil before.
    public var resultJSON: String?
    /// Where the result was saved (result.json beside the outputs).
    public var resultFile: String?
    /// The outputs the result names to download (a JSON list of URLs).
    public var outputsJSON: String?
    /// The cost estimated when it was prepared (a CostEstimate, JSON), after its plan.
    public var estimateJSON: String?
    /// When the row was last written.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, jobID = "job_id", model, fallbackOf = "fallback_of", state, attempts, preparedPath = "prepared_path"
        case mediaField = "media_field", mediaURL = "media_url", inputJSON = "input_json", requestID = "request_id"
        case statusURL = "status_url", responseURL = "response_url", cancelURL = "cancel_url"
        case errorCategory = "error_category", errorMessage = "error_message", errorBody = "error_body"
        case resultJSON = "result_json", resultFile = "result_file", outputsJSON = "outputs_json", estimateJSON = "estimate_json"
        case updatedAt = "updated_at"
    }

    /// Takes the row id SQLite gave the insert.
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

    /// True for the states a run never leaves: refused, downloaded, failed, cancelled.
    public var isFinished: Bool { [.refused, .downloaded, .failed, .cancelled].contains(self) }
}

/// A line of a run's history: what happened, when (status changes, retries, errors, learning).
public struct EventRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    /// The journal table the events live in.
    public static let databaseTableName = "events"
    /// The event's row id; nil until it is inserted.
    public var id: Int64?
    /// The job the event belongs to.
    public var jobID: String
    /// The run it is about; nil for an event of the whole job.
    public var runID: Int64?
    /// When it happened.
    public var at: Date
    /// What happened, one word: "created", "submitting", "submitted", "retry", "uncertain", "result",
    /// "download", "completed", "failed", "cancel"...
    public var kind: String
    /// The details in words (redacted), e.g. "attempt 2".
    public var detail: String

    enum CodingKeys: String, CodingKey { case id, jobID = "job_id", runID = "run_id", at, kind, detail }
    /// Takes the row id SQLite gave the insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A downloaded output file.
public struct OutputRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    /// The journal table the downloaded outputs live in.
    public static let databaseTableName = "outputs"
    /// The output's row id; nil until it is inserted.
    public var id: Int64?
    /// The run whose result named this output.
    public var runID: Int64
    /// Where it came from: the URL fal's result gave, or "data:N" for an output fal inlined in the result.
    public var url: String
    /// Where it was saved on disk (inside the run's results folder).
    public var path: String
    /// Its size in bytes.
    public var bytes: Int64
    /// SHA-256 of the saved bytes, hex.
    public var sha256: String

    enum CodingKeys: String, CodingKey { case id, runID = "run_id", url, path, bytes, sha256 }
    /// Takes the row id SQLite gave the insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A file already in fal storage, by content, trusted until its known lifetime runs out.
public struct UploadRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The journal table of known uploads.
    public static let databaseTableName = "uploads"
    /// The upload's content key: the storage and account scope, then "sha256:" and the file's hash, so a
    /// copy of the same bytes reuses the URL and no URL crosses accounts.
    public var contentKey: String
    /// The fal storage URL the file was uploaded to.
    public var url: String
    /// Until when the URL is trusted to still serve the file; after it, the file is uploaded again.
    public var until: Date

    enum CodingKeys: String, CodingKey { case contentKey = "content_key", url, until }
}
