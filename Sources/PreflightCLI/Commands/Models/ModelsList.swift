import ArgumentParser
import Foundation
import ModelCatalog

struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every known model, with its media inputs and price."
    )

    @Option(help: "Only models of this category (video-to-video, image-to-video, lip-sync, upscale...).")
    var category: String?

    @Flag(help: "The full catalog entries as JSON.")
    var json = false

    func run() async throws {
        let context = try await CatalogContext.load()
        let models = context.catalog.ids.compactMap { context.catalog.models[$0] }
            .filter { category == nil || $0.category == category }
        if json {
            Terminal.out(try CLIJSON.string(models))
            return
        }
        var table = Table("MODEL", "CATEGORY", "MEDIA INPUTS", "PRICE", "FROM")
        for m in models {
            let inputs = m.media.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")
            let price = m.price.map { "\(ModelText.number($0.amount)) \($0.currency)/\(ModelText.unit($0.unit))" } ?? "-"
            table.add([m.id, m.category, inputs.isEmpty ? "-" : inputs, price, m.origin])
        }
        Terminal.out(table.render())
        Terminal.err("\(models.count) models")
    }
}
