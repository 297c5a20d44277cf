/// Checks a request payload against a model's schema: the wrong types, bad enum values, missing
/// fields and out-of-range numbers that fal answers with a 422 (sometimes after charging).
struct PayloadChecker {
    let spec: ModelSpec
    /// Media fields the file being checked will fill: not "missing".
    let suppliedFields: Set<String>

    func check(_ payload: [String: JSONValue]) -> [Violation] {
        var out: [Violation] = []
        let schema = spec.payload
        for field in schema.fields where field.required && payload[field.name] == nil && !suppliedFields.contains(field.name) {
            out.append(issue(.required, field.name, actual: "missing", required: "present",
                             message: "\(spec.name) needs '\(field.name)' (\(field.type.rawValue)); the payload has none",
                             remedy: "add it: --set \(field.name)=..."))
        }
        // A required text given empty (`--set prompt=`) is as good as none: the model refuses it.
        for field in schema.fields where field.required && field.type == .string && payload[field.name] == .string("") {
            out.append(issue(.required, field.name, actual: "empty", required: "present",
                             message: "\(spec.name) needs '\(field.name)'; it is given empty",
                             remedy: "give it a value: --set \(field.name)=..."))
        }
        // Media inputs the model needs besides the file checked (motion control: the character image too).
        for field in spec.media where field.required && payload[field.name] == nil && !suppliedFields.contains(field.name)
            && schema.field(field.name) == nil {
            out.append(issue(.required, field.name, actual: "missing", required: "present",
                             message: "\(spec.name) needs '\(field.name)' (\(field.kind.element.rawValue)\(field.kind.isList ? " URLs" : " URL")) as well; the payload has none",
                             remedy: "add it: --set \(field.name)=https://... (preflight upload FILE prints a URL)"))
        }
        for (name, value) in payload.sorted(by: { $0.key < $1.key }) {
            if let field = schema.field(name) {
                out += check(value, against: field)
            } else if spec.field(named: name) == nil {
                let known = schema.fields.map(\.name) + spec.media.map(\.name)
                // A field name is a typo only when it is a small edit away ("promt"), not a cousin ("image_size").
                let guess = known.filter { Suggest.distance($0, name) <= 2 }.min { Suggest.distance($0, name) < Suggest.distance($1, name) }
                if schema.complete || guess != nil {
                    out.append(Violation(rule: .payload(.unknownField), severity: .warning, field: name, actual: name,
                                         required: "a known field", message: "\(spec.name) has no field '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? "") + " (it will be ignored or refused)",
                                         repair: nil, remedy: guess.map { "rename it to '\($0)'" } ?? "remove it", source: nil))
                }
            }
        }
        return out
    }

