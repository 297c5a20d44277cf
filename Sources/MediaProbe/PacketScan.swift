import MediaIO

/// Reads every packet of a file (without decoding) to measure what headers may leave out or get
/// wrong: durations, frame counts, frame-rate constancy. Memory is constant: only running totals.
///
/// It measures the presented media: packets outside an MP4 edit list (FFmpeg marks them discarded)
/// are not counted, and in a file cut short a packet that runs past the end of the file is not a
/// whole frame and is not counted either.
struct PacketScan {
    struct Tally {
        var packets: Int64 = 0
        var firstTimestamp: Int64?
        var lastEnd: Int64?
        /// Sum of packet durations: the only clock of raw streams, whose packets carry no timestamps.
        var durationSum: Int64 = 0
        var steps = IndexSummary()
        var order = PresentationOrder()
        /// The last picture's packet carried no duration (some muxers leave it 0): its length is
        /// taken as the usual step between pictures.
        var lastHadNoDuration = false
    }

    var tallies: [Int: Tally] = [:]
    /// A read error after some packets: the measured values cover only what came before it.
    var stoppedEarly: String?
    /// What the demuxer complained about when it reached the end (Matroska's "File ended
    /// prematurely"): the file ends before its media does.
    var endComplaint: String?
    /// Packets that run past the end of the file (incomplete frames), by stream.
    var incomplete: [Int: Int] = [:]
    /// Where the first incomplete packet starts (a byte offset).
    var cutPosition: Int64?

    /// - Parameters:
    ///   - fileSize: bytes in the file: a packet reaching past them is incomplete.
    ///   - knownCut: the file is known to be cut short (its index points past its end): a packet
    ///     ending exactly at the end of the file is then the partial one the demuxer could read.
    static func run(_ demuxer: Demuxer, fileSize: Int64? = nil, knownCut: Bool = false) throws(FFmpegError) -> PacketScan {
        var scan = PacketScan()
        let sink = LogSink(capacity: 8)
        try FFmpegLog.capture(into: sink) { () throws(FFmpegError) in
            while true {
                let packet: PacketInfo?
                do throws(FFmpegError) {
                    packet = try demuxer.readPacketInfo()
                } catch {
                    if error.isInterrupted { throw error }
                    scan.stoppedEarly = error.detail ?? sink.take().lines.first?.description ?? error.description
                    break
                }
                guard let packet else {
                    // The read that found the end: anything it complained about is about the end.
                    scan.endComplaint = sink.take().lines.first?.description
                    break
                }
                // Complaints while packets still came are damage inside the file, the decode check's business.
                _ = sink.take()
                // From an incomplete packet on, nothing is whole: other streams' packets cut out of the
                // same damaged frame (DV carries its sound inside the picture's frame) neither.
                if let fileSize, let position = packet.position,
                   !Truncation.isWhole(position: position, size: packet.size, fileSize: fileSize, knownCut: knownCut, incompleteFrom: scan.cutPosition) {
                    scan.incomplete[packet.streamIndex, default: 0] += 1
                    scan.cutPosition = min(scan.cutPosition ?? position, position)
                    continue
                }
                if packet.isDiscarded { continue }
                scan.add(packet)
            }
        }
        for key in scan.tallies.keys {
            for step in scan.tallies[key]!.order.drain() { scan.tallies[key]!.steps.observe(step: step) }
        }
        return scan
    }

    /// Whether reading showed the file to end before its media does, and how.
    var cutEvidence: String? {
        if let endComplaint { return endComplaint }
        if let stoppedEarly { return "reading stopped: \(stoppedEarly)" }
        if !incomplete.isEmpty { return "its last frame is incomplete" }
        return nil
    }

    mutating func add(_ p: PacketInfo) {
        var t = tallies[p.streamIndex, default: Tally()]
        t.packets += 1
        t.durationSum += max(p.duration, 0)
        if let ts = p.pts ?? p.dts {
            t.firstTimestamp = min(t.firstTimestamp ?? ts, ts)
            let end = ts + max(p.duration, 0)
            if end >= (t.lastEnd ?? .min) {
                t.lastEnd = end
                t.lastHadNoDuration = p.duration <= 0
            }
        }
        // Steps between presentation times, not decode times: Matroska and others store no DTS.
        if let pts = p.pts ?? p.dts {
            if let step = t.order.push(pts) { t.steps.observe(step: step) }
        } else {
            t.steps.observe(step: p.duration)
        }
        tallies[p.streamIndex] = t
    }

