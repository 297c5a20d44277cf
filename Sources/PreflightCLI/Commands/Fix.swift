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
        square, converts the frame rate, fits a file-size limit, deinterlaces (bwdif), tone-maps HDR \
        to SDR BT.709 (zscale + tonemap), and encodes what the model and container take (H.264 or \
        VP9; AAC, MP3, Opus or PCM), or refuses a combination no encoder here makes. A cut lands \
        --margin frames inside a duration limit. Stills are resized, converted and recompressed the \
        same way.

        The output is written to a temporary file beside the target, probed again (every packet) and \
        judged by the same code as `check` against every model, and only then renamed into place \
        (default name: NAME.preflight.EXT beside the source). An already-compliant file given -o is \
        copied (--link hard|symlink for a link). The source is never modified; Ctrl-C leaves no partial file. When the limits cannot \
        all be met (a 2 s clip for a model that needs 3 s), it says so and writes nothing.

        Exit codes: 0 fixed (or already compliant); 1 cannot be fixed or the output would still fail; \
        64 usage (also an -o that is a device, FIFO, folder or the source itself, or whose name says another format than the one written); 65 not valid media; \
        66 missing or unreadable; 130 interrupted by Ctrl-C (143 SIGTERM, 129 SIGHUP: no partial file is left).
        """
    )

    @Argument(help: "The media file.", completion: .file())
    var file: String

    @Option(name: .customLong("model"), help: ArgumentHelp("A model endpoint id; repeat for several (one output satisfies all).", valueName: "id"), completion: ModelCompletion.kind)
    var models: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("The output file (default: NAME.preflight.EXT beside the source).", valueName: "path"))
    var output: String?

    @OptionGroup(title: "How the media is made ready (the same on fix, submit and prepare)") var media: MediaPolicyOptions

    @Option(help: ArgumentHelp("An already-compliant file written to -o is a copy; hard or symlink makes a link to the source instead.", valueName: "hard|symlink"))
    var link: LinkChoice?

    enum LinkChoice: String, ExpressibleByArgument, CaseIterable {
        case hard, symlink
    }

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
        // Ctrl-C is handled from the start: the probe reads every packet, which takes a moment on a
        // long file, and an interrupt then must still end as 130 with nothing written.
        let cancel = CancellationFlag()
        let interrupt = InterruptWatch(cancel: cancel)
        defer { interrupt.stop() }
        let (specs, payload) = try await CatalogContext.modelsAndPayload(models, payloadInput)
        var policy = media.policy
        policy.outputFormat = output.map { URL(fileURLWithPath: $0).pathExtension.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        policy.link = link.flatMap { OutputLink(rawValue: $0.rawValue) } ?? .copy
        // The same pipeline `check`, `submit` and `prepare` run; `fix` stops between its stages to show the plan.
        let pipeline = MediaPipeline(models: specs, payload: payload, field: field, policy: policy, checksPayload: payloadInput.given)
        let info: MediaInfo
        do { info = try await pipeline.probe(file) } catch { throw Terminal.report(error) }

        let plan: FixPlan
        do {
            plan = try pipeline.plan(pipeline.check(info))
        } catch {
            if json { Terminal.out(try CLIJSON.string(["error": error.description])) }
            throw Terminal.report(error, about: file)
        }
        if !json && !quiet { Terminal.out(FixRenderer.plan(plan)) }
        if dryRun {
            if json { Terminal.out(try CLIJSON.string(plan)) }
            return
        }

        if cancel.isCancelled { throw ExitCode(interrupt.exitCode) }

        let bar = ProgressBar(enabled: !quiet && !json && plan.action == .reencode)
        let target = output.map { URL(fileURLWithPath: $0) }
        let outcome: Result<FixResult, FixError>
        do throws(FixError) {
            outcome = .success(try await pipeline.conform(plan, source: info, output: target, cancel: cancel, progress: bar.update))
        } catch {
            outcome = .failure(error)
        }
        bar.finish()
        switch outcome {
        case .success(let result):
            if json { Terminal.out(try CLIJSON.string(result)) } else if !quiet { Terminal.out(FixRenderer.result(result)) }
            // Exit 0 only on a verdict that passes every model; the Conformer throws before this, but
            // the exit code must not depend on that.
            guard let report = result.report, report.compliant else {
                Terminal.error("\(file): the result was not verified against every model")
                throw Exit.doesNotComply
            }
        case .failure(let error):
            if json { Terminal.out(try CLIJSON.string(["error": error.description])) }
            if case .cancelled = error {
                Terminal.report(error, about: file)
                throw ExitCode(interrupt.exitCode)
            }
            throw Terminal.report(error, about: file)
        }
    }

}

extension ToneMapCurve: ExpressibleByArgument {}
extension DeinterlaceMode: ExpressibleByArgument {}
