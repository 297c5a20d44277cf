import FalClient
import FalSimulator
import Foundation
import LiveCatalog
import ModelCatalog
import Testing
import TestSupport

/// The catalog with fal asked about what it lacks, against fal-sim over loopback: an id no layer
/// knows is fetched once and kept, an old entry is asked about again, prices are kept fresh 50 ids
/// a call, and without fal the layers on disk are used as they are.
@Suite struct LiveCatalogTests {
    let clipEdit = "fal-sim/live/clip-edit"

    struct Setup {
        let server: FalSimulatorServer
        let client: FalClient
        let paths: PreflightPaths

        /// Patient calls: a loaded machine must not turn a slow answer into a test failure.
        func live(_ settings: LiveCatalog.Settings = LiveCatalog.Settings(timeout: 120)) -> LiveCatalog {
            LiveCatalog(paths: paths, client: client, settings: settings)
        }

        func requests(_ path: String) async -> [PlatformRequest] { await server.platformRequests().filter { $0.path == path } }
    }

    func with(_ platform: PlatformScenario = PlatformScenario(), _ body: (Setup) async throws -> Void) async throws {
        let home = try TestMedia.temporaryFolder("preflight-live")
        defer { try? FileManager.default.removeItem(at: home) }
        var config = FalSimulatorServer.Configuration()
        config.platform = platform
        let server = try FalSimulatorServer(config)
        let base = try await server.start()
        let setup = Setup(server: server, client: FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base)),
                          paths: PreflightPaths(environment: ["PREFLIGHT_HOME": home.path]))
        do { try await body(setup) } catch { await server.stop(); throw error }
        await server.stop()
    }

    @Test func anIdNoLayerKnowsIsFetchedOnceAndKept() async throws {
        try await with { s in
            #expect(Catalog.bundled().models[clipEdit] == nil)
            let first = try await s.live().catalog(using: [clipEdit, clipEdit])
            #expect(first.fetched == [clipEdit])
            #expect(first.unknown.isEmpty)
            let spec = try first.catalog.model(clipEdit)
            let field = try #require(spec.field(named: "video_url"))
            #expect(field.requirement.maxDuration == 6 && field.requirement.maxFileSize == ByteCount(52_428_800))
            #expect(spec.source(of: .maxDuration, in: field).ref == "fal schema x-fal")
            #expect(spec.name == "Sim live clip edit" && spec.origin == "refreshed")
            // One listing request, with the document inlined; one pricing request.
            let listings = await s.requests("/v1/models")
            #expect(listings.count == 1)
            #expect(listings.first?.values("endpoint_id") == [clipEdit] && listings.first?.values("expand") == ["openapi-3.0"])
            #expect(await s.requests("/v1/models/pricing").count == 1)
            #expect(PriceBook(paths: s.paths).price(for: clipEdit)?.amount == 0.05)
            #expect(spec.price?.amount == 0.05 && spec.price?.durationFrom == "input")
            #expect(RefreshedLayer(paths: s.paths).refreshedAt(clipEdit) != nil)

            // The next use reads what was kept: nothing more is asked.
            let second = try await s.live().catalog(using: [clipEdit])
            #expect(second.fetched.isEmpty && second.notes.isEmpty)
            #expect(try second.catalog.model(clipEdit).field(named: "video_url")?.requirement.maxDuration == 6)
            #expect(await s.requests("/v1/models").count == 1)
            #expect(await s.requests("/v1/models/pricing").count == 1)
        }
    }

    /// A state folder that cannot take the entry: it is used for this run all the same, and said.
    @Test func anEntryThatCannotBeKeptIsStillUsed() async throws {
        try await with { s in
            let layer = RefreshedLayer(paths: s.paths)
            try FileManager.default.createDirectory(at: layer.folder.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("not a folder".utf8).write(to: layer.folder) // a file where the folder goes
            let outcome = try await s.live().catalog(using: [clipEdit])
            #expect(outcome.notes.contains { $0.contains("fetched from fal but not kept") })
            #expect(try outcome.catalog.model(clipEdit).field(named: "video_url")?.requirement.maxDuration == 6)
            #expect(try outcome.catalog.model(clipEdit).price?.amount == 0.05) // and priced, from the book
            _ = try await s.live().catalog(using: [clipEdit])
            #expect(await s.requests("/v1/models").count == 2) // asked again next time
        }
    }

    @Test func anOldEntryIsAskedAboutAgainAndKeptWhenFalCannotAnswer() async throws {
        try await with { s in
            _ = try await s.live().catalog(using: [clipEdit])
            var later = LiveCatalog.Settings(timeout: 120)
            later.now = Date().addingTimeInterval(8 * 86_400)
            let again = try await s.live(later).catalog(using: [clipEdit])
            #expect(again.fetched == [clipEdit])
            #expect(again.notes.contains { $0.contains("checked again at fal") })
            #expect(await s.requests("/v1/models").count == 2)
            #expect(await s.requests("/v1/models/pricing").count == 2) // the price is as old: asked again
            // fal gone: the old entry is used, and the user is told how old it is.
            await s.server.stop()
            later.now = Date().addingTimeInterval(20 * 86_400)
            let offline = try await s.live(later).catalog(using: [clipEdit])
            #expect(try offline.catalog.model(clipEdit).field(named: "video_url")?.requirement.maxDuration == 6)
            #expect(offline.notes.contains { $0.contains("using the limits fetched on") && $0.contains("could not be asked again") })
        }
    }

    @Test func whatFalCannotTellStaysUnknownWithTheReason() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let privateDoc = String(decoding: try encoder.encode(LiveModel.all[0].document), as: UTF8.self)
            .replacingOccurrences(of: "fal-sim/live/clip-edit", with: "acme/private-app")
        try await with(PlatformScenario(documents: ["acme/private-app": privateDoc])) { s in
            // Not listed, no document: fal does not know it. Listed nowhere but with a document: read from it.
            let outcome = try await s.live().catalog(using: ["fal-ai/nope", "acme/private-app"])
            #expect(outcome.unknown["fal-ai/nope"] == "fal does not list it")
            #expect(outcome.fetched == ["acme/private-app"])
            #expect(try outcome.catalog.model("acme/private-app").field(named: "video_url")?.requirement.maxDuration == 6)
            let documents = await s.requests("/api/openapi/queue/openapi.json")
            #expect(Set(documents.flatMap { $0.values("endpoint_id") }) == ["fal-ai/nope", "acme/private-app"])
            #expect(await s.requests("/v1/models").count == 1) // both ids in one listing call

            // Offline by choice: nothing is asked.
            let before = await s.server.platformRequests().count
            let offline = try await s.live(LiveCatalog.Settings(offline: "PREFLIGHT_OFFLINE is set")).catalog(using: ["fal-sim/live/reference-to-video"])
            #expect(offline.unknown["fal-sim/live/reference-to-video"]?.contains("fal was not asked (PREFLIGHT_OFFLINE is set)") == true)
            #expect(await s.server.platformRequests().count == before)
            // Unreachable: said so.
            await s.server.stop()
            let gone = try await s.live().catalog(using: ["fal-sim/live/reference-to-video"])
            #expect(gone.unknown["fal-sim/live/reference-to-video"]?.hasPrefix("fal could not be reached") == true)
            // Ids of the wrong shape are never sent anywhere.
            #expect(try await s.live().catalog(using: ["../../etc/passwd"]).unknown.isEmpty)
        }
    }

    @Test func pricesAreKeptFreshFiftyIdsACall() async throws {
        try await with(PlatformScenario(listed: 120)) { s in
            let ids = (0..<120).map { String(format: "fal-sim/listed/%03d", $0) }
            let calls = Calls()
            #expect(await s.live().refreshPrices(ids, onCall: { calls.add($0) }) == nil)
            #expect(calls.values == [50, 50, 20])
            let book = PriceBook(paths: s.paths)
            #expect(ids.allSatisfy { book.price(for: $0)?.amount == 0.01 })
            #expect(ids.allSatisfy { !book.isStale($0, maxAge: 3600) })
            #expect(book.isStale(ids[0], now: Date().addingTimeInterval(7200), maxAge: 3600))
            // An id fal prices at nothing is remembered as such, so it is not asked for on every run.
            #expect(await s.live().refreshPrices(["fal-ai/nope"]) == nil)
            #expect(book.price(for: "fal-ai/nope") == nil && !book.isStale("fal-ai/nope", maxAge: 3600))
            // Without a key: said, nothing sent.
            let before = await s.server.platformRequests().count
            let keyless = LiveCatalog(paths: s.paths, client: try FalClient.withoutKey(endpoints: s.client.endpoints))
            #expect(await keyless.refreshPrices(ids)?.contains("no fal key") == true)
            #expect(await s.server.platformRequests().count == before)
        }
    }

    /// fal-sim judges an endpoint only it knows by its own reading of that endpoint's x-fal: the
    /// 12 s clip is refused with fal's type and ctx (the lesson a client learns), the 4 s one runs.
    @Test func theSimulatorJudgesItsOwnXFal() async throws {
        try await with { s in
            for (file, accepted) in [("long_720p_12s.mp4", false), ("hd_1280x720_4s.mp4", true)] {
                let url = try await s.client.upload(file: TestMedia.path(file))
                let submission = try await s.client.submit(model: clipEdit, input: ["video_url": .string(url.absoluteString), "prompt": "x"])
                var result: QueueResult?
                var failure: FalError?
                for _ in 0..<200 {
                    do throws(FalError) {
                        result = try await s.client.result(submission)
                        break
                    } catch {
                        guard error.kind == .notReady else { failure = error; break }
                    }
                    try await Task.sleep(nanoseconds: 50_000_000)
                }
                if accepted {
                    #expect(result != nil, "\(file): \(failure?.description ?? "no answer")")
                } else {
                    let rejection = try #require(failure?.rejections.first)
                    #expect(rejection.type == "video_duration_too_long")
                    #expect(rejection.ctx["max_duration"]?.numberValue == 6)
                }
            }
        }
    }

    @Test func ageSettings() {
        #expect(LiveCatalog.Settings.parseAge("3600") == 3600)
        #expect(LiveCatalog.Settings.parseAge("90m") == 5400)
        #expect(LiveCatalog.Settings.parseAge("12h") == 43_200)
        #expect(LiveCatalog.Settings.parseAge("7d") == 604_800)
        #expect(LiveCatalog.Settings.parseAge("0") == 0)
        for bad in ["-1", "7 weeks", "nan", "1e308d", "", "d"] { #expect(LiveCatalog.Settings.parseAge(bad) == nil, "\(bad)") }
        let (s, problem) = LiveCatalog.Settings.from(environment: ["PREFLIGHT_OFFLINE": "1", "PREFLIGHT_CATALOG_MAX_AGE": "soon"])
        #expect(s.offline != nil && problem?.contains("PREFLIGHT_CATALOG_MAX_AGE") == true && s.maxAge == LiveCatalog.Settings.defaultMaxAge)
        #expect(LiveCatalog.Settings.from(environment: ["PREFLIGHT_OFFLINE": "0"]).0.offline == nil)
    }
}

final class Calls: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func add(_ v: Int) { lock.lock(); items.append(v); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return items }
}
