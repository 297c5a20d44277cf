import ArgumentParser
import Foundation
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
                throw CLIFailure(code: Exit.inputMissing, message: "\(inputFile): cannot read the payload file; check the path")
            }
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                throw CLIFailure(code: Exit.usage, message: "\(inputFile): the payload must be a JSON object, e.g. {\"prompt\": \"...\"}")
            }
            payload = object
        }
        for s in settings {
            let parts = s.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]), raw = parts.count > 1 ? String(parts[1]) : ""
            payload[key] = Self.typed(raw, as: spec?.payload.field(key)?.type)
        }
        return payload
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
        case .number?: return Double(raw).map { $0 == $0.rounded() && !raw.contains(".") ? .integer(Int($0)) : .number($0) } ?? json ?? .string(raw)
        case .boolean?: return ["true", "false"].contains(raw) ? .bool(raw == "true") : json ?? .string(raw)
        default: return json ?? .string(raw)
        }
    }
}

/// A failure a command reports in one line and an exit code.
struct CLIFailure: Error {
    var code: ExitCode
    var message: String
}
