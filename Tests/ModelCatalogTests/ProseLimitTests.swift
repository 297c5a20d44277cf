import Foundation
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Limits fal writes in words, read by the importer; never invented from an unclear sentence.
@Suite struct ProseLimitTests {
    /// fal's document for alibaba/happy-horse/reference-to-video as fal writes it: the limits are in
    /// the descriptions' prose, not in a structured line. The first import found only the formats.
    @Test func happyHorseReferenceImagesAreChecked() async throws {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("fal-openapi-happy-horse-reference.json"))
        let entry = try OpenAPIImporter.entry(from: data, name: "happy-horse.json")
        #expect(entry.id == "alibaba/happy-horse/reference-to-video")
        #expect(entry.name == "Happy horse reference to video")
        #expect(entry.name?.contains("Queue OpenAPI") == false)
        let images = try #require(entry.media?.first { $0.field == "image_urls" })
        #expect(images.kind == .imageList)
        let r = try #require(images.require)
        #expect(r.minShortSide == 400)
        #expect(r.maxFileSize == ByteCount(10 * 1_048_576))
        #expect(r.minCount == 1 && r.maxCount == 9)
        #expect(r.formats == ["jpg", "jpeg", "png", "webp"])
        // Limits from prose are marked as such; the formats (read as before) are not.
        #expect(Set(images.sources?.keys.map { $0 } ?? []) == [.minShortSide, .maxFileSize, .minCount, .maxCount])
        #expect(images.sources?.values.allSatisfy { $0.fromProse == true } == true)
        let prompt = try #require(entry.payload?.fields?.first { $0.name == "prompt" })
        #expect(prompt.maxLength == 2500 && prompt.readFromProse == ["max_length"])
        // "describe 5-10 seconds of action" is advice about the prompt, not a limit of anything.
        #expect(entry.media?.count == 1)
        let duration = try #require(entry.payload?.fields?.first { $0.name == "duration" })
        #expect(duration.minimum == 3 && duration.maximum == 15)

