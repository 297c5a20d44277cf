import ArgumentParser
import PreflightCore

/// The exit codes documented in the README and DESIGN.md, in one place, and the one table from a
/// library's error category to its exit code.
enum Exit {
    static let success = ExitCode(0)
    static let doesNotComply = ExitCode(1)
    static let someItemsFailed = ExitCode(2)
    /// fal may have accepted (and billed) a request whose answer was lost: not 75, so that no
    /// wrapper that retries on "temporary" sends it again.
    static let uncertain = ExitCode(3)
    static let usage = ExitCode(64)
    static let invalidMedia = ExitCode(65)
    static let inputMissing = ExitCode(66)
    static let unavailable = ExitCode(69)
    /// preflight's own state folder (the journal) cannot be read or written; waiting does not help.
    static let localState = ExitCode(74)
    static let temporary = ExitCode(75)
    static let notPermitted = ExitCode(77)

    /// The exit code of each kind of failure, for every command.
    static func code(for category: ErrorCategory?) -> ExitCode {
        switch category {
        case nil: success
        case .refused?: doesNotComply
        case .someFailed?: someItemsFailed
        case .uncertain?: uncertain
        case .usage?: usage
        case .notMedia?: invalidMedia
        case .inputMissing?: inputMissing
        case .unavailable?: unavailable
        case .localState?: localState
        case .temporary?: temporary
        case .notPermitted?: notPermitted
        }
    }

    /// A run over several inputs: its single code when only one input was given, 2 when some of
    /// several failed.
    static func forRun(inputCount: Int, failures: [Int32]) -> ExitCode {
        guard let first = failures.first else { return success }
        return inputCount == 1 ? ExitCode(first) : someItemsFailed
    }
}
