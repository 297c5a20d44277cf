import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import PreflightCore

/// What a run reports while it goes, for a progress line.
public enum PrepareEvent: Sendable {
    /// Files found, how many were already done by an earlier run, and their bytes in all.
    case scanned(total: Int, reused: Int, bytes: Int64)
    /// A file's work began: its path and what is being done (probe, copy, reencode...).
    case started(String, String)
    case finished(ManifestRow)
}

/// The counts a run ends with.
public struct PrepareSummary: Sendable {
    /// Every row of the manifest as the run left it, sorted by source.
    public var rows: [ManifestRow]
    /// Rows taken unchanged from the earlier run.
    public var reused: Int
    /// True when the run was stopped (Ctrl-C) or left rows pending: running it again carries on.
    public var interrupted: Bool
    /// Seconds the run took, from the scan to the last row.
    public var wallSeconds: Double
    /// Seconds spent re-encoding in this run, and the media seconds those encodes covered.
    public var encodeSeconds: Double
    /// Media seconds those encodes covered (with `encodeSeconds`, the encode speed).
    public var encodedMediaSeconds: Double
    /// Media seconds of every video row (what re-encoding everything would have had to cover).
    public var totalMediaSeconds: Double
    /// Work seconds (placing, converting) of this run's rows.
    public var workSeconds: Double
    /// Files `fix` made beside their sources (NAME.preflight.EXT), passed over, by relative path.
    public var fixOutputsPassedOver: [String] = []

    /// How many rows ended in `status`.
    public func count(_ status: RowStatus) -> Int { rows.filter { $0.status == status }.count }

    /// Estimated seconds re-encoding every file would have taken beyond this run's work, from the
    /// encode speed measured in this run; nil when nothing was encoded to measure it.
    public var secondsSaved: Double? {
        guard encodeSeconds > 0, encodedMediaSeconds > 0 else { return nil }
        let naive = totalMediaSeconds * encodeSeconds / encodedMediaSeconds
        return max(0, naive - workSeconds)
    }
}

/// One `prepare` run: scan, fingerprint, probe, check and plan many files at once, then place the
/// compliant ones and fix the others (re-encodes on a narrower lane), recording each in the manifest
/// as it finishes.
public final class PrepareRun: Sendable {
    /// What the run was asked to do: folders, models, policy, link mode, shard.
    public let options: PrepareOptions
    let cancel: CancellationFlag
    let events: @Sendable (PrepareEvent) -> Void

    /// A run of `options`; `cancel` stops it between files (the manifest stays whole); `events` hears each file start and end.
    public init(options: PrepareOptions, cancel: CancellationFlag = CancellationFlag(), events: @escaping @Sendable (PrepareEvent) -> Void = { _ in }) {
        self.options = options
        self.cancel = cancel
        self.events = events
    }

    /// The one pipeline every file goes through (probe depth, verdict, plan, verification).
    var pipeline: MediaPipeline {
        var pipeline = MediaPipeline(models: options.models, policy: options.policy, health: options.health)
        // Many files decode at once: one decoder thread each keeps the cores busy without crowding them.
        pipeline.decodeThreads = options.width > 1 ? 1 : 0
        return pipeline
    }

    /// Where the run's manifest is: DEST/preflight-manifest.json, or the shard's own name.
    public var manifestURL: URL { URL(fileURLWithPath: options.output).appendingPathComponent(options.shard?.manifestName ?? Manifest.fileName) }
    /// The manifest's CSV twin, beside it with a .csv extension.
    public var csvURL: URL { manifestURL.deletingPathExtension().appendingPathExtension("csv") }

    /// A file between the scan and its result.
    struct Job: Sendable {
        var file: SourceFile
        var row: ManifestRow
        var info: MediaInfo?
        var plan: FixPlan?
        var previous: ManifestRow?
        /// The earlier run's row holds as it is.
        var reused = false
        /// A dual run whose models cannot share one file: what each model that can take the clip gets.
        var modelPlans: [ModelPlan] = []
        var isEncode: Bool { plan?.action == .reencode || modelPlans.contains { $0.plan?.action == .reencode } }
        /// A file to place or convert (not already done, not refused).
        var needsWork: Bool { !reused && (plan != nil || row.status == .compliant || !modelPlans.isEmpty) }
    }

