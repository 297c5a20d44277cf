import ArgumentParser
import Foundation
import ModelCatalog

struct ModelsLearned: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learned",
        abstract: "Limits learned from rejections, with the rejection that taught each.",
        discussion: """
        Lessons are kept per fal base URL: a simulator's or a staging server's rejection never \
        tightens the catalog for fal itself. This lists those of the base URL in use; --all lists \
        every base URL's. `preflight models forget ID [FIELD]` removes them.
        """
    )

    @Flag(help: "As JSON.")
    var json = false

    @Flag(help: "Every base URL's lessons, not only those of the one in use.")
    var all = false

    @OptionGroup var fal: FalOptions

    func run() async throws {
        let context = try await CatalogContext.load(falURL: fal.falURL)
        let learned = try (all ? context.store?.everywhere() : context.store?.all()) ?? []
        if json {
            Terminal.out(try CLIJSON.string(learned))
            return
        }
        guard !learned.isEmpty else {
            Terminal.out("nothing learned yet" + (all ? "" : " against \(context.learnedScope)")
                         + ": limits are learned when a model rejects an input (422) with a stated limit")
            return
        }
        var table = Table(["MODEL", "FIELD", "LIMIT", "VALUE", "LEARNED"] + (all ? ["BASE URL"] : []) + ["FROM THE REJECTION"])
        for l in learned {
            let request = l.rejection.requestID.map { " (request \($0))" } ?? ""
            table.add([l.modelID, l.field, l.key.rawValue, l.value.description, l.learnedAt] + (all ? [l.baseURL] : [])
                      + ["\(l.rejection.type): \(l.rejection.message)\(request)"])
        }
        Terminal.out(table.render())
    }
}
