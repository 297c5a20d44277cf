import ArgumentParser
import MediaProbe
import PreflightCore

/// The one way an error reaches a person, and the one way it becomes an exit code.
extension Terminal {
    /// "error: " (red on a colour terminal), then the message and what to do next, escaped, and
    /// (as every line) redacted. Returns the exit code of the error's category, so a command
    /// writes `throw Terminal.report(error)`.
    @discardableResult
    static func report(_ error: any Error, about subject: String? = nil) -> ExitCode {
        let (text, category) = explain(error)
        Terminal.error((subject.map { "\($0): " } ?? "") + text)
        return Exit.code(for: category)
    }

    /// The text and category of any error: a library's typed error, or (never expected) another.
    static func explain(_ error: any Error) -> (String, ErrorCategory) {
        if let e = error as? any PreflightError { return (e.description, e.category) }
        if let code = error as? ExitCode { return ("stopped (\(code.rawValue))", .refused) }
        return ("\(error)", .refused)
    }
}

extension ProbeJSON.Record {
    /// A failed probe as JSON, with the exit code the CLI gives it.
    static func failed(_ error: ProbeError) -> ProbeJSON.Record { .failure(error, exitCode: Exit.code(for: error.category).rawValue) }

    /// A probe's outcome as JSON.
    static func of(_ result: Result<MediaInfo, ProbeError>) -> ProbeJSON.Record {
        ProbeJSON.Record(result) { Exit.code(for: $0).rawValue }
    }
}
