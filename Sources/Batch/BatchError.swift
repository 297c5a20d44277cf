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

    /// What kind of failure it is: decides the exit code in the CLI.
    public var code: Code
    /// What went wrong, in a sentence a user reads.
    public var message: String
    /// What to do next ("" when the message says it all).
    public var hint: String

    /// An error of `code`; no hint when the message says it all.
    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint ?? ""
    }

    /// A missing source folder is missing input; everything else (flags, sheet, output, manifest, report)
    /// is something the caller can change: usage.
    public var category: ErrorCategory {
        switch code {
        case .sourceMissing: .inputMissing
        case .usage, .output, .manifest, .report: .usage
        }
    }

    /// "batch." and the code, e.g. "batch.manifest": the machine code scripts match on.
    public var errorCode: String { "batch." + code.rawValue }
}
