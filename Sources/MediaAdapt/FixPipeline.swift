import Foundation
import MediaProbe
import ModelCatalog
import PreflightCore

/// probe -> check -> plan -> conform -> verify, shared by `fix`, `submit` and `prepare`. Each stage
/// is callable on its own because the callers differ only in what they do between stages: `fix`
/// prints the plan (and stops there with --dry-run), `prepare` plans everything before converting
/// anything. The blocking stages run on the CPU pool, never on the cooperative pool.
public struct FixPipeline: Sendable {
    public enum Outcome: Sendable {
        /// The source already passes every model: nothing written.
        case compliant(MediaInfo)
        /// A verified new file.
        case fixed(FixResult)
    }

    public var models: [ModelSpec]
    public var payload: [String: JSONValue]
    public var field: String?
    public var options: FixOptions
    /// Judge the payload too when verifying (`fix --set/--input`); otherwise only the media.
    public var checksPayload: Bool?

    public init(models: [ModelSpec], payload: [String: JSONValue] = [:], field: String? = nil, options: FixOptions = FixOptions(),
                checksPayload: Bool? = nil) {
        self.models = models
        self.payload = payload
        self.field = field
        self.options = options
        self.checksPayload = checksPayload
    }

    /// Only the media verdict (the payload is the caller's business); empty: passes.
    public static func mediaFailures(_ report: CheckReport) -> [Violation] {
        report.verdicts.flatMap(\.violations).filter { !$0.rule.hasPrefix("payload.") && $0.severity == .error }
    }

    /// Every packet read: a header that understates the length (4 s claimed, 34 s of packets) must
    /// not pass for "nothing to do"; the verification reads the output the same way.
    public static func probe(_ source: String) async throws(ProbeError) -> MediaInfo {
        let result = await WorkerPool.cpu.run { Result { () throws(ProbeError) in try Prober.probe(source, options: ProbeOptions(depth: .accurate)) } }
        return try result.get()
    }

    /// The media verdict of `info` against every model.
    public func check(_ info: MediaInfo) -> CheckReport {
        Checker().check(info, models: models, payload: payload, field: field)
    }

    /// The cheapest plan that satisfies every model (action `.none` when nothing needs to change).
    /// Blocking (keyframe lookup reads the index): call it from the CPU pool or a command's own task.
    public func plan(_ info: MediaInfo) throws(FixError) -> FixPlan {
        try FixPlanner(options: options).plan(info, models: models, payload: payload, field: field,
                                              keyframes: KeyframeLocator.near(path: info.path, stream: info.primaryVideo?.index ?? 0,
                                                                              containerStart: info.container.startTime ?? 0))
    }

    /// Writes `plan` to `output` (a temporary name, verified, then renamed) on the CPU pool.
    /// Verified means verified: the written file's own check must pass every model, whatever the
    /// Conformer decided.
    public func conform(_ plan: FixPlan, source info: MediaInfo, output: URL?, cancel: CancellationFlag = CancellationFlag(),
                        progress: (@Sendable (FixProgress) -> Void)? = nil) async throws(FixError) -> FixResult {
        let conformer = Conformer(models: models, payload: payload, field: field, checksPayload: checksPayload, link: options.link)
        let result = await WorkerPool.cpu.run { () -> Result<FixResult, FixError> in
            Result { () throws(FixError) in try conformer.run(plan, output: output, source: info, cancel: cancel, progress: progress) }
        }
        let written = try result.get()
        if let report = written.report, !Self.mediaFailures(report).isEmpty {
            throw .verificationFailed(Self.mediaFailures(report).map(\.message))
        }
        return written
    }

    /// Makes `source` acceptable to every model, writing a fixed copy to `output` when needed. The
    /// plan carries the source's fingerprint, so a resumed job can tell whether it still applies.
    public func run(source: String, output: URL, cancel: CancellationFlag = CancellationFlag()) async throws(FixError) -> Outcome {
        let info: MediaInfo
        do { info = try await Self.probe(source) } catch { throw .media(error.description) }
        if Self.mediaFailures(check(info)).isEmpty { return .compliant(info) }
        let pipeline = self
        let planned = await WorkerPool.cpu.run { () -> Result<FixPlan, FixError> in
            Result { () throws(FixError) in
                var plan = try pipeline.plan(info)
                plan.sourceFingerprint = try? ContentHash.file(source)
                return plan
            }
        }
        return .fixed(try await conform(try planned.get(), source: info, output: output, cancel: cancel))
    }
}