    private func check(_ value: JSONValue, against field: PayloadField) -> [Violation] {
        if let typeIssue = typeMismatch(value, field) { return [typeIssue] }
        var out: [Violation] = []
        if let allowed = field.enumValues, !allowed.contains(value) {
            let options = allowed.map(\.description).joined(separator: ", ")
            // The right value with the wrong JSON type ("5" vs 5) is the commonest mistake.
            let sameText = allowed.first { $0.stringValue == plain(value) || $0.numberValue.map { plain(.number($0)) } == plain(value) }
            let guess = sameText ?? Suggest.closest(to: plain(value), among: allowed.compactMap { $0.stringValue ?? plain($0) })
                .flatMap { g in allowed.first { ($0.stringValue ?? plain($0)) == g } }
            out.append(issue(.enumValue, field.name, actual: value.description, required: "one of \(options)",
                             message: "\(spec.name) takes '\(field.name)' as one of \(options); you gave \(value)" + (guess.map { ": did you mean \($0)?" } ?? ""),
                             remedy: guess.map { "use \($0)" } ?? "use one of \(options)"))
        }
        if let n = value.numberValue {
            var bounds: [(Bool, String)] = []
            if let lo = field.minimum, n < lo { bounds.append((true, ">= \(num(lo))")) }
            if let lo = field.exclusiveMinimum, n <= lo { bounds.append((true, "> \(num(lo))")) }
            if let hi = field.maximum, n > hi { bounds.append((false, "<= \(num(hi))")) }
            if let hi = field.exclusiveMaximum, n >= hi { bounds.append((false, "< \(num(hi))")) }
            for (_, bound) in bounds {
                let range = [field.minimum.map { "from \(num($0))" }, field.maximum.map { "to \(num($0))" }].compactMap { $0 }.joined(separator: " ")
                out.append(issue(.range, field.name, actual: num(n), required: bound,
                                 message: "\(spec.name) takes '\(field.name)' \(range.isEmpty ? bound : range); you gave \(num(n))",
                                 remedy: "use a value \(bound)"))
            }
        }
        if case .string(let text) = value, let most = field.maxLength, text.count > most {
            out.append(issue(.maxLength, field.name, actual: "\(text.count) characters", required: "<= \(most)",
                             message: "\(spec.name) takes at most \(most) characters in '\(field.name)'; you gave \(text.count)",
                             remedy: "shorten it by \(text.count - most) characters"))
        }
        if let limits = field.sizeLimits, case .object(let size) = value,
           let w = size["width"]?.numberValue.flatMap({ Int(exactly: $0) }), let h = size["height"]?.numberValue.flatMap({ Int(exactly: $0) }) {
            let problems = limits.problems(width: w, height: h)
            if !problems.isEmpty {
                out.append(issue(.size, field.name, actual: "\(w)x\(h)", required: problems.joined(separator: ", "),
                                 message: "\(spec.name) makes '\(field.name)' only with " + problems.joined(separator: ", ") + "; you asked for \(w)x\(h)",
                                 remedy: "choose a size with " + problems.joined(separator: ", ")))
            }
        }
        if case .array(let items) = value {
            if let lo = field.minItems, items.count < lo {
                out.append(issue(.minItems, field.name, actual: "\(items.count) items", required: ">= \(lo)",
                                 message: "\(spec.name) needs at least \(lo) items in '\(field.name)'; you gave \(items.count)", remedy: "add items"))
            }
            if let hi = field.maxItems, items.count > hi {
                out.append(issue(.maxItems, field.name, actual: "\(items.count) items", required: "<= \(hi)",
                                 message: "\(spec.name) takes at most \(hi) items in '\(field.name)'; you gave \(items.count)", remedy: "remove items"))
            }
        }
        return out
    }

    private func typeMismatch(_ value: JSONValue, _ field: PayloadField) -> Violation? {
        let ok: Bool = switch (field.type, value) {
        case (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object), (.number, .integer), (.number, .number), (.integer, .integer): true
        case (.integer, .number(let d)): d == d.rounded()
        case (_, .null): !field.required
        default: false
        }
        guard !ok else { return nil }
        var hint = ""
        switch (field.type, value) {
        case (.string, .integer), (.string, .number), (.string, .bool):
            hint = "write it as a string: \"\(plain(value))\""
        case (.integer, .string(let s)) where Int(s) != nil, (.number, .string(let s)) where Double(s) != nil:
            hint = "write it as a number: \(s) without quotes"
        default: break
        }
        return issue(.type, field.name, actual: "\(value.typeName) \(value)", required: field.type.rawValue,
                     message: "\(spec.name) takes '\(field.name)' as \(article(field.type.rawValue)); you gave the \(value.typeName) \(value)",
                     remedy: hint.isEmpty ? "give \(article(field.type.rawValue))" : hint)
    }

    private func issue(_ rule: Violation.Rule.PayloadRule, _ field: String, actual: String, required: String, message: String, remedy: String) -> Violation {
        // The schema's source is the model's page, not a media limit line: leave it out of payload issues.
        Violation(rule: .payload(rule), severity: .error, field: field, actual: actual, required: required, message: message,
                  repair: nil, remedy: remedy, source: nil)
    }

    private func plain(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .integer(let i): String(i)
        case .number(let d): num(d)
        default: v.description
        }
    }

    private func num(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
    private func article(_ word: String) -> String { ("aeiou".contains(word.first ?? "x") ? "an " : "a ") + word }
}

extension Checker {
    /// The payload alone against a model, before any file is known: `supplying` names the fields
    /// the caller will fill (the media field, a sheet's columns). Lets a batch refuse a missing
    /// prompt before hours of preparing, not once per file afterwards.
    public func checkPayload(_ payload: [String: JSONValue], model spec: ModelSpec, supplying fields: Set<String>) -> [Violation] {
        PayloadChecker(spec: spec, suppliedFields: fields).check(payload)
    }
}
