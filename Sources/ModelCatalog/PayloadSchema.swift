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

public struct PayloadField: Codable, Sendable, Equatable {
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
    }
}
