import ArgumentParser
import Foundation
import MediaProbe
import ModelCatalog

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check media and a payload against models' published requirements, before paying.",
        discussion: """
        Probes the file once and checks it against every --model: picture size as displayed (rotation \
        and pixel aspect applied), duration, frame rate, format, file size, sound; and the payload \
        against the model's schema (types, enums, ranges, required fields). Every violation is \
        reported at once, with the limit's source and how `preflight fix` can repair it.

        With two or more models it also says whether one output file can satisfy them all.

        Exit codes: 0 compliant; 1 not compliant; 64 usage (unknown model, bad payload file); \
        65 not valid media; 66 missing or unreadable.
        """
    )

    @Argument(help: "The media file.", completion: .file())
    var file: String

    @Option(name: .customLong("model"), help: ArgumentHelp("A model endpoint id; repeat for several.", valueName: "id"))
    var models: [String] = []

    @Option(help: "The media field the file goes to (default: the model's first field of the file's kind).")
    var field: String?

    @OptionGroup var payloadInput: PayloadInput

    @Flag(help: "The report as JSON.")
    var json = false

    func validate() throws {
        if models.isEmpty { throw ValidationError("Name at least one model: --model fal-ai/kling-video/o1/video-to-video/edit (`preflight models list` shows them).") }
    }

    func run() async throws {
        let context = try CatalogContext.load()
        let specs = try models.map(context.model)
        let payload: [String: JSONValue]
        do { payload = try payloadInput.payload(for: specs.first) } catch let failure as CLIFailure {
            Terminal.err(Terminal.red("error: ") + failure.message)
            throw failure.code
        }
        let info: MediaInfo
        do {
            info = try Prober.probe(file)
        } catch {
            Terminal.err(Terminal.red("error: ") + error.description)
            throw ExitCode(error.exitCode)
        }
        let report = Checker().check(info, models: specs, payload: payload, field: field)
        if json {
            Terminal.out(try CLIJSON.string(report))
        } else {
            Terminal.out(CheckRenderer(report: report).render())
        }
        if !report.compliant { throw Exit.doesNotComply }
    }
}
