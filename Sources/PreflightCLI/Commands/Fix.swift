import ArgumentParser
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog

struct Fix: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a file acceptable to one or more models with the cheapest change, and prove it.",
        discussion: """
        Plans the smallest change that satisfies every --model: nothing; a re-wrap (streams copied); \
        a trim on a keyframe (streams copied); or a re-encode that scales (keeping the picture's shape: \
        --fit pad adds bars, --fit crop cuts the overflow), turns rotated video upright, makes pixels \
        square, converts the frame rate, fits a file-size limit, and encodes H.264/AAC. Stills are \
        resized, converted and recompressed the same way.

        The output is written to a temporary file beside the target, probed and checked again against \
        every model, and only then renamed into place (default name: NAME.preflight.EXT beside the \
        source). The source is never modified; Ctrl-C leaves no partial file. When the limits cannot \
        all be met (a 2 s clip for a model that needs 3 s), it says so and writes nothing.

        Exit codes: 0 fixed (or already compliant); 1 cannot be fixed or the output would still fail; \
        64 usage (also an -o that is a device, FIFO, folder or the source itself); 65 not valid media; \
        66 missing or unreadable; 130 interrupted by Ctrl-C (143 SIGTERM, 129 SIGHUP: no partial file is left).
        """
    )

    @Argument(help: "The media file.", completion: .file())
    var file: String

    @Option(name: .customLong("model"), help: ArgumentHelp("A model endpoint id; repeat for several (one output satisfies all).", valueName: "id"))
    var models: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("The output file (default: NAME.preflight.EXT beside the source).", valueName: "path"))
    var output: String?

    @Option(help: "When the shape must change: pad (bars) or crop (cut the overflow).")
    var fit: Fit = .pad

    @Option(help: "When too long, the part kept: start, center or end.")
    var trim: FixOptions.TrimAnchor = .start

    // .unconditional: `--from -5` reaches the check and is refused by name, not "missing value".
    @Option(parsing: .unconditional, help: ArgumentHelp("Keep from this second of the source (0 or more).", valueName: "seconds"))
    var from: Seconds?

    @Option(parsing: .unconditional, help: ArgumentHelp("Keep up to this second of the source.", valueName: "seconds"))
    var to: Seconds?

    @Option(parsing: .unconditional, help: "libx264 constant quality, 0 to 51 (lower is better; 18 is visually lossless for most footage).")
    var crf = ConstantRateFactor(18)

    @Option(help: "libx264 speed preset (ultrafast ... veryslow).")
    var preset: X264Preset = .fast

    @Option(name: .customLong("pad-color"), help: "Bar colour for --fit pad: black, white or gray.")
    var padColor: PadColor = .black

    @Flag(name: .customLong("keep-rotation"), help: "Keep a rotation flag instead of turning the pixels (when nothing else needs a re-encode).")
    var keepRotation = false

    @Flag(help: "Decode and encode even when copying the streams would do.")
    var reencode = false

    @Option(help: "The media field the file goes to (default: the model's first field of the file's kind).")
    var field: String?

    @OptionGroup var payloadInput: PayloadInput

    @Flag(name: .customLong("dry-run"), help: "Print the plan only.")
    var dryRun = false

    @Flag(help: "The plan and the result as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No plan, no progress bar: only errors.")
    var quiet = false

    func validate() throws {
        if models.isEmpty { throw ValidationError("Name at least one model: --model fal-ai/kling-video/o1/video-to-video/edit.") }
        if let from, let to, to.value <= from.value { throw ValidationError("--to must be after --from.") }
        if let to, to.value == 0 { throw ValidationError("--to must be after the start, e.g. --to 5.") }
        if let output {
            // A bad -o is a usage mistake: say so before probing and planning, not after.
            var isDirectory: ObjCBool = false
            let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("-o \(output): the folder \(folder) does not exist; create it or choose another path.")
            }
            // A device, FIFO or the source under another name would be replaced by the rename.
            if let problem = OutputTarget.problem(output: output, source: file) { throw ValidationError("-o " + problem + ".") }
        }
    }

    func run() async throws {
        let (specs, payload) = try CatalogContext.modelsAndPayload(models, payloadInput)
        let info: MediaInfo
        do { info = try Prober.probe(file) } catch {
            Terminal.error(error.description)
            throw ExitCode(error.exitCode)
        }

        var options = FixOptions()
        options.fit = fit
        options.trim = trim
        options.from = from?.value
        options.to = to?.value
        options.crf = crf.value
        options.preset = preset.rawValue
        options.keepRotationFlag = keepRotation
        options.forceReencode = reencode
        options.padColor = padColor.yuv

        let plan: FixPlan
        do {
            plan = try FixPlanner(options: options).plan(info, models: specs, payload: payload, field: field,
                                                          keyframes: KeyframeLocator.near(path: info.path, stream: info.primaryVideo?.index ?? 0,
                                                                                          containerStart: info.container.startTime ?? 0))
        } catch {
            if json { Terminal.out(try CLIJSON.string(["error": error.description])) }
            Terminal.error("\(file): \(error.description)")
            throw Exit.doesNotComply
        }
        if !json && !quiet { Terminal.out(FixRenderer.plan(plan)) }
        if dryRun {
            if json { Terminal.out(try CLIJSON.string(plan)) }
            return
        }

        let cancel = CancellationFlag()
        let interrupt = InterruptWatch(cancel: cancel)
        defer { interrupt.stop() }

        let bar = ProgressBar(enabled: !quiet && !json && plan.action == .reencode)
        let conformer = Conformer(models: specs, payload: payload, field: field)
        let target = output.map { URL(fileURLWithPath: $0) }
        let outcome = await Blocking.run { () -> Result<FixResult, FixError> in
            Result { () throws(FixError) in try conformer.run(plan, output: target, source: info, cancel: cancel, progress: bar.update) }
        }
        bar.finish()
        switch outcome {
        case .success(let result):
            if json { Terminal.out(try CLIJSON.string(result)) } else if !quiet { Terminal.out(FixRenderer.result(result)) }
        case .failure(let error):
            if json { Terminal.out(try CLIJSON.string(["error": error.description])) }
            Terminal.error("\(file): \(error.description)")
            if case .cancelled = error { throw ExitCode(interrupt.exitCode) }
            throw Exit.doesNotComply
        }
    }

}