        var catalog = Catalog.bundled()
        try catalog.apply(CatalogFile(models: [entry]), origin: "user:happy-horse.json")
        let spec = try catalog.model(entry.id)
        let folder = try TestMedia.temporaryFolder("happy-horse")
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = folder.appendingPathComponent("320x240.jpg").path
        let large = folder.appendingPathComponent("640x480.jpg").path
        for (path, size) in [(small, "320x240"), (large, "640x480")] {
            let r = try await run("/usr/bin/ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=\(size)", "-frames:v", "1", path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let payload: [String: JSONValue] = ["prompt": "@image1 runs"]
        let refused = Checker().check(try Prober.probe(small), models: [spec], payload: payload).verdicts[0]
        #expect(refused.violations.map(\.rule) == ["min_short_side"])
        #expect(refused.violations[0].source?.fromProse == true)
        #expect(Checker().check(try Prober.probe(large), models: [spec], payload: payload).verdicts[0].compliant)
        let tooLong = Checker().check(try Prober.probe(large), models: [spec], payload: ["prompt": .string(String(repeating: "x", count: 2501))]).verdicts[0]
        #expect(tooLong.violations.map(\.rule) == ["payload.max_length"])
    }

    @Test func commonPhrasings() {
        let mb = 1_048_576.0
        let cases: [(String, Bool, [LimitKey: JSONValue])] = [
            ("Shortest side must be at least 400 px.", false, [.minShortSide: 400]),
            ("The longest side must be at most 4096px.", false, [.maxLongSide: 4096]),
            ("The shorter side should not be below 300 px, and it must be at least 256 px", false, [:]),
            ("Width and height between 300 and 2048 pixels.", false, [.minWidth: 300, .minHeight: 300, .maxWidth: 2048, .maxHeight: 2048]),
            ("Each side at least 720 px", false, [.minWidth: 720, .minHeight: 720]),
            ("Images must be at least 300x300 px.", false, [.minWidth: 300, .minHeight: 300]),
            ("At most 8.3 megapixels.", false, [.maxPixels: 8_300_000]),
            ("Max 10 MB each.", true, [.maxFileSize: .integer(Int(10 * mb))]),
            ("Up to 50 MB in total.", true, [.maxTotalFileSize: .integer(Int(50 * mb))]),
            ("Max file 4.7 MB maximum", false, [.maxFileSize: .integer(Int((4.7 * mb).rounded()))]),
            ("Reference images (1-9 images).", true, [.minCount: 1, .maxCount: 9]),
            ("Up to 3 videos.", true, [.maxCount: 3]),
            ("The clip must be 3-15s long.", false, [.minDuration: 3, .maxDuration: 15]),
            ("Duration: 3–15 s.", false, [.minDuration: 3, .maxDuration: 15]),
            ("Between 2 and 10 seconds.", false, [.minDuration: 2, .maxDuration: 10]),
            ("Videos of 2-15 s combined.", true, [.minTotalDuration: 2, .maxTotalDuration: 15]),
            ("At least 16 fps.", false, [.minFPS: 16]),
            ("Frame rate 24-60 fps.", false, [.minFPS: 24, .maxFPS: 60]),
            ("Videos 1,000-2,000 px wide (width).", false, [.minWidth: 1000, .maxWidth: 2000]),
            // Not limits, or not clear ones: nothing.
            ("e.g. 5-10s clips work best.", false, [:]),
            ("Images should be at least 720 px.", false, [:]),
            ("Default duration is 5 s.", false, [:]),
            ("We recommend at most 1080 px.", false, [:]),
            ("Longest and shortest side at least 300 px.", false, [:]),
            ("At least 300 px.", false, [:]),
            ("Max 10 MB.", true, [:]),
            ("Max 10 MB in total.", false, [:]),
            ("At least 2 s. At least 3 s.", false, [:]),
            ("A 5 second shot of a horse.", false, [:]),
            ("Provide up to 3 reference videos.", true, [:]),
            ("Max file size: 10.0MB, Min width: 300px", false, [:]), // the structured line is LimitLine's
        ]
        for (text, list, expected) in cases {
            let reading = ProseLimits.read(text, list: list)
            var want = MediaRequirement()
            for (key, value) in expected { want.set(key, to: value) }
            #expect(reading.requirement == want, "\(text): \(reading.requirement.keys)")
        }
        #expect(ProseLimits.read("Max 2500 characters.").maxLength == 2500)
        #expect(ProseLimits.read("The text, up to 120 characters").maxLength == 120)
        #expect(ProseLimits.read("At most 100 characters. Max 200 characters.").maxLength == nil)
        #expect(ProseLimits.read("A prompt of about 2500 characters works").maxLength == nil)
    }

    @Test func hostileNumbersAreIgnored() {
        let r = ProseLimits.read("Shortest side must be at least 99999999999999999999999 px. Max 1e400 MB each.", list: true)
        #expect(r.requirement.keys.isEmpty)
        #expect(LimitLine.parse("Min width: 1e400px, Max file size: 1e400MB") == nil)
        // A description the size of a book is read up to a page, quickly and without a limit from its tail.
        let book = String(repeating: "Lorem ipsum dolor sit amet. ", count: 100_000) + "Shortest side must be at least 400 px."
        #expect(ProseLimits.read(book, list: true).isEmpty)
        // Names and values printed from fal's documents carry no terminal escapes.
        let change = CatalogChange(kind: .added, subject: "payload \u{1B}[31mred", before: nil, after: "x\u{07}")
        #expect(!change.description.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func documentTitleIsNotTheModelName() {
        #expect(OpenAPIImporter.readableName("Queue OpenAPI for fal-ai/kling-video/o1/image-to-video", endpoint: "fal-ai/kling-video/o1/image-to-video")
                == "Kling video o1 image to video")
        #expect(OpenAPIImporter.readableName("Happy Horse", endpoint: "alibaba/happy-horse/reference-to-video") == "Happy Horse")
        #expect(OpenAPIImporter.readableName(nil, endpoint: "x") == "x")
    }
}
