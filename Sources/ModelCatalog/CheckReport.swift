import MediaProbe

/// How `fix` could repair a violation; the FixPlanner turns these into a plan.
public enum RepairKind: String, Codable, Sendable {
    /// Copy the streams into another container, no re-encode.
    case rewrap
    /// Decode and encode again (codec, pixel format, bit depth).
    case reencode
    /// Resize, keeping the picture's aspect.
    case scale
    /// Change the aspect: letterbox (pad) or fill and crop.
    case padOrCrop = "pad_or_crop"
    /// Cut to a shorter length.
    case trim
    /// Drop or duplicate frames to a new constant rate.
    case changeFrameRate = "change_frame_rate"
    /// Re-encode to a lower bit rate (video) or quality (images).
    case reduceSize = "reduce_size"
    case dropAudio = "drop_audio"
    /// Re-encode a still into another picture format.
    case convertImage = "convert_image"
    /// Turn the pixels upright instead of relying on a display matrix.
    case bakeRotation = "bake_rotation"
}

/// Whether a finding stops the file (error) or is worth knowing (warning).
public enum Severity: String, Codable, Sendable {
    /// The model will reject it (or the check cannot pass).
    case error
    /// Worth knowing; does not fail the check.
    case warning
}

/// One way the media or the payload misses what a model requires.
public struct Violation: Codable, Sendable, Equatable {
    /// What a violation is about. In JSON it is the string it always was: a limit's key
    /// ("max_duration"), a payload rule ("payload.enum"), a rule over several fields
    /// ("files.max_count") or advice ("rotation").
    public enum Rule: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// A limit on the media (published, from fal's schema, or learned).
        case limit(LimitKey)
        /// The payload's own mistake: the user's to fix, never the file's.
        case payload(PayloadRule)
        /// A rule over several media fields of the payload.
        case fieldGroup(FieldGroupKind)
        /// Not a limit: something models handle badly, or a measurement to trust less.
        case advice(Advice)
        /// A rule this version does not know (read from a file a newer version wrote).
        case unknown(String)

        /// The kinds of payload finding: a missing field, a wrong type, out of range, not allowed.
        public enum PayloadRule: String, Sendable, CaseIterable {
            case required, type, range, unknownField = "unknown_field", enumValue = "enum"
            case maxLength = "max_length", minItems = "min_items", maxItems = "max_items"
            /// A generated size outside what the schema's x-fal allows (`image_size`).
            case size
        }

        /// How a model's media fields depend on one another (one of, all of).
        public enum FieldGroupKind: String, Sendable, CaseIterable {
            case maxCount = "max_count", notTogether = "not_together", requires
        }

        /// Findings that are not limits: rotation, HDR, interlacing, a varying rate, unknown frames...
        public enum Advice: String, Sendable, CaseIterable {
            case rotation, hdr, interlaced
            case durationUnknown = "duration_unknown", durationEstimated = "duration_estimated"
            case variableFrameRate = "variable_frame_rate", nearMaxFileSize = "near_max_file_size"
            case framesUnknown = "frames_unknown"
            /// What fal itself will do to the file instead of refusing it (its schema's normalization).
            case normalization
            /// The file ends before its media does (a copy cut short): fix converts what is whole.
            case cutShort = "cut_short"
            /// Frames that do not decode (found by a decode check): no fix repairs them.
            case damaged
        }

        /// The rule's JSON name: the limit key, "payload." or "files." and the rule, the advice, or the unknown text.
        public var description: String {
            switch self {
            case .limit(let key): key.rawValue
            case .payload(let rule): "payload." + rule.rawValue
            case .fieldGroup(let kind): "files." + kind.rawValue
            case .advice(let advice): advice.rawValue
            case .unknown(let text): text
            }
        }

        /// Every known rule by its JSON name: the exact inverse of `description`, so a name is read
        /// back as the rule that wrote it (no prefixes taken apart).
        private static let byName: [String: Rule] = {
            let all: [Rule] = LimitKey.allCases.map(Rule.limit) + PayloadRule.allCases.map(Rule.payload)
                + FieldGroupKind.allCases.map(Rule.fieldGroup) + Advice.allCases.map(Rule.advice)
            return Dictionary(all.map { ($0.description, $0) }, uniquingKeysWith: { first, _ in first })
        }()

        /// The rule a JSON name stands for; a name this version does not know is kept as `.unknown`.
        public init(_ text: String) { self = Self.byName[text] ?? .unknown(text) }

        /// `"max_duration"`, `"payload.enum"`: the rule its JSON name says.
        public init(stringLiteral text: String) { self.init(text) }

        /// Read from its JSON name (see `init(_:)`).
        public init(from decoder: Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }

