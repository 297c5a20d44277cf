import Foundation
import MediaProbe
import ModelCatalog
import PreflightCore

/// `DEST/preflight-manifest.json`: one row per source file, rewritten atomically as files finish,
/// so at any moment every row's output is on disk with the hash the row gives.
public struct Manifest: Codable, Sendable {
    /// The manifest's name inside the output folder.
    public static let fileName = "preflight-manifest.json"
    /// The manifest layout this build writes; bumped when a field changes meaning.
    public static let formatVersion = 1

    /// The layout version the file was written with (`formatVersion` when written by this build).
    public var format = Manifest.formatVersion
    /// The preflight version that wrote the manifest; a run under another version redoes every row.
    public var tool: String
    /// The selected models, in the order given.
    public var models: [String]
    /// Digest of everything besides the source that shapes an output (models' limits, fix options, link mode, tool).
    public var settings: String
    /// Rows sorted by source path.
    public var rows: [ManifestRow]
    /// What sending the ready rows would cost, summed when the manifest is written (read-only
    /// for people and scripts; the rows' `cost` is what counts).
    public var cost: ManifestCost?

    /// An empty-cost manifest; `cost` is summed from the rows when it is encoded.
    public init(tool: String, models: [String], settings: String, rows: [ManifestRow]) {
        self.tool = tool
        self.models = models
        self.settings = settings
        self.rows = rows
    }

    /// Reads the manifest at `url`: nil when there is none yet (a first run), an error when it exists but is
    /// not a manifest this build can read.
    public static func load(_ url: URL) throws(BatchError) -> Manifest? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
        } catch {
            throw BatchError(.manifest, "\(url.path) cannot be read: \(error)",
                             hint: "Move it away to start over (outputs already made will be checked again, not redone if unchanged).")
        }
    }

    /// The manifest as pretty-printed JSON with sorted keys, `cost` summed from the rows first.
    public func encoded() throws(BatchError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var summed = self
        summed.cost = ManifestCost(rows: rows)
        do { return try encoder.encode(summed) } catch { throw BatchError(.manifest, "cannot encode the manifest: \(error)") }
    }

    /// temp + fsync + rename: a reader (or a killed run) sees the old manifest or the new, never half of one.
    public func write(to url: URL, csv: URL? = nil) throws(BatchError) {
        try AtomicFile.write(try encoded(), to: url)
        if let csv { try AtomicFile.write(Data(ManifestCSV.text(self).utf8), to: csv) }
    }
}

/// Where one source file ended in a prepare run.
public enum RowStatus: String, Codable, Sendable {
    /// Already acceptable to every model: copied (or linked) as it is.
    case compliant
    /// Converted, probed again and checked: passes every model.
    case fixed
    /// Ready for some of the models and refused by the others (a dual run whose models cannot
    /// share one file, one of which cannot take the clip at all): `perModel` says which is which.
    case partial
    /// Cannot be made acceptable (too short, conflicting limits...): listed with the reason.
    case unfixable
    /// Corrupt, unreadable, or the conversion failed.
    case failed
    /// Not media (a text file, a sidecar): passed over.
    case notMedia = "not_media"
    /// Not reached (the run was interrupted).
    case pending
}

/// The few probed facts a manifest row keeps about its source.
public struct ProbeSummary: Codable, Sendable, Equatable {
    /// The media kind as `MediaInfo.kind` names it: "video", "audio", "image" or "animated_image".
    public var kind: String
    /// FFmpeg's container (demuxer) name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var container: String
    /// Seconds; nil when unknown (always for a still image).
    public var duration: Double?
    /// Display width in pixels of the primary video (after the sample aspect ratio and rotation); nil for audio.
    public var width: Int?
    /// Display height in pixels of the primary video; nil for audio.
    public var height: Int?
    /// FFmpeg's codec name of the primary video stream; nil without video.
    public var videoCodec: String?
    /// FFmpeg's codec name of the primary audio stream; nil without audio.
    public var audioCodec: String?
    /// Average frames per second of the primary video; nil when unknown or without video.
    public var frameRate: Double?
    /// What a model pipeline may mishandle and the policy acts on: HDR ("pq", "hlg"), the bit depth,
    /// a display rotation (degrees, clockwise), interlacing. Nil when absent (or in older manifests).
    public var hdr: String?
    /// Bits per colour component of the primary video; nil when unknown.
    public var bitDepth: Int?
    /// Degrees clockwise (90, 180 or 270); nil when the picture is stored upright.
    public var rotation: Int?
    /// True when the primary video is interlaced; nil otherwise (progressive or unknown).
    public var interlaced: Bool?
}

