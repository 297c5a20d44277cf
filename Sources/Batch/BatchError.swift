/// Why a batch could not start or go on (per-file problems are rows of the manifest, not errors).
public struct BatchError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable {
        case usage
        case sourceMissing
        case output
        case manifest
        /// The HTML report could not be written (the run's outputs and manifest are unaffected).
        case report
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message). \($0)" } ?? message }
}