    /// Scans, probes, checks, plans and writes every file, reusing what an earlier run made; the manifest is written as files finish.
    public func run() async throws(BatchError) -> PrepareSummary {
        let started = Date()
        let settings = options.settingsDigest
        let destination = options.output
        let sourceRoot = URL(fileURLWithPath: options.source).standardizedFileURL.path
        let destinationRoot = URL(fileURLWithPath: destination).standardizedFileURL.path
        if sourceRoot == destinationRoot {
            throw BatchError(.usage, "the output folder is the source folder", hint: "Choose another --out; sources are never modified.")
        }
        var scan = try SourceScanner(root: options.source, exclude: [destination] + options.skip).scan()
        // Names come from the whole tree, so every shard picks the names a single run would.
        let names = OutputNames(sources: scan.files.map(\.relativePath))
        if let shard = options.shard { scan.files.removeAll { !shard.contains($0.relativePath) } }
        do {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw BatchError(.output, "cannot create \(destination): \(error.localizedDescription)", hint: "Choose a folder you can write to.")
        }
        StaleFiles.remove(under: destination)

        let previous = try Manifest.load(manifestURL)
        let previousRows = Dictionary((previous?.rows ?? []).map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first })

        // Rows start as the earlier run left them (their outputs are still what they say) or pending.
        var initial: [String: ManifestRow] = [:]
        for file in scan.files {
            initial[file.relativePath] = previousRows[file.relativePath] ?? ManifestRow(source: file.relativePath, status: .pending, settings: settings, tool: options.tool)
        }
        // Sources gone since the last run: their outputs go too, when untouched since we made them.
        for (source, row) in previousRows where initial[source] == nil {
            removeOutputs(of: row, keeping: [])
        }
        let book = ManifestBook(manifest: Manifest(tool: options.tool, models: options.models.map(\.id), settings: settings, rows: []),
                                rows: initial, url: manifestURL, csv: options.csv ? csvURL : nil)
        try await book.flush()

        // Stage 1, wide: fingerprint, reuse or probe + check + plan.
        let collector = JobCollector()
        await forEachBounded(scan.files, width: options.width) { [self] file in
            guard !cancel.isCancelled else { return }
            let job = await WorkerPool.cpu.run { [self] in self.assess(file, previous: previousRows[file.relativePath], settings: settings, names: names) }
            await collector.add(job)
        }
        var jobs = await collector.jobs
        let reused = jobs.filter(\.reused).count
        let bytes = jobs.reduce(Int64(0)) { $0 &+ max(0, $1.row.sourceStamp?.size ?? 0) }
        events(.scanned(total: scan.files.count, reused: reused, bytes: bytes))
        for job in jobs where !job.needsWork {
            await book.set(job.row)
            events(.finished(job.row))
        }
        jobs.removeAll { !$0.needsWork }

        // Stage 2: cheap work many at once, re-encodes on their own narrower lane, both at the same time.
        let cheap = jobs.filter { !$0.isEncode }.sorted { $0.file.relativePath < $1.file.relativePath }
        let encodes = jobs.filter(\.isEncode).sorted { ($0.info?.duration ?? 0) > ($1.info?.duration ?? 0) } // longest first: fewer idle cores at the end
        let stats = EncodeStats()
        async let cheapLane: Void = forEachBounded(cheap, width: options.width) { [self] job in
            guard !cancel.isCancelled else { return }
            let row = await perform(job, stats: stats)
            await book.set(row)
            events(.finished(row))
        }
        async let encodeLane: Void = forEachBounded(encodes, width: options.encodeWidth) { [self] job in
            guard !cancel.isCancelled else { return }
            let row = await perform(job, stats: stats)
            await book.set(row)
            events(.finished(row))
        }
        _ = await (cheapLane, encodeLane)
        try await book.flush()

