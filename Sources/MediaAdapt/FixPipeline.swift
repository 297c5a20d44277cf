import Foundation
import MediaProbe
import ModelCatalog
import PreflightCore

/// probe -> check -> plan -> conform -> verify as one async call, run off the cooperative pool
/// (FFmpeg blocks), shared by `fix`, `submit` and `prepare`.
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

    public init(models: [ModelSpec], payload: [String: JSONValue] = [:], field: String? = nil, options: FixOptions = FixOptions()) {
        self.models = models
        self.payload = payload
        self.field = field
        self.options = options
    }

    /// Only the media verdict (the payload is the caller's business); `nil` violations: passes.
    public static func mediaFailures(_ report: CheckReport) -> [Violation] {
        report.verdicts.flatMap(\.violations).filter { !$0.rule.hasPrefix("payload.") && $0.severity == .error }
    }

    /// Makes `source` acceptable to every model, writing a fixed copy to `output` when needed.
    public func run(source: String, output: URL, cancel: CancellationFlag = CancellationFlag()) async throws(FixError) -> Outcome {
        let pipeline = self
        let result = await Blocking.run { () -> Result<Outcome, FixError> in
            Result { () throws(FixError) in try pipeline.runBlocking(source: source, output: output, cancel: cancel) }
        }
        return try result.get()
    }

    private func runBlocking(source: String, output: URL, cancel: CancellationFlag) throws(FixError) -> Outcome {
        let info: MediaInfo
        do { info = try Prober.probe(source, options: ProbeOptions(depth: .accurate)) } catch { throw .media(error.description) }
        let report = Checker().check(info, models: models, payload: payload, field: field)
        if Self.mediaFailures(report).isEmpty { return .compliant(info) }
        var plan = try FixPlanner(options: options).plan(info, models: models, payload: payload, field: field,
                                                          keyframes: KeyframeLocator.near(path: info.path, stream: info.primaryVideo?.index ?? 0,
                                                                                          containerStart: info.container.startTime ?? 0))
        plan.sourceFingerprint = try? ContentHash.file(source)
        let result = try Conformer(models: models, payload: payload, field: field).run(plan, output: output, source: info, cancel: cancel)
        // Verified means verified: the written file's own check must pass every model.
        if let written = result.report, !Self.mediaFailures(written).isEmpty {
            throw .verificationFailed(Self.mediaFailures(written).map(\.message))
        }
        return .fixed(result)
    }
}
