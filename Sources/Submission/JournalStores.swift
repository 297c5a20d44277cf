import FalClient
import Foundation
import GRDB
import ModelCatalog

/// Learned requirements, read by the catalog through its store protocol and written by the
/// engine when a rejection teaches a limit.
public struct JournalLearnedStore: LearnedRequirementStore {
    let journal: Journal
    public init(_ journal: Journal) { self.journal = journal }

    public func all() throws -> [LearnedRequirement] {
        let decoder = JSONDecoder()
        return try journal.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM learned_requirements ORDER BY model_id, field, limit_key").compactMap { row in
                guard let key = LimitKey(rawValue: row["limit_key"]) else { return nil }
                let valueJSON: String = row["value_json"], rejectionJSON: String = row["rejection_json"]
                return LearnedRequirement(modelID: row["model_id"], field: row["field"], key: key,
                                          value: try decoder.decode(JSONValue.self, from: Data(valueJSON.utf8)), learnedAt: row["learned_at"],
                                          rejection: try decoder.decode(Rejection.self, from: Data(rejectionJSON.utf8)))
            }
        }
    }

    public func record(_ lessons: [LearnedRequirement]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try journal.write { db in
            for l in lessons {
                try db.execute(sql: """
                    INSERT INTO learned_requirements (model_id, field, limit_key, value_json, learned_at, rejection_json)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (model_id, field, limit_key) DO UPDATE SET
                        value_json = excluded.value_json, learned_at = excluded.learned_at, rejection_json = excluded.rejection_json
                    """,
                    arguments: [l.modelID, l.field, l.key.rawValue, String(decoding: try encoder.encode(l.value), as: UTF8.self), l.learnedAt,
                                String(decoding: try encoder.encode(l.rejection), as: UTF8.self)])
            }
        }
    }
}

/// The upload cache, kept across runs: the same bytes are not sent again while their URL is
/// trusted (no longer than the lifetime known for it).
public struct JournalUploadCache: UploadCache {
    let journal: Journal
    public init(_ journal: Journal) { self.journal = journal }

    public func url(forHash hash: String) async -> URL? {
        guard let record = try? journal.read({ try UploadRecord.fetchOne($0, key: hash) }), record.until > Date() else { return nil }
        return URL(string: record.url)
    }

    public func remember(hash: String, url: URL, until: Date) async {
        try? journal.write { db in try UploadRecord(contentKey: hash, url: url.absoluteString, until: until).save(db) }
    }
}