/// One model's verdict on a row's source, as the manifest keeps it.
public struct ModelOutcome: Codable, Sendable, Equatable {
    /// The model's endpoint id, e.g. "fal-ai/kling-video/v2.1/standard/image-to-video".
    public var model: String
    /// The source as it was.
    public var sourcePasses: Bool
    /// Violations of the source, in words (for people and older readers; `problems` says the same, structured).
    public var violations: [String]
    /// The same violations as the checker gave them: the rule, whether a fix can repair it, and how.
    public var problems: [Finding]?
    /// What is worth knowing that is not a limit (rotation, HDR, interlacing...), and what the
    /// policy did about it.
    public var advice: [Finding]?

    /// Keeps each violation both as its sentence (`violations`) and structured (`problems`); advice is kept
    /// only when there is some.
    public init(model: String, sourcePasses: Bool, violations: [Violation], warnings: [Violation] = []) {
        self.model = model
        self.sourcePasses = sourcePasses
        self.violations = violations.map(\.message)
        self.problems = violations.map(Finding.init)
        self.advice = warnings.isEmpty ? nil : warnings.map(Finding.init)
    }

    /// One violation or piece of advice, as the manifest keeps it.
    public struct Finding: Codable, Sendable, Equatable {
        /// What the finding is about: a limit's key ("max_duration"), a payload rule or advice ("rotation").
        public var rule: Violation.Rule
        /// The finding in words, as the checker wrote it.
        public var message: String
        /// False when no change to the file can satisfy it (the row is then unfixable).
        public var fixable: Bool
        /// What a fix would do about it, in words ("trim to 10 s"), or why none can.
        public var remedy: String
        /// The day a rejection taught this limit, when fal never published it (a learned limit).
        public var learnedOn: String?

        /// Copies what the manifest keeps of a checker's violation.
        public init(_ v: Violation) {
            rule = v.rule
            message = v.message
            fixable = v.fixable
            remedy = v.remedy
            learnedOn = v.source?.learnedOn
        }
    }
}

/// The plan a row's output was made by, as steps people read.
public struct PlanSummary: Codable, Sendable, Equatable {
    /// none, rewrap, trim_copy, reencode, image (FixPlan.Action), or the placing of a compliant file.
    public var action: String
    /// The plan's steps in words, in the order they were carried out; empty for a file placed as it is.
    public var steps: [String]
    /// The part of the source the output keeps, when the plan cuts it (the report's "before"
    /// picture comes from it, not from what was cut away).
    public var kept: KeptPart?

    /// A plan summary as the manifest keeps it; `kept` only when the plan cuts the source.
    public init(action: String, steps: [String], kept: KeptPart? = nil) {
        self.action = action
        self.steps = steps
        self.kept = kept
    }

    /// Seconds into the source where the kept part starts, and its length.
    public struct KeptPart: Codable, Sendable, Equatable {
        /// Seconds into the source where the kept part starts.
        public var start: Double
        /// Length of the kept part in seconds.
        public var seconds: Double
    }
}

/// Seconds a row spent hashing, probing and working.
public struct Timings: Codable, Sendable, Equatable {
    /// Seconds spent computing the source's SHA-256 (0 when its stamp showed it unchanged).
    public var hash: Double = 0
    /// Seconds spent probing and checking the source.
    public var probe: Double = 0
    /// Seconds spent making the output (placing, rewrapping or re-encoding, and verifying).
    public var work: Double = 0
}

