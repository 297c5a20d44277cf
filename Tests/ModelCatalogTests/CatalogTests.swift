import Foundation
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

@Suite struct BundledCatalogTests {
    let catalog = Catalog.bundled()

    @Test func coversTheWork() {
        #expect(catalog.models.count >= 15)
        let categories = Set(catalog.models.values.map(\.category))
        for needed in ["video-to-video", "image-to-video", "video-to-audio", "lip-sync", "upscale"] {
            #expect(categories.contains(needed), "\(needed)")
        }
    }

    @Test func everyLimitSaysWhereAndWhenItWasSeen() {
        for spec in catalog.models.values {
            #expect(spec.source.date != nil, "\(spec.id)")
            #expect(!spec.source.ref.isEmpty, "\(spec.id)")
            if let price = spec.price { #expect(price.source.date != nil, "\(spec.id)") }
        }
    }

    @Test func publishedLimitsAreThere() throws {
        let o1 = try catalog.model("fal-ai/kling-video/o1/video-to-video/edit")
        let r = try #require(o1.field(named: "video_url")).requirement
        #expect(r.maxDuration == 10.05 && r.minDuration == 3 && r.minFPS == 24 && r.maxFPS == 60)
        #expect(r.maxFileSize == ByteCount(200 * 1_048_576))
        #expect(r.formats == ["mp4", "mov"])
        // extends: same limits, own price.
        let standard = try catalog.model("fal-ai/kling-video/o1/standard/video-to-video/edit")
        #expect(standard.field(named: "video_url")?.requirement == r)
        #expect(standard.price?.amount == 0.126)
        #expect(o1.price == nil)
        let v16 = try catalog.model("fal-ai/kling-video/v1.6/pro/image-to-video")
        #expect(v16.payload.field("duration")?.enumValues == [.string("5"), .string("10")])
    }

    @Test func conditionalLimits() throws {
        let motion = try catalog.model("fal-ai/kling-video/v2.6/pro/motion-control")
        let field = try #require(motion.field(named: "video_url"))
        #expect(field.requirement(for: ["character_orientation": "image"]).maxDuration == 10)
        #expect(field.requirement(for: ["character_orientation": "video"]).maxDuration == 30)
        #expect(field.requirement(for: [:]).maxDuration == 30)
    }

    @Test func unknownIdsGetSuggestions() {
        #expect(throws: UnknownModelError.self) { try catalog.model("fal-ai/kling-video/o1/edit") }
        let suggestions = catalog.suggestions(for: "kling o1 edit")
        #expect(suggestions.first == "fal-ai/kling-video/o1/video-to-video/edit")
        #expect(catalog.suggestions(for: "fal-ai/veo3/image-to-video").first == "fal-ai/veo3.1/image-to-video")
    }
}

/// bundled < refreshed < learned < user catalog, limit by limit, each keeping its source.
@Suite struct LayeringTests {
    @Test func laterLayersWinLimitByLimit() throws {
        let (paths, home) = try temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: paths.userCatalogs, withIntermediateDirectories: true)
        try """
        models:
          - id: fal-ai/kling-video/o1/video-to-video/edit
            source: {ref: "my own test", date: "2026-11-20"}
            media:
              - field: video_url
                require: {max_duration: 8, min_fps: 25}
          - id: acme/new-model
            name: Acme
            category: upscale
            media:
              - {field: video_url, kind: video, require: {max_file_size: 1 GB}}
        """.write(to: paths.userCatalogs.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)

        let store = MemoryLearnedStore()
        let body = Data(#"{"detail":[{"loc":["body","video_url"],"msg":"Video duration exceeds the maximum of 7 seconds","type":"video_duration_too_long","ctx":{"max_duration":7.0,"provided_duration":8.0}},{"loc":["body","video_url"],"msg":"too big","type":"file_too_large","ctx":{"max_size":1048576}}]}"#.utf8)
        try store.record(LearnedRequirement.from(Rejection.parse(body, requestID: "req-1"), modelID: "fal-ai/kling-video/o1/video-to-video/edit"))

        let userOnly = try Catalog.load(paths: paths)
        let o1 = try userOnly.model("fal-ai/kling-video/o1/video-to-video/edit")
        let field = try #require(o1.field(named: "video_url"))
        #expect(field.requirement.maxDuration == 8)   // user
        #expect(field.requirement.minFPS == 25)       // user
        #expect(field.requirement.maxFPS == 60)       // bundled, untouched
        #expect(o1.source(of: .maxDuration, in: field).ref == "my own test")
        #expect(o1.source(of: .maxFPS, in: field).ref.contains("fal OpenAPI"))
        #expect(o1.origin == "user:mine.yaml")
        #expect(try userOnly.model("acme/new-model").field(named: "video_url")?.requirement.maxFileSize == ByteCount(1 << 30))

        let all = try Catalog.load(paths: paths, learned: try store.all())
        let learned = try #require(try all.model("fal-ai/kling-video/o1/video-to-video/edit").field(named: "video_url"))
        #expect(learned.requirement.maxDuration == 8)  // the user's own file has the last word
        #expect(learned.requirement.minFPS == 25)
        #expect(learned.requirement.maxFileSize == ByteCount(1 << 20)) // learned beats bundled
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(learned.limitSources[.maxFileSize]?.ref == "learned from a rejection on \(day) (file_too_large, request req-1)")
        #expect(learned.limitSources[.maxFileSize]?.learnedOn == day)
    }

