import ArgumentParser
import Foundation
import ModelCatalog

struct ModelsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add a model from a fal OpenAPI document.",
        discussion: """
        Reads the input schema (components.schemas), the structured limit lines in its fields' \
        descriptions ("Max file size: 200.0MB, Min width: 720px, ...") and the limits written in their \
        prose ("Shortest side must be at least 400 px", "Max 10 MB each", "(1-9 images)"; marked as read \
        from prose), and writes a catalog entry to \
        your catalog folder, where it overrides the bundled entry of the same id. Get the document from \
        https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=ENDPOINT_ID.
        """
    )

    @Argument(help: "A fal OpenAPI JSON document.", completion: .file(extensions: ["json"]))
    var document: String

    @Flag(help: "Print the entry instead of saving it.")
    var print = false

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: document) else {
            Terminal.error("\(document): cannot read the file; check the path")
            throw Exit.inputMissing
        }
        let entry: CatalogFile.CatalogEntry
        do {
            entry = try OpenAPIImporter.entry(from: data, name: document)
        } catch {
            Terminal.error(error.description)
            throw Exit.invalidMedia
        }
        if let problem = EndpointID.problem(entry.id) {
            Terminal.error("\(document): \(problem) (\"\(entry.id)\"); nothing was saved. Check the document's endpoint id (its x-fal-metadata or servers), or import the document fal publishes for the endpoint")
            throw Exit.invalidMedia
        }
        let text = try CLIJSON.string(CatalogFile(models: [entry]))
        if print {
            Terminal.out(text)
            return
        }
        let paths = PreflightPaths()
        let name = entry.id.replacingOccurrences(of: "/", with: "__") + ".json"
        let target = paths.userCatalogs.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: paths.userCatalogs, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target, options: .atomic)
        let limits = entry.media?.reduce(0) { $0 + ($1.require?.keys.count ?? 0) } ?? 0
        Terminal.out(Terminal.printable("imported \(entry.id): \(entry.media?.count ?? 0) media fields, \(limits) limits, \(entry.payload?.fields?.count ?? 0) payload fields"))
        Terminal.out("saved to \(target.path)")
    }
}
