import PreflightCore

/// Why a batch could not start or go on (per-file problems are rows of the manifest, not errors).
public struct BatchError: PreflightError {
    /// What kind of batch failure it is (its category decides the exit code).
    public enum Code: String, Sendable {
        case usage
        case sourceMissing = "source_missing"
        case output
        case manifest
        /// The HTML report could not be written (the run's outputs and manifest are unaffected).
        case report
    }

    public var code: Code
    public var message: String
    public var hint: String

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint ?? ""
    }

    public var category: ErrorCategory {
        switch code {
        case .sourceMissing: .inputMissing
        case .usage, .output, .manifest, .report: .usage
        }
    }

    public var errorCode: String { "batch." + code.rawValue }
}
