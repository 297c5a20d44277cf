import Foundation

/// How a model charges, as fal publishes it: per second of output or of input (with rounding and a
/// billed minimum), per minute of input, per video or request, by resolution tier, more with sound,
/// and multiplied when some input is present (Seedance 2.0 costs x0.6 with reference videos).
public struct Price: Codable, Sendable, Equatable {
    /// What fal bills by: a second of output, a video, an image, a megapixel...
    public enum Unit: String, Codable, Sendable, CaseIterable {
        /// Per second of generated output.
        case secondOfOutput = "second_of_output"
        /// Per second of input media.
        case secondOfInput = "second_of_input"
        /// Per minute of input media (Sync: 10 USD per minute).
        case minuteOfInput = "minute_of_input"
        /// A flat amount per generated video.
        case video
        case image
        case request
    }

    /// A factor applied when a payload field is filled (or always, when `whenPresent` is nil).
    public struct Multiplier: Codable, Sendable, Equatable {
        /// What the amount is multiplied by (0.6 makes it 40 % cheaper); never negative.
        public var factor: Double
        /// A payload or media field: the factor applies when it holds something (or the checked file goes there).
        public var whenPresent: String?
        /// Why, in words: "with video inputs".
        public var reason: String

        /// A factor, applied always or only when `whenPresent` holds something.
        public init(factor: Double, whenPresent: String? = nil, reason: String) {
            self.factor = factor
            self.whenPresent = whenPresent
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey { case factor, whenPresent = "when_present", reason }
    }

    /// The amount per unit (the lowest resolution tier's, when there are tiers; without sound, when
    /// sound costs more).
    public var amount: Double
    /// What one `amount` buys: a second or minute of input or output, a video, an image, a request.
    public var unit: Unit
    /// The amount's currency; "USD" unless the catalog says otherwise.
    public var currency: String
    /// For per-second prices: where the output length comes from: a payload field ("duration"),
    /// "input" when the output is as long as the input, or "FRAMES/RATE" (two fields divided:
    /// "num_frames/frames_per_second").
    public var durationFrom: String?
    /// Billed seconds are rounded up to a multiple of this (1: whole seconds).
    public var roundUpTo: Double?
    /// Fewer seconds than this are billed as this many (Kling lip sync: 5 s).
    public var minimumSeconds: Double?
    /// Amount per unit by resolution tier ("720p": 0.10, "1080p": 0.15).
    public var byResolution: [String: Double]?
    /// The payload field naming the tier; by default "resolution". Without it, the tier nearest the
    /// input's picture is used, and the estimate says so.
    public var resolutionFrom: String?
    /// Amount per unit when the output has sound (Veo 3.1: 0.40 instead of 0.20 USD/s).
    public var withAudio: Double?
    /// The boolean payload field that turns sound on; by default "generate_audio".
    public var audioFrom: String?
    /// Factors applied to the whole amount, each when its field is filled (or always).
    public var multipliers: [Multiplier]?
    /// Where the price was read (the model's pricing page) and when.
    public var source: Source

    /// A flat price per unit; tiers, sound, rounding and multipliers are set after.
    public init(amount: Double, unit: Unit, currency: String = "USD", durationFrom: String? = nil, source: Source) {
        self.amount = amount
        self.unit = unit
        self.currency = currency
        self.durationFrom = durationFrom
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case amount, unit, currency, durationFrom = "duration_from", roundUpTo = "round_up_to", minimumSeconds = "minimum_seconds"
        case byResolution = "by_resolution", resolutionFrom = "resolution_from", withAudio = "with_audio", audioFrom = "audio_from"
        case multipliers, source
    }

    /// Reads a catalog's price; refuses an amount, factor or rounding that is negative or not a number.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Double.self, forKey: .amount)
        unit = try c.decode(Unit.self, forKey: .unit)
        currency = try c.decodeIfPresent(String.self, forKey: .currency) ?? "USD"
        durationFrom = try c.decodeIfPresent(String.self, forKey: .durationFrom)
        roundUpTo = try c.decodeIfPresent(Double.self, forKey: .roundUpTo)
        minimumSeconds = try c.decodeIfPresent(Double.self, forKey: .minimumSeconds)
        byResolution = try c.decodeIfPresent([String: Double].self, forKey: .byResolution)
        resolutionFrom = try c.decodeIfPresent(String.self, forKey: .resolutionFrom)
        withAudio = try c.decodeIfPresent(Double.self, forKey: .withAudio)
        audioFrom = try c.decodeIfPresent(String.self, forKey: .audioFrom)
        multipliers = try c.decodeIfPresent([Multiplier].self, forKey: .multipliers)
        source = try c.decode(Source.self, forKey: .source)
        for value in [amount, roundUpTo ?? 1, minimumSeconds ?? 0, withAudio ?? 0] + (byResolution.map { Array($0.values) } ?? [])
            + (multipliers?.map(\.factor) ?? []) where !value.isFinite || value < 0 {
            throw DecodingError.dataCorruptedError(forKey: .amount, in: c, debugDescription: "a price, factor or rounding must be a finite number >= 0")
        }
    }

    /// The price in a few words: "0.10 USD per second of output (1080p: 0.15)".
    public var summary: String {
        var text = "\(Self.number(amount)) \(currency) per \(unit.words)"
        if let tiers = byResolution, !tiers.isEmpty {
            text += " (" + tiers.sorted { $0.value < $1.value }.map { "\($0.key): \(Self.number($0.value))" }.joined(separator: ", ") + ")"
        }
        if let a = withAudio { text += ", \(Self.number(a)) with audio" }
        if let m = minimumSeconds { text += ", at least \(Self.number(m)) s billed" }
        if let r = roundUpTo { text += ", rounded up to \(Self.number(r)) s" }
        for m in multipliers ?? [] { text += ", x\(Self.number(m.factor)) \(m.reason)" }
        return text
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e12 ? String(Int(d)) : String(format: "%g", d)
    }
}

extension Price.Unit {
    /// The unit in words, as `summary` and cost lines print it ("second of output").
    public var words: String {
        switch self {
        case .secondOfOutput: "second of output"
        case .secondOfInput: "second of input"
        case .minuteOfInput: "minute of input"
        case .video: "video"
        case .image: "image"
        case .request: "request"
        }
    }
}

/// A rule across several media fields of one model, which a limit on one field cannot say.
public struct FieldGroupRule: Codable, Sendable, Equatable {
    /// The media fields the rule covers, e.g. ["image_urls", "video_urls", "audio_urls"].
    public var fields: [String]
    /// At most this many files in these fields together (Seedance 2.0: 12; Wan 2.6 flash: 5 references).
    public var maxCount: Int?
    /// The fields exclude each other (Wan 2.7: image_url or video_url, not both).
    public var notTogether: Bool?
    /// When any of `fields` is filled, one of these must be too (Seedance audio needs an image or video).
    public var requiresAnyOf: [String]?
    /// Where the rule was read; the entry's source when the catalog does not say.
    public var source: Source?

    /// A rule over `fields`; set the one kind of rule it is (count, exclusion or dependency).
    public init(fields: [String], maxCount: Int? = nil, notTogether: Bool? = nil, requiresAnyOf: [String]? = nil, source: Source? = nil) {
        self.fields = fields
        self.maxCount = maxCount
        self.notTogether = notTogether
        self.requiresAnyOf = requiresAnyOf
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case fields, maxCount = "max_count", notTogether = "not_together", requiresAnyOf = "requires_any_of", source
    }
}
