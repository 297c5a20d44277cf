/// Checks the rules that span several media fields of one model: how many files in all, fields
/// that exclude each other, and fields that need another. The checked file counts as one file in
/// the field it goes to; the payload's URLs count as they are listed.
struct FieldGroupChecker {
    let spec: ModelSpec
    /// The media field the checked file fills, if any.
    let suppliedField: String?

    func check(_ payload: [String: JSONValue]) -> [Violation] {
        spec.rules.flatMap { rule in
            [countViolation(rule, payload), exclusionViolation(rule, payload), dependencyViolation(rule, payload)].compactMap { $0 }
        }
    }

    /// Files in one field: the payload's entries, plus the checked file when it goes there.
    func count(_ name: String, _ payload: [String: JSONValue]) -> Int {
        let listed: Int = switch payload[name] {
        case .array(let a)?: a.count
        case .string(let s)? where !s.isEmpty: 1
        default: 0
        }
        return listed + (name == suppliedField ? 1 : 0)
    }

    private func countViolation(_ rule: FieldGroupRule, _ payload: [String: JSONValue]) -> Violation? {
        guard let most = rule.maxCount else { return nil }
        let total = rule.fields.reduce(0) { $0 + count($1, payload) }
        guard total > most else { return nil }
        let fields = rule.fields.map { "'\($0)'" }.joined(separator: " + ")
        return Violation(rule: .fieldGroup(.maxCount), severity: .error, field: rule.fields.joined(separator: "+"), actual: "\(total) files",
                         required: "<= \(most)", message: "\(spec.name) takes at most \(most) files in \(fields) together; there are \(total)",
                         repair: nil, remedy: "cannot be fixed by changing the file: send fewer files", source: rule.source ?? spec.source)
    }

    private func exclusionViolation(_ rule: FieldGroupRule, _ payload: [String: JSONValue]) -> Violation? {
        guard rule.notTogether == true else { return nil }
        let filled = rule.fields.filter { count($0, payload) > 0 }
        guard filled.count > 1 else { return nil }
        let names = filled.map { "'\($0)'" }.joined(separator: " and ")
        return Violation(rule: .fieldGroup(.notTogether), severity: .error, field: filled.joined(separator: "+"), actual: "\(names) both set",
                         required: "only one of " + rule.fields.joined(separator: ", "),
                         message: "\(spec.name) takes \(rule.fields.map { "'\($0)'" }.joined(separator: " or ")), not both; this request sets \(names)",
                         repair: nil, remedy: "cannot be fixed by changing the file: leave one of them out", source: rule.source ?? spec.source)
    }

    private func dependencyViolation(_ rule: FieldGroupRule, _ payload: [String: JSONValue]) -> Violation? {
        guard let needs = rule.requiresAnyOf, !needs.isEmpty else { return nil }
        let filled = rule.fields.filter { count($0, payload) > 0 }
        guard !filled.isEmpty, !needs.contains(where: { count($0, payload) > 0 }) else { return nil }
        let wanted = needs.map { "'\($0)'" }.joined(separator: " or ")
        return Violation(rule: .fieldGroup(.requires), severity: .error, field: filled.joined(separator: "+"), actual: "no \(wanted)",
                         required: "one of " + needs.joined(separator: ", "),
                         message: "\(spec.name) takes '\(filled[0])' only together with \(wanted); this request has none",
                         repair: nil, remedy: "cannot be fixed by changing the file: add \(wanted) to the payload", source: rule.source ?? spec.source)
    }
}
