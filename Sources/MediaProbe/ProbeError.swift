/// Why a file could not be probed: a plain sentence, a machine code, what to do next, and the exit
/// code documented for the CLI (DESIGN.md).
public struct ProbeError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
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
    public var hint: String?

    public init(_ code: Code, path: String, message: String, hint: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.hint = hint
    }

    /// The exit code for this failure alone: 66 input missing or unreadable, 65 not valid media,
    /// 75 temporary (try again).
    public var exitCode: Int32 {
        switch code {
        case .missing, .unreadable, .notAFile, .noMediaFound: 66
        case .empty, .notMedia, .truncated, .invalidDimensions, .corrupt: 65
        case .timeout: 75
        }
    }

    public var description: String {
        hint.map { "\(path): \(message). \($0)" } ?? "\(path): \(message)"
    }
}
