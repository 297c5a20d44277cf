import PreflightCore

/// Why `fix` will not produce a file. It never produces one that still fails.
public enum FixError: PreflightError {
    /// Limits no change can meet (too short to lengthen, the wrong kind of media...).
    case impossible([String])
    /// The selected models' limits do not overlap: one output cannot satisfy them all.
    case conflicting([String])
    /// The output was made but still fails a check (after the allowed retries); it was deleted.
    case verificationFailed([String])
    /// FFmpeg failed while converting.
    case media(String)
    /// Interrupted (Ctrl-C): the partial output was removed.
    case cancelled
    /// The output cannot be written where asked.
    case output(String)

    /// Refused when no fix can make the file acceptable (or the fix did not verify); temporary when
    /// cancelled; a usage error when the output cannot be written where asked.
    public var category: ErrorCategory {
        switch self {
        case .impossible, .conflicting, .verificationFailed, .media: .refused
        case .cancelled: .temporary
        case .output: .usage
        }
    }

    /// "fix." and the case, e.g. "fix.impossible": the machine code scripts match on.
    public var errorCode: String {
        switch self {
        case .impossible: "fix.impossible"
        case .conflicting: "fix.conflicting"
        case .verificationFailed: "fix.verification_failed"
        case .media: "fix.media"
        case .cancelled: "fix.cancelled"
        case .output: "fix.output"
        }
    }

    /// The same as `description`: the case says what went wrong and what to do.
    public var message: String { description }
    /// Empty: each message already says what to do.
    public var hint: String { "" }

    /// What went wrong in a sentence, with the reasons or FFmpeg's words.
    public var description: String {
        switch self {
        case .impossible(let reasons): "cannot be fixed: " + reasons.joined(separator: "; ")
        case .conflicting(let conflicts): "one file cannot satisfy every model: " + conflicts.joined(separator: "; ") + ". Run fix once per model, each with its own -o."
        case .verificationFailed(let reasons): "the converted file still fails: " + reasons.joined(separator: "; ") + " (it was not kept)"
        case .media(let text): "conversion failed: \(text)"
        case .cancelled: "interrupted; no partial output was left"
        case .output(let text): text
        }
    }
}
