import Foundation
import MediaProbe
import ModelCatalog
import PreflightCore

/// probe -> check -> plan -> conform -> verify: the one way from a file to a verdict and a file a
/// model takes. `check`, `fix`, `prepare`, `submit` and library users all go through it, so they
/// read a file to the same depth, reach the same verdict, make the same plan under the same
/// policy and verify the same way. Each stage is callable on its own because the callers differ
/// only in what they do between stages: `check` stops after the verdict, `fix` prints the plan
/// (and stops there with --dry-run), `prepare` plans everything before converting anything. The
/// blocking stages run on the CPU pool, never on the cooperative pool.
public struct MediaPipeline: Sendable {
    /// What making a file ready came to: already compliant (nothing written), or a verified new file.
    public enum Outcome: Sendable {
        /// The source already passes every model and the policy changes nothing: nothing written.
        case compliant(MediaInfo)
        /// A verified new file.
        case fixed(FixResult)
    }

    /// The models the file must satisfy (one verdict each, one plan for all when one file can serve them).
    public var models: [ModelSpec]
    /// The payload the file goes with: conditional limits, the payload check and the price read it.
    public var payload: [String: JSONValue]
    /// The media field the file goes to; nil picks the model's first field of the file's kind.
    public var field: String?
    /// How the file is made ready: fit, trim, tone-mapping, encoder settings.
    public var policy: MediaPolicy
    /// Judge the payload too (it was given); otherwise only the media.
    public var checksPayload: Bool
    /// Decode the frames before judging (every one, or samples): a file whose frames do not decode
    /// then fails `check` and is refused by `plan`, before anything is converted or paid for. Nil:
    /// frames are decoded only by a conversion.
    public var health: DecodeHealth.Scope?
    /// Decoder threads for that; 0 lets FFmpeg choose (one file at a time), 1 suits many at once.
    public var decodeThreads = 0

    /// The pipeline for `models` (the payload and media field, when known, make the check and the price exact) under `policy`.
    public init(models: [ModelSpec], payload: [String: JSONValue] = [:], field: String? = nil, policy: MediaPolicy = MediaPolicy(),
                checksPayload: Bool? = nil, health: DecodeHealth.Scope? = nil) {
        self.models = models
        self.payload = payload
        self.field = field
        self.policy = policy
        self.checksPayload = checksPayload ?? !payload.isEmpty
        self.health = health
    }

    // MARK: - Probe

    /// The probe policy, for every command: every packet is read whenever a verdict (or a price)
    /// depends on the length or the frame count, because a header can understate it (4 s claimed,
    /// 34 s of packets) and only the packets say what a model will measure; otherwise the headers
    /// do, and the prober still reads packets when they leave the length unknown or estimated, or
    /// when the container shows the file cut short. Frames are decoded when `health` asks.
    public static func probeDepth(for models: [ModelSpec]) -> ProbeOptions.Depth {
        models.contains(where: dependsOnLength) ? .accurate : .auto
    }

    static func dependsOnLength(_ spec: ModelSpec) -> Bool {
        let lengthKeys: [LimitKey] = [.minDuration, .maxDuration, .minTotalDuration, .maxTotalDuration]
        let perSecond = spec.price.map { [.secondOfOutput, .secondOfInput, .minuteOfInput].contains($0.unit) } ?? false
        return perSecond || spec.media.contains { field in
            ([field.requirement] + field.conditional.map(\.requirement)).contains { r in lengthKeys.contains { r.value($0) != nil } }
        }
    }

    /// The probe options every stage uses: the depth `probeDepth(for:)` gives, the decode check, threads.
    public var probeOptions: ProbeOptions {
        var options = ProbeOptions(depth: Self.probeDepth(for: models), health: health)
        options.decodeThreads = decodeThreads
        return options
    }

