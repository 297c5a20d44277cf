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
    /// When a limit applies: a payload field's value (e.g. a resolution or a mode).
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
    /// For advisory limits: what the model does instead of refusing ("fal reduces it to 1920 px").
    public var advice: [LimitKey: String] = [:]
    /// What fal reshapes an accepted file to instead of refusing it (x-fal `normalization`):
    /// `max_duration` 15 means trimmed to 15 s, `min_fps` = `max_fps` 24 resampled to 24 fps. The
    /// checker warns about it and the cost estimate bills the trimmed length.
    public var normalization: MediaRequirement?

    public init(name: String, kind: MediaFieldKind, required: Bool = true, requirement: MediaRequirement = MediaRequirement(),
                conditional: [ConditionalRequirement] = [], limitSources: [LimitKey: Source] = [:]) {
        self.name = name
        self.kind = kind
        self.required = required
        self.requirement = requirement
        self.conditional = conditional
        self.limitSources = limitSources
    }

    enum CodingKeys: String, CodingKey { case name, kind, required, requirement, conditional, limitSources, advice, normalization }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), kind: try c.decode(MediaFieldKind.self, forKey: .kind),
                  required: try c.decodeIfPresent(Bool.self, forKey: .required) ?? true,
                  requirement: try c.decodeIfPresent(MediaRequirement.self, forKey: .requirement) ?? MediaRequirement(),
                  conditional: try c.decodeIfPresent([ConditionalRequirement].self, forKey: .conditional) ?? [],
                  limitSources: try c.decodeIfPresent([LimitKey: Source].self, forKey: .limitSources) ?? [:])
        advice = try c.decodeIfPresent([LimitKey: String].self, forKey: .advice) ?? [:]
        normalization = try c.decodeIfPresent(MediaRequirement.self, forKey: .normalization)
    }

    /// The requirement in force for this payload: base, then each matching condition on top.
    public func requirement(for payload: [String: JSONValue]) -> MediaRequirement {
        conditional.reduce(requirement) { r, c in
            payload[c.when.field] == c.when.equals ? r.overlaid(with: c.requirement) : r
        }
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
    /// Rules across several media fields: files in all, fields that exclude or need each other.
    public var rules: [FieldGroupRule] = []
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

    enum CodingKeys: String, CodingKey {
        case id, name, provider, category, media, payload, price, rules, source, notes, origin
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                  provider: try c.decode(String.self, forKey: .provider), category: try c.decode(String.self, forKey: .category),
                  media: try c.decode([MediaField].self, forKey: .media), payload: try c.decode(PayloadSchema.self, forKey: .payload),
                  price: try c.decodeIfPresent(Price.self, forKey: .price), source: try c.decode(Source.self, forKey: .source),
                  notes: try c.decodeIfPresent(String.self, forKey: .notes), origin: try c.decode(String.self, forKey: .origin))
        rules = try c.decodeIfPresent([FieldGroupRule].self, forKey: .rules) ?? []
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
