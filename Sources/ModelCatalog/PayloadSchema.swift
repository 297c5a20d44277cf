/// The JSON a model accepts beside its media: field types, required fields, enums, ranges, defaults.
public struct PayloadSchema: Codable, Sendable, Equatable {
    /// The fields the catalog (or fal's OpenAPI schema) knows, media fields included.
    public var fields: [PayloadField]
    /// True when `fields` lists every field the model accepts, so an unknown one is worth a warning.
    public var complete: Bool

    /// A schema of `fields`; `complete` only when they are every field the model accepts.
    public init(fields: [PayloadField] = [], complete: Bool = false) {
        self.fields = fields
        self.complete = complete
    }

    /// The field called `name` (the JSON key, e.g. "prompt"); nil when the schema does not list it.
    public func field(_ name: String) -> PayloadField? { fields.first { $0.name == name } }
}

/// One field of a model's payload: its type, bounds, allowed values and default.
public struct PayloadField: Codable, Sendable, Equatable {
    /// A payload field's JSON type.
    public enum FieldType: String, Codable, Sendable {
        case string, integer, number, boolean, array, object
    }

    /// The JSON key in the payload, e.g. "prompt", "duration", "aspect_ratio".
    public var name: String
    /// The JSON type the value must have (an integer also passes as a number).
    public var type: FieldType
    /// Whether the model refuses a payload without it.
    public var required: Bool
    /// The only values allowed, when the schema lists them (e.g. ["5", "10"] for a duration).
    public var enumValues: [JSONValue]?
    /// Smallest allowed number (inclusive).
    public var minimum: Double?
    /// Largest allowed number (inclusive).
    public var maximum: Double?
    /// The number must be greater than this.
    public var exclusiveMinimum: Double?
    /// The number must be less than this.
    public var exclusiveMaximum: Double?
    /// For arrays: fewest items.
    public var minItems: Int?
    /// For arrays: most items.
    public var maxItems: Int?
    /// For strings: at most this many characters (lip-sync text: 120).
    public var maxLength: Int?
    /// Constraints read from the field's prose rather than its schema ("max_length").
    public var readFromProse: [String]?
    /// The value the model uses when the field is left out.
    public var defaultValue: JSONValue?
    /// The schema's description of the field, in fal's words.
    public var description: String?
    /// For a generated size ({"width", "height"}): the envelope fal's schema publishes (x-fal).
    public var sizeLimits: ImageSizeLimits?

    /// A field with the common constraints; the rarer ones are set after.
    public init(name: String, type: FieldType, required: Bool = false, enumValues: [JSONValue]? = nil,
                minimum: Double? = nil, maximum: Double? = nil, defaultValue: JSONValue? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.enumValues = enumValues
        self.minimum = minimum
        self.maximum = maximum
        self.defaultValue = defaultValue
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, type, required, enumValues = "enum", minimum, maximum
        case exclusiveMinimum = "exclusive_minimum", exclusiveMaximum = "exclusive_maximum"
        case minItems = "min_items", maxItems = "max_items", maxLength = "max_length", readFromProse = "read_from_prose", defaultValue = "default", description
        case sizeLimits = "size_limits"
    }

    /// Reads a catalog's field entry: `required` defaults to false, everything else is optional.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decode(FieldType.self, forKey: .type)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        enumValues = try c.decodeIfPresent([JSONValue].self, forKey: .enumValues)
        minimum = try c.decodeIfPresent(Double.self, forKey: .minimum)
        maximum = try c.decodeIfPresent(Double.self, forKey: .maximum)
        exclusiveMinimum = try c.decodeIfPresent(Double.self, forKey: .exclusiveMinimum)
        exclusiveMaximum = try c.decodeIfPresent(Double.self, forKey: .exclusiveMaximum)
        minItems = try c.decodeIfPresent(Int.self, forKey: .minItems)
        maxItems = try c.decodeIfPresent(Int.self, forKey: .maxItems)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        readFromProse = try c.decodeIfPresent([String].self, forKey: .readFromProse)
        defaultValue = try c.decodeIfPresent(JSONValue.self, forKey: .defaultValue)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        sizeLimits = try c.decodeIfPresent(ImageSizeLimits.self, forKey: .sizeLimits)
    }
}

