import ArgumentParser
import Foundation
import PreflightCore
import MediaProbe

struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report what a video, audio file or image really is.",
        discussion: """
        Reads each file through FFmpeg's libraries, in-process. Folders are walked recursively for media \
        files (by extension); files run concurrently. Duration, frame count and size are what a model \
        will see: display size accounts for rotation and non-square pixels, and an estimated duration is \
        marked as such.

        Duration and frame count come from the headers (an MP4 edit list's hidden frames left out), plus \
        every packet (never decoded) when the headers leave the duration unknown or estimated. \
        --accurate always reads every packet; --fast never does.

        Stream parameters (pixel format, field order, profile, colour, sample format...) come from the \
        headers and each stream's first packet (FFmpeg's codec parsers, frame headers; nothing decoded) \
        where that says everything (MP4/MOV with H.264, HEVC, AV1, ProRes, VP9 or Motion JPEG, and AAC, \
        PCM, ALAC or Opus), else from FFmpeg's full analysis, which decodes a frame or more of each \
        stream; field_source in --json says which. --full-analysis always takes the full analysis.

        --decode also decodes every frame of the video and sound a model receives (FFmpeg's frame \
        threads; nothing converted or written) and reports each damaged span with its time and \
        FFmpeg's own message, as `ffmpeg -v error -i FILE -f null -` would find them; --sample \
        decodes only a few seconds at several points (the start, the quarters, the end). The result \
        is decode_health in --json.

        Exit codes: 0 all probed; 65 not valid media, cut short, or (--decode) frames that do not \
        decode (still reported); 66 missing or unreadable; 75 timed out; \
        2 when some of several inputs failed (the others are still reported).
        """
    )

    @Argument(help: "Media files or folders.", completion: .file())
    var paths: [String]

    @Flag(help: "One JSON document for the whole run.")
    var json = false

    @Flag(help: "One JSON line per file, written as each file finishes.")
    var ndjson = false

    @Flag(help: "Read every packet: measured duration, frame count and frame-rate constancy.")
    var accurate = false

    @Flag(help: "Read headers only, even when they leave the duration unknown.")
    var fast = false

    @Flag(help: "Always run FFmpeg's full stream analysis (it decodes frames), never the quick one from headers and first packets.")
    var fullAnalysis = false

    @Flag(help: "Decode every frame and report what does not decode (exit 65 when any frame fails).")
    var decode = false

    @Flag(help: "With --decode: decode a few seconds at several points instead of every frame (large libraries).")
    var sample = false

    // .unconditional: `-j -1` reaches the check and is refused by name, not "missing value".
    @Option(name: [.short, .long], parsing: .unconditional,
            help: ArgumentHelp("Files probed at once, 1 to \(Count.limit).", valueName: "n"))
    var jobs: Count = .processors

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Seconds before giving up on one file, up to \(Int(Seconds.limit)) (0: never).", valueName: "seconds"))
    var timeout = Seconds(30)

    func validate() throws {
        if json && ndjson { throw ValidationError("Choose one of --json and --ndjson.") }
        if accurate && fast { throw ValidationError("Choose one of --accurate and --fast.") }
        if sample && !decode { throw ValidationError("--sample goes with --decode: probe --decode --sample FILE.") }
    }

    func run() async throws {
        let expansion = MediaFinder().expand(paths)
        var options = ProbeOptions(depth: accurate ? .accurate : fast ? .fast : .auto, timeout: timeout.value == 0 ? nil : timeout.value,
                                   analysis: fullAnalysis ? .full : .quick, health: decode ? (sample ? .sample : .full) : nil)
        // One file takes every core's decoder threads; many files at once take one each.
        options.decodeThreads = expansion.files.count >= jobs.value ? 1 : 0
        WorkerPool.cpu.width = jobs.value // -j means what it says, even above the core count
        let runner = ProbeRunner(width: jobs.value, options: options)
        var failures = expansion.failures.map { Exit.code(for: $0.category).rawValue }

        for failure in expansion.failures where !json && !ndjson { report(failure) }
        if ndjson {
            for failure in expansion.failures { Terminal.out(try ProbeJSON.line(.failed(failure))) }
            for await outcome in runner.outcomes(for: expansion.files) {
                Terminal.out(try ProbeJSON.line(.of(outcome.result)))
                if case .failure(let e) = outcome.result { failures.append(Exit.code(for: e.category).rawValue) }
                if case .success(let info) = outcome.result, Self.isDamaged(info) { failures.append(Exit.invalidMedia.rawValue) }
            }
        } else {
            let outcomes = await runner.probeAll(expansion.files)
            failures += outcomes.compactMap { if case .failure(let e) = $0.result { Exit.code(for: e.category).rawValue } else { nil } }
            failures += outcomes.compactMap { if case .success(let info) = $0.result, Self.isDamaged(info) { Exit.invalidMedia.rawValue } else { nil } }
            if json {
                let records = expansion.failures.map { ProbeJSON.Record.failed($0) } + outcomes.map { ProbeJSON.Record.of($0.result) }
                let data = try ProbeJSON.encoder(pretty: true).encode(ProbeJSON.Document(tool: "preflight \(Preflight.version)", files: records))
                Terminal.out(String(decoding: data, as: UTF8.self))
            } else {
                printTable(outcomes)
                for outcome in outcomes {
                    switch outcome.result {
                    case .failure(let e): report(e)
                    case .success(let info): reportDamage(info)
                    }
                }
                let probed = outcomes.count - outcomes.filter { if case .failure = $0.result { true } else { false } }.count
                if outcomes.count + expansion.failures.count > 1 {
                    let damaged = outcomes.filter { if case .success(let info) = $0.result { Self.isDamaged(info) } else { false } }.count
                    Terminal.err("\(probed) of \(outcomes.count) files probed, \(failures.count - damaged) failed"
                                 + (damaged > 0 ? ", \(damaged) cut short or damaged" : "")
                                 + (expansion.skipped > 0 ? ", \(expansion.skipped) non-media \(expansion.skipped == 1 ? "file" : "files") skipped" : ""))
                }
            }
        }
        let code = Exit.forRun(inputCount: expansion.files.count + expansion.failures.count, failures: failures)
        if code != Exit.success { throw code }
    }

    private func report(_ e: ProbeError) {
        Terminal.report(e)
    }

    /// Cut short, or frames that do not decode: still media, reported, and exit 65.
    static func isDamaged(_ info: MediaInfo) -> Bool {
        info.truncation != nil || (info.decodeHealth.map { $0.verdict != .healthy } ?? false)
    }

    private func reportDamage(_ info: MediaInfo) {
        if let t = info.truncation {
            Terminal.error("\(info.path): cut short: \(t.lossText) (\(t.evidence)). Copy it again; fix and prepare convert it up to its last whole frame")
        }
        guard let health = info.decodeHealth else { return }
        let scope = health.scope == .sample ? " (sampled: \(Format.seconds(health.checkedSeconds ?? 0)) decoded)" : ""
        switch health.verdict {
        case .healthy: break
        case .undecodable:
            Terminal.error("\(info.path): \(health.problemText)\(scope)")
        case .damaged:
            for span in health.spans {
                Terminal.error("\(info.path): \(span.cutShort ? "cut short" : "does not decode") \(span)" + (span.errorCount > 1 ? " (\(span.errorCount) errors)" : "") + scope)
            }
        }
    }

    private func printTable(_ outcomes: [ProbeOutcome]) {
        var table = Table("FILE", "KIND", "FORMAT", "DURATION", "VIDEO", "AUDIO", "SIZE")
        for outcome in outcomes {
            guard case .success(let info) = outcome.result else { continue }
            table.add(ProbeRow(info).cells)
        }
        if !table.rows.isEmpty { Terminal.out(table.render()) }
    }
}
