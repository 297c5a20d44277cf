import Foundation
import Hummingbird
import Logging
import ModelCatalog

/// A local fal-compatible HTTP server: queue (submit, status, status stream, result, cancel),
/// storage (token, upload, multipart, the initiate/PUT fallback) and file serving, with fal's JSON
/// shapes, status codes, headers and key checks. It listens on 127.0.0.1 only.
public final class FalSimulatorServer: Sendable {
    /// What the simulator serves: its port, accepted keys, scenarios, models and storage folder.
    public struct Configuration: Sendable {
        /// 0: any free port.
        public var port: Int
        /// The API keys the simulator accepts (`Key ...`); any other answers 401.
        public var keys: [String]
        /// The scenarios that decide how each request misbehaves.
        public var scenarios: ScenarioBook
        /// The models the simulator knows: their limits decide what it refuses (by its own small checks).
        public var catalog: Catalog
        /// The folder uploads and outputs are kept in; nil: a temporary folder the server makes and removes.
        public var storage: URL?
        /// Model documents and prices beyond the catalog's (PlatformRoutes.swift).
        public var platform = PlatformScenario()

        /// Port 0 takes any free one; `keys` are the keys it accepts; `storage` keeps uploads and outputs (a temporary folder by default).
        public init(port: Int = 0, keys: [String] = [FalSimulatorServer.testKey], scenarios: ScenarioBook = ScenarioBook(),
                    catalog: Catalog = Catalog.bundled(), storage: URL? = nil) {
            self.port = port
            self.keys = keys
            self.scenarios = scenarios
            self.catalog = catalog
            self.storage = storage
        }
    }

    /// An obviously fake key in fal's `<key_id>:<key_secret>` shape.
    public static let testKey = "sim-key-id:sim-key-secret-not-real"

    let configuration: Configuration
    let state: SimulatorState
    /// Calls per route, for scripted faults.
    let faults = FaultCounter()
    private let task = LockedBox<Task<Void, Error>?>(nil)
    /// A storage folder the server made itself, removed again by `stop()` (a folder the caller
    /// named is the caller's and stays).
    private let ownedStorage: URL?

    /// A server for `configuration`; `start()` listens on 127.0.0.1.
    public init(_ configuration: Configuration = Configuration()) throws {
        guard (0...65_535).contains(configuration.port) else { throw FalSimulatorError.badPort(configuration.port) }
        self.configuration = configuration
        let storage = configuration.storage ?? FileManager.default.temporaryDirectory.appendingPathComponent("fal-sim-\(UUID().uuidString)")
        ownedStorage = configuration.storage == nil ? storage : nil
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        state = SimulatorState(storage: storage)
    }

    deinit {
        if let ownedStorage { try? FileManager.default.removeItem(at: ownedStorage) }
    }

    /// Starts listening on 127.0.0.1 and returns the base URL once the port is bound.
    public func start() async throws -> URL {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        let routes = Routes(server: self, baseURL: { [weak self] in self?.baseURL ?? URL(string: "http://127.0.0.1")! })
        PlatformRoutes(server: self).register(on: router)
        routes.register(on: router)
        var logger = Logger(label: "fal-sim")
        logger.logLevel = .critical // a stopped server's cancelled connections are not news
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: "fal-sim"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0); continuation.finish() },
            logger: logger
        )
        // If the server stops before it listens (the port is taken), end the wait with its error.
        task.value = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var port = 0
        for await p in ports { port = p }
        guard port > 0 else {
            var reason = "it stopped before listening"
            do { try await task.value?.value } catch { reason = String(describing: error) }
            task.value = nil
            throw FalSimulatorError.cannotListen(port: configuration.port, reason: reason)
        }
        baseBox.value = URL(string: "http://127.0.0.1:\(port)")!
        return baseBox.value!
    }

    private let baseBox = LockedBox<URL?>(nil)
    /// The server's base URL (http://127.0.0.1:PORT) once it listens; nil before `start()`.
    public var baseURL: URL? { baseBox.value }

    /// Set first thing in `stop()`: open status streams end at their next tick instead of holding a
    /// graceful shutdown open for as long as their request lasts.
    private let stoppingBox = LockedBox(false)
    var isStopping: Bool { stoppingBox.value }

    /// Stops listening and removes the temporary storage it made.
    public func stop() async {
        stoppingBox.value = true
        if let running = task.value {
            running.cancel()
            // A graceful shutdown waits for responses in flight; one that never ends (a peer that
            // stopped reading) must not hang whoever stops the simulator. Wait a bounded time.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await running.value }
                group.addTask { try? await Task.sleep(nanoseconds: 10_000_000_000) }
                await group.next()
                group.cancelAll()
            }
        }
        task.value = nil
        if let ownedStorage { try? FileManager.default.removeItem(at: ownedStorage) }
    }

    /// Every file stored so far (uploads and outputs) is gone, as when fal's storage drops a file
    /// whose lifetime ended: its URL answers 404. The server keeps its address and its requests.
    public func dropStoredFiles() async { await state.dropStoredFiles() }

    /// Scripted faults stop answering: the outage is over.
    public func clearFaults() async { await faults.clear() }

    /// fal's request history stops listing this request (it still runs): the history's no-match path.
    public func forget(_ id: String) async { await state.forget(id) }

    /// Every exchange so far, "METHOD /path -> status".
    public func exchanges() async -> [String] { await state.exchanges }

    /// The ids of every request the simulator accepted, oldest first.
    public func acceptedRequests() async -> [(id: String, model: String)] {
        await state.requests.values.sorted { $0.submittedAt < $1.submittedAt }.map { ($0.id, $0.model) }
    }

    /// The input each accepted request carried, by request id.
    public func acceptedInputs() async -> [String: [String: JSONValue]] {
        await state.requests.mapValues(\.input)
    }

    /// Every `fal_webhook` value submits carried, as the server decoded them.
    public func webhooks() async -> [String] { await state.webhooks }

    /// The X-Fal-* (and content) headers of each storage request, with ":path".
    public func uploadHeaders() async -> [[String: String]] { await state.uploadHeaders }

    /// The X-Fal-* headers of each submit, names lower-cased.
    public func submitHeaders() async -> [[String: String]] { await state.submitHeaders }
}

/// Why the simulator could not start (it listens on loopback only).
public enum FalSimulatorError: Error, CustomStringConvertible {
    case badPort(Int)
    case cannotListen(port: Int, reason: String)

    /// What went wrong and what to do next (another port, or --port 0).
    public var description: String {
        switch self {
        case .badPort(let p): "port \(p) is not a TCP port (0 to 65535; 0 picks a free one)"
        case .cannotListen(let p, let reason):
            "cannot listen on 127.0.0.1:\(p) (\(reason)); is another fal-sim or program using it? Choose another --port, or --port 0 for any free one"
        }
    }
}

/// A value shared across threads under a lock.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
