import ArgumentParser
import FalClient
import Foundation
import ModelCatalog
import Submission

/// The layered catalog as a command sees it: bundled, the user's files, and what was learned.
struct CatalogContext {
    let paths: PreflightPaths
    let catalog: Catalog
    /// nil when the state folder cannot be opened; commands then work without learned limits.
    let journal: Journal?
    var store: JournalLearnedStore? { journal.map(JournalLearnedStore.init) }

    static func load() throws -> CatalogContext {
        let paths = PreflightPaths()
        var journal: Journal?
        var learned: [LearnedRequirement] = []
        do {
            let opened = try Journal(path: paths.database)
            journal = opened
            learned = try JournalLearnedStore(opened).all()
        } catch {
            Terminal.err(Terminal.printable("warning: learned requirements unavailable (\(paths.database.path): \(error)); checking without them"))
        }
        do {
            return CatalogContext(paths: paths, catalog: try Catalog.load(paths: paths, learned: learned), journal: journal)
        } catch {
            Terminal.error(error.description)
            throw Exit.usage
        }
    }

    /// The models named on the command line and the payload typed for the first of them; a
    /// mistake in either is reported and becomes the documented exit code.
    static func modelsAndPayload(_ ids: [String], _ input: PayloadInput) throws -> ([ModelSpec], [String: JSONValue]) {
        let context = try load()
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
            Terminal.error(error.description)
            throw Exit.usage
        }
    }
}