    func seconds(of stream: StreamDescription) -> Double? {
        guard let t = tallies[stream.index] else { return nil }
        if let first = t.firstTimestamp, var end = t.lastEnd, end > first {
            if t.lastHadNoDuration, let step = t.steps.minStep { end += step }
            return Interpretation.seconds(end - first, stream.timeBase)
        }
        return t.durationSum > 0 ? Interpretation.seconds(t.durationSum, stream.timeBase) : nil
    }

    /// Seconds on the file's clock where a stream's first presented packet starts and its last ends.
    func extent(of stream: StreamDescription) -> ClosedRange<Double>? {
        guard let t = tallies[stream.index], let first = t.firstTimestamp, let tb = stream.timeBase.value,
              let length = seconds(of: stream) else { return nil }
        let start = Double(first) * tb
        return start...(start + length)
    }

    func apply(to info: inout MediaInfo, streams: [StreamDescription]) {
        info.probeMode = .accurate
        let byIndex = Dictionary(uniqueKeysWithValues: streams.map { ($0.index, $0) })
        var longest: Double?
        // The presented span: from the earliest stream's first frame to the latest one's end, so a
        // stream that starts late (an MP4 empty edit) counts its delay, as ffprobe's duration does.
        var span: ClosedRange<Double>?
        func cover(_ stream: StreamDescription) {
            guard let e = extent(of: stream) else { return }
            span = span.map { min($0.lowerBound, e.lowerBound)...max($0.upperBound, e.upperBound) } ?? e
        }
        for i in info.video.indices {
            let index = info.video[i].index
            guard let stream = byIndex[index], let t = tallies[index] else { continue }
            info.video[i].frameCount = t.packets
            info.video[i].frameCountSource = .packets
            if let d = seconds(of: stream) { info.video[i].duration = d; longest = max(longest ?? d, d) }
            if let variable = Interpretation.isVariable(t.steps) { info.video[i].variableFrameRate = variable }
            cover(stream)
        }
        for i in info.audio.indices {
            let index = info.audio[i].index
            guard let stream = byIndex[index], let t = tallies[index] else { continue }
            info.audio[i].frameCount = t.packets
            if let d = seconds(of: stream) { info.audio[i].duration = d; longest = max(longest ?? d, d) }
            cover(stream)
        }
        if info.kind == .image, let frames = info.video.first?.frameCount, frames > 1 {
            info.kind = .animatedImage
        }
        if info.kind != .image, let longest {
            info.container.duration = max(longest, span.map { $0.upperBound - $0.lowerBound } ?? 0)
            info.container.durationSource = .packets
            info.container.durationExact = stoppedEarly == nil
        }
        if let stoppedEarly {
            info.warnings.append("reading stopped early (\(stoppedEarly)): counts and duration cover only the readable part")
        }
    }
}

/// Puts presentation timestamps arriving in decode order back in display order with a small sliding
/// window (B-frame reordering is never deeper than 16 frames), so memory stays constant.
struct PresentationOrder {
    private var window: [Int64] = []
    private var last: Int64?
    private static let depth = 32

    /// Adds a timestamp; returns the step between the two earliest ones once the window is full.
    mutating func push(_ pts: Int64) -> Int64? {
        let at = window.firstIndex(where: { $0 > pts }) ?? window.endIndex
        window.insert(pts, at: at)
        guard window.count > Self.depth else { return nil }
        let next = window.removeFirst()
        defer { last = next }
        return last.map { next - $0 }
    }

    /// The steps still held in the window, at the end of the stream.
    mutating func drain() -> [Int64] {
        var steps: [Int64] = []
        for next in window {
            if let last { steps.append(next - last) }
            last = next
        }
        window = []
        return steps
    }
}
