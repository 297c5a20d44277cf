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
/// time instead of being paid for again. Kept per fal base URL: a simulator's or a staging server's
/// rejection never tightens the catalog for fal itself.
public struct LearnedRequirement: Codable, Sendable, Equatable {
    /// The endpoint id of the model that refused the input.
    public var modelID: String
    /// The payload field the limit applies to, e.g. "video_url".
    public var field: String
    /// Which limit was learned, e.g. `max_duration`.
    public var key: LimitKey
    /// The limit's value, in the key's shape (seconds, pixels, a list of codecs...).
    public var value: JSONValue
    /// ISO 8601 time of the rejection.
    public var learnedAt: String
    /// The rejection it was learned from (fal's type, message, request id).
    public var rejection: Rejection
    /// Where the rejection came from: the queue base URL, as `scope(of:)` writes it.
    public var baseURL: String

    /// fal's own queue: where lessons are kept unless they came from somewhere else.
    public static let falBaseURL = "https://queue.fal.run"

    /// A lesson as stored; kept for fal's own queue unless `baseURL` says otherwise.
    public init(modelID: String, field: String, key: LimitKey, value: JSONValue, learnedAt: String, rejection: Rejection,
                baseURL: String = LearnedRequirement.falBaseURL) {
        self.modelID = modelID
        self.field = field
        self.key = key
        self.value = value
        self.learnedAt = learnedAt
        self.rejection = rejection
        self.baseURL = baseURL
    }

    enum CodingKeys: String, CodingKey { case modelID, field, key, value, learnedAt, rejection, baseURL }

    /// Reads a stored lesson; one written before `baseURL` existed belongs to fal's own queue.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(modelID: try c.decode(String.self, forKey: .modelID), field: try c.decode(String.self, forKey: .field),
                  key: try c.decode(LimitKey.self, forKey: .key), value: try c.decode(JSONValue.self, forKey: .value),
                  learnedAt: try c.decode(String.self, forKey: .learnedAt), rejection: try c.decode(Rejection.self, forKey: .rejection),
                  baseURL: try c.decodeIfPresent(String.self, forKey: .baseURL) ?? Self.falBaseURL)
    }

    /// A base URL as lessons are kept under it: scheme, host and port in lower case, then the path
    /// without a trailing slash (https://queue.fal.run, http://127.0.0.1:8787).
    public static func scope(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "https"
        let host = url.host?.lowercased() ?? ""
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        return "\(scheme)://\(host)\(port)\(path)"
    }

    /// The day of the rejection (the first ten characters of its ISO 8601 time).
    public var learnedOn: String { String(learnedAt.prefix(10)) }

    /// Where the limit came from, as reports cite it: the day, fal's type and request id, and the base URL
    /// when it was not fal's.
    public var source: Source {
        var detail = [rejection.type]
        if let id = rejection.requestID { detail.append("request \(id)") }
        if baseURL != Self.falBaseURL { detail.append("at \(baseURL)") }
        return Source(ref: "learned from a rejection on \(learnedOn) (\(detail.joined(separator: ", ")))", learnedOn: learnedOn)
    }

    /// The lessons of a set of rejections for one model. `field` names the payload field when the
    /// rejection's `loc` does not; `baseURL` is where they were met.
    public static func from(_ rejections: [Rejection], modelID: String, field: String? = nil, at date: Date = Date(),
                            baseURL: String = LearnedRequirement.falBaseURL) -> [LearnedRequirement] {
        let stamp = ISO8601DateFormatter().string(from: date)
        return rejections.flatMap { r -> [LearnedRequirement] in
            guard let target = r.field ?? field else { return [] }
            return r.lessons.map { LearnedRequirement(modelID: modelID, field: target, key: $0.0, value: $0.1, learnedAt: stamp, rejection: r, baseURL: baseURL) }
        }
    }
}

/// Where learned requirements are kept. The submission engine records; the catalog reads. A store
/// answers for one base URL (see `LearnedRequirement.baseURL`).
package protocol LearnedRequirementStore: Sendable {
    /// The lessons learned against this store's base URL.
    func all() throws -> [LearnedRequirement]
    /// Keeps each lesson under this store's base URL, replacing an older one for the same model,
    /// field and limit.
    func record(_ lessons: [LearnedRequirement]) throws
    /// Removes what was learned for a model (one field of it, when given) against this store's base
    /// URL; the lessons removed.
    func forget(modelID: String, field: String?) throws -> [LearnedRequirement]
}