/// One source file of a prepare run: what it is, what each model said, what was made of it and sent.
public struct ManifestRow: Codable, Sendable, Equatable {
    /// Relative to the source folder.
    public var source: String
    /// What stat(2) said about the source when it was hashed: an unchanged stamp lets the next run skip
    /// hashing it again. Nil when the source could not be read.
    public var sourceStamp: FileStamp?
    /// SHA-256 of the source's bytes.
    public var fingerprint: String?
    /// The probed facts of the source; nil when it was not media or could not be probed.
    public var probe: ProbeSummary?
    /// Where the row ended (see `RowStatus`).
    public var status: RowStatus
    /// Each selected model's verdict on the source as it was; empty when it was not probed.
    public var verdicts: [ModelOutcome]
    /// The plan the output was made by; nil for a file placed as it is or not made.
    public var plan: PlanSummary?
    /// How the output was made: clone, copy, symlink, hardlink, rewrap, trim_copy, reencode, image.
    public var method: String?
    /// Relative to the output folder.
    public var output: String?
    /// SHA-256 of the output's bytes (the source's fingerprint when it was placed unchanged); nil without output.
    public var outputHash: String?
    /// What stat(2) said about the output when it was made: a later run re-hashes it when the stamp changed,
    /// to tell whether someone altered it.
    public var outputStamp: FileStamp?
    /// Seconds spent on each stage of this row.
    public var timings: Timings
    /// Why the row failed or could not be fixed, in words with what to do next; nil otherwise.
    public var error: String?
    /// The run settings digest and tool version this row was made under.
    public var settings: String
    /// The preflight version that made this row.
    public var tool: String
    /// Set by `prepare --submit`: the job that sent this row's output, and how it ended.
    public var submission: SubmissionNote?
    /// What decoding the source's frames found (`prepare --health`): each damaged span with its
    /// time and FFmpeg's words; nil when the frames were not decoded.
    public var health: DecodeHealth?
    /// What sending the output would cost at each model (after the plan), with the price's source.
    public var cost: CostSheet?
    /// `prepare --submit --max-cost`: why this ready row was not sent ("ready, not sent: budget").
    public var notSent: String?
    /// A dual run whose models cannot share one file: each model's own outcome and file (the row's
    /// `output`, `plan` and `method` are then empty). Nil when one file serves every model.
    public var perModel: [ModelFile]?

    /// A row with nothing learned yet: no verdicts, output or timings.
    public init(source: String, status: RowStatus, settings: String, tool: String) {
        self.source = source
        self.status = status
        self.verdicts = []
        self.timings = Timings()
        self.settings = settings
        self.tool = tool
    }

    /// True when the row needs attention from a person (a model refused it, or it failed).
    public var needsAttention: Bool { status == .unfixable || status == .failed || status == .partial }

    /// Whether some model gets a file from this row.
    public var isReady: Bool { !deliveries.isEmpty }

    /// What a `--submit` sends from this row: one file for every model, or each model's own file
    /// (only those that got one).
    public var deliveries: [Delivery] {
        if let perModel {
            return perModel.compactMap { m in
                guard m.status == .compliant || m.status == .fixed, let output = m.output, let hash = m.outputHash ?? fingerprint else { return nil }
                return Delivery(models: [m.model], output: output, hash: hash, cost: m.cost)
            }
        }
        guard status == .compliant || status == .fixed, let output, let hash = outputHash ?? fingerprint else { return [] }
        return [Delivery(models: nil, output: output, hash: hash, cost: cost)]
    }

    /// One file a row sends and the models it goes to (nil: every model of the run).
    public struct Delivery: Sendable, Equatable {
        /// The models this file goes to; nil when it goes to every model of the run.
        public var models: [String]?
        /// Relative to the output folder.
        public var output: String
        /// SHA-256 of the file: the journal keys the submission on it, so an unchanged file is not sent twice.
        public var hash: String
        /// What sending this file would cost, when known.
        public var cost: CostSheet?
    }
}

/// One model's outcome and file in a dual run whose models cannot share one file: the clip goes to
/// each model that can take it, in the form that model takes.
public struct ModelFile: Codable, Sendable, Equatable {
    /// The model's endpoint id.
    public var model: String
    /// compliant or fixed (a file was made for this model), unfixable or failed (none), pending.
    public var status: RowStatus
    /// The plan this model's file was made by; nil when the source was placed as it is or no file was made.
    public var plan: PlanSummary?
    /// How this model's file was made: clone, copy, symlink, hardlink, rewrap, trim_copy, reencode, image.
    public var method: String?
    /// Relative to the output folder.
    public var output: String?
    /// SHA-256 of this model's file.
    public var outputHash: String?
    /// What stat(2) said about this model's file when it was made.
    public var outputStamp: FileStamp?
    /// Why no file could be made for this model, in words; nil when one was.
    public var error: String?
    /// What sending this model its file would cost.
    public var cost: CostSheet?
    /// Set by `prepare --submit`: the job that sent this model its file.
    public var submission: SubmissionNote?
    /// `prepare --submit --max-cost`: why this model's ready file was not sent; nil when it was sent or not tried.
    public var notSent: String?

    /// A model's entry with nothing made yet.
    public init(model: String, status: RowStatus) {
        self.model = model
        self.status = status
    }
}

