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

    /// Whether the field takes a list of URLs (video_list, image_list, audio_list).
    public var isList: Bool { element != self }
}

/// A requirement that applies only when the payload says so, e.g. Kling motion control allows 30 s
/// of video when `character_orientation` is "video" but 10 s when it is "image".
public struct ConditionalRequirement: Codable, Sendable, Equatable {
    /// When a limit applies: a payload field's value (e.g. a resolution or a mode).
    public struct Condition: Codable, Sendable, Equatable {
        /// The payload field whose value decides, e.g. "character_orientation".
        public var field: String
        /// The value that makes the requirement apply (compared as JSON, so "10" and 10 differ).
        public var equals: JSONValue
    }

    /// When the requirement applies.
    public var when: Condition
    /// The limits overlaid on the field's own when the condition holds.
    public var requirement: MediaRequirement

    enum CodingKeys: String, CodingKey { case when, requirement = "require" }
}

/// One payload field that takes media (a URL, or a list of URLs).
public struct MediaField: Codable, Sendable, Equatable {
    /// The payload key the media URL goes in, e.g. "video_url", "image_urls".
    public var name: String
    /// What the field takes: one video, image or audio file, or a list of them.
    public var kind: MediaFieldKind
    /// Whether the model refuses a payload without it.
    public var required: Bool
    /// The limits that always apply; see `requirement(for:)` for the ones in force for a payload.
    public var requirement: MediaRequirement
    /// Limits that apply only when the payload holds some value, overlaid in order.
    public var conditional: [ConditionalRequirement]
    /// Per-limit sources where they differ from the model's (learned and user-corrected limits).
    public var limitSources: [LimitKey: Source]
    /// For advisory limits: what the model does instead of refusing ("fal reduces it to 1920 px").
    public var advice: [LimitKey: String] = [:]
    /// What fal reshapes an accepted file to instead of refusing it (x-fal `normalization`):
    /// `max_duration` 15 means trimmed to 15 s, `min_fps` = `max_fps` 24 resampled to 24 fps. The
    /// checker warns about it and the cost estimate bills the trimmed length.
    public var normalization: MediaRequirement?

    /// A media field; a new field is required unless said otherwise.
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

    /// Reads the journal's and catalog's stored form: missing lists are empty, `required` defaults to true.
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
    /// Who makes the model, e.g. "kling", "google", "fal".
    public var provider: String
    /// "video-to-video", "image-to-video", "video-to-audio", "lip-sync", "upscale"...
    public var category: String
    /// The payload fields that take media, with their limits (a model may have several: image and audio).
    public var media: [MediaField]
    /// The other payload fields: types, ranges, enums and defaults.
    public var payload: PayloadSchema
    /// What fal charges per unit; nil when no price is known (the cost is then "unpriced").
    public var price: Price?
    /// Rules across several media fields: files in all, fields that exclude or need each other.
    public var rules: [FieldGroupRule] = []
    /// Where the model's limits were read, and when.
    public var source: Source
    /// Free text about the model from the catalog, shown by `models show`; nil when there is none.
    public var notes: String?
    /// Which layer the entry came from last: "bundled", "user:<file>", "imported".
    public var origin: String

    /// A model with every part given; `rules` starts empty.
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

    /// Reads the stored form: `rules` may be missing (empty).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                  provider: try c.decode(String.self, forKey: .provider), category: try c.decode(String.self, forKey: .category),
                  media: try c.decode([MediaField].self, forKey: .media), payload: try c.decode(PayloadSchema.self, forKey: .payload),
                  price: try c.decodeIfPresent(Price.self, forKey: .price), source: try c.decode(Source.self, forKey: .source),
                  notes: try c.decodeIfPresent(String.self, forKey: .notes), origin: try c.decode(String.self, forKey: .origin))
        rules = try c.decodeIfPresent([FieldGroupRule].self, forKey: .rules) ?? []
    }

    /// The media field called `name`; nil when the model has none of that name.
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