        let rows = await book.rows.values.sorted { $0.source < $1.source }
        let (encodeSeconds, encodedMedia, work) = await stats.totals
        let totalMedia = rows.compactMap { $0.probe?.kind == "video" ? $0.probe?.duration : nil }.reduce(0, +)
        var summary = PrepareSummary(rows: rows, reused: reused, interrupted: cancel.isCancelled || rows.contains { $0.status == .pending },
                                     wallSeconds: Date().timeIntervalSince(started), encodeSeconds: encodeSeconds,
                                     encodedMediaSeconds: encodedMedia, totalMediaSeconds: totalMedia, workSeconds: work)
        summary.fixOutputsPassedOver = scan.skipped.filter { $0.reason == SourceScanner.fixOutputReason }.map(\.path)
        return summary
    }

    // MARK: - Stage 1

    /// Fingerprints a file and decides its fate: the earlier row again, a final row (not media,
    /// unfixable, failed), or a plan to carry out. Blocking: runs on the CPU pool.
    func assess(_ file: SourceFile, previous: ManifestRow?, settings: String, names: OutputNames) -> Job {
        var row = ManifestRow(source: file.relativePath, status: .pending, settings: settings, tool: options.tool)
        var job = Job(file: file, row: row, previous: previous)
        let clock = Date()
        let stamp = FileStamp.of(file.path)
        row.sourceStamp = stamp
        if let previous, let stamp, previous.sourceStamp == stamp, let known = previous.fingerprint {
            row.fingerprint = known
        } else {
            events(.started(file.relativePath, "hash"))
            row.fingerprint = try? SHA256.file(file.path)
        }
        row.timings.hash = Date().timeIntervalSince(clock)
        guard row.fingerprint != nil else {
            row.status = .failed
            row.error = "cannot be read"
            job.row = row
            return job
        }
        var known: MediaInfo?
        if let previous, isReusable(previous, fingerprint: row.fingerprint, settings: settings) {
            var again = previous
            again.sourceStamp = stamp
            // The earlier run decoded less than asked now: decode the frames; the output stands
            // unless they turn out damaged.
            guard let asked = options.health, [.compliant, .fixed].contains(previous.status),
                  !Self.covers(previous.health?.scope, asked) else {
                job.row = again
                job.reused = true
                return job
            }
            events(.started(file.relativePath, "decode"))
            if let info = try? pipeline.probeBlocking(file.path) {
                again.health = info.decodeHealth
                if info.decodeHealth?.isUsable != false {
                    job.row = again
                    job.reused = true
                    return job
                }
                removeOutputs(of: previous, keeping: [])
                known = info
            }
        }

        events(.started(file.relativePath, options.health == nil ? "probe" : "decode"))
        let probeClock = Date()
        let pipeline = self.pipeline
        let info: MediaInfo
        do {
            if let known { info = known } else { info = try pipeline.probeBlocking(file.path) }
        } catch {
            row.timings.probe = Date().timeIntervalSince(probeClock)
            // A name that promises media but does not deliver is a failure; an unknown file is simply not media.
            let promisedMedia = MediaFinder.mediaExtensions.contains(URL(fileURLWithPath: file.path).pathExtension.lowercased())
            row.status = (error.code == .notMedia && !promisedMedia) ? .notMedia : .failed
            row.error = error.message + (error.hint.isEmpty ? "" : ". " + error.hint)
            job.row = row
            return job
        }
        row.probe = ProbeSummary(info)
        row.health = info.decodeHealth
        let report = pipeline.check(info)
        row.verdicts = report.verdicts.map { verdict in
            let failures = verdict.violations.filter { $0.failsMedia }
            return ModelOutcome(model: verdict.model, sourcePasses: failures.isEmpty, violations: failures, warnings: verdict.warnings)
        }
        row.timings.probe = Date().timeIntervalSince(probeClock)
        job.info = info
        do {
            // The plan decides, not the verdict alone: a compliant clip the policy changes (turned
            // upright, tone-mapped, deinterlaced) is converted here as `fix` and `submit` convert it.
            let plan = try pipeline.plan(report)
            // Priced as it will be sent: the planned output (a cut bills fewer seconds).
            row.cost = pipeline.cost(report, plan: plan)
            if plan.action == .none {
                row.status = .compliant
                row.output = file.relativePath
                row.plan = PlanSummary(action: "none", steps: [])
                job.row = row
                return job
            }
            row.plan = PlanSummary(plan)
            row.output = names.fixedOutput(for: file.relativePath, format: plan.format)
            job.plan = plan
        } catch {
            row.status = .unfixable
            row.error = error.description
            // Two models that cannot share one file (or one that cannot take the clip at all):
            // each model gets the clip in its own form when it can.
            if options.models.count > 1, case .impossible = error { job.modelPlans = splitByModel(info, row: &row, names: names) }
            if options.models.count > 1, case .conflicting = error { job.modelPlans = splitByModel(info, row: &row, names: names) }
        }
        job.row = row
        return job
    }

    /// Whether a decode check of `scope` covers what `asked` asks for (every frame covers samples).
    static func covers(_ scope: DecodeHealth.Scope?, _ asked: DecodeHealth.Scope) -> Bool {
        switch (scope, asked) {
        case (.full?, _), (.sample?, .sample): true
        default: false
        }
    }

    /// The earlier row still holds: same bytes, same settings and tool, and its output is still the one it recorded.
    func isReusable(_ row: ManifestRow, fingerprint: String?, settings: String) -> Bool {
        guard row.fingerprint == fingerprint, row.settings == settings, row.tool == options.tool else { return false }
        switch row.status {
        case .pending: return false
        case .failed: return !options.retryFailed
        case .notMedia: return true
        case .unfixable:
            // A dual row refused before its models were planned one by one is planned again.
            return options.models.count < 2 || row.perModel != nil
        case .compliant, .fixed, .partial:
            if let perModel = row.perModel {
                return perModel.allSatisfy { m in
                    switch m.status {
                    case .unfixable: true
                    case .compliant, .fixed: isStillOurs(m.output, hash: m.outputHash, stamp: m.outputStamp, method: m.method, source: row.source)
                    default: false
                    }
                }
            }
            return row.status != .partial && isStillOurs(row.output, hash: row.outputHash, stamp: row.outputStamp, method: row.method, source: row.source)
        }
    }

    /// An output is still the one a row recorded: the link to its source, or the bytes it hashed.
    func isStillOurs(_ output: String?, hash: String?, stamp: FileStamp?, method: String?, source: String) -> Bool {
        guard let output, OutputNames.staysInside(output), let hash else { return false }
        let path = options.output + "/" + output
        if method == "symlink" {
            return (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == URL(fileURLWithPath: options.source + "/" + source).standardizedFileURL.path
        }
        guard let now = FileStamp.of(path) else { return false }
        if now == stamp { return true }
        // Touched since: only its bytes can say whether it is still ours.
        return (try? SHA256.file(path)) == hash
    }

    // MARK: - Stage 2

    func perform(_ job: Job, stats: EncodeStats) async -> ManifestRow {
        if !job.modelPlans.isEmpty { return await performPerModel(job, stats: stats) }
        var row = job.row
        guard let output = row.output else { return row }
        let clock = Date()
        switch await make(output, plan: job.plan, job: job, pipeline: pipeline) {
        case .made(let made):
            row.status = job.plan == nil ? .compliant : .fixed
            row.method = made.method
            if let steps = made.steps { row.plan = PlanSummary(action: made.method, steps: steps, kept: row.plan?.kept) }
            row.outputHash = made.hash
            row.outputStamp = made.stamp
        case .stopped:
            return job.previous ?? notReached(row)
        case .refused(let status, let error):
            row.status = status
            row.error = error
            row.output = nil
        }
        row.timings.work = Date().timeIntervalSince(clock)
        if let previous = job.previous { removeOutputs(of: previous, keeping: Set([row.output].compactMap { $0 })) }
        await stats.add(row, encoded: job.isEncode && row.status == .fixed ? (job.info?.duration ?? 0) : 0)
        return row
    }

    /// What making one output came to.
    enum Made {
        case made(Output)
        /// Cancelled: nothing was left under the output's name.
        case stopped
        case refused(RowStatus, String)

        struct Output {
            var method: String
            /// The plan's steps as carried out (nil: a placement).
            var steps: [String]?
            var hash: String?
            var stamp: FileStamp?
        }
    }

    /// Writes `output` (relative to DEST): `plan` carried out by `pipeline` and verified, or the
    /// source placed as it is when there is no plan.
    func make(_ output: String, plan: FixPlan?, job: Job, pipeline: MediaPipeline) async -> Made {
        let target = options.output + "/" + output
        do throws(BatchError) { try DestinationFolder.make(for: output, root: options.output) } catch {
            return .refused(.failed, error.description)
        }
        if let plan, let info = job.info {
            events(.started(job.row.source, plan.action.rawValue))
            let outcome: Result<FixResult, FixError>
            do throws(FixError) {
                outcome = .success(try await pipeline.conform(plan, source: info, output: URL(fileURLWithPath: target), cancel: cancel))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let result):
                guard let hash = try? SHA256.file(target) else { return .refused(.failed, "the output cannot be read back") }
                return .made(.init(method: plan.action.rawValue, steps: result.plan.steps, hash: hash, stamp: FileStamp.of(target)))
            case .failure(.cancelled):
                return .stopped
            case .failure(let error):
                switch error {
                case .impossible, .conflicting: return .refused(.unfixable, error.description)
                default: return .refused(.failed, error.description)
                }
            }
        }
        events(.started(job.row.source, options.link == .copy ? "copy" : "link"))
        do {
            let cancel = self.cancel
            let mode = options.link, source = job.file.path
            let placed = await WorkerPool.cpu.run { Result { () throws(BatchError) in try FilePlacer.place(source, at: target, mode: mode, cancel: { cancel.isCancelled }) } }
            // The same bytes by construction (a clone, an in-kernel copy, a link).
            return .made(.init(method: try placed.get(), steps: nil, hash: job.row.fingerprint, stamp: FileStamp.of(target)))
        } catch {
            if cancel.isCancelled { return .stopped }
            return .refused(.failed, error.description)
        }
    }

    /// A row stopped before its output was placed: what is known, and no output.
    func notReached(_ row: ManifestRow) -> ManifestRow {
        var row = row
        row.status = .pending
        row.output = nil
        row.outputHash = nil
        row.outputStamp = nil
        row.method = nil
        return row
    }

    /// Removes an earlier row's outputs (its own, or each model's) that are no longer outputs
    /// (another name now, or none), and only those still the files we made.
    func removeOutputs(of row: ManifestRow, keeping keep: Set<String>) {
        var made: [(output: String?, method: String?, stamp: FileStamp?)] = []
        if row.status == .compliant || row.status == .fixed { made.append((row.output, row.method, row.outputStamp)) }
        for m in row.perModel ?? [] where m.status == .compliant || m.status == .fixed { made.append((m.output, m.method, m.outputStamp)) }
        for (output, method, stamp) in made {
            // The manifest is a file anyone may edit: never follow it out of the output folder.
            guard let output, !keep.contains(output), OutputNames.staysInside(output) else { continue }
            let path = options.output + "/" + output
            if method == "symlink" || FileStamp.of(path) == stamp { unlink(path) }
        }
    }
}

