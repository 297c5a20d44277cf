import Foundation

/// What changed between two versions of one model, in the user's terms: a limit tightened (files
/// that passed may now fail) or loosened, a field added or now required, a price moved.
package struct CatalogChange: Sendable, Equatable, CustomStringConvertible {
    /// Whether a limit was added, removed or changed.
    package enum Kind: String, Sendable {
        case tightened, loosened, changed, added, removed, nowRequired = "now required", noLongerRequired = "no longer required", price
    }

    package var kind: Kind
    /// "video_url max_duration", "payload voice_id", "price".
    package var subject: String
    package var before: String?
    package var after: String?

    package init(kind: Kind, subject: String, before: String?, after: String?) {
        self.kind = kind
        self.subject = subject
        self.before = before
        self.after = after
    }

    package var description: String {
        let change = [before ?? "none", after ?? "none"].map(Self.printable).joined(separator: " -> ")
        return kind == .price ? "price: \(change)" : "\(kind.rawValue): \(Self.printable(subject)) (\(change))"
    }

    /// Names and values come from fal's documents: no control characters (terminal escapes) pass,
    /// and nothing runs on for pages.
    static func printable(_ text: String) -> String {
        let clean = Printable.escape(text)
        return clean.count > 200 ? clean.prefix(200) + "..." : clean
    }
}

/// The differences between two versions of a model's entry, as people read them.
package enum CatalogDiff {
    /// Changes from `old` to `new`. Payload fields that are media fields are compared as media.
    package static func changes(from old: ModelSpec?, to new: ModelSpec) -> [CatalogChange] {
        guard let old else { return [CatalogChange(kind: .added, subject: "model \(new.id)", before: nil, after: new.name)] }
        var out: [CatalogChange] = []
        for field in new.media {
            guard let before = old.field(named: field.name) else {
                out.append(CatalogChange(kind: .added, subject: "media field \(field.name)", before: nil, after: field.kind.rawValue))
                continue
            }
            if field.required && !before.required { out.append(CatalogChange(kind: .nowRequired, subject: field.name, before: "optional", after: "required")) }
            if !field.required && before.required { out.append(CatalogChange(kind: .noLongerRequired, subject: field.name, before: "required", after: "optional")) }
            out += limitChanges(field.name, before.requirement, field.requirement)
        }
        for field in old.media where new.field(named: field.name) == nil {
            out.append(CatalogChange(kind: .removed, subject: "media field \(field.name)", before: field.kind.rawValue, after: nil))
        }
        out += payloadChanges(old, new)
        if let p = new.price, let q = old.price, p.amount != q.amount || p.unit != q.unit {
            let pct = q.amount > 0 ? String(format: " (%+.0f%%)", (p.amount - q.amount) / q.amount * 100) : ""
            out.append(CatalogChange(kind: .price, subject: "price", before: "\(Price.number(q.amount)) \(q.currency)/\(q.unit.words)",
                                     after: "\(Price.number(p.amount)) \(p.currency)/\(p.unit.words)\(pct)"))
        } else if let p = new.price, old.price == nil {
            out.append(CatalogChange(kind: .price, subject: "price", before: nil, after: "\(Price.number(p.amount)) \(p.currency)/\(p.unit.words)"))
        }
        return out
    }

    static func limitChanges(_ field: String, _ a: MediaRequirement, _ b: MediaRequirement) -> [CatalogChange] {
        var out: [CatalogChange] = []
        for key in LimitKey.requirementKeys {
            let before = a.value(key), after = b.value(key)
            guard !same(key, before, after) else { continue }
            let subject = "\(field) \(key.rawValue)"
            let kind: CatalogChange.Kind
            switch (before, after) {
            case (nil, _?): kind = .tightened // a new limit can only refuse more
            case (_?, nil): kind = .loosened
            default: kind = direction(key, before!, after!)
            }
            out.append(CatalogChange(kind: kind, subject: subject, before: before.map(show), after: after.map(show)))
        }
        return out
    }

    private static func same(_ key: LimitKey, _ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?):
            if let p = x.numberValue, let q = y.numberValue { return abs(p - q) < 1e-9 }
            if let p = x.arrayValue, let q = y.arrayValue { return set(key, p) == set(key, q) }
            return x == y
        default: return false
        }
    }

    private static func set(_ key: LimitKey, _ values: [JSONValue]) -> Set<String> {
        Set(values.compactMap(\.stringValue).flatMap { key == .formats ? MediaFormatName.synonyms($0) : [$0.lowercased()] })
    }

    private static func direction(_ key: LimitKey, _ a: JSONValue, _ b: JSONValue) -> CatalogChange.Kind {
        if let p = a.numberValue, let q = b.numberValue, let larger = key.largerIsStricter {
            return (q > p) == larger ? .tightened : .loosened
        }
        if let p = a.arrayValue, let q = b.arrayValue {
            let (x, y) = (set(key, p), set(key, q))
            if y.isSubset(of: x) { return .tightened }
            if x.isSubset(of: y) { return .loosened }
        }
        if let p = a.stringValue, let q = b.stringValue {
            let order = ["optional": 0, "required": 1, "forbidden": 1]
            if p == "optional" && order[q] == 1 { return .tightened }
            if q == "optional" { return .loosened }
        }
        return .changed
    }

    private static func show(_ v: JSONValue) -> String {
        switch v {
        case .array(let a): a.compactMap(\.stringValue).joined(separator: ", ")
        case .string(let s): s
        default: v.description
        }
    }

    static func payloadChanges(_ old: ModelSpec, _ new: ModelSpec) -> [CatalogChange] {
        var out: [CatalogChange] = []
        let media = Set(new.media.map(\.name) + old.media.map(\.name))
        for f in new.payload.fields where !media.contains(f.name) {
            guard let g = old.payload.field(f.name) else {
                out.append(CatalogChange(kind: f.required ? .nowRequired : .added, subject: "payload \(f.name)", before: nil,
                                         after: f.type.rawValue + (f.required ? ", required" : "")))
                continue
            }
            if f.required && !g.required { out.append(CatalogChange(kind: .nowRequired, subject: "payload \(f.name)", before: "optional", after: "required")) }
            if !f.required && g.required { out.append(CatalogChange(kind: .noLongerRequired, subject: "payload \(f.name)", before: "required", after: "optional")) }
            if let e = f.enumValues, e != (g.enumValues ?? e) {
                let (x, y) = (Set(g.enumValues!.map(\.description)), Set(e.map(\.description)))
                let kind: CatalogChange.Kind = y.isSubset(of: x) ? .tightened : x.isSubset(of: y) ? .loosened : .changed
                out.append(CatalogChange(kind: kind, subject: "payload \(f.name) enum", before: g.enumValues!.map(\.description).joined(separator: ", "),
                                         after: e.map(\.description).joined(separator: ", ")))
            }
            for (name, a, b, larger) in [("minimum", g.minimum, f.minimum, true), ("maximum", g.maximum, f.maximum, false),
                                          ("max_length", g.maxLength.map(Double.init), f.maxLength.map(Double.init), false)] where a != b {
                let kind: CatalogChange.Kind = switch (a, b) {
                case (nil, _?): .tightened
                case (_?, nil): .loosened
                case let (p?, q?): (q > p) == larger ? .tightened : .loosened
                default: .changed
                }
                out.append(CatalogChange(kind: kind, subject: "payload \(f.name) \(name)", before: a.map(Price.number), after: b.map(Price.number)))
            }
        }
        return out
    }
}
