import Foundation
import PreflightCore
import MediaIO
import MediaProbe
import ModelCatalog

/// What `fix` made, and the proof: the output probed again and checked against every model.
public struct FixResult: Codable, Sendable {
    /// The plan carried out (the second try's, when the first missed a file-size limit).
    public var plan: FixPlan
    /// The file written; nil when nothing needed doing and no output was demanded.
    public var output: String?
    /// Conversions run (a second one when the first missed a file-size limit).
    public var tries: Int
    /// The output's check against every selected model (always compliant when a file is kept).
    public var report: CheckReport?
    /// What is worth knowing about the conversion (a second try, what the policy did), in words.
    public var notes: [String]
}

/// Carries out a `FixPlan`: writes to a temporary file beside the target, probes and checks the
/// result against every model, and only then renames it into place. The source is never touched;
/// a failure or Ctrl-C leaves nothing behind.
package struct Conformer: Sendable {
    /// The models, payload and policy the plan was made under: the verdict on the output is the
    /// pipeline's own check (against the plan's targets), as `check` gives it.
    package var pipeline: MediaPipeline
    /// What an already-compliant file becomes at an output path: a copy unless a link is asked for.
    var link: OutputLink { pipeline.policy.link }

    package init(pipeline: MediaPipeline) {
        self.pipeline = pipeline
    }

    /// The default output name: NAME.preflight.EXT beside the source.
    package static func defaultOutput(for source: String, format: String) -> URL {
        let url = URL(fileURLWithPath: source)
        return url.deletingPathExtension().deletingLastPathComponent()
            .appendingPathComponent(FileNames.fixOutput(stem: url.deletingPathExtension().lastPathComponent, format: format))
    }

    /// - Parameter source: the source's probe, when the caller has it (saves probing it again).
    package func run(_ plan: FixPlan, output: URL?, source sourceInfo: MediaInfo? = nil, cancel: CancellationFlag = CancellationFlag(),
                    progress: ((FixProgress) -> Void)? = nil) throws(FixError) -> FixResult {
        let source = URL(fileURLWithPath: plan.source).standardizedFileURL
        if plan.action == .none {
            // Nothing to change is a verdict too: the file kept must pass the same check, or the
            // fix fails like any other whose output fails.
            guard let output else {
                let (report, failures) = try verify(source.path, targets: plan.targets)
                guard failures.isEmpty else { throw .verificationFailed(failures.map(\.message)) }
                return FixResult(plan: plan, output: nil, tries: 0, report: report, notes: ["no new file written; give -o PATH for a copy (or --link hard|symlink for a link)"])
            }
            try guardTarget(output, source: source)
            try guardName(output, format: plan.format)
            // Judged under the name it will have (a model may read the extension), before it gets it.
            let temporary = try place(source, beside: output)
            defer { try? FileManager.default.removeItem(at: temporary) }
            var (report, failures) = try verify(temporary.path, targets: plan.targets)
            guard failures.isEmpty else { throw .verificationFailed(failures.map(\.message)) }
            guard rename(temporary.path, output.path) == 0 else {
                throw .output("cannot write \(output.path): \(String(cString: strerror(errno)))")
            }
            report.file = output.path
            report.media.path = output.path
            let how = switch link {
            case .copy: "copied as it is"
            case .hard: "a hard link to the source (--link hard: changing one changes both)"
            case .symlink: "a symbolic link to the source (--link symlink)"
            }
            return FixResult(plan: plan, output: output.path, tries: 0, report: report, notes: ["already compliant: " + how])
        }
        let target = output ?? Self.defaultOutput(for: plan.source, format: plan.format)
        try guardTarget(target, source: source)
        let sourceGuard = try SourceGuard(path: plan.source, expectedSize: sourceInfo?.fileSize)
        try guardName(target, format: plan.format)
        let suffix = target.pathExtension.isEmpty ? plan.format : target.pathExtension

        var plan = plan
        var notes: [String] = []
        for attempt in 1...2 {
            let temporary = OutputTarget.partialName(for: target, suffix: "-\(UInt32.random(in: 0...UInt32.max)).\(suffix)")
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
            let (report, failures) = try verify(temporary.path, targets: plan.targets)
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
            guard attempt == 1, plan.action == .reencode, failures.allSatisfy({ $0.rule == .limit(.maxFileSize) || $0.rule == .limit(.maxTotalFileSize) }),
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

    /// Probes a written file, every packet read whatever the probe policy (a written file is proof,
    /// not a guess), and judges it by the pipeline's check against what the plan aimed at; the
    /// failures are its errors.
    private func verify(_ path: String, targets: [String: MediaRequirement]?) throws(FixError) -> (CheckReport, [Violation]) {
        let info: MediaInfo
        do { info = try Prober.probe(path, options: ProbeOptions(depth: .accurate)) } catch {
            throw .verificationFailed(["the output cannot be read back: \(error.message)"])
        }
        let report = pipeline.check(info, targets: targets)
        return (report, report.verdicts.flatMap(\.violations))
    }

    private func limitBytes() -> Int64? {
        pipeline.models.compactMap { spec -> Int64? in
            spec.media.first { $0.kind.element == .video }.flatMap { $0.requirement.maxFileSize ?? $0.requirement.maxTotalFileSize }?.bytes
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

    /// A name whose extension says another format than the one written would mislead every reader
    /// (a model, a player, `check`): refused before anything is written.
    private func guardName(_ target: URL, format: String) throws(FixError) {
        let ext = target.pathExtension.lowercased()
        guard !ext.isEmpty, !MediaFormatName.synonyms(ext).contains(format) else { return }
        let renamed = target.deletingPathExtension().appendingPathExtension(format).lastPathComponent
        throw .output("the output is \(format.uppercased()) (what the models take), but its name \(target.lastPathComponent) says .\(ext); name it \(renamed)")
    }

    /// A copy (or the link asked for) of the source under a temporary name beside the target, with
    /// the target's extension, so it can be judged before it appears whole under its real name.
    private func place(_ source: URL, beside target: URL) throws(FixError) -> URL {
        let suffix = target.pathExtension.isEmpty ? "" : "." + target.pathExtension
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(suffix)")
        do {
            switch link {
            case .copy: try FileManager.default.copyItem(at: source, to: temporary)
            case .hard: guard Foundation.link(source.path, temporary.path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            case .symlink: guard symlink(source.resolvingSymlinksInPath().path, temporary.path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .output("cannot write \(target.path): \(error.localizedDescription)")
        }
        return temporary
    }
}