/// Collects stage 1's jobs from many tasks.
actor JobCollector {
    var jobs: [Job] = []
    func add(_ job: PrepareRun.Job) { jobs.append(job) }
    typealias Job = PrepareRun.Job
}

/// Encode time and media covered, for the time-saved estimate.
actor EncodeStats {
    private var encodeSeconds = 0.0, encodedMedia = 0.0, work = 0.0
    func add(_ row: ManifestRow, encoded media: Double) {
        work += row.timings.work
        if media > 0 { encodeSeconds += row.timings.work; encodedMedia += media }
    }
    var totals: (Double, Double, Double) { (encodeSeconds, encodedMedia, work) }
}

/// Runs `body` over `items`, at most `width` at once.
func forEachBounded<T: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) async -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<max(1, width) {
            guard let item = iterator.next() else { break }
            group.addTask { await body(item) }
        }
        while await group.next() != nil {
            if let item = iterator.next() { group.addTask { await body(item) } }
        }
    }
}

extension PlanSummary {
    /// A plan as the manifest keeps it: its steps, and the part of the source it keeps.
    init(_ plan: FixPlan) {
        self.init(action: plan.action.rawValue, steps: plan.action == .none ? [] : plan.steps,
                  kept: plan.trim.map { KeptPart(start: $0.start, seconds: $0.duration) })
    }
}

extension ProbeSummary {
    init(_ info: MediaInfo) {
        let v = info.primaryVideo
        self.init(kind: info.kind.rawValue, container: info.container.format, duration: info.duration.flatMap { $0.isFinite ? $0 : nil },
                  width: v?.displayWidth, height: v?.displayHeight, videoCodec: v?.codec, audioCodec: info.primaryAudio?.codec,
                  frameRate: v?.averageFrameRate.flatMap { $0.value.isFinite ? $0.value : nil },
                  hdr: v?.hdr?.rawValue, bitDepth: v?.bitDepth, rotation: v.flatMap { $0.rotation == 0 ? nil : $0.rotation },
                  interlaced: v?.interlaced == true ? true : nil)
    }
}
