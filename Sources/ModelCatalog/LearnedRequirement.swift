import Foundation

/// A model's rejection of an input, as fal reports it in a 422's `detail[]`: the machine `type`,
/// the limit in `ctx`, and where (`loc`).
public struct Rejection: Codable, Sendable, Equatable {
    public var type: String
    public var message: String
    /// The payload field, from `loc` (["body", "video_url"] -> "video_url").
    public var field: String?
    public var ctx: [String: JSONValue]
    /// The fal request that was rejected, when known.
    public var requestID: String?

    public init(type: String, message: String, field: String?, ctx: [String: JSONValue], requestID: String? = nil) {
        self.type = type
        self.message = message
        self.field = field
        self.ctx = ctx
        self.requestID = requestID
    }

    /// Every entry of a fal 422 body (`{"detail": [...]}`); a plain-string `detail` yields one
    /// rejection of type "unknown".
    public static func parse(_ body: Data, requestID: String? = nil) -> [Rejection] {
        guard let json = try? JSONDecoder().decode([String: JSONValue].self, from: body), let detail = json["detail"] else { return [] }
        switch detail {
        case .string(let text):
            return [Rejection(type: "unknown", message: text, field: nil, ctx: [:], requestID: requestID)]
        case .array(let items):
            return items.compactMap { item in
                guard case .object(let o) = item else { return nil }
                var field: String?
                if case .array(let loc)? = o["loc"] { field = loc.last?.stringValue }
                var ctx: [String: JSONValue] = [:]
                if case .object(let c)? = o["ctx"] { ctx = c }
                return Rejection(type: o["type"]?.stringValue ?? "unknown", message: o["msg"]?.stringValue ?? "",
                                 field: field, ctx: ctx, requestID: requestID)
            }
        default:
            return []
        }
    }

    /// The limits this rejection teaches, per fal's documented error types (fal-protocol.md).
    public var lessons: [(LimitKey, JSONValue)] {
        func v(_ key: String) -> JSONValue? { ctx[key] }
        var out: [(LimitKey, JSONValue)] = []
        func add(_ key: LimitKey, _ ctxKey: String) { if let value = v(ctxKey), value.numberValue != nil { out.append((key, value)) } }
        switch type {
        case "image_too_small": add(.minWidth, "min_width"); add(.minHeight, "min_height")
        case "image_too_large": add(.maxWidth, "max_width"); add(.maxHeight, "max_height")
        case "image_aspect_ratio_error": add(.minAspectRatio, "min_aspect_ratio"); add(.maxAspectRatio, "max_aspect_ratio")
        case "file_too_large": add(.maxFileSize, "max_size")
        case "video_duration_too_long", "audio_duration_too_long": add(.maxDuration, "max_duration")
        case "video_duration_too_short", "audio_duration_too_short": add(.minDuration, "min_duration")
        case "unsupported_video_format", "unsupported_image_format", "unsupported_audio_format":
            if case .array(let formats)? = v("supported_formats") {
                out.append((.formats, .array(formats.compactMap(\.stringValue).map { .string($0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))) })))
            }
        default: break
        }
        return out
    }
}

/// A limit learned from a model's rejection, remembered so the same mistake is caught locally next
/// time instead of being paid for again.
public struct LearnedRequirement: Codable, Sendable, Equatable {
    public var modelID: String
    public var field: String
    public var key: LimitKey
    public var value: JSONValue
    /// ISO 8601 time of the rejection.
    public var learnedAt: String
    public var rejection: Rejection

    public init(modelID: String, field: String, key: LimitKey, value: JSONValue, learnedAt: String, rejection: Rejection) {
        self.modelID = modelID
        self.field = field
        self.key = key
        self.value = value
        self.learnedAt = learnedAt
        self.rejection = rejection
    }

    public var source: Source {
        let request = rejection.requestID.map { " of request \($0)" } ?? ""
        return Source(ref: "learned from a 422 \(rejection.type) rejection\(request)", date: learnedAt)
    }

    /// The lessons of a set of rejections for one model. `field` names the payload field when the
    /// rejection's `loc` does not.
    public static func from(_ rejections: [Rejection], modelID: String, field: String? = nil, at date: Date = Date()) -> [LearnedRequirement] {
        let stamp = ISO8601DateFormatter().string(from: date)
        return rejections.flatMap { r -> [LearnedRequirement] in
            guard let target = r.field ?? field else { return [] }
            return r.lessons.map { LearnedRequirement(modelID: modelID, field: target, key: $0.0, value: $0.1, learnedAt: stamp, rejection: r) }
        }
    }
}

/// Where learned requirements are kept. The submission engine records; the catalog reads.
public protocol LearnedRequirementStore: Sendable {
    func all() throws -> [LearnedRequirement]
    /// Keeps each lesson, replacing an older one for the same model, field and limit.
    func record(_ lessons: [LearnedRequirement]) throws
}
