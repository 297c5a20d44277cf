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

    /// Where a number that is NaN or infinite sits in `value` (PayloadText's answer).
    static func nonFinitePath(_ value: JSONValue) -> String? { PayloadText.nonFinitePath(value) }

    /// A --set value as the model's schema types it (PayloadText's answer, shared with sheets).
    static func typed(_ raw: String, as type: PayloadField.FieldType?) -> JSONValue { PayloadText.value(raw, as: type) }
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
