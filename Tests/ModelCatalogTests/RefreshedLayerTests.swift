import Foundation
@testable import ModelCatalog
import Testing
import TestSupport

/// What was fetched from fal, on disk: entries dated and read back fast, a hand-edited file still
/// read, a damaged one skipped (fetched again on next use), prices dated and applied by unit.
@Suite struct RefreshedLayerTests {
    func entry(_ id: String, max: Double) -> CatalogFile.CatalogEntry {
        var r = MediaRequirement()
        r.maxDuration = max
        return CatalogFile.CatalogEntry(id: id, name: "N", category: "video-to-video", source: Source(ref: "test", date: "2026-12-01"),
                                        media: [CatalogFile.MediaFieldEntry(field: "video_url", kind: .video, require: r)],
                                        payload: CatalogFile.PayloadEntry(complete: true, fields: [PayloadField(name: "prompt", type: .string)]))
    }

    @Test func entriesAreDatedAndReadBack() throws {
        let (paths, home) = try temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let layer = RefreshedLayer(paths: paths)
        let when = Date(timeIntervalSince1970: 1_800_000_000)
        try layer.save(entry("acme/a", max: 6), at: when, from: "http://127.0.0.1:1")
        try layer.save(entry("fal-ai/kling-video/o1/video-to-video/edit", max: 7))
        #expect(layer.refreshedAt("acme/a") == when)
        #expect(layer.refreshedAt("acme/none") == nil)
        // A hand-edited YAML file is read as any catalog file; a damaged one is skipped.
        try "models:\n  - id: acme/b\n    media:\n      - {field: video_url, kind: video, require: {max_duration: 3}}\n"
            .write(to: layer.file(for: "acme/b"), atomically: true, encoding: .utf8)
        try "{\"models\": [ {\"id\": ".write(to: layer.file(for: "acme/c"), atomically: true, encoding: .utf8)
        #expect(layer.entries().map(\.id) == ["acme/a", "acme/b", "fal-ai/kling-video/o1/video-to-video/edit"])
        let catalog = try Catalog.load(paths: paths)
        #expect(try catalog.model("acme/a").field(named: "video_url")?.requirement.maxDuration == 6)
        #expect(try catalog.model("acme/b").origin == "refreshed")
        #expect(try catalog.model("fal-ai/kling-video/o1/video-to-video/edit").field(named: "video_url")?.requirement.maxDuration == 7)
        #expect(throws: UnknownModelError.self) { try catalog.model("acme/c") }
        // Without the layer: bundled only.
        #expect(try Catalog.load(paths: paths, refreshed: false).model("fal-ai/kling-video/o1/video-to-video/edit").field(named: "video_url")?.requirement.maxDuration == 10.05)
        // A command reads only the entries it uses, and those the user's files build on.
        let one = try Catalog.load(paths: paths, only: ["acme/a"])
        #expect(one.models["acme/a"] != nil && one.models["acme/b"] == nil)
        try FileManager.default.createDirectory(at: paths.userCatalogs, withIntermediateDirectories: true)
        try "models:\n  - id: acme/mine\n    extends: acme/b\n".write(to: paths.userCatalogs.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        let built = try Catalog.load(paths: paths, only: ["acme/mine"])
        #expect(try built.model("acme/mine").field(named: "video_url")?.requirement.maxDuration == 3)
        #expect(built.models["acme/a"] == nil)
        #expect(try Catalog.load(paths: paths).models["acme/a"] != nil)
    }

    @Test func pricesAreDatedAndAppliedByUnit() throws {
        let (paths, home) = try temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let book = PriceBook(paths: paths)
        let o1 = "fal-ai/kling-video/o1/standard/video-to-video/edit"
        let seen = Date(timeIntervalSince1970: 1_900_000_000)
        try book.record([DatedPrice(endpointID: o1, amount: 0.2, unit: "second", currency: "USD", seenAt: seen),
                         DatedPrice(endpointID: "fal-ai/veo2/image-to-video", amount: 3, unit: "token", currency: "USD", seenAt: seen)],
                        asked: [o1, "fal-ai/veo2/image-to-video", "acme/unpriced"], at: seen)
        #expect(book.price(for: o1)?.seenAt == seen)
        #expect(book.price(for: "acme/unpriced") == nil)
        #expect(!book.isStale("acme/unpriced", now: seen, maxAge: 60) && book.isStale("acme/other", now: seen, maxAge: 60))
        let catalog = try Catalog.load(paths: paths)
        let price = try #require(try catalog.model(o1).price)
        #expect(price.amount == 0.2 && price.unit == .secondOfOutput)
        #expect(price.source.ref == "fal platform API (models/pricing)" && price.source.date == "2030-03-17")
        // A unit the catalog does not understand leaves the catalog's price as it was.
        #expect(try catalog.model("fal-ai/veo2/image-to-video").price == Catalog.bundled().model("fal-ai/veo2/image-to-video").price)
        // A damaged book is an empty one.
        try "not json".write(to: book.file, atomically: true, encoding: .utf8)
        #expect(book.all().isEmpty && book.isStale(o1, maxAge: 1e9))
    }
}