/// The sizes a model can generate, as fal's SDK publishes them on an `image_size` field
/// (`ImageSizeConstraints` under x-fal): pixels, an area per picture, a multiple both sides must be.
public struct ImageSizeLimits: Codable, Sendable, Equatable {
    /// Narrowest generated width in pixels.
    public var minWidth: Int?
    /// Widest generated width in pixels.
    public var maxWidth: Int?
    /// Lowest generated height in pixels.
    public var minHeight: Int?
    /// Tallest generated height in pixels.
    public var maxHeight: Int?
    /// Fewest pixels per picture (width x height).
    public var minArea: Int?
    /// Most pixels per picture (width x height).
    public var maxArea: Int?
    /// Both sides must be a multiple of this (e.g. 8 or 16).
    public var multipleOf: Int?
    /// Lowest width / height; set only together with `maxAspectRatio`.
    public var minAspectRatio: Double?
    /// Highest width / height; set only together with `minAspectRatio`.
    public var maxAspectRatio: Double?

    enum CodingKeys: String, CodingKey {
        case minWidth = "min_width", maxWidth = "max_width", minHeight = "min_height", maxHeight = "max_height"
        case minArea = "min_area", maxArea = "max_area", multipleOf = "multiple_of"
        case minAspectRatio = "min_aspect_ratio", maxAspectRatio = "max_aspect_ratio"
    }

    /// Read from an x-fal object; nil when it holds none of these (or none usable).
    public init?(xfal: [String: JSONValue]) {
        func int(_ key: String) -> Int? {
            guard let n = xfal[key]?.numberValue, n.isFinite, n >= 0, n == n.rounded() else { return nil }
            return Int(exactly: n)
        }
        minWidth = int("min_width"); maxWidth = int("max_width"); minHeight = int("min_height"); maxHeight = int("max_height")
        minArea = int("min_area"); maxArea = int("max_area")
        multipleOf = int("multiple_of").flatMap { $0 > 0 ? $0 : nil }
        if let lo = xfal["min_aspect_ratio"].flatMap(XFal.ratio), let hi = xfal["max_aspect_ratio"].flatMap(XFal.ratio), lo <= hi {
            minAspectRatio = lo
            maxAspectRatio = hi
        }
        let any: [Any?] = [minWidth, maxWidth, minHeight, maxHeight, minArea, maxArea, multipleOf, minAspectRatio]
        if any.allSatisfy({ $0 == nil }) { return nil }
    }

    /// What is wrong with a width x height, in words (empty: it fits).
    public func problems(width: Int, height: Int) -> [String] {
        var out: [String] = []
        if let v = minWidth, width < v { out.append("width at least \(v)") }
        if let v = maxWidth, width > v { out.append("width at most \(v)") }
        if let v = minHeight, height < v { out.append("height at least \(v)") }
        if let v = maxHeight, height > v { out.append("height at most \(v)") }
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        if let v = minArea, !overflow, area < v { out.append("at least \(v) pixels") }
        if let v = maxArea, overflow || area > v { out.append("at most \(v) pixels") }
        if let m = multipleOf, width % m != 0 || height % m != 0 { out.append("both sides a multiple of \(m)") }
        if height > 0, let lo = minAspectRatio, let hi = maxAspectRatio {
            let aspect = Double(width) / Double(height)
            if aspect < lo - 1e-9 || aspect > hi + 1e-9 { out.append(String(format: "a width/height ratio from %.2f to %.2f", lo, hi)) }
        }
        return out
    }
}
