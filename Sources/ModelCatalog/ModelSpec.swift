/// What kind of media a model's field takes.
public enum MediaFieldKind: String, Codable, Sendable {
    case video, image, audio
    case videoList = "video_list"
    case imageList = "image_list"
    case audioList = "audio_list"

    /// The kind of one element (a list of images takes images).
    public var element: MediaFieldKind {
        switch self {
        case .videoList: .video
        case .imageList: .image
        case .audioList: .audio
        default: self
        }
    }

    public var isList: Bool { element != self }
}

/// A requirement that applies only when the payload says so, e.g. Kling motion control allows 30 s
/// of video when `character_orientation` is "video" but 10 s when it is "image".
public struct ConditionalRequirement: Codable, Sendable, Equatable {
    public struct Condition: Codable, Sendable, Equatable {
        public var field: String
        public var equals: JSONValue
    }

    public var when: Condition
    public var requirement: MediaRequirement

    enum CodingKeys: String, CodingKey { case when, requirement = "require" }
}

/// One payload field that takes media (a URL, or a list of URLs).
public struct MediaField: Codable, Sendable, Equatable {
    public var name: String
    public var kind: MediaFieldKind
    public var required: Bool
    public var requirement: MediaRequirement
    public var conditional: [ConditionalRequirement]
    /// Per-limit sources where they differ from the model's (learned and user-corrected limits).
    public var limitSources: [LimitKey: Source]

    public init(name: String, kind: MediaFieldKind, required: Bool = true, requirement: MediaRequirement = MediaRequirement(),
                conditional: [ConditionalRequirement] = [], limitSources: [LimitKey: Source] = [:]) {
        self.name = name
        self.kind = kind
        self.required = required
        self.requirement = requirement
        self.conditional = conditional
        self.limitSources = limitSources
    }

    /// The requirement in force for this payload: base, then each matching condition on top.
    public func requirement(for payload: [String: JSONValue]) -> MediaRequirement {
        conditional.reduce(requirement) { r, c in
            payload[c.when.field] == c.when.equals ? r.overlaid(with: c.requirement) : r
        }
    }
}

/// How a model charges.
public struct Price: Codable, Sendable, Equatable {
    public enum Unit: String, Codable, Sendable {
        /// Per second of generated output.
        case secondOfOutput = "second_of_output"
        /// Per second of input media.
        case secondOfInput = "second_of_input"
        case image
        case request
    }

    public var amount: Double
    public var unit: Unit
    public var currency: String
    /// For per-second prices: where the output length comes from — a payload field (e.g.
    /// "duration"), or "input" when the output is as long as the input (edits, upscales).
    public var durationFrom: String?
    public var source: Source

    enum CodingKeys: String, CodingKey {
        case amount, unit, currency, durationFrom = "duration_from", source
    }
}

/// Everything the catalog knows about one model endpoint.
public struct ModelSpec: Codable, Sendable, Equatable {
    /// The endpoint id, e.g. "fal-ai/kling-video/o1/video-to-video/edit".
    public var id: String
    /// A readable name: "Kling O1 video edit".
    public var name: String
    public var provider: String
    /// "video-to-video", "image-to-video", "video-to-audio", "lip-sync", "upscale"...
    public var category: String
    public var media: [MediaField]
    public var payload: PayloadSchema
    public var price: Price?
    /// Where the model's limits were read, and when.
    public var source: Source
    public var notes: String?
    /// Which layer the entry came from last: "bundled", "user:<file>", "imported".
    public var origin: String

    public init(id: String, name: String, provider: String, category: String, media: [MediaField], payload: PayloadSchema,
                price: Price?, source: Source, notes: String?, origin: String) {
        self.id = id
        self.name = name
        self.provider = provider
        self.category = category
        self.media = media
        self.payload = payload
        self.price = price
        self.source = source
        self.notes = notes
        self.origin = origin
    }

    public func field(named name: String) -> MediaField? { media.first { $0.name == name } }

    /// The first field that takes media of this kind (a video file goes to the video field).
    public func field(accepting kind: MediaFieldKind) -> MediaField? {
        media.first { $0.kind.element == kind }
    }

    /// The source of one limit of one field.
    public func source(of key: LimitKey, in field: MediaField) -> Source {
        field.limitSources[key] ?? source
    }
}
