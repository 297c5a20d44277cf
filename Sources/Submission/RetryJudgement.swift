import Foundation

/// Whether sending a failed run again, unchanged, can end differently: the one answer `retry`
/// and `prepare --retry-failed` ask before a new paid attempt.
enum RetryJudgement {
    /// Why an unchanged resend would meet the same failure, or nil when it may not. fal's
    /// moderation judges the same prompt and media the same way; an input fal rejected is sent
    /// again unchanged unless preflight learned the limit from that rejection (then its pre-flight
    /// now fixes the file, or refuses it before paying).
    static func wouldRepeat(_ run: RunRecord, events: [EventRecord]) -> String? {
        switch run.errorCategory {
        case "moderation":
            return "fal's moderation refused this request"
        case "input_rejected":
            if events.contains(where: { $0.kind == "learned" }) { return nil }
            return "fal rejected this input and nothing preflight can fix was learned from the rejection"
        default:
            // The model finished without media: fal may charge it, and the same input tends to end
            // the same way (fal's own advice: change the prompt or settings first).
            if [run.errorBody, run.errorMessage].contains(where: { $0?.contains("no_media_generated") == true || $0?.contains("without producing media") == true }) {
                return "the model finished without producing media (fal may charge for it)"
            }
            return nil
        }
    }
}
