import ArgumentParser
import FalClient
import Foundation
import LiveCatalog
import ModelCatalog

struct ModelsSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search fal's own model list (every page), marking the models that take media.",
        discussion: """
        Asks fal's platform API (GET {platform}/v1/models?q=TEXT&category=C, public) and follows every \
        page. Each model is marked when it takes media input (MEDIA IN: from its catalog entry when \
        preflight knows it, else from fal's category: image-to-video, video-to-video, audio-to-... take \
        media; text-to-image does not). Prices come from fal's pricing API with your key (50 ids a \
        call), kept dated in the state folder; without a key, the prices already kept are shown. \
        Any id found can be used at once: `preflight check FILE --model ID` fetches its limits.

        Exit codes: 0 found (or nothing matched); 64 usage; 75 fal could not be reached; 77 key refused.
        """
    )

    @Argument(help: "Words to look for in the model's id, name, description or category.")
    var text: String?

    @Option(help: "Only this category (image-to-video, video-to-video, text-to-image, ...).")
    var category: String?

    @Flag(help: "Only models that take media input.")
    var mediaOnly = false

    @Flag(help: "One JSON document.")
    var json = false

    @OptionGroup var fal: FalOptions

    func run() async throws {
        let configuration = fal.configuration
        let (settings, _) = LiveCatalog.Settings.from(environment: configuration.environment)
        if let offline = settings.offline {
            Terminal.error("fal is not asked: \(offline); unset it to search fal's list (`preflight models list` shows what is known here)")
            throw Exit.temporary
        }
        let client: FalClient
        do {
            let endpoints = try configuration.endpoints()
            if let key = try? configuration.key() {
                client = FalClient(key: key, endpoints: endpoints)
            } else {
                client = try FalClient.withoutKey(endpoints: endpoints)
            }
        } catch {
            throw Terminal.report(error)
        }
        let found: [FalModel]
        do {
            found = try await client.allModels(query: text, category: category)
        } catch {
            throw Terminal.report(error)
        }
        let paths = PreflightPaths()
        let book = PriceBook(paths: paths)
        var notes: [String] = []
        if client.hasKey {
            let stale = found.map(\.endpointID).filter { book.isStale($0, maxAge: settings.maxAge) }
            if !stale.isEmpty, let note = await LiveCatalog(paths: paths, client: client, settings: settings).refreshPrices(stale) { notes.append(note) }
        } else if !found.isEmpty {
            notes.append("no fal key: prices shown only where one was kept before (set FAL_KEY to fetch them)")
        }
        let catalog = (try? Catalog.load(paths: paths)) ?? Catalog.bundled()
        let rows = found.map { Row(model: $0, known: catalog.models[$0.endpointID], price: book.price(for: $0.endpointID)) }
            .filter { !mediaOnly || $0.takesMedia }
        if json {
            Terminal.out(try CLIJSON.string(rows.map(\.document)))
        } else {
            var table = Table("MODEL", "CATEGORY", "MEDIA IN", "PRICE", "NAME")
            for r in rows {
                table.add([r.model.endpointID, r.model.category ?? "-", r.mediaText, r.priceText, (r.model.displayName ?? "-") + (r.model.status == "deprecated" ? " (deprecated)" : "")])
            }
            Terminal.out(table.render())
        }
        for note in notes { Terminal.err(Terminal.printable("note: \(note)")) }
        Terminal.err("\(rows.count) model\(rows.count == 1 ? "" : "s")" + (mediaOnly ? " taking media" : "") + " at fal")
    }

    struct Row {
        var model: FalModel
        var known: ModelSpec?
        var price: DatedPrice?

        /// From the catalog entry when there is one, else fal's category ("image-to-video": an image goes in).
        var takesMedia: Bool {
            if let known, known.origin != "learned" { return !known.media.isEmpty }
            return Self.categoryTakesMedia(model.category)
        }

        static func categoryTakesMedia(_ category: String?) -> Bool {
            guard let c = category?.lowercased(), let range = c.range(of: "-to-") else { return false }
            let input = c[..<range.lowerBound]
            return ["image", "video", "audio", "speech", "3d", "multi-image", "reference", "images", "videos"].contains { input.contains($0) }
        }

        var mediaText: String {
            if let known, known.origin != "learned", !known.media.isEmpty { return known.media.map(\.kind.element.rawValue).uniqued().joined(separator: "+") }
            return takesMedia ? "yes" : "-"
        }

        var priceText: String {
            if let p = price { return "\(ModelText.number(p.amount)) \(p.currency)/\(p.unit)" }
            if let p = known?.price { return "\(ModelText.number(p.amount)) \(p.currency)/\(ModelText.unit(p.unit)) (catalog)" }
            return "-"
        }

        var document: SearchResult {
            SearchResult(endpointID: model.endpointID, name: model.displayName, category: model.category, status: model.status,
                         mediaInput: takesMedia, inCatalog: known.map { $0.origin }, price: price)
        }
    }

    struct SearchResult: Encodable {
        var endpointID: String
        var name: String?
        var category: String?
        var status: String?
        var mediaInput: Bool
        /// The catalog layer that knows it ("bundled", "refreshed", "user:FILE"), nil when none does.
        var inCatalog: String?
        var price: DatedPrice?

        enum CodingKeys: String, CodingKey {
            case endpointID = "endpoint_id", name, category, status, mediaInput = "media_input", inCatalog = "in_catalog", price
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