    /// Probes `path` as the policy says, on the CPU pool.
    public func probe(_ path: String) async throws(ProbeError) -> MediaInfo {
        let options = probeOptions
        let result = await WorkerPool.cpu.run { Result { () throws(ProbeError) in try Prober.probe(path, options: options) } }
        return try result.get()
    }

    /// The same, for a caller already on a thread where blocking is fine.
    public func probeBlocking(_ path: String) throws(ProbeError) -> MediaInfo {
        try Prober.probe(path, options: probeOptions)
    }

    // MARK: - Check

    /// Every model's verdict on `info` (and the payload, when it is judged), with each piece of
    /// advice saying what this policy does about it.
    public func check(_ info: MediaInfo, targets: [String: MediaRequirement]? = nil) -> CheckReport {
        var report = Checker(checksPayload: checksPayload).check(info, models: models, payload: payload, field: field, targets: targets)
        for v in report.verdicts.indices {
            for w in report.verdicts[v].warnings.indices {
                if let remedy = policy.remedy(for: report.verdicts[v].warnings[w].rule) { report.verdicts[v].warnings[w].remedy = remedy }
            }
        }
        return report
    }

    /// Only the media verdict (the payload is the caller's business); empty: passes.
    public static func mediaFailures(_ report: CheckReport) -> [Violation] {
        report.verdicts.flatMap(\.violations).filter(\.failsMedia)
    }

    // MARK: - Plan

    /// The cheapest plan that satisfies every model under the policy (action `.none` when nothing
    /// needs to change), from the verdict `check` gave. Blocking (keyframe lookup reads the index):
    /// call it from the CPU pool or a command's own task.
    public func plan(_ report: CheckReport) throws(FixError) -> FixPlan {
        let info = report.media
        return try FixPlanner(policy: policy).plan(report, models: models,
                                                   keyframes: KeyframeLocator.near(path: info.path, stream: info.primaryVideo?.index ?? 0,
                                                                                   containerStart: info.container.startTime ?? 0))
    }

    /// What one model gets when no single file serves every model: its own verdict, its own plan
    /// (or why it cannot take the file), and the cost of sending it that file.
    public struct ModelRoute: Sendable {
        /// The model this route is for.
        public var model: ModelSpec
        /// The model's own verdict on the source.
        public var report: CheckReport
        /// The plan that makes the source acceptable to this model, or why none can.
        public var plan: Result<FixPlan, FixError>
        /// This model's line: after its own plan, or not sent when it cannot take the file.
        public var cost: CostSheet
    }

    /// Each model judged and planned on its own, through this pipeline with that model alone: the
    /// one way a dual run splits (`prepare` gives each model its own file, `check` prices each
    /// model's own plan). Blocking, as `plan` is.
    public func planEach(_ info: MediaInfo) -> [ModelRoute] {
        models.map { spec in
            var single = self
            single.models = [spec]
            let report = single.check(info)
            let plan = Result { () throws(FixError) in try single.plan(report) }
            var cost = single.cost(report, plan: try? plan.get())
            if case .failure = plan {
                // A model that cannot take the file is sent nothing, whatever its verdict says.
                cost.lines = cost.lines.map { var line = $0; line.wouldSend = false; return line }
            }
            return ModelRoute(model: spec, report: report, plan: plan, cost: cost)
        }
    }

    // MARK: - Cost

    /// `report` with each model's cost of what would be sent: after the plan when one can be made
    /// (each verdict's `cost` too, so every reader sees the same figure).
    public func priced(_ report: CheckReport) -> CheckReport {
        var priced = report
        let sheet: CostSheet
        if let plan = try? plan(report) {
            sheet = cost(report, plan: plan)
            priced.conversion = plan.action.rawValue
        } else if models.count > 1 {
            // No single file for every model: each is priced for what it would get on its own.
            let routes = planEach(report.media)
            sheet = CostSheet(lines: routes.flatMap(\.cost.lines), afterPlan: routes.contains { $0.cost.afterPlan })
            let taking = routes.filter { (try? $0.plan.get()) != nil }.count
            if taking > 0 { priced.conversion = taking == routes.count ? "per_model" : "some_models" }
        } else {
            sheet = cost(report, plan: nil)
        }
        priced.cost = sheet
        for i in priced.verdicts.indices { priced.verdicts[i].cost = sheet.lines.first { $0.model == priced.verdicts[i].model }?.estimate }
        return priced
    }

