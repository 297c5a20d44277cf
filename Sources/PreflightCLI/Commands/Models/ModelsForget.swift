import ArgumentParser
import Foundation
import ModelCatalog

struct ModelsForget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Forget limits learned from rejections: a model's, or one field's.",
        discussion: """
        Lessons are kept per fal base URL (the queue a rejection came from): this forgets the ones \
        learned against the base URL in use (PREFLIGHT_FAL_URL, --fal-url, or fal itself). \
        `preflight models learned` lists them. A limit forgotten is learned again by the next \
        rejection that states it.

        Exit codes: 0 forgotten (or nothing to forget); 64 usage; 69 the state folder cannot be opened.
        """
    )

    @Argument(help: "The model's endpoint id.")
    var id: String

    @Argument(help: "Only this media field (e.g. video_url).")
    var field: String?

    @OptionGroup var fal: FalOptions

    func run() async throws {
        let context = try await CatalogContext.load(falURL: fal.falURL)
        guard let store = context.store else { throw Exit.unavailable }
        let gone = try store.forget(modelID: id, field: field)
        let what = field.map { "\(id) \($0)" } ?? id
        guard !gone.isEmpty else {
            Terminal.out(Terminal.printable("nothing learned for \(what) against \(context.learnedScope)"))
            return
        }
        for l in gone { Terminal.out(Terminal.printable("forgot \(l.modelID) \(l.field) \(l.key.rawValue) = \(l.value) (learned from a rejection on \(l.learnedOn))")) }
    }
}