    @Test func aBrokenUserCatalogIsNamed() throws {
        let (paths, home) = try temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: paths.userCatalogs, withIntermediateDirectories: true)
        try "models:\n  - name: no id here\n".write(to: paths.userCatalogs.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try Catalog.load(paths: paths)
            Issue.record("loaded a catalog entry without an id")
        } catch {
            #expect(error.file.hasSuffix("bad.yaml"))
            #expect(error.message.contains("'id'"))
        }
    }
}

@Suite struct LearnedRequirementTests {
    @Test func rejectionsTeachLimits() {
        let body = Data(#"""
        {"detail":[
          {"loc":["body","image_url"],"msg":"too small","type":"image_too_small","ctx":{"min_width":300,"min_height":300}},
          {"loc":["body","video_url"],"msg":"bad format","type":"unsupported_video_format","ctx":{"supported_formats":[".mp4",".mov",".webm"]}},
          {"loc":["body","video_url"],"msg":"too big","type":"file_too_large","ctx":{"max_size":104857600}},
          {"loc":["body","prompt"],"msg":"nope","type":"content_policy_violation"}
        ]}
        """#.utf8)
        let lessons = LearnedRequirement.from(Rejection.parse(body), modelID: "m")
        let found = lessons.map { "\($0.field).\($0.key.rawValue)=\($0.value)" }
        #expect(found == ["image_url.min_width=300", "image_url.min_height=300",
                          "video_url.formats=[\"mp4\", \"mov\", \"webm\"]", "video_url.max_file_size=104857600"])
        #expect(Rejection.parse(Data(#"{"detail":"Internal error"}"#.utf8)).first?.type == "unknown")
        #expect(Rejection.parse(Data("not json".utf8)).isEmpty)
    }
}

/// Learned requirements held in memory (the journal keeps them on disk; SubmissionTests test that).
final class MemoryLearnedStore: LearnedRequirementStore, @unchecked Sendable {
    private var rows: [LearnedRequirement] = []
    func all() throws -> [LearnedRequirement] { rows }
    func record(_ lessons: [LearnedRequirement]) throws { rows += lessons }
    func forget(modelID: String, field: String?) throws -> [LearnedRequirement] {
        let gone = rows.filter { $0.modelID == modelID && (field == nil || $0.field == field) }
        rows.removeAll { $0.modelID == modelID && (field == nil || $0.field == field) }
        return gone
    }
}

@Suite struct OpenAPIImportTests {
    @Test func aFalDocumentBecomesACatalogEntry() throws {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("fal-openapi-kling-o1-edit.json"))
        let entry = try OpenAPIImporter.entry(from: data, name: "fixture.json")
        #expect(entry.id == "fal-ai/example/o1/video-to-video/edit")
        #expect(entry.category == "video-to-video")
        let media = try #require(entry.media)
        #expect(media.map(\.field) == ["video_url", "image_urls"])
        let video = try #require(media[0].require)
        #expect(media[0].kind == .video)
        #expect(video.maxFileSize == ByteCount(200 * 1_048_576))
        #expect(video.minWidth == 720 && video.maxHeight == 2160)
        #expect(video.minDuration == 3.0 && video.maxDuration == 10.05)
        #expect(video.minFPS == 24 && video.maxFPS == 60 && video.downloadTimeout == 30)
        #expect(video.formats == ["mp4", "mov"])
        #expect(media[1].kind == .imageList)
        #expect(media[1].require?.maxCount == 4)
        #expect(media[1].require?.minAspectRatio == 0.4 && media[1].require?.maxAspectRatio == 2.5)

        let fields = try #require(entry.payload?.fields)
        #expect(fields.map(\.name) == ["prompt", "video_url", "image_urls", "keep_audio", "duration", "aspect_ratio", "cfg_scale", "seed"])
        #expect(fields.first { $0.name == "duration" }?.enumValues == [.string("5"), .string("10")]) // through allOf + $ref
        #expect(fields.first { $0.name == "seed" }?.type == .integer)                                  // anyOf with null
        #expect(fields.first { $0.name == "cfg_scale" }?.maximum == 1)
        #expect(fields.filter(\.required).map(\.name) == ["prompt", "video_url"])

        // Usable as a layer: the imported model checks media.
        var catalog = Catalog.bundled()
        try catalog.apply(CatalogFile(models: [entry]), origin: "user:imported.json")
        let spec = try catalog.model(entry.id)
        let report = Checker().check(try probed("sd_854x480.mp4"), models: [spec], payload: ["prompt": "x", "duration": .integer(5)])
        #expect(Set(report.verdicts[0].violations.map(\.rule)) == ["min_height", "min_duration", "payload.type"])
    }

    @Test func limitLinesInAnyOrder() {
        let r = LimitLine.parse("Some text.\nMin duration: 2.0s, Max file size: 4.7MB, Max aspect ratio: 2.50")
        #expect(r?.minDuration == 2 && r?.maxAspectRatio == 2.5)
        #expect(r?.maxFileSize == ByteCount(Int64((4.7 * 1_048_576).rounded())))
        #expect(LimitLine.parse("A prompt describing the scene.") == nil)
    }

    @Test func notAFalDocument() {
        #expect(throws: CatalogError.self) { try OpenAPIImporter.entry(from: Data("{}".utf8), name: "x.json") }
        #expect(throws: CatalogError.self) { try OpenAPIImporter.entry(from: Data("nope".utf8), name: "x.json") }
    }
}
