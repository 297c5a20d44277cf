import FalClient
import Foundation
import PreflightCore

/// An uncertain run (fal may have accepted the submit; its answer was lost) settled against fal's
/// request history: the listing of the model's requests around the submit's time. A request whose
/// input is exactly the one this run sent (its upload URL and every value), and that no other run
/// of the journal owns, is this run's: it is adopted and followed, never sent again; two such are
/// left to the user. Absence proves nothing until the history has had time to list it
/// (`RetryPolicy.historyLag`) and every page of the window was read; then the run is known not to
/// be at fal, and the advice names the one command that sends it again.
enum Settlement: Sendable, Equatable {
    case adopted(String)
    case notAtFal(String)
    case unknown(String)
}

extension SubmissionEngine {
    func settle(_ run: inout RunRecord) async throws(JournalError) -> Settlement {
        // The window: from the first submit of this run to the last, plus the history's lag.
        let submits = try journal.events(job: run.jobID).filter { $0.runID == run.id && $0.kind == "submitting" }.map(\.at)
        guard let first = submits.min(), let last = submits.max() else {
            return .unknown("no submit of this run is journaled")
        }
        let start = first.addingTimeInterval(-120)
        let end = last.addingTimeInterval(policy.historyLag)
        let listing: FalHistoryListing
        do {
            listing = try await client.requestHistory(endpoint: run.model, from: start, to: min(end, Date()).addingTimeInterval(60))
        } catch {
            return .unknown("fal's request history could not be read (\(error.message))")
        }
        // This run's request: the very input it sent (the upload URL and every value: the same
        // bytes reuse one upload, so the URL alone can name another job's request), and no request
        // the journal already gives to another run.
        let sent = run.inputJSON.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        let known = try journal.knownRequestIDs(listing.entries.map(\.requestID))
        let mine = listing.entries.filter { entry in
            guard let input = entry.input, !known.contains(entry.requestID) else { return false }
            if let sent { return sent == .object(input) }
            guard let url = run.mediaURL, !url.isEmpty else { return false }
            return Self.mentions(.object(input), url)
        }
        if mine.count > 1 {
            return .unknown("fal's history lists \(mine.count) requests with this run's input (\(mine.map(\.requestID).joined(separator: ", "))); not adopting one at random")
        }
        if let found = mine.first {
            let submission: QueueSubmission
            do { submission = try client.submission(model: run.model, requestID: found.requestID) } catch {
                return .unknown(error.message)
            }
            run.accept(submission)
            try journal.update(run, event: "submitted", "request \(found.requestID), found in fal's request history (the submit's answer was lost)")
            return .adopted(found.requestID)
        }
        guard listing.complete else { return .unknown("fal's request history was not read to its end") }
        guard Date() > end else {
            let formatter = DateFormatter()
            formatter.dateFormat = "HH:mm"
            return .unknown("fal's request history does not list it yet; it may take until \(formatter.string(from: end)) to (`preflight resume \(run.jobID)` asks again)")
        }
        let note = "fal's request history from \(Self.clock(start)) to \(Self.clock(end)) has no request with this run's input: fal never accepted it"
        // Said once in the history, however often resume asks again.
        if try !journal.events(job: run.jobID).contains(where: { $0.runID == run.id && $0.kind == "not-at-fal" }) {
            try journal.update(run, event: "not-at-fal", note)
        }
        return .notAtFal(note)
    }

    /// Whether `url` is one of the string values anywhere in `value`.
    static func mentions(_ value: JSONValue, _ url: String) -> Bool {
        switch value {
        case .string(let s): return s == url
        case .array(let items): return items.contains { mentions($0, url) }
        case .object(let fields): return fields.values.contains { mentions($0, url) }
        default: return false
        }
    }

    static func clock(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

extension RunRecord {
    /// fal accepted this run's request: its id and URLs, and no error any more. One place for the
    /// submit's answer and a request found in fal's history alike.
    mutating func accept(_ submission: QueueSubmission) {
        state = .submitted
        requestID = submission.requestID
        statusURL = submission.statusURL.absoluteString
        responseURL = submission.responseURL.absoluteString
        cancelURL = submission.cancelURL.absoluteString
        errorCategory = nil
        errorMessage = nil
    }
}
