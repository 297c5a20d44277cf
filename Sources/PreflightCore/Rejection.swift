import Foundation

/// A model's rejection of an input, as fal reports it in a 422's `detail[]`: the machine `type`,
/// the limit in `ctx`, and where (`loc`).
public struct Rejection: Codable, Sendable, Equatable {
    /// fal's machine type, e.g. "video_duration_too_long", "file_too_large": what a limit is learned from.
    public var type: String
    /// fal's message, as it wrote it (redacted).
    public var message: String
    /// The payload field, from `loc` (["body", "video_url"] -> "video_url").
    public var field: String?
    /// fal's `ctx`: the limit and the value it saw (e.g. {"max_duration": 10}); empty when absent.
    public var ctx: [String: JSONValue]
    /// The fal request that was rejected, when known.
    public var requestID: String?

    /// A rejection as parsed from a 422's `detail[]` entry.
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
}
