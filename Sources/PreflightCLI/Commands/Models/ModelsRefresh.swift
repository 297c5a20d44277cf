import ArgumentParser
import FalClient
import Foundation
import ModelCatalog

struct ModelsRefresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Fetch models' current input schemas and prices from fal and say what changed.",
        discussion: """
        For each endpoint: fal's OpenAPI document (GET {openapi}/api/openapi/queue/openapi.json?endpoint_id=ID, \
        public) and its price (GET {platform}/v1/models/pricing?endpoint_id=ID, with your key; skipped with a \
        note when no key is set). Each is imported as a refreshed layer, kept dated in the state folder \
        (refreshed/), above the bundled catalog and below your own catalog files. The changes against the \
        bundled and user layers are printed: limits tightened or loosened, fields added or now required, \
        price changes. A failure on one id is reported and the others go on (exit 2 when some failed). \
        Base URLs: PREFLIGHT_FAL_OPENAPI_URL, PREFLIGHT_FAL_PLATFORM_URL, or PREFLIGHT_FAL_URL / --fal-url for all.
        """
    )

    @Argument(help: "Endpoint ids to refresh.")
    var ids: [String] = []

    @Flag(help: "Refresh every model the catalog knows.")
    var all = false

    @Flag(help: "Show what would change without saving the refreshed layer.")
    var dryRun = false

    @OptionGroup var fal: FalOptions

    func validate() throws {
        if ids.isEmpty && !all { throw ValidationError("Name endpoint ids to refresh, or give --all for every known model.") }
        if !ids.isEmpty && all { throw ValidationError("Give endpoint ids or --all, not both.") }
    }

    func run() async throws {
        let paths = PreflightPaths()
        let base: Catalog
        do { base = try Catalog.load(paths: paths, refreshed: false) } catch {
            throw Terminal.report(error)
        }
        let client: FalClient
        let env = fal.environment()
        do {
            let endpoints = try FalEndpoints.resolve(environment: env)
            do {
                client = FalClient(key: try FalKey.resolve(environment: env, credentialsFile: fal.credentialsFile), endpoints: endpoints)
            } catch where error.kind == .usage && error.message == "no fal key found" {
                // No key at all is fine here: the documents are public. A malformed key is still an error.
                client = try FalClient.withoutKey(endpoints: endpoints)
                Terminal.err("note: no fal key set: limits are refreshed, prices are not (set FAL_KEY to refresh prices too)")
            }
        } catch {
            Terminal.error(error.message + ". " + error.hint)
            throw Exit.usage
        }
        let targets = all ? base.ids : ids
        let layer = RefreshedLayer(paths: paths)
        var failures: [Int32] = []
        for fetched in await Self.fetch(targets, client: client) {
            if let code = refresh(fetched, base: base, layer: layer) { failures.append(code) }
        }
        if !dryRun && targets.count > failures.count { Terminal.out("refreshed layer: \(layer.folder.path)") }
        throw Exit.forRun(inputCount: targets.count, failures: failures)
    }

    /// What fal answered for one id.
    struct Fetched: Sendable {
        var id: String
        /// The platform base URL that answered.
        var platform: String?
        var document: Result<Data, FalError>
        var price: Result<FalPrice, FalError>?
    }

    /// Every id's document and price, four ids at a time, in the order given.
    static func fetch(_ ids: [String], client: FalClient, width: Int = 4) async -> [Fetched] {
        await withTaskGroup(of: (Int, Fetched).self) { group in
            var results = [Fetched?](repeating: nil, count: ids.count)
            var next = 0
            func start() {
                guard next < ids.count else { return }
                let (i, id) = (next, ids[next])
                next += 1
                group.addTask {
                    let document: Result<Data, FalError>
                    do throws(FalError) { document = .success(try await client.openAPIDocument(for: id)) } catch { document = .failure(error) }
                    let platform = LearnedRequirement.scope(of: client.endpoints.platform)
                    guard case .success = document, client.hasKey else { return (i, Fetched(id: id, platform: platform, document: document)) }
                    let price: Result<FalPrice, FalError>
                    do throws(FalError) { price = .success(try await client.price(for: id)) } catch { price = .failure(error) }
                    return (i, Fetched(id: id, platform: platform, document: document, price: price))
                }
            }
            for _ in 0..<width { start() }
            for await (i, fetched) in group {
                results[i] = fetched
                start()
            }
            return results.compactMap { $0 }
        }
    }

    /// One id: imported, saved and described; the exit code of its failure, or nil.
    private func refresh(_ fetched: Fetched, base: Catalog, layer: RefreshedLayer) -> Int32? {
        let id = fetched.id
        let document: Data
        switch fetched.document {
        case .success(let data): document = data
        case .failure(let error):
            if error.kind == .notFound {
                Terminal.err(Terminal.red("\(id): ") + "fal has no OpenAPI document for this id (404). Check the id; a renamed model has a new one. The catalog keeps its entry.")
            } else {
                Terminal.err(Terminal.red("\(id): ") + error.message + ". " + error.hint)
            }
            return Exit.code(for: error.category).rawValue
        }
        var price: CatalogRefresh.FetchedPrice?
        var notes: [String] = []
        switch fetched.price {
        case .success(let p)?:
            price = CatalogRefresh.FetchedPrice(amount: p.unitPrice, unit: p.unit, currency: p.currency)
        case .failure(let error)? where error.kind == .notFound:
            // fal prices some endpoints per account or not at all: say which, since a price was what was asked.
            notes.append(base.models[id]?.price != nil ? "fal lists no price for it now; the catalog keeps its last one"
                         : "fal lists no price for it: its cost cannot be estimated (--max-cost holds it back unless --allow-unpriced)")
        case .failure(let error)?:
            notes.append("price not refreshed: \(error.message)")
        case nil:
            break
        }
        let outcome: CatalogRefresh.Outcome
        do {
            outcome = try CatalogRefresh.refresh(id: id, document: document, price: price, base: base, paths: PreflightPaths(),
                                                 documentURL: "https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=\(id)")
        } catch {
            Terminal.err(Terminal.red("\(id): ") + "fal's document cannot be imported: \(error.message). The catalog keeps its entry; try again later or report it.")
            return Exit.invalidMedia.rawValue
        }
        if !dryRun {
            do {
                try layer.save(outcome.entry, at: Date(), from: fetched.platform)
                if case .success(let p)? = fetched.price {
                    try PriceBook(paths: PreflightPaths()).record([DatedPrice(endpointID: id, amount: p.unitPrice, unit: p.unit, currency: p.currency, seenAt: Date())], asked: [id])
                }
            } catch {
                Terminal.err(Terminal.red("\(id): ") + "cannot save the refreshed entry in \(layer.folder.path): \(error.localizedDescription)")
                return Exit.notPermitted.rawValue
            }
        }
        let changes = outcome.changes
        Terminal.out("\(id): " + (changes.isEmpty ? "no change" : "\(changes.count) change\(changes.count == 1 ? "" : "s")"))
        for change in changes { Terminal.out("  \(change)") }
        for note in notes + outcome.notes { Terminal.out("  note: \(note)") }
        return nil
    }
}
