/// Where a limit or a price came from, and when it was seen: limits change, and a user must be able
/// to tell a published fact from a guess or a lesson learned from a rejection.
public struct Source: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What was read: "fal OpenAPI input schema (field description)", "model page", "422 rejection".
    public var ref: String
    /// The page or document it was read from; nil when there is no address (a rejection, a user file).
    public var url: String?
    /// When it was seen, ISO 8601 (a day or a month).
    public var date: String?
    /// True when the limit was read from a description's prose, not from a structured line or schema
    /// keyword: worth a second look.
    public var fromProse: Bool?
    /// The day a rejection taught this limit (learned requirements only): no one published it.
    public var learnedOn: String?

    /// A source; everything but `ref` is optional.
    public init(ref: String, url: String? = nil, date: String? = nil, fromProse: Bool? = nil, learnedOn: String? = nil) {
        self.ref = ref
        self.url = url
        self.date = date
        self.fromProse = fromProse
        self.learnedOn = learnedOn
    }

    enum CodingKeys: String, CodingKey { case ref, url, date, fromProse = "from_prose", learnedOn = "learned_on" }

    /// "REF, seen DATE, read from prose": how reports cite it.
    public var description: String {
        [ref, date.map { "seen \($0)" }, fromProse == true ? "read from prose" : nil].compactMap { $0 }.joined(separator: ", ")
    }
}
