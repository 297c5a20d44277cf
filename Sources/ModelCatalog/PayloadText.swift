import Foundation
import PreflightCore

/// Payload values written as text (`--set key=value`, a sheet's cells), typed as the model's schema
/// types them: a shell cannot easily say "5" versus 5; the schema can.
package enum PayloadText {
    /// `raw` as the field's type wants it; unknown fields read as JSON when they parse as JSON, else as text.
    package static func value(_ raw: String, as type: PayloadField.FieldType?) -> JSONValue {
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))
        switch type {
        case .string?:
            if case .string(let text)? = json { return .string(text) }
            return .string(raw)
        case .integer?: return Int(raw).map(JSONValue.integer) ?? json ?? .string(raw)
        case .number?:
            // 1e300 is integral but no Int: it stays a number (Int(1e300) would trap).
            return Double(raw).map { d in !raw.contains(".") ? Int(exactly: d).map(JSONValue.integer) ?? .number(d) : .number(d) } ?? json ?? .string(raw)
        case .boolean?: return ["true", "false"].contains(raw) ? .bool(raw == "true") : json ?? .string(raw)
        default: return json ?? .string(raw)
        }
    }

    /// Where a number that is NaN or infinite (1e999 read as a Double) sits in `value`, if anywhere.
    package static func nonFinitePath(_ value: JSONValue, at path: String = "") -> String? {
        switch value {
        case .number(let d): return d.isFinite ? nil : (path.isEmpty ? "the value" : path)
        case .array(let items):
            for (i, item) in items.enumerated() { if let p = nonFinitePath(item, at: "\(path)[\(i)]") { return p } }
        case .object(let fields):
            for (key, item) in fields { if let p = nonFinitePath(item, at: path.isEmpty ? key : "\(path).\(key)") { return p } }
        default: break
        }
        return nil
    }
}
