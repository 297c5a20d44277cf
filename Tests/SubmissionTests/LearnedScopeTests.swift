import Foundation
import GRDB
import ModelCatalog
import Submission
import Testing
import TestSupport

/// Learned requirements kept per fal base URL in the journal: rows from before the migration
/// belong to fal itself, a simulator's lessons stay the simulator's, and a lesson can be forgotten.
@Suite struct LearnedScopeTests {
    func lesson(_ model: String, _ field: String, _ max: Double) -> LearnedRequirement {
        LearnedRequirement(modelID: model, field: field, key: .maxDuration, value: .number(max), learnedAt: "2026-12-01T10:00:00Z",
                           rejection: Rejection(type: "video_duration_too_long", message: "", field: field, ctx: ["max_duration": .number(max)]))
    }

    @Test func rowsOfTheOldTableBecomeFalsAndScopesStayApart() throws {
        let folder = try TestMedia.temporaryFolder("preflight-scope")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("preflight.sqlite")
        // A journal as the migrations before this one left it, with a row.
        let old = try DatabaseQueue(path: path.path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("learned-requirements-v1") { db in
            try db.execute(sql: """
                CREATE TABLE learned_requirements (model_id TEXT NOT NULL, field TEXT NOT NULL, limit_key TEXT NOT NULL,
                value_json TEXT NOT NULL, learned_at TEXT NOT NULL, rejection_json TEXT NOT NULL, PRIMARY KEY (model_id, field, limit_key))
                """)
            try db.execute(sql: "INSERT INTO learned_requirements VALUES ('m', 'video_url', 'max_duration', '7', '2026-11-20T00:00:00Z', ?)",
                           arguments: [#"{"type":"video_duration_too_long","message":"","ctx":{"max_duration":7}}"#])
        }
        try migrator.migrate(old)
        try old.close()

        let journal = try Journal(path: path)
        let fal = JournalLearnedStore(journal)
        #expect(fal.baseURL == "https://queue.fal.run")
        #expect(try fal.all().map(\.baseURL) == ["https://queue.fal.run"])
        #expect(try fal.all().first?.source.learnedOn == "2026-11-20")

        let sim = JournalLearnedStore(journal, queue: try #require(URL(string: "http://127.0.0.1:8787/")))
        #expect(sim.baseURL == "http://127.0.0.1:8787")
        #expect(try sim.all().isEmpty)
        try sim.record([lesson("m", "video_url", 5), lesson("m", "image_url", 2)])
        #expect(try sim.all().count == 2 && fal.all().count == 1)
        #expect(try fal.all().first?.value.numberValue == 7) // the simulator's 5 s never tightens fal's 7 s
        #expect(try sim.everywhere().count == 3)
        #expect(try sim.all().allSatisfy { $0.source.ref.contains("at http://127.0.0.1:8787") })

        #expect(try sim.forget(modelID: "m", field: "image_url").map(\.field) == ["image_url"])
        #expect(try sim.all().map(\.field) == ["video_url"])
        #expect(try sim.forget(modelID: "m", field: nil).count == 1)
        #expect(try sim.all().isEmpty && fal.all().count == 1)
        #expect(try sim.forget(modelID: "m", field: nil).isEmpty)
    }

    @Test func scopesAreWrittenOneWay() throws {
        for (text, scope) in [("https://queue.fal.run", "https://queue.fal.run"), ("https://QUEUE.fal.run:443/", "https://queue.fal.run"),
                              ("http://127.0.0.1:8787", "http://127.0.0.1:8787"), ("http://localhost:80/base//", "http://localhost/base")] {
            #expect(LearnedRequirement.scope(of: try #require(URL(string: text))) == scope, "\(text)")
        }
    }
}
