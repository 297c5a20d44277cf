import Foundation
import MediaIO
import MediaProbe
import ModelCatalog

/// What `fix` made, and the proof: the output probed again and checked against every model.
public struct FixResult: Codable, Sendable {
    public var plan: FixPlan
    /// The file written; nil when nothing needed doing and no output was demanded.
    public var output: String?
    /// Conversions run (a second one when the first missed a file-size limit).
    public var tries: Int
    /// The output's check against every selected model (always compliant when a file is kept).
    public var report: CheckReport?
    public var notes: [String]
}

/// Carries out a `FixPlan`: writes to a temporary file beside the target, probes and checks the
/// result against every model, and only then renames it into place. The source is never touched;
/// a failure or Ctrl-C leaves nothing behind.
public struct Conformer: Sendable {
    public var models: [ModelSpec]
    public var payload: [String: JSONValue]
    public var field: String?

    public init(models: [ModelSpec], payload: [String: JSONValue] = [:], field: String? = nil) {
        self.models = models
        self.payload = payload
        self.field = field
    }

    /// The default output name: NAME.preflight.EXT beside the source.
    public static func defaultOutput(for source: String, format: String) -> URL {
        let url = URL(fileURLWithPath: source)
        return url.deletingPathExtension().deletingLastPathComponent()
            .appendingPathComponent(url.deletingPathExtension().lastPathComponent + ".preflight." + format)
    }

    /// - Parameter source: the source's probe, when the caller has it (saves probing it again).
    public func run(_ plan: FixPlan, output: URL?, source sourceInfo: MediaInfo? = nil, cancel: CancellationFlag = CancellationFlag(),
                    progress: ((FixProgress) -> Void)? = nil) throws(FixError) -> FixResult {
        let source = URL(fileURLWithPath: plan.source).standardizedFileURL
        if plan.action == .none {
            guard let output else { return FixResult(plan: plan, output: nil, tries: 0, report: nil, notes: ["already compliant: no new file"]) }
            try guardTarget(output, source: source)
            try place(copyOf: source, at: output)
            return FixResult(plan: plan, output: output.path, tries: 0, report: try verify(output.path).0,
                             notes: ["already compliant: copied as it is"])
        }
        let target = output ?? Self.defaultOutput(for: plan.source, format: plan.format)
        try guardTarget(target, source: source)
        let sourceGuard = try SourceGuard(path: plan.source, expectedSize: sourceInfo?.fileSize)

        var plan = plan
        var notes: [String] = []
        for attempt in 1...2 {
            let temporary = OutputTarget.partialName(for: target, suffix: "-\(UInt32.random(in: 0...UInt32.max)).\(plan.format)")
            defer { try? FileManager.default.removeItem(at: temporary) }
            do {
                notes += try convert(plan, source: sourceInfo, to: temporary.path, cancel: cancel, progress: progress)
            } catch {
                // A source cut short mid-read fails as "invalid data": say what really happened.
                try sourceGuard.verifyUnchanged()
                throw error
            }
            if cancel.isCancelled { throw .cancelled }
            try sourceGuard.verifyUnchanged()
            let (report, failures) = try verify(temporary.path)
            if failures.isEmpty {
                let mismatches = PlanAudit.mismatches(report.media, plan: plan, source: sourceInfo)
                if !mismatches.isEmpty { throw .verificationFailed(mismatches) }
                if cancel.isCancelled { throw .cancelled }
                // rename(2): atomic within one folder, and replaces an earlier output of the same name.
                guard rename(temporary.path, target.path) == 0 else {
                    throw .output("cannot write \(target.path): \(String(cString: strerror(errno)))")
                }
                var final = report
                final.file = target.path
                final.media.path = target.path
                return FixResult(plan: plan, output: target.path, tries: attempt, report: final, notes: notes)
            }
            // One more try only for a missed size limit: aim lower, in proportion to the miss.
            guard attempt == 1, plan.action == .reencode, failures.allSatisfy({ $0.rule == LimitKey.maxFileSize.rawValue }),
                  var video = plan.video, let limit = limitBytes(), let duration = report.media.duration, duration > 0 else {
                throw .verificationFailed(failures.map(\.message))
            }
            let actual = Double(report.media.fileSize)
            let current = video.bitRate ?? Int64(clampingRounded: actual * 8 / duration)
            video.bitRate = Int64(clampingRounded: Double(current) * Double(limit) * 0.9 / actual)
            plan.video = video
            notes.append("the first encode was \(ByteCount(Int64(actual))); encoded again at \(video.bitRate! / 1000) kb/s")
        }
        throw .verificationFailed(["still over the size limit after two encodes"])
    }

    private func convert(_ plan: FixPlan, source: MediaInfo?, to path: String, cancel: CancellationFlag,
                         progress: ((FixProgress) -> Void)?) throws(FixError) -> [String] {
        let info: MediaInfo
        if let source, source.path == plan.source { info = source } else {
            do { info = try Prober.probe(plan.source) } catch { throw .media(error.description) }
        }
        switch plan.action {
        case .none:
            return []
        case .rewrap, .trimCopy:
            try StreamCopy(plan: plan, info: info).run(to: path, cancel: cancel)
            return []
        case .reencode:
            guard let video = plan.video else { throw .media("a re-encode plan without video settings") }
            try VideoPipeline(plan: plan, video: video, info: info).run(to: path, cancel: cancel, progress: progress)
            return []
        case .image:
            guard let image = plan.image else { throw .media("an image plan without picture settings") }
            return try ImagePipeline(plan: plan, image: image, info: info).run(to: path)
        }
    }

    /// Probes and checks a written file; the failures are its error violations, payload aside.
    private func verify(_ path: String) throws(FixError) -> (CheckReport, [Violation]) {
        let info: MediaInfo
        do { info = try Prober.probe(path, options: ProbeOptions(depth: .accurate)) } catch {
            throw .verificationFailed(["the output cannot be read back: \(error.message)"])
        }
        let report = Checker().check(info, models: models, payload: payload, field: field)
        let failures = report.verdicts.flatMap(\.violations).filter { !$0.rule.hasPrefix("payload.") }
        return (report, failures)
    }

    private func limitBytes() -> Int64? {
        models.compactMap { spec -> Int64? in
            spec.media.first { $0.kind.element == .video }?.requirement.maxFileSize?.bytes
        }.min()
    }

    private func guardTarget(_ target: URL, source: URL) throws(FixError) {
        if let problem = OutputTarget.problem(output: target.path, source: source.path) { throw .output(problem) }
        // What a run killed with SIGKILL left beside this target (SIGINT/TERM/HUP clean up themselves).
        OutputTarget.removeStalePartials(beside: target)
        if target.standardizedFileURL.resolvingSymlinksInPath() == source.resolvingSymlinksInPath() {
            throw .output("the output would overwrite the source \(source.path); choose another -o")
        }
        var isDirectory: ObjCBool = false
        let folder = target.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .output("the output folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw .output("cannot write in \(folder); choose another -o")
        }
    }

    /// A hard link when possible (no bytes copied), else a copy through a temporary name.
    private func place(copyOf source: URL, at target: URL) throws(FixError) {
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        try? FileManager.default.removeItem(at: temporary)
        do {
            if link(source.path, temporary.path) != 0 { try FileManager.default.copyItem(at: source, to: temporary) }
            guard rename(temporary.path, target.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .output("cannot write \(target.path): \(error.localizedDescription)")
        }
    }
}
