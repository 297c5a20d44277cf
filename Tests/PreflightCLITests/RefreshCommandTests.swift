import FalSimulator
import Foundation
import ModelCatalog
import Testing
import TestSupport

/// `preflight models refresh` against fal-sim over loopback: documents and prices as fal serves them.
@Suite struct RefreshCommandTests {
    let o1 = "fal-ai/kling-video/o1/video-to-video/edit"
    let o1Standard = "fal-ai/kling-video/o1/standard/video-to-video/edit"

    func withSimulator(catalog: Catalog = Catalog.bundled(), platform: PlatformScenario = PlatformScenario(),
                       _ body: (URL) async throws -> Void) async throws {
        var config = FalSimulatorServer.Configuration(catalog: catalog)
        config.platform = platform
        let server = try FalSimulatorServer(config)
        let base = try await server.start()
        do { try await body(base) } catch { await server.stop(); throw error }
        await server.stop()
    }

    func run(_ args: [String], base: URL, home: URL, key: String? = FalSimulatorServer.testKey) async throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        // No key means none anywhere: the test's own environment may hold one.
        for name in ["FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"] { env[name] = nil }
        env["PREFLIGHT_HOME"] = home.path
        env["PREFLIGHT_FAL_URL"] = base.absoluteString
        if let key { env["FAL_KEY"] = key }
        return try await TestSupport.run(preflightExecutable, args, environment: env)
    }

    /// fal changed its schema: the simulator serves the change and refresh tells it.
    @Test func aSchemaChangeIsToldAndKept() async throws {
        var changed = Catalog.bundled()
        let yaml = """
        models:
          - id: \(o1)
            media:
              - field: video_url
                require: {max_duration: 15.05, min_width: 1080, formats: [mp4, mov, webm]}
            payload:
              fields:
                - {name: negative_prompt, type: string, required: true}
                - {name: prompt, type: string, required: true, max_length: 2500}
        """
        try changed.apply(try CatalogFile.parse(yaml, name: "change"), origin: "user:change")
        let platform = PlatformScenario(documents: ["fal-ai/veo2/image-to-video": "{\"openapi\": \"3.0.4\", \"info\": "],
                                        missing: ["fal-ai/topaz/upscale/video"],
                                        prices: [o1Standard: .init(unitPrice: 0.14, unit: "second")])
        let home = try TestMedia.temporaryFolder("pf-refresh")
        defer { try? FileManager.default.removeItem(at: home) }
        // The user's own correction of the minimum width wins over the refreshed one.
        let models = home.appendingPathComponent("config/models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try Data("models:\n  - id: \(o1)\n    media:\n      - {field: video_url, require: {min_width: 640}}\n".utf8)
            .write(to: models.appendingPathComponent("mine.yaml"))
        try await withSimulator(catalog: changed, platform: platform) { base in
            let r = try await run(["models", "refresh", o1, o1Standard, "fal-ai/veo2/image-to-video", "fal-ai/topaz/upscale/video"], base: base, home: home)
            #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
            let out = r.stdout
            #expect(out.contains("\(o1): 4 changes"))
            #expect(out.contains("loosened: video_url max_duration (10.05 -> 15.05)"))
            #expect(!out.contains("min_width ("))
            #expect(out.contains("note: your catalog files override video_url min_width: those changes are not in force"))
            #expect(out.contains("loosened: video_url formats (mp4, mov -> mp4, mov, webm)"))
            #expect(out.contains("now required: payload negative_prompt (none -> string, required)"))
            #expect(out.contains("tightened: payload prompt max_length (none -> 2500)"))
            #expect(out.contains("price: 0.126 USD/second of output -> 0.14 USD/second of output (+11%)"))
            // One bad id does not stop the others; each failure says which and why.
            #expect(r.stderr.contains("fal-ai/veo2/image-to-video: fal's document cannot be imported: not a JSON document"))
            #expect(r.stderr.contains("fal-ai/topaz/upscale/video: fal has no OpenAPI document for this id (404)"))
            #expect(!(r.stdout + r.stderr).contains("sim-key-secret-not-real"))

            // Kept as a dated layer: the next check uses it, and `models show` says where each limit came from.
            let saved = home.appendingPathComponent("state/refreshed/fal-ai__kling-video__o1__video-to-video__edit.json")
            #expect(FileManager.default.fileExists(atPath: saved.path))
            let show = try await run(["models", "show", o1], base: base, home: home)
            #expect(show.stdout.contains("duration <= 15.05 s   [fal OpenAPI document (refreshed from fal), seen \(today())]"))
            let check = try await run(["check", TestMedia.path("long_720p_12s.mp4"), "--model", o1, "--set", "prompt=x", "--set", "negative_prompt=y"], base: base, home: home)
            // 12 s was over the bundled 10.05 s; the refreshed 15.05 s takes it.
            #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
            let narrow = try await run(["check", TestMedia.path("sd_854x480.mp4"), "--model", o1, "--set", "prompt=x", "--set", "negative_prompt=y"], base: base, home: home)
            #expect(narrow.status == 1 && narrow.stdout.contains("720 px high"), "\(narrow.stdout)") // the user's 640 px width holds
            #expect(!narrow.stdout.contains("1080"))
            let price = try await run(["models", "show", o1Standard], base: base, home: home)
            #expect(price.stdout.contains("price: 0.14 USD per second of output   [fal platform API (models/pricing), seen \(today())]"))
        }
    }

    /// Every bundled model through fal-sim's documents and back: nothing changes, so the importer
    /// reads back everything the simulator writes (limit lines and prose alike).
    @Test func allRoundTripsWithoutChange() async throws {
        let home = try TestMedia.temporaryFolder("pf-refresh")
        defer { try? FileManager.default.removeItem(at: home) }
        try await withSimulator { base in
            let r = try await run(["models", "refresh", "--all", "--dry-run"], base: base, home: home)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }
            #expect(lines.count == Catalog.bundled().models.count)
            for line in lines { #expect(line.hasSuffix(": no change"), "\(line)\n\(r.stdout)") }
            #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("state/refreshed").path))
        }
    }

    @Test func withoutAKeyLimitsAreRefreshedAndPricesAreNot() async throws {
        let home = try TestMedia.temporaryFolder("pf-refresh")
        defer { try? FileManager.default.removeItem(at: home) }
        try await withSimulator(platform: PlatformScenario(prices: [o1Standard: .init(unitPrice: 0.5, unit: "second")])) { base in
            let r = try await run(["models", "refresh", o1Standard], base: base, home: home, key: nil)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("no fal key set"))
            #expect(r.stdout.contains("\(o1Standard): no change"))
            let usage = try await run(["models", "refresh"], base: base, home: home)
            #expect(usage.status == 64)
            let badKey = try await run(["models", "refresh", o1Standard], base: base, home: home, key: "\"quoted\"")
            #expect(badKey.status == 64 && badKey.stderr.contains("wrapped in quotes"))
            let one = try await run(["models", "refresh", "fal-ai/nope"], base: base, home: home)
            #expect(one.status != 0 && one.status != 2)
        }
    }

    func today() -> String {
        ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])
    }
}
