import Foundation
import MediaIO

/// Decodes a probed file's frames (MediaIO's `DecodeCheck`) and turns what FFmpeg said into
/// `DecodeHealth`: its complaints grouped into spans of time, each span either damage inside the
/// media or the cut-short end the probe already found. The streams decoded are those a model
/// receives and a plan keeps: the primary video and the primary audio.
struct DecodeHealthCheck {
    var scope: DecodeHealth.Scope
    var threads: Int
    var timeout: Double?

    /// A clip this short is decoded whole even when sampling: a sample would be most of it.
    static let sampleWholeUpTo = 12.0
    /// Seconds decoded at each sample point.
    static let sampleLength = 1.5
    /// Complaints closer than this (seconds) are one span.
    static let spanGap = 1.0

    func run(_ info: MediaInfo) throws(ProbeError) -> DecodeHealth {
        let streams = [info.primaryVideo?.index, info.primaryAudio?.index].compactMap { $0 }
        let windows = scope == .sample ? Self.sampleWindows(info.duration) : nil
        let report: DecodeReport
        do {
            report = try DecodeCheck(streams: streams, threads: threads, timeout: timeout).run(path: info.path, windows: windows)
        } catch {
            throw Prober.explain(error, path: info.path, timeout: timeout)
        }
        return Self.health(report, info: info, scope: windows == nil ? .full : .sample,
                           checked: windows.map { $0.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } } ?? info.duration)
    }

    /// The start, the quarters and the end, `sampleLength` seconds each; nil (decode all) for a
    /// short or unmeasured clip.
    static func sampleWindows(_ duration: Double?) -> [ClosedRange<Double>]? {
        guard let duration, duration.isFinite, duration > sampleWholeUpTo else { return nil }
        let starts = [0, duration * 0.25, duration * 0.5, duration * 0.75, duration - sampleLength]
        return starts.map { max(0, $0)...(max(0, $0) + sampleLength) }
    }

    static func health(_ report: DecodeReport, info: MediaInfo, scope: DecodeHealth.Scope, checked: Double?) -> DecodeHealth {
        let kinds = Dictionary(uniqueKeysWithValues: info.video.map { ($0.index, "video") } + info.audio.map { ($0.index, "audio") })
        let main = info.primaryVideo?.index ?? info.primaryAudio?.index
        let frames = main.flatMap { report.streams[$0]?.frames } ?? 0

        // Complaints in time order (those made while opening first), then grouped.
        let problems = report.problems.sorted { ($0.time ?? -.infinity) < ($1.time ?? -.infinity) }
        var spans: [DamagedSpan] = []
        for p in problems {
            let kind = p.stream.flatMap { kinds[$0] } ?? "container"
            let message = clean(p.message)
            if var last = spans.last, sameSpan(last, p.time) {
                last.end = max(last.end ?? p.time ?? 0, p.time ?? 0)
                if !last.streams.contains(kind) { last.streams.append(kind) }
                if last.messages.count < 3, !last.messages.contains(message) { last.messages.append(message) }
                last.errorCount += 1
                spans[spans.count - 1] = last
            } else {
                spans.append(DamagedSpan(start: p.time, end: p.time, streams: [kind], messages: [message], errorCount: 1, cutShort: false))
            }
        }
        // Complaints past the bound kept in the report count in the last span.
        if report.problemCount > report.problems.count, !spans.isEmpty {
            spans[spans.count - 1].errorCount += report.problemCount - report.problems.count
        }
        // From where the first kept stream runs out of whole frames, FFmpeg is reading the cut.
        if let cut = info.truncation?.cutAt {
            for i in spans.indices where (spans[i].start ?? -.infinity) >= cut - 0.25 { spans[i].cutShort = true }
        }
        let verdict: DecodeHealth.Verdict = main != nil && frames == 0 ? .undecodable : report.problemCount > 0 ? .damaged : .healthy
        return DecodeHealth(scope: scope, verdict: verdict, checkedSeconds: checked, frames: frames, spans: spans, errorCount: report.problemCount)
    }

    private static func sameSpan(_ span: DamagedSpan, _ time: Double?) -> Bool {
        switch (span.end, time) {
        case (nil, nil): true
        case let (end?, t?): t - end <= spanGap
        default: false
        }
    }

    /// FFmpeg's line without what changes from run to run (addresses), so lines compare equal.
    static func clean(_ message: String) -> String {
        message.replacingOccurrences(of: #" @ 0x[0-9a-f]+"#, with: "", options: .regularExpression)
    }
}
