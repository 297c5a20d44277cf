import Foundation

/// A file that ends before its media does: a copy or download cut short, a recording that stopped.
/// What it holds is still media up to its last whole frame; what is missing is said here.
public struct Truncation: Codable, Sendable, Equatable {
    /// Seconds of whole frames the file holds from its start (the longest of its video and audio).
    /// Nil when only headers were read (`--fast`).
    public var presentDuration: Double?
    /// Seconds the header or index describes, when it says.
    public var declaredDuration: Double?
    /// Where, in seconds, the first of the video and audio streams runs out of whole frames: damage
    /// FFmpeg reports from here on is this cut, not damage inside the file.
    public var cutAt: Double?
    /// How it shows, in FFmpeg's words where it has them ("matroska,webm: File ended prematurely").
    public var evidence: String
    /// The byte offset from which no packet is whole (the first incomplete one's), when reading found one.
    public var incompleteFrom: Int64?

    /// A truncation as the prober found it; `incompleteFrom` only when reading packets found it.
    public init(presentDuration: Double?, declaredDuration: Double?, cutAt: Double?, evidence: String, incompleteFrom: Int64? = nil) {
        self.presentDuration = presentDuration
        self.declaredDuration = declaredDuration
        self.cutAt = cutAt
        self.evidence = evidence
        self.incompleteFrom = incompleteFrom
    }

    /// Whether a packet read from a file of `fileSize` bytes is whole: it neither reaches past the end
    /// nor starts where the incomplete ones do. The one rule the probe measures by and a conversion
    /// copies or decodes by, so an output holds exactly the frames its plan counted.
    /// - Parameter knownCut: the container's index points past the end: a packet ending exactly at
    ///   the end of the file is then the partial one the demuxer could still read.
    public static func isWhole(position: Int64?, size: Int, fileSize: Int64, knownCut: Bool, incompleteFrom: Int64?) -> Bool {
        guard let position, size > 0 else { return true }
        let end = position + Int64(size)
        return !(end > fileSize || (knownCut && end >= fileSize) || position >= (incompleteFrom ?? .max))
    }

    /// The same, for this file: where reading found the first incomplete packet, everything from
    /// there on; otherwise (only the headers were read) whatever reaches the end of the file.
    public func isWhole(position: Int64?, size: Int, fileSize: Int64) -> Bool {
        Self.isWhole(position: position, size: size, fileSize: fileSize, knownCut: incompleteFrom == nil, incompleteFrom: incompleteFrom)
    }

    /// "1.00 s of the 2.00 s its header describes are missing", or what is known of it.
    public var lossText: String {
        switch (presentDuration, declaredDuration) {
        case let (present?, declared?) where declared > present + 0.0005:
            return SecondsText.of(declared - present) + " of the " + SecondsText.of(declared) + " its header describes are missing"
        case let (present?, _):
            return "it ends mid-frame after " + SecondsText.of(present)
        default:
            return "it ends before its media does"
        }
    }
}

/// What decoding the frames found: the answer of `probe --decode`, `prepare --health` and `submit`.
/// It agrees with `ffmpeg -v error -i FILE -f null -`: a file is damaged exactly when FFmpeg
/// complains while reading or decoding it.
public struct DecodeHealth: Codable, Sendable, Equatable {
    /// How much of a file a decode check read: every frame, or samples at several points.
    public enum Scope: String, Codable, Sendable, CaseIterable {
        /// Every frame was decoded.
        case full
        /// A few seconds at several points (the start, the quarters, the end) were decoded.
        case sample
    }

    /// What a decode check found: every frame decodes, some do not, or not one does.
    public enum Verdict: String, Codable, Sendable {
        /// Every frame decoded looked whole to FFmpeg.
        case healthy
        /// FFmpeg complained about some frames: see `spans`.
        case damaged
        /// Not one frame of the video (of the sound, in an audio file) decoded.
        case undecodable
    }

    /// Whether every frame was decoded or samples at several points.
    public var scope: Scope
    /// Healthy, damaged (see `spans`) or undecodable.
    public var verdict: Verdict
    /// Seconds of media decoded.
    public var checkedSeconds: Double?
    /// Frames decoded, of the video (of the sound, in an audio file).
    public var frames: Int64
    /// Where FFmpeg complained, in time order.
    public var spans: [DamagedSpan]
    /// Complaints in all (each span keeps its first few messages).
    public var errorCount: Int

    /// A decode check's findings as the health check made them.
    public init(scope: Scope, verdict: Verdict, checkedSeconds: Double?, frames: Int64, spans: [DamagedSpan], errorCount: Int) {
        self.scope = scope
        self.verdict = verdict
        self.checkedSeconds = checkedSeconds
        self.frames = frames
        self.spans = spans
        self.errorCount = errorCount
    }

    /// Spans inside the media, not at a cut-short end that `truncation` already accounts for.
    public var damage: [DamagedSpan] { spans.filter { !$0.cutShort } }

    /// Whether the file can be used as it is or after a cut: nothing undecodable, no damage inside it.
    public var isUsable: Bool { verdict != .undecodable && damage.isEmpty }

    /// "frames from 1.20 s to 1.60 s do not decode (h264: ...)", one sentence for a refusal.
    public var problemText: String {
        if verdict == .undecodable {
            let why = spans.first?.messages.first.map { " (FFmpeg: \($0))" } ?? ""
            return "not one frame decodes\(why): the file is damaged"
        }
        let parts = damage.prefix(3).map(\.description)
        let more = damage.count > 3 ? " and \(damage.count - 3) more" : ""
        return parts.joined(separator: "; ") + more
    }
}

/// A stretch of the media where FFmpeg complained.
public struct DamagedSpan: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Seconds from the start of the media; nil when FFmpeg complained while opening the file.
    public var start: Double?
    /// Seconds from the start where the complaints stop; nil when FFmpeg complained while opening the file.
    public var end: Double?
    /// Which of "video", "audio" and "container" (the demuxer, the index) complained.
    public var streams: [String]
    /// FFmpeg's own messages: the first few different ones.
    public var messages: [String]
    /// How many complaints fell in the span (more than `messages` keeps).
    public var errorCount: Int
    /// The span is the file's cut-short end (see `MediaInfo.truncation`), not damage inside it.
    public var cutShort: Bool

    /// A span as the health check found it.
    public init(start: Double?, end: Double?, streams: [String], messages: [String], errorCount: Int, cutShort: Bool) {
        self.start = start
        self.end = end
        self.streams = streams
        self.messages = messages
        self.errorCount = errorCount
        self.cutShort = cutShort
    }

    /// "1.20 s to 1.60 s (video): h264: Invalid NAL unit size (558 > 50)".
    public var description: String {
        let when: String = switch (start, end) {
        case let (s?, e?) where e - s > 0.0005: "\(SecondsText.of(s)) to \(SecondsText.of(e))"
        case let (s?, _): "at \(SecondsText.of(s))"
        default: "while opening the file"
        }
        let what = streams.isEmpty ? "" : " (\(streams.joined(separator: ", ")))"
        return when + what + (messages.first.map { ": " + $0 } ?? "")
    }
}

enum SecondsText {
    static func of(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        return String(format: "%.2f s", seconds)
    }
}
