import Foundation
import Hummingbird
import Logging
import ModelCatalog

/// A local fal-compatible HTTP server: queue (submit, status, status stream, result, cancel),
/// storage (token, upload, multipart, the initiate/PUT fallback) and file serving, with fal's JSON
/// shapes, status codes, headers and key checks. It listens on 127.0.0.1 only.
public final class FalSimulatorServer: Sendable {
    public struct Configuration: Sendable {
        /// 0: any free port.
        public var port: Int
        public var keys: [String]
        public var scenarios: ScenarioBook
        public var catalog: Catalog
        public var storage: URL?
        /// Model documents and prices beyond the catalog's (PlatformRoutes.swift).
        public var platform = PlatformScenario()

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
    private let task = LockedBox<Task<Void, Error>?>(nil)

    public init(_ configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        let storage = configuration.storage ?? FileManager.default.temporaryDirectory.appendingPathComponent("fal-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        state = SimulatorState(storage: storage)
    }

    /// Starts listening on 127.0.0.1 and returns the base URL once the port is bound.
    public func start() async throws -> URL {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        let routes = Routes(server: self, baseURL: { [weak self] in self?.baseURL ?? URL(string: "http://127.0.0.1")! })
        PlatformRoutes(server: self).register(on: router)
        routes.register(on: router)
        var logger = Logger(label: "fal-sim")
        logger.logLevel = .error
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: "fal-sim"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0); continuation.finish() },
            logger: logger
        )
        task.value = Task { try await app.run() }
        var port = 0
        for await p in ports { port = p }
        guard port > 0 else { throw CocoaError(.featureUnsupported) }
        baseBox.value = URL(string: "http://127.0.0.1:\(port)")!
        return baseBox.value!
    }

    private let baseBox = LockedBox<URL?>(nil)
    public var baseURL: URL? { baseBox.value }

    public func stop() async {
        task.value?.cancel()
        _ = try? await task.value?.value
        task.value = nil
    }

    /// Every exchange so far, "METHOD /path -> status".
    public func exchanges() async -> [String] { await state.exchanges }
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
