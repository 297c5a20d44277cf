import FalClient
import Foundation
import GRDB
import MediaAdapt
import PreflightCore
import ModelCatalog
import Submission
import Testing
import TestSupport

/// The journal as a SQLite file on disk: learned requirements carried over from the table the
/// catalog used to own, the latest lesson per limit, the upload cache's lifetimes, readers while a
/// writer works.
@Suite struct JournalTests {
    func lesson(_ max: Double, _ at: String) -> LearnedRequirement {
        LearnedRequirement(modelID: "m", field: "video_url", key: .maxDuration, value: .number(max), learnedAt: at,
                           rejection: Rejection(type: "video_duration_too_long", message: "", field: "video_url", ctx: ["max_duration": .number(max)]))
    }

    @Test func theLatestLessonPerLimitIsKeptOnDisk() throws {
        let folder = try TestMedia.temporaryFolder("preflight-journal")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("state/preflight.sqlite")
        try JournalLearnedStore(try Journal(path: path)).record([lesson(10, "2026-11-01T00:00:00Z")])
        try JournalLearnedStore(try Journal(path: path)).record([lesson(8, "2026-11-02T00:00:00Z")])
        // A new journal on the same file sees the row: it is on disk, not in memory.
        let rows = try JournalLearnedStore(try Journal(path: path)).all()
        #expect(rows.count == 1)
        #expect(rows.first?.value.numberValue == 8)
    }

    @Test func learnedRequirementsOfTheOldStoreCarryOver() throws {
        let folder = try TestMedia.temporaryFolder("preflight-journal")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("preflight.sqlite")
        // The file as ModelCatalog's store left it: its one migration and a row.
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
        let rows = try JournalLearnedStore(journal).all()
        #expect(rows.map(\.value.numberValue) == [7])
        #expect(try journal.jobs().isEmpty) // and the journal's own tables were added beside it
    }

    @Test func theUploadCacheTrustsAURLOnlyAsLongAsItLives() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-journal")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = JournalUploadCache(try Journal(path: folder.appendingPathComponent("j.sqlite")))
        let url = try #require(URL(string: "https://v3.fal.media/files/x.mp4"))
        await cache.remember(hash: "sha256:a", url: url, until: Date().addingTimeInterval(60))
        await cache.remember(hash: "sha256:b", url: url, until: Date().addingTimeInterval(-1))
        #expect(await cache.url(forHash: "sha256:a") == url)
        #expect(await cache.url(forHash: "sha256:b") == nil)
        // Persisted: a second journal on the file still knows it.
        #expect(await JournalUploadCache(try Journal(path: folder.appendingPathComponent("j.sqlite"))).url(forHash: "sha256:a") == url)
    }
}

/// A fix plan is self-contained: it names its version, what it aims at and the source it was made for.
@Suite struct SelfContainedPlanTests {
    @Test func aPlanCarriesItsTargetsAndTheSourcesFingerprint() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-plan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try Catalog.bundled().model("fal-ai/wan/v2.7/edit-video")
        let source = TestMedia.path("long_720p_12s.mp4")
        guard case .fixed(let result) = try await MediaPipeline(models: [spec], payload: ["prompt": "x"])
            .run(source: source, output: folder.appendingPathComponent("out.mp4")) else {
            Issue.record("a 12 s clip passed a 10 s model as it is")
            return
        }
        #expect(result.plan.version == FixPlan.formatVersion)
        #expect(result.plan.sourceFingerprint == (try ContentHash.file(source)))
        #expect(try #require(result.plan.targets?[spec.id]?.maxDuration) <= 10)
        // Stored and read back, it is the same plan.
        let back = try JSONDecoder().decode(FixPlan.self, from: JSONEncoder().encode(result.plan))
        #expect(back.sourceFingerprint == result.plan.sourceFingerprint && back.targets?[spec.id] == result.plan.targets?[spec.id])
    }
}
