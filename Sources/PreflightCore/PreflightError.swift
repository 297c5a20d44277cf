/// What kind of failure something is, in the terms a caller acts on. Libraries say this; only the
/// command line turns a category into an exit code (one table, in PreflightCLI), so the same
/// failure has the same exit code in every command.
public enum ErrorCategory: String, Codable, Sendable, CaseIterable {
    /// A mistake in how the tool was called (flags, ids, paths that cannot be used).
    case usage
    /// The input is not valid media (or is damaged past reading).
    case notMedia = "not_media"
    /// The input is missing or cannot be read.
    case inputMissing = "input_missing"
    /// The media does not comply, a model refused it, or a job failed: fixing the input may help.
    case refused
    /// Some items of several failed.
    case someFailed = "some_failed"
    /// fal may have accepted (and billed) a request whose answer was lost: never sent again
    /// blindly, and never worth a blind retry either.
    case uncertain
    /// The service is down or failing on its side.
    case unavailable
    /// preflight's own state (the journal, its folder) cannot be read or written: no space, no
    /// permission, a damaged file. It does not heal by waiting.
    case localState = "local_state"
    /// Try again later: capacity, the network, a request still running at fal, another process
    /// driving the same job.
    case temporary
    /// The key was refused, or billing (a locked account).
    case notPermitted = "not_permitted"
}

/// The shape every library error has: a sentence saying what is wrong, what to do next, and its
/// category (which decides the exit code).
public protocol PreflightError: Error, Sendable, CustomStringConvertible {
    /// A stable machine-readable name ("probe.not_media", "fal.capacity"), for scripts.
    var errorCode: String { get }
    var message: String { get }
    /// What to do next; empty when the message says it all.
    var hint: String { get }
    var category: ErrorCategory { get }
}

extension PreflightError {
    /// "MESSAGE. HINT", or the message alone when there is no hint.
    public var description: String { hint.isEmpty ? message : "\(message). \(hint)" }
}