/// The manifest's total: what sending every ready row would cost, and what cannot be priced.
public struct ManifestCost: Codable, Sendable, Equatable {
    /// The sum of every priced ready row's estimate, in `currency`, rounded to the cent.
    public var total: Double
    /// The currency of `total`: "USD", as fal prices.
    public var currency: String
    /// Ready rows with an estimate for every model they go to.
    public var pricedRows: Int
    /// Ready rows in all.
    public var readyRows: Int?
    /// Models without a price, with how many ready rows would go to them.
    public var unpriced: [String: Int]
    /// Where each model's price comes from, and its date.
    public var priceSources: [String: String]

    /// Sums the ready rows' cost sheets: what the manifest shows as its total.
    public init(rows: [ManifestRow]) {
        let ready = rows.filter(\.isReady)
        total = CostSheet.rounded(ready.compactMap { $0.cost?.total }.reduce(0, +))
        currency = "USD"
        pricedRows = ready.filter { $0.cost.map { $0.unpriced.isEmpty } ?? false }.count
        readyRows = ready.count
        var unpriced: [String: Int] = [:]
        var sources: [String: String] = [:]
        for row in ready {
            for line in row.cost?.lines ?? [] where line.wouldSend {
                if line.estimate == nil { unpriced[line.model, default: 0] += 1 }
                if let source = line.priceSource { sources[line.model] = source }
            }
        }
        self.unpriced = unpriced
        priceSources = sources
    }

    /// "2.40 USD for 12 files (prices: ...)", or what cannot be priced.
    public var line: String {
        let ready = readyRows ?? pricedRows
        var text = "estimated cost: \(CostSheet.money(total, currency)) for \(ready) ready file(s)"
        if pricedRows < ready { text += " (the priced models only)" }
        if !unpriced.isEmpty {
            text += "; no price for " + unpriced.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) file(s))" }.joined(separator: ", ")
                + ": `preflight models refresh MODEL` with FAL_KEY fetches fal's price, when fal lists one"
        }
        return text
    }
}

enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws(BatchError) {
        let temporary = URL(fileURLWithPath: FilePlacer.temporaryPath(for: url.path))
        do {
            try data.write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw BatchError(.manifest, "cannot write \(url.path): \(error)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw BatchError(.manifest, "cannot write \(url.path): \(reason)")
        }
    }
}

/// The manifest as a spreadsheet: one line per row, the columns people sort and filter on.
package enum ManifestCSV {
    package static let header = ["source", "status", "fingerprint", "kind", "container", "duration", "width", "height",
                                "video_codec", "audio_codec", "verdicts", "plan", "method", "output", "output_hash",
                                "hash_s", "probe_s", "work_s", "error", "job", "job_state", "health", "per_model"]

    package static func text(_ manifest: Manifest) -> String {
        var lines = [header.joined(separator: ",")]
        for r in manifest.rows {
            let verdicts = r.verdicts.map { "\($0.model)=\($0.sourcePasses ? "pass" : "fail")" }.joined(separator: " ")
            let fields: [String] = [
                r.source, r.status.rawValue, r.fingerprint ?? "", r.probe?.kind ?? "", r.probe?.container ?? "",
                r.probe?.duration.map { String(format: "%.3f", $0) } ?? "", r.probe?.width.map(String.init) ?? "",
                r.probe?.height.map(String.init) ?? "", r.probe?.videoCodec ?? "", r.probe?.audioCodec ?? "", verdicts,
                r.plan?.action ?? "", r.method ?? "", r.output ?? "", r.outputHash ?? "",
                String(format: "%.3f", r.timings.hash), String(format: "%.3f", r.timings.probe), String(format: "%.3f", r.timings.work),
                r.error ?? "", r.submission?.job ?? "", r.submission?.state ?? "",
                r.health.map { h in ([h.verdict.rawValue] + h.spans.prefix(1).map(\.description)).joined(separator: ": ") } ?? "",
                // model=status:output for each model of a row whose models got their own files.
                (r.perModel ?? []).map { "\($0.model)=\($0.status.rawValue)" + ($0.output.map { ":" + $0 } ?? "") }.joined(separator: " "),
            ]
            lines.append(fields.map(quote).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 quoting; a leading = + - @ is prefixed so a spreadsheet does not run it as a formula.
    static func quote(_ field: String) -> String {
        var f = field
        if let first = f.first, "=+-@".contains(first) { f = "'" + f }
        guard f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
