import ArgumentParser
import FalClient
import Foundation
import LiveCatalog
import ModelCatalog
import Submission

/// The layered catalog as a command sees it: bundled, what was fetched from fal (ids no layer knows
/// are looked up on first use), what was learned against the fal base URL in use, and the user's
/// files. Every command that names models loads it here, so each gets the same lookups.
struct CatalogContext {
    let paths: PreflightPaths
    let catalog: Catalog
    /// nil when the state folder cannot be opened; commands then work without learned limits.
    let journal: Journal?
    /// The queue base URL lessons are read and kept under.
    let learnedScope: String
    /// Why an id stayed unknown, by id (fal does not list it, fal could not be reached...).
    let unknown: [String: String]
    var store: JournalLearnedStore? { journal.map { JournalLearnedStore($0, baseURL: learnedScope) } }

    /// - Parameters:
    ///   - ids: the models the command uses: looked up at fal when no layer knows them, asked about
    ///     again when their fetched entry is old, priced.
    ///   - falURL: the command's --fal-url, when it has one.
    static func load(using ids: [String] = [], falURL: String? = nil) async throws -> CatalogContext {
        let paths = PreflightPaths()
        let configuration = FalOptions.configuration(falURL: falURL)
        let (settings, problem) = LiveCatalog.Settings.from(environment: configuration.environment)
        if let problem { Terminal.err("warning: \(problem)") }
        let client: FalClient
        do throws(FalError) {
            // The base URLs decide which lessons apply (they are kept per fal base URL): a broken
            // one is a usage error here too, not a silent fall back to fal's.
            let endpoints = try configuration.endpoints()
            // The listing is public: a missing or malformed key only means no prices.
            if let key = try? configuration.key() {
                client = FalClient(key: key, endpoints: endpoints)
            } else {
                client = try FalClient.withoutKey(endpoints: endpoints)
            }
        } catch {
            throw Terminal.report(error)
        }
        let scope = LearnedRequirement.scope(of: client.endpoints.queue)
        var journal: Journal?
        var learned: [LearnedRequirement] = []
        do {
            let opened = try Journal(path: paths.database)
            journal = opened
            learned = try JournalLearnedStore(opened, baseURL: scope).all()
        } catch {
            Terminal.err(Terminal.printable("warning: learned requirements unavailable (\(paths.database.path): \(error)); checking without them"))
        }
        let outcome: LiveCatalog.Outcome
        do {
            outcome = try await LiveCatalog(paths: paths, client: client, settings: settings).catalog(using: ids, learned: learned)
        } catch {
            throw Terminal.report(error)
        }
        for note in outcome.notes { Terminal.err(Terminal.printable("note: \(note)")) }
        return CatalogContext(paths: paths, catalog: outcome.catalog, journal: journal, learnedScope: scope, unknown: outcome.unknown)
    }

    /// The models named on the command line and the payload typed for the first of them; a
    /// mistake in either is reported and becomes the documented exit code.
    static func modelsAndPayload(_ ids: [String], _ input: PayloadInput, falURL: String? = nil) async throws -> ([ModelSpec], [String: JSONValue]) {
        let context = try await load(using: ids, falURL: falURL)
        let specs = try ids.map(context.model)
        do {
            return (specs, try input.payload(for: specs.first))
        } catch let failure as CLIFailure {
            throw Terminal.report(failure)
        }
    }

    func model(_ id: String) throws -> ModelSpec {
        do {
            return try catalog.model(id)
        } catch {
            var error = error
            error.reason = unknown[id]
            throw Terminal.report(error)
        }
    }
}
