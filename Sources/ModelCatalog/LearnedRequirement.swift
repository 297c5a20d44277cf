import Foundation

extension Rejection {
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
