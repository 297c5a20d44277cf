import Foundation
import PreflightCore

/// The JSON forms of probe results: one record per file (a `MediaInfo`, or `path` + `error`), and the
/// one-document form that wraps them. README "JSON schema" documents both.
public enum ProbeJSON {
    /// Version of the record shape; bumped only when a key changes meaning or disappears.
    public static let schemaVersion = 1

    /// The encoder for `--json` and `--ndjson`: snake_case keys, sorted; pretty-printed when asked.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        // Foundation's .convertToSnakeCase works the name out again for every key of every record, a
        // sixth of a fast probe's time; the schema's keys are few and plain camelCase (no acronyms),
        // so each is converted once. A test holds the output byte for byte to .convertToSnakeCase's.
        encoder.keyEncodingStrategy = .custom { path in SnakeCaseKeys.shared.key(for: path.last?.stringValue ?? "") }
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// One record as a `--ndjson` line (no newline): the same bytes `encoder()` gives, written faster.
    public static func line(_ record: Record) throws -> String {
        String(decoding: try CompactJSONEncoder().encode(record), as: UTF8.self)
    }

    /// A decoder that reads records written by `encoder()` back into `MediaInfo`.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// One file's outcome as it appears in `--ndjson` lines and in the document's `files`. A
    /// failure carries the exit code the command line gives it (the CLI's one table decides it).
    public enum Record: Encodable, Sendable {
        case media(MediaInfo)
        case failure(ProbeError, exitCode: Int32)

        /// A record of `result`; a failure gets the exit code `exitCode` gives its category (the CLI's table).
        public init(_ result: Result<MediaInfo, ProbeError>, exitCode: (ErrorCategory) -> Int32) {
            switch result {
            case .success(let info): self = .media(info)
            case .failure(let error): self = .failure(error, exitCode: exitCode(error.category))
            }
        }

        private struct Failure: Encodable {
            var path: String
            var error: Body
            struct Body: Encodable {
                var code: String
                var message: String
                var hint: String?
                var exitCode: Int32
            }
        }

        /// A media record is the `MediaInfo` itself; a failure is `path` and `error` (code, message, hint, exit code).
        public func encode(to encoder: Encoder) throws {
            switch self {
            case .media(let info):
                try info.encode(to: encoder)
            case .failure(let e, let exitCode):
                try Failure(path: e.path, error: .init(code: e.code.rawValue, message: e.message, hint: e.hint.isEmpty ? nil : e.hint, exitCode: exitCode))
                    .encode(to: encoder)
            }
        }
    }

    /// The `--json` document.
    public struct Document: Encodable, Sendable {
        /// The record shape's version (`ProbeJSON.schemaVersion`).
        public var schemaVersion = ProbeJSON.schemaVersion
        /// The preflight version that wrote the document.
        public var tool: String
        /// One record per file, in the order the files were given.
        public var files: [Record]

        /// A document of `files` written by `tool`.
        public init(tool: String, files: [Record]) {
            self.tool = tool
            self.files = files
        }
    }
}

/// camelCase coding keys to snake_case, each worked out once and shared by every encoder.
final class SnakeCaseKeys: @unchecked Sendable {
    static let shared = SnakeCaseKeys()

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private let lock = NSLock()
    private var cache: [String: Key] = [:]

    func key(for name: String) -> Key {
        lock.lock()
        defer { lock.unlock() }
        if let key = cache[name] { return key }
        var out = ""
        for c in name {
            if c.isUppercase, !out.isEmpty { out += "_" }
            out += c.lowercased()
        }
        let key = Key(stringValue: out)
        cache[name] = key
        return key
    }
}
