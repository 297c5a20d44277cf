import ArgumentParser
import Foundation
import PreflightCore
import ModelCatalog

/// The request payload a command checks or sends: a JSON file, then `--set key=value` on top.
struct PayloadInput: ParsableArguments {
    @Option(name: .customLong("input"), help: ArgumentHelp("The request payload as a JSON object.", valueName: "payload.json"),
            completion: .file(extensions: ["json"]))
    var inputFile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "A payload field, repeatable. Values are read as the model's schema types them (--set duration=5 gives \"5\" to a string field); JSON is accepted: --set 'tags=[\"a\"]'.",
        valueName: "key=value"))
    var settings: [String] = []

    /// Whether the user gave any payload at all (an empty one is not checked).
    var given: Bool { inputFile != nil || !settings.isEmpty }

    func validate() throws {
        for s in settings where !s.contains("=") || s.hasPrefix("=") {
            throw ValidationError("--set takes key=value, e.g. --set duration=5 (got '\(s)')")
        }
    }

    /// The payload, with --set values typed for `spec`'s schema (the first model's, in dual mode).
    func payload(for spec: ModelSpec?) throws -> [String: JSONValue] {
        var payload: [String: JSONValue] = [:]
        if let inputFile {
            guard let data = FileManager.default.contents(atPath: inputFile) else {
                throw CLIFailure(.inputMissing, message: "\(inputFile): cannot read the payload file; check the path")
            }
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                throw CLIFailure(.usage, message: "\(inputFile): the payload must be a JSON object, e.g. {\"prompt\": \"...\"}")
            }
            if let path = Self.nonFinitePath(.object(object)) {
                throw CLIFailure(.usage, message: "\(inputFile): \(path) is not a finite number; give a plain number such as 7.5")
            }
            payload = object
        }
        for s in settings {
            let parts = s.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]), raw = parts.count > 1 ? String(parts[1]) : ""
            let value = Self.typed(raw, as: spec?.payload.field(key)?.type)
            if Self.nonFinitePath(value) != nil {
                throw CLIFailure(.usage, message: "--set \(key)=\(raw): not a finite number; give a plain number such as 7.5")
            }
            payload[key] = value
        }
        return payload
    }

    /// Where a number that is NaN or infinite (1e999 read as a Double) sits in `value`, if anywhere.
    static func nonFinitePath(_ value: JSONValue, at path: String = "") -> String? {
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

    /// A shell cannot easily say "5" versus 5; the schema can. Unknown fields read as JSON when they
    /// parse as JSON, else as text.
    static func typed(_ raw: String, as type: PayloadField.FieldType?) -> JSONValue {
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))
        switch type {
        case .string?:
            if case .string? = json { return json! }
            return .string(raw)
        case .integer?: return Int(raw).map(JSONValue.integer) ?? json ?? .string(raw)
        case .number?:
            // 1e300 is integral but no Int: it stays a number (Int(1e300) would trap).
            return Double(raw).map { d in !raw.contains(".") ? Int(exactly: d).map(JSONValue.integer) ?? .number(d) : .number(d) } ?? json ?? .string(raw)
        case .boolean?: return ["true", "false"].contains(raw) ? .bool(raw == "true") : json ?? .string(raw)
        default: return json ?? .string(raw)
        }
    }
}

/// A mistake on the command line found while reading it (a payload file, a --set value): one
/// line and its category, reported like every other error.
struct CLIFailure: PreflightError {
    var category: ErrorCategory
    var message: String
    var hint: String { "" }
    var errorCode: String { "cli." + category.rawValue }

    init(_ category: ErrorCategory, message: String) {
        self.category = category
        self.message = message
    }
}
