import ArgumentParser
import Foundation
import PreflightCore
import MediaProbe
import MediaAdapt
import ModelCatalog

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check media and a payload against models' published requirements, before paying.",
        discussion: """
        Probes each file once and checks it against every --model: picture size as displayed (rotation \
        and pixel aspect applied), duration, frame rate, format, file size, sound; and the payload \
        against the model's schema (types, enums, ranges, required fields). Every violation is \
        reported at once, with the limit's source and how `preflight fix` can repair it. With no \
        --set or --input at all, only the media is judged and the report says the payload was not checked.

        With two or more models it also says whether one output file can satisfy them all. With \
        several files or a folder, files are checked concurrently and summarised one line each.

        A model id no catalog layer knows is looked up at fal first (its schema and x-fal limits, kept \
        dated in the state folder); with no network, or PREFLIGHT_OFFLINE=1, it is an unknown model (64) \
        and the message says what to do. See `preflight models --help` for the layers.

        Exit codes: 0 compliant; 1 not compliant; 2 some files could not be probed (several files); \
        64 usage (unknown model, bad payload file); 65 not valid media; 66 missing or unreadable.
        """
    )

    @Argument(help: "Media files or folders.", completion: .file())
    var paths: [String]

    @Option(name: .customLong("model"), help: ArgumentHelp("A model endpoint id; repeat for several.", valueName: "id"), completion: ModelCompletion.kind)
    var models: [String] = []

    @Option(help: "The media field the file goes to (default: the model's first field of the file's kind).")
    var field: String?

    @OptionGroup var payloadInput: PayloadInput

    // The same policy as fix, prepare and submit, so check says what they would do (SENT AS, and
    // each warning's remedy) under the options they will be given.
    @OptionGroup(title: "How the media is made ready (the same on fix, submit and prepare)") var media: MediaPolicyOptions

    @Flag(help: "One JSON document: the report, or for several files {\"reports\": [...], \"errors\": [...]}.")
    var json = false

    @Flag(help: "One JSON report per line, written as each file is checked.")
    var ndjson = false

    @Option(name: [.short, .long], parsing: .unconditional,
            help: ArgumentHelp("Files checked at once, 1 to \(Count.limit).", valueName: "n"))
    var jobs: Count = .processors

    func validate() throws {
        if models.isEmpty { throw ValidationError("Name at least one model: --model fal-ai/kling-video/o1/video-to-video/edit (`preflight models list` shows them).") }
        if json && ndjson { throw ValidationError("Choose one of --json and --ndjson.") }
    }

    func run() async throws {
        let (specs, payload) = try await CatalogContext.modelsAndPayload(models, payloadInput)
        // No payload at all: the question is "is this clip OK for X"; judge the media only, and say so.
        // The same pipeline fix, prepare and submit run: the same probe depth, the same verdict,
        // and advice that says what their (default) policy does.
        let pipeline = MediaPipeline(models: specs, payload: payload, field: field, policy: media.policy, checksPayload: payloadInput.given)
        let expansion = MediaFinder().expand(paths)
        if expansion.fixOutputs > 0 && !(json || ndjson) {
            Terminal.err("passed over \(expansion.fixOutputs) file(s) `preflight fix` made beside their sources (NAME.preflight.EXT: copies, not footage)")
        }
        let single = expansion.files.count == 1 && expansion.failures.isEmpty && !isFolder(paths[0])

        if single {
            let report: CheckReport
            do { report = pipeline.priced(pipeline.check(try await pipeline.probe(expansion.files[0]))) } catch {
                if json || ndjson { Terminal.out(try CLIJSON.string(ProbeJSON.Record.failed(error), pretty: !ndjson)) }
                throw Terminal.report(error)
            }
            Terminal.out(json || ndjson ? try CLIJSON.string(report, pretty: !ndjson) : CheckRenderer(report: report).render())
            if !report.compliant { throw Exit.doesNotComply }
            return
        }

        var reports: [CheckReport] = [], errors = expansion.failures
        for e in expansion.failures where !json {
            if ndjson { Terminal.out(try CLIJSON.string(ProbeJSON.Record.failed(e), pretty: false)) } else { Terminal.error(e.description) }
        }
        WorkerPool.cpu.width = jobs.value // -j means what it says, even above the core count
        for await outcome in ProbeRunner(width: jobs.value, options: pipeline.probeOptions).outcomes(for: expansion.files) {
            switch outcome.result {
            case .success(let info):
                let report = pipeline.priced(pipeline.check(info))
                if ndjson { Terminal.out(try CLIJSON.string(report, pretty: false)) }
                reports.append(report)
            case .failure(let e):
                if ndjson { Terminal.out(try CLIJSON.string(ProbeJSON.Record.failed(e), pretty: false)) }
                errors.append(e)
            }
        }
        reports.sort { $0.file < $1.file }
        if json {
            Terminal.out(try CLIJSON.string(BatchDocument(reports: reports, errors: errors.map(ProbeJSON.Record.failed))))
        } else if !ndjson {
            Terminal.out(CheckSummary(reports: reports, models: specs).render())
            Terminal.err(CheckSummary.costLine(reports))
            for e in errors.sorted(by: { $0.path < $1.path }) where !expansion.failures.contains(e) { Terminal.error(e.description) }
            let passing = reports.filter(\.compliant).count
            // Passing every limit is not the same as sent as it is: the policy converts HDR,
            // interlaced and flag-rotated clips too (the SENT AS column says which).
            let converted = reports.filter { $0.compliant && $0.conversion != "none" }.count
            Terminal.err("\(reports.count + errors.count) files: \(passing) compliant"
                         + (converted > 0 ? " (\(converted) of them still converted by the policy: HDR tone-mapped, deinterlaced or turned upright; see SENT AS)" : "")
                         + ", \(reports.count - passing) not, \(errors.count) could not be read")
        }
        if !errors.isEmpty { throw Exit.someItemsFailed }
        if reports.contains(where: { !$0.compliant }) { throw Exit.doesNotComply }
    }

    private func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    struct BatchDocument: Encodable {
        var reports: [CheckReport]
        var errors: [ProbeJSON.Record]
    }
}
