import FalClient
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog

/// Everything a `prepare` run is given.
public struct PrepareOptions: Sendable {
    /// The source folder (SRC): scanned recursively, never modified.
    public var source: String
    /// The output folder (DEST): outputs keep their relative paths; the manifest lives here.
    public var output: String
    /// The models every file must satisfy (one, or two for a dual run).
    public var models: [ModelSpec]
    /// How files are made ready (the same policy `fix` and `submit` use).
    public var policy: MediaPolicy
    /// How a file that needs no change is placed: a copy (a clone where possible), a symlink or a hard link.
    public var link: LinkMode
    /// Probes, hashes and cheap placements at once.
    public var width: Int
    /// Re-encodes at once (each holds hundreds of MiB and several cores).
    public var encodeWidth: Int
    /// Whether a CSV twin of the manifest is written beside it (`--csv`).
    public var csv: Bool
    /// Try failed files again even when nothing about them changed.
    public var retryFailed: Bool
    /// The tool's version: a new one redoes everything (its planner may decide differently).
    public var tool: String
    /// Only this share of the files (nil: all).
    public var shard: Shard?
    /// Folders never walked besides the output (where `--submit` puts results: walking them would
    /// prepare and send the results themselves on the next run).
    public var skip: [String] = []
    /// Decode every file's frames (or samples of them) before planning; nil: no decode check. Not
    /// part of the settings digest: asking for more later decodes the earlier rows again (a damaged
    /// one is then refused) without converting anything again.
    public var health: DecodeHealth.Scope?

    /// Options for a run from `source` to `output`; `encodeWidth` defaults to a few re-encodes at once.
    public init(source: String, output: String, models: [ModelSpec], policy: MediaPolicy = MediaPolicy(), link: LinkMode = .copy,
                width: Int = ProcessInfo.processInfo.activeProcessorCount, encodeWidth: Int? = nil, csv: Bool = false,
                retryFailed: Bool = false, tool: String, shard: Shard? = nil) {
        self.source = source
        self.output = output
        self.models = models
        self.policy = policy
        self.link = link
        self.width = max(1, width)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // About 1 GiB per encode keeps a 4K encode (about 600 MiB) clear of the memory limit.
        let byMemory = Int(clamping: ProcessInfo.processInfo.physicalMemory >> 30)
        self.encodeWidth = max(1, encodeWidth ?? min(self.width, max(1, cores / 2), max(1, byMemory)))
        self.csv = csv
        self.retryFailed = retryFailed
        self.tool = tool
        self.shard = shard
    }

    /// A digest of whatever besides the source bytes shapes an output; a change redoes every file.
    /// Derived from the values themselves (each model's media fields with their limits, the whole
    /// policy, the link mode, the tool), never from a hand-written list of fields that a new field
    /// would be missing from. Where a limit came from and when it was seen (its source, a refresh's
    /// date), the price and the payload schema shape no output: a `models refresh` that changes no
    /// limit redoes nothing.
    public var settingsDigest: String {
        struct Field: Encodable {
            var name: String
            var kind: MediaFieldKind
            var required: Bool
            var requirement: MediaRequirement
            var conditional: [ConditionalRequirement]
            var normalization: MediaRequirement?
        }
        struct Model: Encodable {
            var id: String
            var media: [Field]
        }
        struct Settings: Encodable {
            var models: [Model]
            var policy: MediaPolicy
            var link: String
            var tool: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Sorted: `--model A --model B` and `--model B --model A` ask for the same outputs.
        let limits = models.sorted { $0.id < $1.id }.map { spec in
            Model(id: spec.id, media: spec.media.map { Field(name: $0.name, kind: $0.kind, required: $0.required, requirement: $0.requirement,
                                                             conditional: $0.conditional, normalization: $0.normalization) })
        }
        let settings = Settings(models: limits, policy: policy, link: link.rawValue, tool: tool)
        var hash = SHA256()
        hash.update((try? encoder.encode(settings)) ?? Data())
        return String(hash.finish().prefix(16))
    }
}
