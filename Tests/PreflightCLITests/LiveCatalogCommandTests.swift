import FalSimulator
import Foundation
import ModelCatalog
import Testing
import TestSupport

/// The live catalog as a user meets it, against fal-sim over loopback: a model id no layer knows
/// is fetched on first use and kept; `models search` reads every page of fal's list with prices;
/// lessons from a rejection are kept per fal base URL and can be forgotten.
@Suite struct LiveCatalogCommandTests {
    let clipEdit = "fal-sim/live/clip-edit"
    let day = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withFullDate])

    struct Sim {
        let server: FalSimulatorServer
        let base: URL
        let home: URL

        func run(_ args: [String], extra: [String: String] = [:]) async throws -> ProcessResult {
            var env = ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey]
            env.merge(extra) { _, new in new }
            return try await preflight(args, home: home, environment: env)
        }

        func listings() async -> Int { await server.platformRequests().filter { $0.path == "/v1/models" }.count }
    }

    func withSim(_ platform: PlatformScenario = PlatformScenario(), home: URL? = nil, _ body: (Sim) async throws -> Void) async throws {
        let folder = try home ?? TestMedia.temporaryFolder("preflight-cli-live")
        defer { if home == nil { try? FileManager.default.removeItem(at: folder) } }
        var config = FalSimulatorServer.Configuration()
        config.platform = platform
        var quick = Scenario()
        quick.queueMs = 50
        quick.progressMs = 50
        config.scenarios.defaultScenario = quick
        let server = try FalSimulatorServer(config)
        let base = try await server.start()
        do { try await body(Sim(server: server, base: base, home: folder)) } catch { await server.stop(); throw error }
        await server.stop()
    }

    /// `check` on an id no layer knows: fetched once (one listing request), its x-fal limits
    /// applied (12 s over its 6 s fails, 4 s passes), and the next runs use the kept entry.
    @Test func checkFetchesAnUnknownModelOnceAndKeepsIt() async throws {
        try await withSim { sim in
            let long = try await sim.run(["check", TestMedia.path("long_720p_12s.mp4"), "--model", clipEdit, "--set", "prompt=x"])
            #expect(long.status == 1, "\(long.stdout)\n\(long.stderr)")
            #expect(long.stdout.contains("FAIL  Sim live clip edit  (\(clipEdit))"))
            #expect(long.stdout.contains("takes at most 6 s; this clip is 12.0"))
            #expect(long.stdout.contains("limit: fal schema x-fal, seen \(day)"))
            #expect(long.stdout.contains("estimated cost: 0.30")) // 0.05 per second of what would be sent (the 12 s clip cut to 6 s), from fal's pricing API
            #expect(long.stderr.contains("\(clipEdit): limits fetched from fal"))
            #expect(await sim.listings() == 1)

            let short = try await sim.run(["check", TestMedia.path("hd_1280x720_4s.mp4"), "--model", clipEdit, "--set", "prompt=x"])
            #expect(short.status == 0, "\(short.stdout)\n\(short.stderr)")
            #expect(!short.stderr.contains("fetched"))
            let show = try await sim.run(["models", "show", clipEdit])
            #expect(show.status == 0)
            #expect(show.stdout.contains("duration <= 6 s   [fal schema x-fal, seen \(day)]"))
            #expect(show.stdout.contains("layer: refreshed"))
            #expect(await sim.listings() == 1)
            #expect(FileManager.default.fileExists(atPath: sim.home.appendingPathComponent("state/refreshed/fal-sim__live__clip-edit.json").path))

            // An entry older than the set age is asked about again when fal is there.
            let aged = try await sim.run(["check", TestMedia.path("hd_1280x720_4s.mp4"), "--model", clipEdit, "--set", "prompt=x"],
                                         extra: ["PREFLIGHT_CATALOG_MAX_AGE": "0"])
            #expect(aged.status == 0)
            #expect(aged.stderr.contains("checked again at fal"))
            #expect(await sim.listings() == 2)
        }
    }

    /// A fix made for the fetched limits passes fal-sim's own judgement of them (its own reading
    /// of x-fal and its own ffprobe measurement): `submit` cuts the 12 s clip and the model runs.
    @Test func aFixForAFetchedModelPassesTheSimulatorsJudgement() async throws {
        try await withSim { sim in
            let out = sim.home.appendingPathComponent("results")
            let r = try await sim.run(["submit", TestMedia.path("long_720p_12s.mp4"), "--model", clipEdit, "--set", "prompt=x", "--out", out.path])
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            let accepted = await sim.server.acceptedRequests()
            #expect(accepted.map(\.model) == [clipEdit])
            // What fal-sim judged and ran is the cut file: its result (the input, returned) is at most 6 s by ffprobe.
            let files = (FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".mp4") }
            let result = try #require(files.first.map { out.appendingPathComponent($0).path })
            let seconds = try #require(FFprobeReport.number(try await FFprobeReport(result).format, "duration"))
            #expect(seconds <= 6 && seconds > 5, "\(seconds)")
            #expect(await sim.listings() == 1)
        }
    }

    /// Without fal: the message says what to do, and the exit code is still 64.
    @Test func anUnknownModelOfflineSaysWhatToDo() async throws {
        let home = try TestMedia.temporaryFolder("preflight-cli-offline")
        defer { try? FileManager.default.removeItem(at: home) }
        let offline = try await preflight(["check", TestMedia.path("hd_1280x720_4s.mp4"), "--model", clipEdit], home: home, environment: ["PREFLIGHT_OFFLINE": "1"])
        #expect(offline.status == 64)
        for words in ["unknown model '\(clipEdit)'", "fal was not asked (PREFLIGHT_OFFLINE is set)", "preflight models refresh ID", "a user catalog can describe it"] {
            #expect(offline.stderr.contains(words), "\(words): \(offline.stderr)")
        }
        // A base URL that cannot be fal's (lessons are kept per base URL): 64 before anything is sent.
        let plain = try await preflight(["check", TestMedia.path("hd_1280x720_4s.mp4"), "--model", kling], home: home,
                                        environment: ["PREFLIGHT_FAL_URL": "http://example.com"])
        #expect(plain.status == 64 && plain.stderr.contains("is not https"), "\(plain.stderr)")
        // fal unreachable (a port nothing listens on any more): said so, 64 too.
        var gone: URL?
        try await withSim { sim in gone = sim.base }
        let unreachable = try await preflight(["fix", TestMedia.path("hd_1280x720_4s.mp4"), "--model", clipEdit, "--dry-run"], home: home,
                                              environment: ["PREFLIGHT_FAL_URL": try #require(gone).absoluteString])
        #expect(unreachable.status == 64)
        #expect(unreachable.stderr.contains("fal could not be reached"), "\(unreachable.stderr)")
        // An id fal does not list: 64, with the reason.
        try await withSim { sim in
            let nope = try await sim.run(["prepare", sim.home.path, "--model", "fal-ai/nope", "--out", sim.home.appendingPathComponent("out").path])
            #expect(nope.status == 64)
            #expect(nope.stderr.contains("unknown model 'fal-ai/nope': fal does not list it"), "\(nope.stderr)")
        }
    }

    /// `models search` reads every page, marks the models that take media, and prices them 50 ids a call.
    @Test func searchReadsEveryPageWithPrices() async throws {
        try await withSim(PlatformScenario(pageSize: 9, listed: 75)) { sim in
            let total = Catalog.bundled().models.count + LiveModel.all.count + 75
            let r = try await sim.run(["models", "search", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            #expect(rows.count == total)
            #expect(await sim.listings() == (total + 8) / 9)
            let byID = Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["endpoint_id"] as? String).map { ($0, row) } })
            #expect(byID[clipEdit]?["media_input"] as? Bool == true)
            #expect(byID["fal-sim/listed/000"]?["media_input"] as? Bool == false)
            #expect(byID[kling]?["in_catalog"] as? String == "bundled")
            #expect((byID[clipEdit]?["price"] as? [String: Any])?["unit_price"] as? Double == 0.05)
            let pricing = await sim.server.platformRequests().filter { $0.path == "/v1/models/pricing" }
            #expect(pricing.map { $0.values("endpoint_id").count } == stride(from: 0, to: total, by: 50).map { min(50, total - $0) })
            #expect(pricing.count == 3)
            // The table, narrowed: words and a category, media-taking models only.
            let table = try await sim.run(["models", "search", "clip", "--category", "video-to-video", "--media-only"])
            #expect(table.status == 0)
            #expect(table.stdout.contains(clipEdit) && table.stdout.contains("0.05 USD/second"))
            #expect(!table.stdout.contains("fal-sim/listed/"))
        }
    }

    /// A lesson from a rejection is kept for the base URL it came from: it tightens the catalog
    /// there, says where it came from, never reaches another base URL, and can be forgotten.
    @Test func aLessonIsKeptPerBaseURLAndCanBeForgotten() async throws {
        let home = try TestMedia.temporaryFolder("preflight-cli-learned")
        defer { try? FileManager.default.removeItem(at: home) }
        let body = home.appendingPathComponent("rejection.json")
        try Data(#"{"detail":[{"loc":["body","video_url"],"msg":"Video duration exceeds the maximum of 3.5 seconds","type":"video_duration_too_long","ctx":{"max_duration":3.5,"provided_duration":4.0}}]}"#.utf8).write(to: body)
        let clip = TestMedia.path("hd_1280x720_4s.mp4")
        try await withSim(home: home) { a in
            try await withSim(home: home) { b in
                let learn = try await a.run(["models", "learn", kling, "--rejection", body.path])
                #expect(learn.status == 0, "\(learn.stderr)")
                #expect(learn.stdout.contains("for \(LearnedRequirement.scope(of: a.base)) only"))
                let atA = try await a.run(["check", clip, "--model", kling, "--set", "prompt=x"])
                #expect(atA.status == 1, "\(atA.stdout)")
                #expect(atA.stdout.contains("takes at most 3.5 s; this clip is 4.0"))
                #expect(atA.stdout.contains(" s (learned from a rejection on \(day))"))
                #expect(atA.stdout.contains("limit: learned from a rejection on \(day) (video_duration_too_long, at \(LearnedRequirement.scope(of: a.base)))"))
                let show = try await a.run(["models", "show", kling])
                #expect(show.stdout.contains("duration <= 3.5 s   [learned from a rejection on \(day)"), "\(show.stdout)")
                // Another base URL, and fal itself (offline here): untouched.
                #expect(try await b.run(["check", clip, "--model", kling, "--set", "prompt=x"]).status == 0)
                #expect(try await preflight(["check", clip, "--model", kling, "--set", "prompt=x"], home: home).status == 0)
                let all = try await a.run(["models", "learned", "--all"])
                #expect(all.stdout.contains(LearnedRequirement.scope(of: a.base)) && all.stdout.contains("max_duration"))

                // The prepare report says it too.
                let source = home.appendingPathComponent("src")
                try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: clip, toPath: source.appendingPathComponent("clip.mp4").path)
                let report = home.appendingPathComponent("report.html")
                let prepare = try await a.run(["prepare", source.path, "--model", kling, "--out", home.appendingPathComponent("out").path, "-q", "--report", report.path])
                #expect(prepare.status == 0, "\(prepare.stderr)")
                #expect(try String(contentsOf: report, encoding: .utf8).contains("(learned from a rejection on \(day))"))

                let forget = try await a.run(["models", "forget", kling, "video_url"])
                #expect(forget.status == 0)
                #expect(forget.stdout.contains("forgot \(kling) video_url max_duration = 3.5"))
                #expect(try await a.run(["check", clip, "--model", kling, "--set", "prompt=x"]).status == 0)
                #expect(try await a.run(["models", "forget", kling]).stdout.contains("nothing learned for \(kling)"))
            }
        }
    }
}

