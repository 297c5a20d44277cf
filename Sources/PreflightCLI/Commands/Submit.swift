import ArgumentParser
import FalClient
import Foundation
import MediaProbe
import PreflightCore
import MediaAdapt
import ModelCatalog
import Submission

extension SubmitSettings.FixMode: ExpressibleByArgument {}
extension FalClient.SubmitOptions.Priority: ExpressibleByArgument {}

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a file to one or two models on fal and bring every result home.",
        discussion: """
        Pre-flight first: the file and the payload are checked against everything known of each \
        model (published limits and limits learned from earlier rejections) and, with --fix auto \
        (the default), fixed and verified. Nothing is uploaded or paid for while a known requirement \
        fails. Then: upload (an upload of the same bytes is reused while its URL is trusted), submit, \
        follow the status (stream, or polling), fetch the result and download every output into \
        --out (default ./preflight-out): OUT/CLIP/MODEL/CLIP.MODEL.EXT, with result.json beside them.

        Two --model: each gets media fixed for its own limits; both run at once; when one fails the \
        other's result is kept. Capacity failures, fal's front door, the network and 408/409/429 \
        are retried with backoff; input rejections, the key, billing, moderation and a passed \
        --start-timeout never are. A submit whose answer was lost is never sent again blindly: the \
        job says so and `preflight resume` / `retry` settle it. Every step is in the journal first.

        Before anything is uploaded, every frame of the file is decoded (--health full, the \
        default: a paid generation on a file whose middle does not decode is money lost; sample \
        decodes a few seconds at several points, off none): a file whose frames do not decode is \
        refused with each damaged span and FFmpeg's message; a cut-short one is converted up to \
        its last whole frame (--fix auto).

        Ctrl-C once: cancel the requests at fal (with --detach: leave them running; `preflight \
        resume JOB` fetches them); SIGTERM and SIGHUP leave them running. Twice: exit at once; the \
        journal stays consistent.

        Exit codes: 0 every model succeeded; 1 refused or failed; 2 one of two failed; 64 usage (also: no key found); \
        65 not media; 66 missing file; 75 temporary (capacity, network), or left running at fal \
        (--detach): `preflight resume` later; 77 the key was refused, or billing.
        """
    )

    @Argument(help: "The media file (several: one job each, run --jobs at a time).", completion: .file())
    var files: [String]

    @Option(name: [.short, .long], help: ArgumentHelp("Jobs at once when several files are given.", valueName: "n"))
    var jobs: Int = 8

    @Option(name: .customLong("model"), help: ArgumentHelp("A model endpoint id; give two for a dual run.", valueName: "id"), completion: ModelCompletion.kind)
    var models: [String] = []

    @OptionGroup var payloadInput: PayloadInput

    @Option(help: "The media field the file goes to (default: the model's field of the file's kind).")
    var field: String?

    @Option(help: "auto: carry out the plan (what fails is fixed, and the media policy applied; the plan is shown); never: refuse instead.")
    var fix: SubmitSettings.FixMode = .auto

    @OptionGroup(title: "How the media is made ready (the same on fix, submit and prepare)") var media: MediaPolicyOptions

    @Option(help: ArgumentHelp("Decode the frames before paying: full, sample (a few seconds at several points) or off.", valueName: "full|sample|off"))
    var health: HealthMode = .full

    @Option(help: ArgumentHelp("Where results go (default ./preflight-out); each job gets its own folder.", valueName: "dir"))
    var out: String = "preflight-out"

    @Option(name: .customLong("start-timeout"), help: ArgumentHelp("Seconds for fal to start the request (more than 1).", valueName: "s"))
    var startTimeout: Seconds?

    @Option(help: ArgumentHelp("Seconds to wait for the whole job; then cancel (or leave it with --detach).", valueName: "s"))
    var timeout: Seconds?

    @Flag(help: "On Ctrl-C or --timeout, leave requests running at fal; `preflight resume JOB` fetches them.")
    var detach = false

    @Option(name: .customLong("max-cost"), help: ArgumentHelp("Refuse when the estimate of what would be sent (after the planned cut) is higher, or cannot be made (USD).", valueName: "usd"))
    var maxCost: Money?

    @Flag(name: .customLong("allow-unpriced"), help: "With --max-cost: send to a model whose price is unknown (its cost cannot be bounded); without it, such a model is refused.")
    var allowUnpriced = false

    @Option(help: ArgumentHelp("Switch to this model, in the same run, when one keeps failing for capacity.", valueName: "id"))
    var fallback: String?

    @Flag(name: .customLong("allow-fal-fallbacks"), help: "Let fal reroute the request to an equivalent endpoint after its own retries (by default it is asked not to: the model you chose is the one that runs and is billed).")
    var allowFalFallbacks = false

    @Option(help: "fal queue priority: normal or low.")
    var priority: FalClient.SubmitOptions.Priority?

    @Flag(name: .customLong("no-fal-retry"), help: "Ask fal not to requeue the request on runner failures (X-Fal-No-Retry).")
    var noFalRetry = false

    @Option(name: .customLong("object-lifetime"), help: ArgumentHelp("Seconds fal should keep uploaded and generated files.", valueName: "s"))
    var objectLifetime: Int?

    @Flag(name: .customLong("no-store-io"), help: "Ask fal not to keep the request's inputs and outputs (X-Fal-Store-IO: 0).")
    var noStoreIO = false

    @Option(name: .customLong("runner-hint"), help: ArgumentHelp("Route to a runner holding this session (X-Fal-Runner-Hint).", valueName: "id"))
    var runnerHint: String?

    @Option(name: .customLong("max-transfers"), help: ArgumentHelp("Network transfers (uploads, API calls, downloads) at once.", valueName: "n"))
    var maxTransfers: Int = 32

    @Flag(name: .shortAndLong, help: "Only errors and the output paths.")
    var quiet = false

    @OptionGroup var fal: FalOptions

    func validate() throws {
        if !(1...1024).contains(maxTransfers) { throw ValidationError("--max-transfers takes 1 to 1024.") }
        if models.isEmpty { throw ValidationError("Name a model: --model fal-ai/kling-video/o1/video-to-video/edit.") }
        if !(1...256).contains(jobs) { throw ValidationError("--jobs takes 1 to 256.") }
        if models.count > 2 { throw ValidationError("submit takes one or two --model (a dual run); use prepare --submit for more.") }
        if Set(models).count != models.count { throw ValidationError("The same --model twice: name two different models for a dual run.") }
        if let t = startTimeout?.value, !(t.isFinite && t > 1 && t <= 86_400) { throw ValidationError("--start-timeout takes seconds, more than 1 (e.g. 60).") }
        if let t = timeout?.value, !(t.isFinite && t > 0 && t <= 7 * 86_400) { throw ValidationError("--timeout takes seconds, more than 0 (e.g. 900).") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("--out \(out) is a file; name a folder (it is made if missing).")
        }
        if let l = objectLifetime, l < 1 { throw ValidationError("--object-lifetime takes seconds, at least 1 (e.g. 86400).") }
        if let h = runnerHint, h.isEmpty || h.count > 256 || h.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            throw ValidationError("--runner-hint takes 1 to 256 printable ASCII characters (the session id fal gave you).")
        }
    }

    func run() async throws {
        WorkerPool.transfers.width = maxTransfers
        let context = try await CatalogContext.load(using: models + [fallback].compactMap { $0 }, falURL: fal.falURL)
        let specs = try models.map(context.model)
        if let fallback { _ = try context.model(fallback) }
        let payload: [String: JSONValue]
        do { payload = try payloadInput.payload(for: specs.first) } catch let f as CLIFailure {
            throw Terminal.report(f)
        }
        // Refuse what probe refuses (missing, a folder, /dev/zero, a pipe, not media) before any job.
        for file in files {
            do { _ = try Prober.probe(file) } catch {
                throw Terminal.report(error)
            }
        }
        let engine = try SubmissionSession.engine(context: context, fal: fal, quiet: quiet)
        var settings = SubmitSettings()
        settings.fix = fix
        settings.policy = media.policy
        settings.health = health.scope
        settings.field = field
        settings.startTimeout = startTimeout?.value
        settings.timeout = timeout?.value
        settings.detach = detach
        settings.maxCost = maxCost?.value
        settings.fallback = fallback
        settings.priority = priority
        settings.noRetry = noFalRetry
        settings.objectLifetime = objectLifetime
        settings.storeIO = noStoreIO ? false : nil
        settings.runnerHint = runnerHint
        settings.allowUnpriced = allowUnpriced
        settings.allowFalFallbacks = allowFalFallbacks
        var ids: [String] = []
        for file in files {
            do { ids.append(try engine.create(source: file, models: models, payload: payload, settings: settings, outRoot: URL(fileURLWithPath: out)).id) } catch {
                throw Terminal.report(error)
            }
            if !quiet { Terminal.err("job \(ids.last ?? ""): \(Redactor.printable(file)) -> \(models.joined(separator: " + "))") }
        }
        try await SubmissionSession.carryOut(engine, jobs: ids, concurrency: jobs, detach: detach, quiet: quiet)
    }
}
