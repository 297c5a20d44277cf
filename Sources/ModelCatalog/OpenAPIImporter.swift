import Foundation

/// Turns a fal OpenAPI document (`https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=ID`) into
/// a catalog entry: the payload schema from the input schema under `components.schemas`, and media
/// limits from the structured limit lines in the fields' descriptions.
package enum OpenAPIImporter {
    static let hint = "Give fal's OpenAPI document for the model: https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=ENDPOINT_ID."

    /// - Parameters:
    ///   - reference: what the source says was read; by default the document's file name.
    ///   - endpointID: the id to use when the document does not name its endpoint (documents fal's
    ///     platform API inlines in `/v1/models` may carry no `info.x-fal-metadata`).
    package static func entry(from data: Data, name: String, date: Date = Date(), reference: String? = nil,
                             endpointID: String? = nil) throws(CatalogError) -> CatalogFile.CatalogEntry {
        guard let doc = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let root) = doc else {
            throw CatalogError(file: name, message: "not a JSON document", hint: hint)
        }
        return try entry(from: root, name: name, date: date, reference: reference, endpointID: endpointID)
    }

    /// The same, from a document already parsed (an `openapi` object fal's model listing inlined).
    package static func entry(from root: [String: JSONValue], name: String, date: Date = Date(), reference: String? = nil,
                             endpointID: String? = nil) throws(CatalogError) -> CatalogFile.CatalogEntry {
        guard let endpoint = root["info"]?["x-fal-metadata"]?["endpointId"]?.stringValue ?? endpointID else {
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

        let stamp = ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withFullDate])
        let documentURL = "https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=\(endpoint)"
        let fileName = reference ?? URL(fileURLWithPath: name).lastPathComponent
        let xfalSource = Source(ref: "fal schema x-fal", url: documentURL, date: stamp)
        var fields: [PayloadField] = []
        var media: [CatalogFile.MediaFieldEntry] = []
        for (name, value) in names.compactMap({ n in properties[n].map { (n, $0) } }) {
            let prop = resolve(value, schemas)
            let description = prop["description"]?.stringValue ?? ""
            var field = PayloadField(name: name, type: type(of: prop, schemas), required: required.contains(name),
                                     enumValues: enumValues(prop, schemas), minimum: prop["minimum"]?.numberValue,
                                     maximum: prop["maximum"]?.numberValue, defaultValue: prop["default"], description: description.isEmpty ? nil : description)
            field.exclusiveMinimum = prop["exclusiveMinimum"]?.numberValue
            field.exclusiveMaximum = prop["exclusiveMaximum"]?.numberValue
            field.minItems = prop["minItems"].flatMap(\.numberValue).flatMap { Int(exactly: $0) }
            field.maxItems = prop["maxItems"].flatMap(\.numberValue).flatMap { Int(exactly: $0) }
            field.maxLength = prop["maxLength"].flatMap(\.numberValue).flatMap { Int(exactly: $0) }
            let listLike = field.type == .array || name.lowercased().hasSuffix("_urls")
            let prose = ProseLimits.read(description, list: listLike)
            if field.type == .string, field.maxLength == nil, let n = prose.maxLength {
                field.maxLength = n
                field.readFromProse = ["max_length"]
            }
            // fal's SDK writes limits on the field (a list's on the list), or on a list's items.
            let items = prop["items"].map { resolve($0, schemas) }
            let xfalObject = prop["x-fal"]?.objectValue ?? items?["x-fal"]?.objectValue
            let ui = prop["ui"]?["field"]?.stringValue ?? items?["ui"]?["field"]?.stringValue
            let xfal = xfalObject.map { XFal.read($0, list: listLike) }
            let limits = LimitLine.parse(description)
            let mediaLike = ui != nil || isMediaName(name) || limits != nil
            // A field that takes no media but carries x-fal is a generated size (`image_size` with
            // ImageSizeConstraints): a payload limit.
            if let xfalObject, !mediaLike { field.sizeLimits = ImageSizeLimits(xfal: xfalObject) }
            fields.append(field)

            // Only structured limits make a field media by themselves: prose about a "duration"
            // field's seconds is not a video's limit.
            let structured = limits != nil || (mediaLike && !(xfal?.isEmpty ?? true))
            guard let kind = mediaKind(name: name, description: description, type: field.type, hasLimits: structured, ui: ui) else { continue }
            var require = MediaRequirement()
            var sources: [LimitKey: Source] = [:]
            var advice: [LimitKey: String] = [:]
            // x-fal first (fal's own machine-readable limits), then the limit line, then prose.
            if let x = xfal {
                require = x.requirement
                for key in require.keys { sources[key] = xfalSource }
            }
            if let line = limits {
                for key in line.keys where !require.isSet(key) { require.copy(key, from: line) }
            }
            if kind.isList {
                if !require.isSet(.maxCount) { require.maxCount = field.maxItems }
                if !require.isSet(.minCount) { require.minCount = field.minItems }
            }
            require.formats = formats(in: description)
            for key in prose.requirement.keys where !require.isSet(key) {
                require.copy(key, from: prose.requirement)
                sources[key] = Source(ref: "fal OpenAPI document (\(fileName)), \(name) description", url: documentURL, date: stamp, fromProse: true)
            }
            // What fal reshapes instead of refusing: a limit only a warning enforces, where no hard
            // limit of the same kind is published.
            if let n = xfal?.normalization {
                for key in n.keys where !require.isSet(key) {
                    require.copy(key, from: n)
                    require.advisory = (require.advisory ?? []) + [key]
                    advice[key] = Normalization.advice(key, in: n)
                    sources[key] = xfalSource
                }
            }
            media.append(CatalogFile.MediaFieldEntry(field: name, kind: kind, required: required.contains(name),
                                                     require: require, when: nil, source: nil, sources: sources.isEmpty ? nil : sources,
                                                     advice: advice.isEmpty ? nil : advice, normalization: xfal?.normalization))
        }
        let metadata = root["info"]?["x-fal-metadata"]
        return CatalogFile.CatalogEntry(
            id: endpoint, extends: nil,
            name: readableName(root["info"]?["title"]?.stringValue, endpoint: endpoint), provider: "fal",
            category: metadata?["category"]?.stringValue ?? "unknown",
            source: Source(ref: "fal OpenAPI document (\(fileName))", url: documentURL, date: stamp),
            notes: nil, media: media, payload: CatalogFile.PayloadEntry(complete: true, fields: fields), price: nil)
    }

    /// fal titles its queue documents "Queue OpenAPI for <endpoint id>": that names the document,
    /// not the model. A title that is only that becomes a name made from the id's words.
    package static func readableName(_ title: String?, endpoint: String) -> String {
        var t = (title ?? "").trimmingCharacters(in: .whitespaces)
        for prefix in ["Queue OpenAPI for ", "OpenAPI for "] where t.lowercased().hasPrefix(prefix.lowercased()) {
            t = String(t.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        if !t.isEmpty && t != endpoint { return t }
        let words = endpoint.split(separator: "/").dropFirst().filter { $0 != "fal-ai" }
            .map { $0.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ") }
        let text = words.joined(separator: " ")
        return text.isEmpty ? endpoint : text.prefix(1).uppercased() + text.dropFirst()
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

    private static func isMediaName(_ name: String) -> Bool {
        let n = name.lowercased()
        return n.hasSuffix("_url") || n.hasSuffix("_urls")
    }

    /// fal's media inputs are URL fields named after what they take; the SDK's `ui.field` or a
    /// structured limit settles it.
    private static func mediaKind(name: String, description: String, type: PayloadField.FieldType, hasLimits: Bool, ui: String?) -> MediaFieldKind? {
        let n = name.lowercased()
        let list = type == .array || n.hasSuffix("_urls")
        switch ui?.lowercased() {
        case "video"?: return list ? .videoList : .video
        case "image"?: return list ? .imageList : .image
        case "audio"?: return list ? .audioList : .audio
        default: break
        }
        let isURL = isMediaName(n)
        guard isURL || hasLimits else { return nil }
        let text = (n + " " + description).lowercased()
        if n.contains("video") || (!n.contains("image") && !n.contains("audio") && text.contains("duration") && text.contains("video")) {
            return list ? .videoList : .video
        }
        if n.contains("audio") { return list ? .audioList : .audio }
        if n.contains("image") || text.contains("image") { return list ? .imageList : .image }
        return hasLimits ? (text.contains("duration") ? .video : .image) : nil
    }

    /// "Supported formats: .mp4, .mov" or "mp4/mov" in a description.
    private static func formats(in description: String) -> [String]? {
        let known = ["mp4", "mov", "webm", "mkv", "avi", "jpg", "jpeg", "png", "webp", "gif", "bmp", "wav", "mp3", "m4a", "aac", "ogg", "flac"]
        let lower = description.lowercased()
        guard lower.contains("format") || lower.contains("supported") else { return nil }
        let words = lower.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        let found = known.filter { words.contains($0) }
        return found.isEmpty ? nil : found
    }
}

