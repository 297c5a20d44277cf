import FalClient
import Foundation
import GRDB
import ModelCatalog

/// Learned requirements, read by the catalog through its store protocol and written by the
/// engine when a rejection teaches a limit. One store answers for one fal base URL.
package struct JournalLearnedStore: LearnedRequirementStore {
    let journal: Journal
    /// The base URL lessons are read and kept under (`LearnedRequirement.scope(of:)`).
    package let baseURL: String

    package init(_ journal: Journal, baseURL: String = LearnedRequirement.falBaseURL) {
        self.journal = journal
        self.baseURL = baseURL
    }

    /// The store for the queue a client sends to.
    package init(_ journal: Journal, queue: URL) { self.init(journal, baseURL: LearnedRequirement.scope(of: queue)) }

    package func all() throws -> [LearnedRequirement] {
        try rows("WHERE base_url = ?", [baseURL])
    }

    /// Every lesson, whatever base URL it was learned against.
    package func everywhere() throws -> [LearnedRequirement] { try rows("", []) }

    package func record(_ lessons: [LearnedRequirement]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try journal.write { db in
            for l in lessons {
                try db.execute(sql: """
                    INSERT INTO learned_requirements (base_url, model_id, field, limit_key, value_json, learned_at, rejection_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (base_url, model_id, field, limit_key) DO UPDATE SET
                        value_json = excluded.value_json, learned_at = excluded.learned_at, rejection_json = excluded.rejection_json
                    """,
                    arguments: [baseURL, l.modelID, l.field, l.key.rawValue, String(decoding: try encoder.encode(l.value), as: UTF8.self), l.learnedAt,
                                String(decoding: try encoder.encode(l.rejection), as: UTF8.self)])
            }
        }
    }

    package func forget(modelID: String, field: String?) throws -> [LearnedRequirement] {
        let gone = try all().filter { $0.modelID == modelID && (field == nil || $0.field == field) }
        try journal.write { db in
            if let field {
                try db.execute(sql: "DELETE FROM learned_requirements WHERE base_url = ? AND model_id = ? AND field = ?", arguments: [baseURL, modelID, field])
            } else {
                try db.execute(sql: "DELETE FROM learned_requirements WHERE base_url = ? AND model_id = ?", arguments: [baseURL, modelID])
            }
        }
        return gone
    }

    private func rows(_ filter: String, _ arguments: StatementArguments) throws -> [LearnedRequirement] {
        let decoder = JSONDecoder()
        return try journal.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM learned_requirements \(filter) ORDER BY base_url, model_id, field, limit_key", arguments: arguments).compactMap { row in
                guard let key = LimitKey(rawValue: row["limit_key"]) else { return nil }
                let valueJSON: String = row["value_json"], rejectionJSON: String = row["rejection_json"]
                return LearnedRequirement(modelID: row["model_id"], field: row["field"], key: key,
                                          value: try decoder.decode(JSONValue.self, from: Data(valueJSON.utf8)), learnedAt: row["learned_at"],
                                          rejection: try decoder.decode(Rejection.self, from: Data(rejectionJSON.utf8)), baseURL: row["base_url"])
            }
        }
    }
}

/// The upload cache, kept across runs: the same bytes are not sent again while their URL is
/// trusted (no longer than the lifetime known for it).
package struct JournalUploadCache: UploadCache {
    let journal: Journal
    package init(_ journal: Journal) { self.journal = journal }

    package func url(forHash hash: String) async -> URL? {
        guard let record = try? journal.read({ try UploadRecord.fetchOne($0, key: hash) }), record.until > Date() else { return nil }
        return URL(string: record.url)
    }

    package func remember(hash: String, url: URL, until: Date) async {
        try? journal.write { db in try UploadRecord(contentKey: hash, url: url.absoluteString, until: until).save(db) }
    }
}
