import ArgumentParser
import Foundation
import ModelCatalog

struct ModelsLearn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Remember the limits stated in a saved 422 answer from fal.",
        discussion: """
        `submit` does this by itself; use this for a rejection met elsewhere (another client, a web \
        playground). The body is fal's {"detail": [{"loc", "msg", "type", "ctx"}]} JSON. The lesson is \
        kept for the fal base URL in use (PREFLIGHT_FAL_URL or --fal-url; fal itself by default).
        """
    )

    @Argument(help: "The model's endpoint id.")
    var id: String

    @Option(help: "The saved 422 response body (JSON).", completion: .file(extensions: ["json"]))
    var rejection: String

    @Option(help: "The media field, when the body's loc does not name it.")
    var field: String?

    @OptionGroup var fal: FalOptions

    func run() async throws {
        let context = try await CatalogContext.load(falURL: fal.falURL)
        guard let store = context.store else { throw Exit.unavailable }
        guard let body = FileManager.default.contents(atPath: rejection) else {
            Terminal.error("\(rejection): cannot read the file; check the path")
            throw Exit.inputMissing
        }
        let rejections = Rejection.parse(body)
        guard !rejections.isEmpty else {
            Terminal.error("\(rejection): not a fal error body ({\"detail\": [...]})")
            throw Exit.invalidMedia
        }
        let lessons = LearnedRequirement.from(rejections, modelID: id, field: field)
        guard !lessons.isEmpty else {
            Terminal.out("no limit to learn: " + rejections.map { "\($0.type) states none" }.joined(separator: "; "))
            return
        }
        try store.record(lessons)
        let scope = context.learnedScope == LearnedRequirement.falBaseURL ? "" : ", for \(context.learnedScope) only"
        for l in lessons { Terminal.out(Terminal.printable("learned \(id) \(l.field) \(l.key.rawValue) = \(l.value) (\(l.rejection.type)\(scope))")) }
    }
}
