import FalClient
import Foundation
import GRDB
import ModelCatalog
import PreflightCore

/// The one owner of preflight's SQLite database: jobs, runs, their events and outputs, the upload
/// cache and learned requirements. A `DatabasePool` (WAL), so `preflight status` reads while a
/// submit or a batch writes. One migrator; the learned-requirements migration keeps the id and
/// table it had when ModelCatalog owned it, so existing data carries over.
public final class Journal: Sendable {
    let pool: DatabasePool
    /// The journal's SQLite file.
    public let path: URL

    /// Opens (or makes) the journal at `path`. `mustExist`: for commands that read jobs made
    /// earlier (status, resume, retry...): a missing journal is said, not silently made anew.
    public init(path: URL, mustExist: Bool = false) throws(JournalError) {
        self.path = path
        if mustExist, !FileManager.default.fileExists(atPath: path.path) {
            throw JournalError(.missing, message: "there is no journal at \(path.path)",
                               hint: "Jobs are kept in the journal of the state folder they were made with (PREFLIGHT_HOME or XDG_DATA_HOME); set it as it was, or run this on the machine that submitted them")
        }
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            var config = Configuration()
            config.busyMode = .timeout(10)
            pool = try DatabasePool(path: path.path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw JournalError(.unwritable, message: "cannot open the journal at \(path.path): \(error)",
                               hint: "Check that the state folder is writable (PREFLIGHT_HOME or XDG_DATA_HOME), or move a damaged file aside")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("learned-requirements-v1") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS learned_requirements (
                    model_id TEXT NOT NULL, field TEXT NOT NULL, limit_key TEXT NOT NULL, value_json TEXT NOT NULL,
                    learned_at TEXT NOT NULL, rejection_json TEXT NOT NULL, PRIMARY KEY (model_id, field, limit_key))
                """)
        }
        m.registerMigration("journal-v1") { db in
            try db.create(table: "jobs") { t in
                t.primaryKey("id", .text)
                t.column("created_at", .datetime).notNull()
                t.column("source", .text).notNull()
                t.column("source_fingerprint", .text).notNull()
                t.column("payload_json", .text).notNull()
                t.column("settings_json", .text).notNull()
                t.column("out_dir", .text).notNull()
                t.column("state", .text).notNull()
            }
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull().indexed().references("jobs", onDelete: .cascade)
                t.column("model", .text).notNull()
                t.column("fallback_of", .text)
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                for name in ["prepared_path", "media_field", "media_url", "input_json", "request_id", "status_url", "response_url",
                             "cancel_url", "error_category", "error_message", "error_body", "result_json"] {
                    t.column(name, .text)
                }
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull().indexed()
                t.column("run_id", .integer)
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("detail", .text).notNull()
            }
            try db.create(table: "outputs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run_id", .integer).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("url", .text).notNull()
                t.column("path", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.uniqueKey(["run_id", "url"])
            }
            try db.create(table: "uploads") { t in
                t.primaryKey("content_key", .text)
                t.column("url", .text).notNull()
                t.column("until", .datetime).notNull()
            }
        }
        // A batch (`prepare --submit`) names each job by what it sends, so running the batch again
        // finds the job instead of paying for the same generation twice.
        m.registerMigration("journal-v2-batch-key") { db in
            try db.alter(table: "jobs") { t in t.add(column: "batch_key", .text) }
            try db.create(index: "jobs_batch_key", on: "jobs", columns: ["batch_key"], unique: true)
        }
        // A result is saved to disk as it arrives (it can be tens of MB); the run keeps where it
        // is and the outputs it names, and the result itself only when it is small.
        m.registerMigration("journal-v3-saved-results") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "result_file", .text)
                t.add(column: "outputs_json", .text)
            }
        }
        // Lessons are kept per fal base URL (a simulator's rejection must not tighten the catalog
        // for fal itself); the rows learned before belong to fal's own queue.
        m.registerMigration("learned-requirements-v2-base-url") { db in
            try db.execute(sql: """
                CREATE TABLE learned_requirements_v2 (
                    base_url TEXT NOT NULL, model_id TEXT NOT NULL, field TEXT NOT NULL, limit_key TEXT NOT NULL, value_json TEXT NOT NULL,
                    learned_at TEXT NOT NULL, rejection_json TEXT NOT NULL, PRIMARY KEY (base_url, model_id, field, limit_key))
                """)
            try db.execute(sql: """
                INSERT INTO learned_requirements_v2 (base_url, model_id, field, limit_key, value_json, learned_at, rejection_json)
                SELECT ?, model_id, field, limit_key, value_json, learned_at, rejection_json FROM learned_requirements
                """, arguments: [LearnedRequirement.falBaseURL])
            try db.execute(sql: "DROP TABLE learned_requirements")
            try db.execute(sql: "ALTER TABLE learned_requirements_v2 RENAME TO learned_requirements")
        }
        // What each run was estimated to cost when it was sent (after its plan): `jobs` adds them up.
        m.registerMigration("journal-v4-estimates") { db in
            try db.alter(table: "runs") { t in t.add(column: "estimate_json", .text) }
        }
        return m
    }

    // MARK: - Writing

    func write<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try pool.write(body) } catch let e as JournalError { throw e } catch {
            throw JournalError(.unwritable, message: "the journal could not be written: \(error)", hint: "Check free space in \(path.deletingLastPathComponent().path)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try pool.read(body) } catch {
            throw JournalError(.damaged, message: "the journal could not be read: \(error)", hint: "Run `preflight doctor`; the file is \(path.path)")
        }
    }

    /// Records a new job and one pending run per model, in one transaction.
    public func insert(job: JobRecord, models: [String]) throws(JournalError) -> [RunRecord] {
        try write { db in
            try job.insert(db)
            return try models.map { model in
                var run = RunRecord(id: nil, jobID: job.id, model: model, state: .pending, attempts: 0, updatedAt: Date())
                try run.insert(db)
                _ = try EventRecord(jobID: job.id, runID: run.id, at: Date(), kind: "created", detail: "run for \(model)").insertAndReturn(db)
                return run
            }
        }
    }

    /// Saves a run's new state together with the event that says why: one transaction, so the
    /// journal never holds a state without its reason.
    public func update(_ run: RunRecord, event kind: String, _ detail: String) throws(JournalError) {
        var run = run
        run.updatedAt = Date()
        try write { db in
            try run.update(db)
            _ = try EventRecord(jobID: run.jobID, runID: run.id, at: Date(), kind: kind, detail: detail).insertAndReturn(db)
        }
    }

    /// Adds an event to a job's history (a run's, when `run` is given).
    public func note(job: String, run: Int64?, _ kind: String, _ detail: String) throws(JournalError) {
        try write { db in _ = try EventRecord(jobID: job, runID: run, at: Date(), kind: kind, detail: detail).insertAndReturn(db) }
    }

    /// Adds a pending run to a job (a fallback names the model it stands in for).
    public func add(runFor jobID: String, model: String, fallbackOf: String?) throws(JournalError) -> RunRecord {
        try write { db in
            var run = RunRecord(id: nil, jobID: jobID, model: model, fallbackOf: fallbackOf, state: .pending, attempts: 0, updatedAt: Date())
            try run.insert(db)
            return run
        }
    }

    /// A job's payload, changed by `retry --set/--input` (what its next run sends).
    public func set(job id: String, payloadJSON: String) throws(JournalError) {
        try write { db in try db.execute(sql: "UPDATE jobs SET payload_json = ? WHERE id = ?", arguments: [payloadJSON, id]) }
    }

    /// Sets a job's state.
    public func set(job id: String, state: JobState) throws(JournalError) {
        try write { db in try db.execute(sql: "UPDATE jobs SET state = ? WHERE id = ?", arguments: [state.rawValue, id]) }
    }

    /// Records an output once: a second download of the same URL for the same run is refused by
    /// the unique key, so a resumed job never counts a file twice.
    public func record(output: OutputRecord) throws(JournalError) {
        try write { db in
            var o = output
            try o.insert(db, onConflict: .ignore)
        }
    }

    /// Drops cached uploads of this URL (fal could not download it).
    public func forgetUpload(url: String) throws(JournalError) {
        try write { db in try db.execute(sql: "DELETE FROM uploads WHERE url = ?", arguments: [url]) }
    }

    /// SQLite's own consistency check: a damaged journal is found before anything is paid for.
    public func verify() throws(JournalError) {
        let problems = try read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(3)") }
        guard problems == ["ok"] else {
            throw JournalError(.damaged, message: "the journal at \(path.path) is damaged (\(problems.joined(separator: "; ")))",
                               hint: "Move it aside (jobs in it are then forgotten) and run again; nothing was submitted")
        }
    }

    // MARK: - Reading

    /// The job with this id, if any.
    public func job(_ id: String) throws(JournalError) -> JobRecord? { try read { try JobRecord.fetchOne($0, key: id) } }

    /// The newest jobs first.
    public func jobs(limit: Int = 50) throws(JournalError) -> [JobRecord] {
        try read { try JobRecord.order(Column("created_at").desc).limit(limit).fetchAll($0) }
    }

    /// A job's runs, in the order they were made.
    public func runs(job id: String) throws(JournalError) -> [RunRecord] {
        try read { try RunRecord.filter(Column("job_id") == id).order(Column("id")).fetchAll($0) }
    }

    /// The job a batch made for this key, if any (see `SubmissionEngine.create(batchKey:)`).
    public func job(batchKey: String) throws(JournalError) -> JobRecord? {
        try read { try JobRecord.filter(Column("batch_key") == batchKey).fetchOne($0) }
    }

    /// The run with this id, if any.
    public func run(_ id: Int64) throws(JournalError) -> RunRecord? { try read { try RunRecord.fetchOne($0, key: id) } }

    /// The newest batch job that sent these bytes with this payload to these models (its first
    /// runs, fallbacks aside), whatever its batch key: a job named by an earlier key formula.
    public func job(sending fingerprint: String, payloadJSON: String, models: [String], before: Date) throws(JournalError) -> JobRecord? {
        try read { db in
            let candidates = try JobRecord.filter(Column("source_fingerprint") == fingerprint && Column("payload_json") == payloadJSON
                                                  && Column("batch_key") != nil && Column("created_at") < before).order(Column("created_at").desc).fetchAll(db)
            for job in candidates {
                let sent = try RunRecord.filter(Column("job_id") == job.id && Column("fallback_of") == nil).fetchAll(db).map(\.model)
                if Set(sent) == Set(models), sent.count == models.count { return job }
            }
            return nil
        }
    }

    /// Jobs with runs still to carry out or follow (what `resume` takes up).
    public func unfinishedJobs() throws(JournalError) -> [JobRecord] {
        try read { db in
            let ids = try String.fetchAll(db, sql: "SELECT DISTINCT job_id FROM runs WHERE state NOT IN ('refused','downloaded','failed','cancelled')")
            return try JobRecord.fetchAll(db, keys: ids)
        }
    }

    /// A job's history, oldest first.
    public func events(job id: String) throws(JournalError) -> [EventRecord] {
        try read { try EventRecord.filter(Column("job_id") == id).order(Column("id")).fetchAll($0) }
    }

    /// The files a run downloaded.
    public func outputs(run id: Int64) throws(JournalError) -> [OutputRecord] {
        try read { try OutputRecord.filter(Column("run_id") == id).order(Column("id")).fetchAll($0) }
    }

    /// A job id from its first characters, as `git` resolves short hashes.
    public func resolve(jobPrefix: String) throws(JournalError) -> JobRecord? {
        let matches = try read { try JobRecord.filter(Column("id").like("\(jobPrefix.replacingOccurrences(of: "%", with: ""))%")).limit(2).fetchAll($0) }
        return matches.count == 1 ? matches[0] : nil
    }
}

/// The journal could not be opened, read or written: missing (category input missing), or damaged or
/// unwritable (category local state); the CLI turns each category into its exit code.
public struct JournalError: PreflightError {
    /// Why: missing where jobs were expected, damaged, or not writable (no space, no permission).
    public enum Kind: String, Sendable {
        /// No journal where jobs were expected.
        case missing
        /// SQLite says the file is damaged: it will not heal by itself.
        case damaged
        /// It cannot be written: no space, no permission.
        case unwritable
    }
    /// Missing, damaged or unwritable.
    public var kind: Kind
    /// What went wrong, in a sentence a user reads.
    public var message: String
    /// What to do next.
    public var hint: String
    /// "MESSAGE. HINT.", as the CLI prints it.
    public var description: String { "\(message). \(hint)." }

    /// Missing: the input is missing; damaged or unwritable: the local state is the problem.
    public var category: ErrorCategory {
        switch kind {
        case .missing: .inputMissing
        case .damaged, .unwritable: .localState
        }
    }

    /// "journal." and the kind, e.g. "journal.damaged": the machine code scripts match on.
    public var errorCode: String { "journal." + kind.rawValue }

    /// An error of `kind`, with what to do next.
    public init(_ kind: Kind, message: String, hint: String) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }
}

extension EventRecord {
    init(jobID: String, runID: Int64?, at: Date, kind: String, detail: String) {
        self.init(id: nil, jobID: jobID, runID: runID, at: at, kind: kind, detail: detail)
    }

    func insertAndReturn(_ db: Database) throws -> EventRecord {
        var e = self
        try e.insert(db)
        return e
    }
}

extension RunRecord {
    init(id: Int64?, jobID: String, model: String, fallbackOf: String? = nil, state: RunState, attempts: Int, updatedAt: Date) {
        self.init(id: id, jobID: jobID, model: model, fallbackOf: fallbackOf, state: state, attempts: attempts, preparedPath: nil,
                  mediaField: nil, mediaURL: nil, inputJSON: nil, requestID: nil, statusURL: nil, responseURL: nil, cancelURL: nil,
                  errorCategory: nil, errorMessage: nil, errorBody: nil, resultJSON: nil, resultFile: nil, outputsJSON: nil, estimateJSON: nil,
                  updatedAt: updatedAt)
    }
}
