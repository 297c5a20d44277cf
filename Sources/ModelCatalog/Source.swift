/// Where a limit or a price came from, and when it was seen: limits change, and a user must be able
/// to tell a published fact from a guess or a lesson learned from a rejection.
public struct Source: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What was read: "fal OpenAPI input schema (field description)", "model page", "422 rejection".
    public var ref: String
    public var url: String?
    /// When it was seen, ISO 8601 (a day or a month).
    public var date: String?

    public init(ref: String, url: String? = nil, date: String? = nil) {
        self.ref = ref
        self.url = url
        self.date = date
    }

    public var description: String {
        [ref, date.map { "seen \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}
