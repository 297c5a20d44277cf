/// The JSON a model accepts beside its media: field types, required fields, enums, ranges, defaults.
public struct PayloadSchema: Codable, Sendable, Equatable {
    public var fields: [PayloadField]
    /// True when `fields` lists every field the model accepts, so an unknown one is worth a warning.
    public var complete: Bool

    public init(fields: [PayloadField] = [], complete: Bool = false) {
        self.fields = fields
        self.complete = complete
    }

    public func field(_ name: String) -> PayloadField? { fields.first { $0.name == name } }
}

/// One field of a model's payload: its type, bounds, allowed values and default.
public struct PayloadField: Codable, Sendable, Equatable {
    /// A payload field's JSON type.
    public enum FieldType: String, Codable, Sendable {
        case string, integer, number, boolean, array, object
    }

    public var name: String
    public var type: FieldType
    public var required: Bool
    public var enumValues: [JSONValue]?
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum: Double?
    public var exclusiveMaximum: Double?
    public var minItems: Int?
    public var maxItems: Int?
    /// For strings: at most this many characters (lip-sync text: 120).
    public var maxLength: Int?
    /// Constraints read from the field's prose rather than its schema ("max_length").
    public var readFromProse: [String]?
    public var defaultValue: JSONValue?
    public var description: String?
    /// For a generated size ({"width", "height"}): the envelope fal's schema publishes (x-fal).
    public var sizeLimits: ImageSizeLimits?

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
    public var minWidth: Int?
    public var maxWidth: Int?
    public var minHeight: Int?
    public var maxHeight: Int?
    public var minArea: Int?
    public var maxArea: Int?
    public var multipleOf: Int?
    public var minAspectRatio: Double?
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
