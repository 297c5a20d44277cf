import FalClient
import FalSimulator
import Foundation
import ModelCatalog
import Testing
import TestSupport

/// fal's platform API for models and prices, against fal-sim over loopback: every page of a
/// search, ids 50 a call, the key only where fal needs it.
@Suite struct ModelsAPITests {
    func withPlatform<T>(_ platform: PlatformScenario, _ body: (FalClient, FalSimulatorServer) async throws -> T) async throws -> T {
        var config = FalSimulatorServer.Configuration()
        config.platform = platform
        let server = try FalSimulatorServer(config)
        let base = try await server.start()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
        do {
            let result = try await body(client, server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Every page, over page sizes that divide the listing and that do not: nothing lost, nothing twice.
    @Test(arguments: [1, 7, 20, 500])
    func aSearchFollowsEveryPage(pageSize: Int) async throws {
        try await withPlatform(PlatformScenario(pageSize: pageSize, listed: 30)) { client, server in
            let total = Catalog.bundled().models.count + LiveModel.all.count + 30
            let pages = LockedCount()
            let all = try await client.allModels(onPage: { _ in pages.add() })
            #expect(all.count == total)
            #expect(Set(all.map(\.endpointID)).count == total)
            let expected = (total + pageSize - 1) / pageSize
            #expect(pages.value == expected)
            let listings = await server.platformRequests().filter { $0.path == "/v1/models" }
            #expect(listings.count == expected)
            // The first page without a cursor, every later one with the cursor the page before gave.
            #expect(listings.first?.values("cursor").isEmpty == true)
            #expect(listings.dropFirst().allSatisfy { $0.values("cursor").count == 1 })
            // The listing is public: no key is needed, and none of the pages is refused.
            #expect(listings.allSatisfy { $0.status == 200 })
        }
    }

    @Test func searchByTextAndCategory() async throws {
        try await withPlatform(PlatformScenario(pageSize: 5, listed: 12)) { client, _ in
            let live = try await client.allModels(query: "sim live")
            #expect(Set(live.map(\.endpointID)) == Set(LiveModel.all.map(\.id)))
            let images = try await client.allModels(category: "text-to-image")
            #expect(images.count == 12 && images.allSatisfy { $0.category == "text-to-image" })
            #expect(try await client.allModels(query: "no such model anywhere").isEmpty)
        }
    }

    /// Find mode with the documents inlined; more than 50 ids is refused before anything is sent.
    @Test func endpointsWithTheirDocuments() async throws {
        try await withPlatform(PlatformScenario()) { client, server in
            let ids = ["fal-sim/live/clip-edit", "fal-ai/kling-video/o1/video-to-video/edit", "fal-ai/not-listed"]
            let found = try await client.models(ids)
            #expect(found.map(\.endpointID) == Array(ids.prefix(2)))
            #expect(found[0].openAPI?["info"]?["x-fal-metadata"]?["endpointId"] == .string("fal-sim/live/clip-edit"))
            #expect(found[0].displayName == "Sim live clip edit")
            let request = try #require(await server.platformRequests().last)
            #expect(request.values("endpoint_id") == ids)
            #expect(request.values("expand") == ["openapi-3.0"])
            let before = await server.platformRequests().count
            let many = (0..<51).map { "fal-sim/listed/\($0)" }
            await #expect(throws: FalError.self) { try await client.models(many) }
            await #expect(throws: FalError.self) { try await client.models(["../etc/passwd"]) }
            #expect(await server.platformRequests().count == before)
        }
    }

    /// Prices for many ids: 50 a call, each call's ids the next 50, every price returned once.
    @Test(arguments: [1, 49, 50, 51, 120])
    func pricesAreAskedFiftyAtATime(count: Int) async throws {
        try await withPlatform(PlatformScenario(listed: 120)) { client, server in
            let ids = (0..<count).map { String(format: "fal-sim/listed/%03d", $0) }
            let calls = LockedList()
            let prices = try await client.prices(for: ids + ids.prefix(3), onCall: { calls.add($0) }) // repeats asked once
            #expect(prices.map(\.endpointID) == ids)
            #expect(prices.allSatisfy { $0.unitPrice == 0.01 && $0.unit == "image" && $0.currency == "USD" })
            let sent = await server.platformRequests().filter { $0.path == "/v1/models/pricing" }
            #expect(sent.map { $0.values("endpoint_id").count } == calls.values)
            #expect(sent.allSatisfy { $0.values("endpoint_id").count <= 50 })
            #expect(sent.flatMap { $0.values("endpoint_id") } == ids)
            #expect(sent.count == (count + 49) / 50)
        }
    }

    @Test func pricesNeedAKey() async throws {
        try await withPlatform(PlatformScenario()) { client, server in
            let keyless = try FalClient.withoutKey(endpoints: client.endpoints)
            do throws(FalError) {
                _ = try await keyless.prices(for: ["fal-sim/live/clip-edit"])
                Issue.record("prices without a key")
            } catch {
                #expect(error.kind == .usage)
            }
            #expect(await server.platformRequests().isEmpty)
            let wrong = FalClient(key: try FalKey("wrong-id:wrong-secret"), endpoints: client.endpoints)
            do throws(FalError) {
                _ = try await wrong.prices(for: ["fal-sim/live/clip-edit"])
                Issue.record("prices with a refused key")
            } catch {
                #expect(error.kind == .auth)
            }
            // The listing is public: the keyless client searches.
            #expect(try await keyless.allModels(query: "clip-edit").map(\.endpointID) == ["fal-sim/live/clip-edit"])
        }
    }
}

/// Counters the callbacks of a concurrent call write into.
final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func add(_ v: Int) { lock.lock(); items.append(v); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return items }
}
