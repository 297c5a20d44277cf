import ArgumentParser
import FalSimulator
import ModelCatalog
import Foundation

/// `fal-sim`: the local fal-compatible server, for demos, offline dry runs and scripts.
@main
struct FalSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fal-sim",
        abstract: "A local fal-compatible server on 127.0.0.1: queue, storage and files, with scripted failures.",
        discussion: """
        Models are the bundled catalog's, enforcing their published limits (422s with fal's type and \
        ctx). A scenario file (YAML) sets queue delays and failures per model or per request (header \
        X-Sim-Scenario: NAME); see Sources/FalSimulator/Scenario.swift for every key. It never listens \
        beyond loopback.
        """
    )

    @Option(help: "The port (0: any free one).")
    var port: Int = 8787

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port takes 0 to 65535 (0 picks a free port).") }
    }

    @Option(help: "A scenario file (YAML or JSON).", completion: .file())
    var scenario: String?

    @Option(help: "A model catalog file (preflight's format) layered over the bundled one: the models to simulate.", completion: .file())
    var catalog: String?

    @Option(help: "Where uploaded and generated files are kept (default: a new temporary folder).", completion: .directory)
    var storage: String?

    /// One readable line for a file that could not be loaded (not Foundation's dumps).
    static func explain(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c), DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.keyNotFound(_, let c):
            let at = c.codingPath.map(\.stringValue).joined(separator: ".")
            return (at.isEmpty ? "" : "at \(at): ") + c.debugDescription.replacingOccurrences(of: "\n", with: " ")
        default:
            let ns = error as NSError
            if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError || ns.code == NSFileNoSuchFileError { return "no such file" }
            if ns.domain == NSCocoaErrorDomain { return "cannot be read as UTF-8 text (\(ns.code))" }
            return String(describing: error).replacingOccurrences(of: "\n", with: " ")
        }
    }

    func run() async throws {
        var config = FalSimulatorServer.Configuration(port: port)
        config.storage = storage.map { URL(fileURLWithPath: $0) }
        if let catalog {
            do {
                let text = try String(contentsOfFile: catalog, encoding: .utf8)
                try config.catalog.apply(try CatalogFile.parse(text, name: catalog), origin: "user:\(catalog)")
            } catch {
                FileHandle.standardError.write(Data("fal-sim: \(error)\n".utf8))
                throw ExitCode(64)
            }
        }
        if let scenario {
            do {
                config.scenarios = try ScenarioBook.load(scenario)
                config.platform = try PlatformScenario.load(scenario)
            } catch {
                FileHandle.standardError.write(Data("fal-sim: \(scenario): \(Self.explain(error))\n".utf8))
                throw ExitCode(64)
            }
        }
        let server: FalSimulatorServer
        do { server = try FalSimulatorServer(config) } catch {
            FileHandle.standardError.write(Data("fal-sim: \(error)\n".utf8))
            throw ExitCode(69)
        }
        let base: URL
        do { base = try await server.start() } catch {
            FileHandle.standardError.write(Data("fal-sim: \(error)\n".utf8))
            // Its own temporary storage goes with it (a busy port must leave nothing behind).
            await server.stop()
            throw ExitCode(69)
        }
        FileHandle.standardOutput.write(Data("""
        fal-sim listening on \(base.absoluteString) (loopback only)
          export PREFLIGHT_FAL_URL=\(base.absoluteString)
          export FAL_KEY=\(FalSimulatorServer.testKey)
        Ctrl-C stops it.

        """.utf8))
        // INT, TERM and HUP all stop it cleanly (its own temporary storage is removed).
        let once = OnceFlag()
        var sources: [DispatchSourceSignal] = []
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
                source.setEventHandler { if once.claim() { continuation.resume() } }
                source.resume()
                sources.append(source)
            }
        }
        sources.forEach { $0.cancel() }
        await server.stop()
    }
}



/// True for the first caller only.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}
