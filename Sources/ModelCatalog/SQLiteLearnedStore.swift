import Foundation
import GRDB

/// Learned requirements in the project's SQLite database (the journal's file), one row per model,
/// field and limit: the latest rejection wins.
public final class SQLiteLearnedStore: LearnedRequirementStore {
    private let queue: DatabaseQueue

    public init(path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        queue = try DatabaseQueue(path: path.path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("learned-requirements-v1") { db in
            try db.execute(sql: """
                CREATE TABLE learned_requirements (
                    model_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    limit_key TEXT NOT NULL,
                    value_json TEXT NOT NULL,
                    learned_at TEXT NOT NULL,
                    rejection_json TEXT NOT NULL,
                    PRIMARY KEY (model_id, field, limit_key)
                )
                """)
        }
        try migrator.migrate(queue)
    }

    public func all() throws -> [LearnedRequirement] {
        let decoder = JSONDecoder()
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM learned_requirements ORDER BY model_id, field, limit_key").compactMap { row in
                guard let key = LimitKey(rawValue: row["limit_key"]) else { return nil }
                let valueJSON: String = row["value_json"], rejectionJSON: String = row["rejection_json"]
                return LearnedRequirement(
                    modelID: row["model_id"], field: row["field"], key: key,
                    value: try decoder.decode(JSONValue.self, from: Data(valueJSON.utf8)),
                    learnedAt: row["learned_at"],
                    rejection: try decoder.decode(Rejection.self, from: Data(rejectionJSON.utf8))
                )
            }
        }
    }

    public func record(_ lessons: [LearnedRequirement]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try queue.write { db in
            for l in lessons {
                try db.execute(
                    sql: """
                        INSERT INTO learned_requirements (model_id, field, limit_key, value_json, learned_at, rejection_json)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (model_id, field, limit_key) DO UPDATE SET
                            value_json = excluded.value_json, learned_at = excluded.learned_at,
                            rejection_json = excluded.rejection_json
                        """,
                    arguments: [l.modelID, l.field, l.key.rawValue,
                                String(decoding: try encoder.encode(l.value), as: UTF8.self), l.learnedAt,
                                String(decoding: try encoder.encode(l.rejection), as: UTF8.self)])
            }
        }
    }
}
