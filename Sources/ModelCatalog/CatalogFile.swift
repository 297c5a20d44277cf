import Foundation
import PreflightCore
import Yams

/// A catalog file as written by hand (YAML or JSON; the format is documented in
/// docs/catalog-format.md). Every key but `id` is optional, so a user file can correct one limit of
/// a bundled model without repeating the rest.
public struct CatalogFile: Codable, Sendable {
    /// The file's entries, applied in order (an `extends` must name an entry defined before it).
    public var models: [CatalogEntry]

    /// A catalog of `models`, as the importer writes one.
    public init(models: [CatalogEntry]) { self.models = models }

    /// One model in a catalog file (YAML), as written by people or the importer.
    public struct CatalogEntry: Codable, Sendable {
        /// The endpoint id, e.g. "fal-ai/kling-video/v2.1/standard/image-to-video"; an id already in a lower
        /// layer (bundled, refreshed) is corrected, not replaced.
        public var id: String
        /// Start from another entry of the catalog (same limits, different endpoint).
        public var extends: String?
        /// A readable name; a new entry without one is named by its id.
        public var name: String?
        /// Who makes the model, e.g. "kling", "google"; a new entry without one says "fal".
        public var provider: String?
        /// What the model does, e.g. "image-to-video", "lip-sync"; a new entry without one says "unknown".
        public var category: String?
        /// Where this entry's limits were read (page, date); without it a user file's limits cite the file.
        public var source: Source?
        /// Free text shown by `models show`, replacing the notes below it.
        public var notes: String?
        /// Media fields to add, or to correct by name (only the limits given are overlaid).
        public var media: [MediaFieldEntry]?
        /// Payload fields to add or replace by name, and whether the list is complete.
        public var payload: PayloadEntry?
        /// The price per unit; replaces the one below (an `extends` entry starts without one).
        public var price: Price?
        /// Rules across several media fields; given, they replace the ones before.
        public var rules: [FieldGroupRule]?

        /// An entry setting only what is given; every other key is taken from the layer below or `extends`.
        public init(id: String, extends: String? = nil, name: String? = nil, provider: String? = nil, category: String? = nil,
                    source: Source? = nil, notes: String? = nil, media: [MediaFieldEntry]? = nil, payload: PayloadEntry? = nil,
                    price: Price? = nil, rules: [FieldGroupRule]? = nil) {
            self.id = id
            self.extends = extends
            self.name = name
            self.provider = provider
            self.category = category
            self.source = source
            self.notes = notes
            self.media = media
            self.payload = payload
            self.price = price
            self.rules = rules
        }
    }

    /// A media field of a catalog entry and its limits.
    public struct MediaFieldEntry: Codable, Sendable {
        /// The payload field's name, e.g. "video_url" or "image_urls".
        public var field: String
        /// What the field takes; required for a field new to the model, optional for a correction.
        public var kind: MediaFieldKind?
        /// Whether the model refuses a payload without it; a new field is required unless it says false.
        public var required: Bool?
        /// Limits to overlay on the field's current ones, key by key.
        public var require: MediaRequirement?
        /// Requirements that apply only for some payload values; given, they replace the field's current ones.
        public var when: [ConditionalRequirement]?
        /// Where this field's limits come from, when not the model's source.
        public var source: Source?
        /// Where one limit comes from, when not the field's source (a correction, a limit read from prose).
        public var sources: [LimitKey: Source]?
        /// For advisory limits: what the model does instead of refusing.
        public var advice: [LimitKey: String]?
        /// What fal reshapes an accepted file to (see `MediaField.normalization`).
        public var normalization: MediaRequirement?

        /// A field entry setting only what is given.
        public init(field: String, kind: MediaFieldKind? = nil, required: Bool? = nil, require: MediaRequirement? = nil,
                    when: [ConditionalRequirement]? = nil, source: Source? = nil, sources: [LimitKey: Source]? = nil,
                    advice: [LimitKey: String]? = nil, normalization: MediaRequirement? = nil) {
            self.advice = advice
            self.normalization = normalization
            self.field = field
            self.kind = kind
            self.required = required
            self.require = require
            self.when = when
            self.source = source
            self.sources = sources
        }
    }

    /// A payload field of a catalog entry.
    public struct PayloadEntry: Codable, Sendable {
        /// True when `fields` (with the fields below) lists every field the model accepts; nil keeps the layer below's.
        public var complete: Bool?
        /// Fields to add, or to replace whole by name.
        public var fields: [PayloadField]?

        /// A payload entry setting only what is given.
        public init(complete: Bool? = nil, fields: [PayloadField]? = nil) {
            self.complete = complete
            self.fields = fields
        }
    }

    /// Reads YAML (a superset of JSON, so JSON files read too).
    public static func parse(_ text: String, name: String) throws(CatalogError) -> CatalogFile {
        let tree: Any?
        do {
            tree = try Yams.load(yaml: text)
        } catch {
            throw CatalogError(file: name, message: "not valid YAML or JSON: \(error)")
        }
        guard let tree else { return CatalogFile(models: []) }
        do {
            let data = try JSONSerialization.data(withJSONObject: jsonCompatible(tree))
            return try JSONDecoder().decode(CatalogFile.self, from: data)
        } catch let error as DecodingError {
            throw CatalogError(file: name, message: describe(error))
        } catch {
            throw CatalogError(file: name, message: "\(error)")
        }
    }

    /// YAML scalars Yams turns into dates or other types JSON has not; make them JSON again.
    private static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let d as [String: Any]: return d.mapValues(jsonCompatible)
        case let a as [Any]: return a.map(jsonCompatible)
        case let date as Date:
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withFullDate]
            return f.string(from: date)
        case is NSNull, is String, is Bool, is Int, is Double: return value
        default: return "\(value)"
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ ctx: DecodingError.Context) -> String {
            ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let ctx): return "missing key '\(key.stringValue)' at \(path(ctx).isEmpty ? "top level" : path(ctx))"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            return "\(path(ctx)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A catalog file that cannot be used: which file, what is wrong, what to do.
public struct CatalogError: PreflightError {
    /// The file the problem is in (its path, or a name such as "bundled" or an import's URL).
    public var file: String
    /// What is wrong, with where in the file when it is known ("missing key 'id' at .models[2]").
    public var message: String
    /// What to do; by default, about a catalog file in the models folder.
    public var hint = "Fix the file (format: docs/catalog-format.md) or move it out of the models folder."

    /// An error about `file`; without a hint, it advises fixing or moving the file out of the models folder.
    public init(file: String, message: String, hint: String? = nil) {
        self.file = file
        self.message = message
        if let hint { self.hint = hint }
    }

    /// "FILE: MESSAGE. HINT", as the CLI prints it.
    public var description: String { "\(file): \(message). \(hint)" }
    /// A catalog the user wrote (or a document to import) is part of how the tool was called.
    public var category: ErrorCategory { .usage }
    /// The machine code scripts match on.
    public var errorCode: String { "catalog.file" }
}