        /// Written as its JSON name (`description`).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(description)
        }

        /// The payload's own mistakes (and rules over its fields): the user's to fix, not the file's.
        public var isPayload: Bool {
            switch self {
            case .payload, .fieldGroup: true
            default: false
            }
        }
    }

    /// What the finding is about (a limit, a payload rule, a rule over fields, or advice).
    public var rule: Rule
    /// Error: the model would reject it; warning: advice, the check still passes.
    public var severity: Severity
    /// The payload or media field concerned.
    public var field: String?
    /// What the file or payload has, in words with units ("12.40 s", "3840x2160").
    public var actual: String
    /// What the model accepts, in words with units ("<= 10 s", ">= 720 px").
    public var required: String
    /// A plain sentence: what is wrong, in the model's and the user's terms.
    public var message: String
    /// How `fix` repairs it; nil when it cannot, with `remedy` saying why.
    public var repair: RepairKind?
    /// What the repair would do ("scale up to 1280x720", "trim to 10 s"), or why it cannot.
    public var remedy: String
    /// Where the limit came from.
    public var source: Source?

    /// Whether some fix can repair it (a `repair` is known).
    public var fixable: Bool { repair != nil }
}

/// A cost computed from the catalog's published price: an estimate, dated.
public struct CostEstimate: Codable, Sendable, Equatable {
    /// The estimated charge, in `currency`, rounded to a millionth.
    public var amount: Double
    /// The price's currency, e.g. "USD".
    public var currency: String
    /// "10.0 s of output at 0.126 USD/s".
    public var basis: String
    /// The date the price was read (from the price's source), e.g. "2026-11-20"; nil when undated.
    public var priceSeenOn: String?
}

/// One model's verdict on the file and payload.
public struct ModelVerdict: Codable, Sendable {
    /// The model's endpoint id.
    public var model: String
    /// The model's readable name from the catalog.
    public var modelName: String
    /// The media field the file goes to.
    public var field: String?
    /// True when no violation is an error (warnings allowed).
    public var compliant: Bool
    /// The errors: what the model would refuse.
    public var violations: [Violation]
    /// Advice and findings that do not fail the check (rotation, HDR, an estimated duration...).
    public var warnings: [Violation]
    /// What the call would cost as checked, from the catalog's price; nil when the model has no price.
    public var cost: CostEstimate?
    /// The limits the file was judged against (the field's, under the payload's conditions).
    public var requirement: MediaRequirement?
}

/// Several models at once: can one output file satisfy all of them?
public struct CombinedVerdict: Codable, Sendable {
    /// True when every model accepts the file as it is.
    public var allCompliant: Bool
    /// False when the models' limits leave no value that suits all of them.
    public var singleOutputPossible: Bool
    /// Each conflict in a sentence: "Kling O1 edit needs at most 10.05 s; Kling O3 needs at least 12 s".
    public var conflicts: [String]
    /// Models no fix can satisfy with this file (too short, wrong kind of media...), with why.
    public var unsatisfiable: [String]
    /// The intersection of the models' limits, when there is one.
    public var intersection: MediaRequirement?
}

extension Violation {
    /// Whether it is about the media (not the payload) and fails the check.
    public var failsMedia: Bool { severity == .error && !rule.isPayload }
}

/// What `preflight check` reports: the media as the models see it, and each model's verdict.
public struct CheckReport: Codable, Sendable {
    /// The file's path as probed.
    public var file: String
    /// The probe of the file the verdicts were made on.
    public var media: MediaInfo
    /// One verdict per model, in the order the models were given.
    public var verdicts: [ModelVerdict]
    /// Set when more than one model was checked: whether one output can serve them all.
    public var combined: CombinedVerdict?
    /// False when no payload was given, so only the media was judged.
    public var payloadChecked: Bool
    /// What each model would charge for what would be sent (set by the pipeline's pricing step).
    public var cost: CostSheet?
    /// What `fix`, `prepare` and `submit` would do to the file under the policy (set with the
    /// price): none, rewrap, trim_copy, reencode, image; `per_model` when no single file serves
    /// every model and each gets its own, `some_models` when only some can take it; nil when
    /// nothing can make it acceptable. A compliant
    /// file can still be converted: HDR tone-mapped, interlacing removed, a rotation flag turned
    /// into upright pixels.
    public var conversion: String?

    /// A report whose `cost` and `conversion` are filled later by the pipeline.
    public init(file: String, media: MediaInfo, verdicts: [ModelVerdict], combined: CombinedVerdict?, payloadChecked: Bool = true) {
        self.file = file
        self.media = media
        self.verdicts = verdicts
        self.combined = combined
        self.payloadChecked = payloadChecked
    }

    /// True when every model accepts the file as it is (payload included when one was given).
    public var compliant: Bool { verdicts.allSatisfy(\.compliant) }
}
