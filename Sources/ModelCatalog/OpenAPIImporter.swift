import Foundation

/// Turns a fal OpenAPI document (`https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=ID`) into
/// a catalog entry: the payload schema from the input schema under `components.schemas`, and media
/// limits from the structured limit lines in the fields' descriptions.
public enum OpenAPIImporter {
    static let hint = "Give fal's OpenAPI document for the model: https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=ENDPOINT_ID."

    public static func entry(from data: Data, name: String, date: Date = Date()) throws(CatalogError) -> CatalogFile.CatalogEntry {
        guard let doc = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let root) = doc else {
            throw CatalogError(file: name, message: "not a JSON document", hint: hint)
        }
        guard let endpoint = root["info"]?["x-fal-metadata"]?["endpointId"]?.stringValue else {
            throw CatalogError(file: name, message: "no info.x-fal-metadata.endpointId: not a fal OpenAPI document", hint: hint)
        }
        let schemas = root["components"]?["schemas"]?.objectValue ?? [:]
        guard let (_, input) = inputSchema(root: root, endpoint: endpoint, schemas: schemas) else {
            throw CatalogError(file: name, message: "no input schema (components.schemas.*Input) for \(endpoint)", hint: hint)
        }
        let properties = input["properties"]?.objectValue ?? [:]
        let required = Set(input["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let order = input["x-fal-order-properties"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let names = order.filter { properties[$0] != nil } + properties.keys.filter { !order.contains($0) }.sorted()

        var fields: [PayloadField] = []
        var media: [CatalogFile.MediaFieldEntry] = []
        for name in names {
            let prop = resolve(properties[name]!, schemas)
            let description = prop["description"]?.stringValue ?? ""
            var field = PayloadField(name: name, type: type(of: prop, schemas), required: required.contains(name),
                                     enumValues: enumValues(prop, schemas), minimum: prop["minimum"]?.numberValue,
                                     maximum: prop["maximum"]?.numberValue, defaultValue: prop["default"], description: description.isEmpty ? nil : description)
            field.exclusiveMinimum = prop["exclusiveMinimum"]?.numberValue
            field.exclusiveMaximum = prop["exclusiveMaximum"]?.numberValue
            field.minItems = prop["minItems"].flatMap(\.numberValue).flatMap { Int(exactly: $0.rounded()) }
            field.maxItems = prop["maxItems"].flatMap(\.numberValue).flatMap { Int(exactly: $0.rounded()) }
            fields.append(field)

            let limits = LimitLine.parse(description)
            if let kind = mediaKind(name: name, description: description, type: field.type, hasLimits: limits != nil) {
                var require = limits ?? MediaRequirement()
                if kind.isList { require.maxCount = field.maxItems; require.minCount = field.minItems }
                require.formats = formats(in: description)
                media.append(CatalogFile.MediaFieldEntry(field: name, kind: kind, required: required.contains(name),
                                                         require: require, when: nil, source: nil))
            }
        }
        let stamp = ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withFullDate])
        return CatalogFile.CatalogEntry(
            id: endpoint, extends: nil,
            name: root["info"]?["title"]?.stringValue ?? endpoint, provider: "fal",
            category: root["info"]?["x-fal-metadata"]?["category"]?.stringValue ?? "unknown",
            source: Source(ref: "fal OpenAPI document (\(URL(fileURLWithPath: name).lastPathComponent))",
                           url: "https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=\(endpoint)", date: stamp),
            notes: nil, media: media, payload: CatalogFile.PayloadEntry(complete: true, fields: fields), price: nil)
    }

    /// The schema the submit operation takes; else the one named like "...Input".
    private static func inputSchema(root: [String: JSONValue], endpoint: String, schemas: [String: JSONValue]) -> (String, [String: JSONValue])? {
        if let ref = root["paths"]?["/" + endpoint]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.stringValue {
            let name = String(ref.split(separator: "/").last ?? "")
            if let schema = schemas[name]?.objectValue { return (name, schema) }
        }
        return schemas.keys.sorted().first { $0.hasSuffix("Input") }.flatMap { n in schemas[n]?.objectValue.map { (n, $0) } }
    }

    /// Follows `$ref`, and unwraps `anyOf`/`allOf` of one real schema plus `null` (optional fields).
    private static func resolve(_ value: JSONValue, _ schemas: [String: JSONValue]) -> [String: JSONValue] {
        guard var o = value.objectValue else { return [:] }
        if let ref = o["$ref"]?.stringValue, let target = schemas[String(ref.split(separator: "/").last ?? "")]?.objectValue {
            o = target.merging(o.filter { $0.key != "$ref" }) { _, own in own }
        }
        for key in ["anyOf", "allOf", "oneOf"] {
            if let options = o[key]?.arrayValue {
                let real = options.map { resolve($0, schemas) }.filter { $0["type"]?.stringValue != "null" }
                if let first = real.first {
                    o = first.merging(o.filter { $0.key != key }) { _, own in own }
                }
            }
        }
        return o
    }

    private static func type(of prop: [String: JSONValue], _ schemas: [String: JSONValue]) -> PayloadField.FieldType {
        PayloadField.FieldType(rawValue: prop["type"]?.stringValue ?? "") ?? (prop["enum"] != nil ? .string : .object)
    }

    private static func enumValues(_ prop: [String: JSONValue], _ schemas: [String: JSONValue]) -> [JSONValue]? {
        prop["enum"]?.arrayValue
    }

    /// fal's media inputs are URL fields named after what they take; a limit line settles it.
    private static func mediaKind(name: String, description: String, type: PayloadField.FieldType, hasLimits: Bool) -> MediaFieldKind? {
        let n = name.lowercased()
        let isURL = n.hasSuffix("_url") || n.hasSuffix("_urls")
        guard isURL || hasLimits else { return nil }
        let text = (n + " " + description).lowercased()
        let list = type == .array || n.hasSuffix("_urls")
        if n.contains("video") || (!n.contains("image") && !n.contains("audio") && text.contains("duration") && text.contains("video")) {
            return list ? .videoList : .video
        }
        if n.contains("audio") { return list ? .audioList : .audio }
        if n.contains("image") || text.contains("image") { return list ? .imageList : .image }
        return hasLimits ? (text.contains("duration") ? .video : .image) : nil
    }

    /// "Supported formats: .mp4, .mov" or "mp4/mov" in a description.
    private static func formats(in description: String) -> [String]? {
        let known = ["mp4", "mov", "webm", "mkv", "avi", "jpg", "jpeg", "png", "webp", "gif", "wav", "mp3", "m4a", "aac", "ogg", "flac"]
        let lower = description.lowercased()
        guard lower.contains("format") || lower.contains("supported") else { return nil }
        let words = lower.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        let found = known.filter { words.contains($0) }
        return found.isEmpty ? nil : found
    }
}

