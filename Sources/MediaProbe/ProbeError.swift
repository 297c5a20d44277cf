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

    /// What kind of failure it is (missing, unreadable, not media, timeout...).
    public var code: Code
    /// The file the probe was asked about, as given.
    public var path: String
    /// What went wrong, in a sentence a user reads.
    public var message: String
    /// What to do next ("" when the message says it all).
    public var hint: String

    /// An error about `path`; no hint when the message says it all.
    public init(_ code: Code, path: String, message: String, hint: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.hint = hint ?? ""
    }

    /// What kind of failure it is for the exit code: the file is missing, is not media, or could not be read.
    public var category: ErrorCategory {
        switch code {
        case .missing, .unreadable, .notAFile, .noMediaFound: .inputMissing
        case .empty, .notMedia, .truncated, .invalidDimensions, .corrupt: .notMedia
        case .timeout: .temporary
        }
    }

    /// "probe." and the code, e.g. "probe.not_media": the machine code scripts match on.
    public var errorCode: String { "probe." + code.rawValue }

    /// "PATH: MESSAGE. HINT", as the CLI prints it.
    public var description: String {
        hint.isEmpty ? "\(path): \(message)" : "\(path): \(message). \(hint)"
    }
}
