import PreflightCore

/// Why a file could not be probed: a plain sentence, a machine code, what to do next, and its
/// category (the CLI's exit code: 66 missing or unreadable, 65 not valid media, 75 try again).
public struct ProbeError: PreflightError, Equatable, Codable {
    /// What went wrong, for scripts (`probe.not_media`...); the category decides the exit code.
    public enum Code: String, Codable, Sendable {
        case missing
        case unreadable
        case notAFile = "not_a_file"
        case noMediaFound = "no_media_found"
        case empty
        case notMedia = "not_media"
        case truncated
        case invalidDimensions = "invalid_dimensions"
        case corrupt
        case timeout
    }

    public var code: Code
    public var path: String
    public var message: String
    /// What to do next ("" when the message says it all).
    public var hint: String

    public init(_ code: Code, path: String, message: String, hint: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.hint = hint ?? ""
    }

    public var category: ErrorCategory {
        switch code {
        case .missing, .unreadable, .notAFile, .noMediaFound: .inputMissing
        case .empty, .notMedia, .truncated, .invalidDimensions, .corrupt: .notMedia
        case .timeout: .temporary
        }
    }

    public var errorCode: String { "probe." + code.rawValue }

    public var description: String {
        hint.isEmpty ? "\(path): \(message)" : "\(path): \(message). \(hint)"
    }
}
