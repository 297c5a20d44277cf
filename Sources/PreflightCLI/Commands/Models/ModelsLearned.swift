import ArgumentParser
import Foundation
import ModelCatalog

struct ModelsLearned: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learned",
        abstract: "Limits learned from rejections, with the rejection that taught each."
    )

    @Flag(help: "As JSON.")
    var json = false

    func run() async throws {
        let context = try CatalogContext.load()
        let learned = try context.store?.all() ?? []
        if json {
            Terminal.out(try CLIJSON.string(learned))
            return
        }
        guard !learned.isEmpty else {
            Terminal.out("nothing learned yet: limits are learned when a model rejects an input (422) with a stated limit")
            return
        }
        var table = Table("MODEL", "FIELD", "LIMIT", "VALUE", "LEARNED", "FROM THE REJECTION")
        for l in learned {
            let request = l.rejection.requestID.map { " (request \($0))" } ?? ""
            table.add([l.modelID, l.field, l.key.rawValue, l.value.description, l.learnedAt,
                       "\(l.rejection.type): \(l.rejection.message)\(request)"])
        }
        Terminal.out(table.render())
    }
}