    /// What each model would charge for what would be sent: the planned output when the plan
    /// changes the file (a cut bills fewer seconds, a resize may change the tier), else the source.
    public func cost(_ report: CheckReport, plan: FixPlan?) -> CostSheet {
        // A model that refuses the file whatever is done to it is sent nothing.
        let refusing = Set(report.verdicts.filter { $0.violations.contains { !$0.fixable && !$0.rule.isPayload } }.map(\.model))
        guard let plan, plan.action != .none else {
            return CostSheet.price(report.media, models: models, payload: payload, field: field, afterPlan: false, refusing: refusing)
        }
        return CostSheet.price(Self.planned(report.media, plan), models: models, payload: payload, field: field, afterPlan: true, refusing: refusing)
    }

    /// The media as the plan will write it: its length, and its picture size (upright, square pixels).
    static func planned(_ source: MediaInfo, _ plan: FixPlan) -> MediaInfo {
        var media = source
        if let seconds = plan.duration ?? plan.trim?.duration {
            media.container.duration = seconds
            for i in media.video.indices { media.video[i].duration = seconds }
            for i in media.audio.indices { media.audio[i].duration = seconds }
        }
        let size = plan.video.map { ($0.width, $0.height) } ?? plan.image.map { ($0.width, $0.height) }
        if let (w, h) = size, !media.video.isEmpty {
            media.video[0].width = w
            media.video[0].height = h
            media.video[0].displayWidth = w
            media.video[0].displayHeight = h
            media.video[0].rotation = 0
        }
        if plan.audio == .drop { media.audio = [] }
        return media
    }

    // MARK: - Conform

    /// Writes `plan` to `output` (a temporary name, verified, then renamed) on the CPU pool.
    /// Verified means verified: the written file's own check against the plan's targets must pass
    /// every model, whatever the Conformer decided.
    public func conform(_ plan: FixPlan, source info: MediaInfo, output: URL?, cancel: CancellationFlag = CancellationFlag(),
                        progress: (@Sendable (FixProgress) -> Void)? = nil) async throws(FixError) -> FixResult {
        let conformer = Conformer(pipeline: self)
        let result = await WorkerPool.cpu.run { () -> Result<FixResult, FixError> in
            Result { () throws(FixError) in try conformer.run(plan, output: output, source: info, cancel: cancel, progress: progress) }
        }
        let written = try result.get()
        if let report = written.report, !Self.mediaFailures(report).isEmpty {
            throw .verificationFailed(Self.mediaFailures(report).map(\.message))
        }
        return written
    }

    /// Probes, checks and plans `source`; then, when the plan changes anything, writes the conformed
    /// copy to `output`. The plan carries the source's fingerprint, so a resumed job can tell whether
    /// it still applies.
    public func run(source: String, output: URL, cancel: CancellationFlag = CancellationFlag()) async throws(FixError) -> Outcome {
        let info: MediaInfo
        do { info = try await probe(source) } catch { throw .media(error.description) }
        let pipeline = self
        let planned = await WorkerPool.cpu.run { () -> Result<FixPlan, FixError> in
            Result { () throws(FixError) in
                var plan = try pipeline.plan(pipeline.check(info))
                plan.sourceFingerprint = try? ContentHash.file(source)
                return plan
            }
        }
        let plan = try planned.get()
        if plan.action == .none { return .compliant(info) }
        return .fixed(try await conform(plan, source: info, output: output, cancel: cancel))
    }
}
