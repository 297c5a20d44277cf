import ArgumentParser

/// The exit codes documented in the README and DESIGN.md, in one place.
enum Exit {
    static let success = ExitCode(0)
    static let doesNotComply = ExitCode(1)
    static let someItemsFailed = ExitCode(2)
    static let usage = ExitCode(64)
    static let invalidMedia = ExitCode(65)
    static let inputMissing = ExitCode(66)
    static let unavailable = ExitCode(69)
    static let temporary = ExitCode(75)
    static let notPermitted = ExitCode(77)

    /// A run over several inputs: its single code when only one input was given, 2 when some of
    /// several failed.
    static func forRun(inputCount: Int, failures: [Int32]) -> ExitCode {
        guard let first = failures.first else { return success }
        return inputCount == 1 ? ExitCode(first) : someItemsFailed
    }
}
