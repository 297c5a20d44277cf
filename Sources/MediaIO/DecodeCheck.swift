import CFFmpeg

/// One thing FFmpeg found wrong while a file was read and decoded, in FFmpeg's own words.
package struct DecodeProblem: Sendable, Equatable {
    /// Seconds from the start of the file's media (its start time subtracted) of the packet being
    /// read or decoded when FFmpeg complained; nil while the file was being opened. A frame-threaded
    /// decoder reports a few frames late, so this is within a few frames of the damage.
    package var time: Double?
    /// The stream concerned; nil for the container (its demuxer or index).
    package var stream: Int?
    /// "h264: Invalid NAL unit size (558 > 50)", or a failed call's text.
    package var message: String

    package init(time: Double?, stream: Int?, message: String) {
        self.time = time
        self.stream = stream
        self.message = message
    }
}

/// What was decoded of one stream.
package struct DecodeTally: Sendable, Equatable {
    package var frames: Int64 = 0
    /// Frames the decoder flagged as concealed or incomplete.
    package var damagedFrames: Int64 = 0
    /// Seconds (as `DecodeProblem.time`) where the first decoded frame starts and the last one ends.
    package var firstTime: Double?
    package var endTime: Double?
}

/// The outcome of `DecodeCheck`: every complaint (up to a bound) and what decoded.
package struct DecodeReport: Sendable {
    package var problems: [DecodeProblem] = []
    /// All complaints, including those past the bound kept in `problems`.
    package var problemCount = 0
    package var streams: [Int: DecodeTally] = [:]
    package var packetsRead = 0

    package init() {}
}

/// Reads a file and decodes every frame of the chosen streams (or only the frames around a few
/// points), as `ffmpeg -v error -i FILE -f null -` does, without converting or writing anything:
/// the decoders run with FFmpeg's frame threads, the streams not chosen are skipped by the demuxer,
/// and every error line FFmpeg logs (the demuxer's, the parsers', each decoder's, from whichever of
/// its threads) is kept with the time it was met. Memory is flat: frames are dropped as they come.
/// The in-loop deblocking filter is skipped: it changes the pixels, which nobody looks at, and
/// never what FFmpeg finds wrong (`scripts/compare-decode` holds the verdicts to the CLI's).
package struct DecodeCheck: Sendable {
    /// The streams decoded (those a model receives); the others are skipped.
    package var streams: [Int]
    /// Decoder threads per stream; 0 lets FFmpeg choose (one per core, plus one).
    package var threads: Int
    /// Seconds before giving up on the file; nil for no limit.
    package var timeout: Double?
    /// The most complaints kept (the count goes on).
    package var problemLimit = 500

    package init(streams: [Int], threads: Int = 0, timeout: Double? = nil) {
        self.streams = streams
        self.threads = threads
        self.timeout = timeout
    }

    /// Decodes the whole file, or with `windows` (seconds from the media's start) only the frames
    /// from the keyframe before each window's start to its end. `stop` is asked between packets.
    package func run(path: String, windows: [ClosedRange<Double>]? = nil, stop: () -> Bool = { false }) throws(FFmpegError) -> DecodeReport {
        let sink = LogSink(capacity: 64)
        return try FFmpegLog.capture(into: sink) { () throws(FFmpegError) -> DecodeReport in
            var pass = try Pass(path: path, check: self, sink: sink)
            if let windows {
                for window in windows.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                    if stop() { break }
                    try pass.decode(from: window.lowerBound, to: window.upperBound, stop: stop)
                }
            } else {
                try pass.decode(from: nil, to: nil, stop: stop)
            }
            return pass.report
        }
    }

    /// One opened file and its decoders.
    private struct Pass {
        let demuxer: Demuxer
        let sink: LogSink
        let limit: Int
        var decoders: [Int: Decoder] = [:]
        var timeBases: [Int: Double] = [:]
        let start: Double
        var report = DecodeReport()
        let packet = Packet(), frame = Frame()

        init(path: String, check: DecodeCheck, sink: LogSink) throws(FFmpegError) {
            demuxer = try Demuxer(path: path, timeout: check.timeout)
            self.sink = sink
            limit = check.problemLimit
            // As the ffmpeg CLI does: what the analysis complains about is part of the verdict.
            try demuxer.findStreamInfo()
            start = demuxer.format.startTime.map { Double($0) / 1_000_000 } ?? 0
            demuxer.keepOnly(Set(check.streams))
            collect(time: nil, stream: nil)
            for index in check.streams where index >= 0 && index < demuxer.streamCount {
                timeBases[index] = demuxer.timeBase(of: index).value ?? 0
                do {
                    // The deblocking filter only smooths pixels nobody looks at here: a fifth of H.264's time.
                    decoders[index] = try Decoder(demuxer, stream: index, threads: check.threads, log: LogSink(capacity: 64), skipLoopFilter: true)
                } catch {
                    if error.isInterrupted { throw error }
                    add(DecodeProblem(time: nil, stream: index, message: "cannot decode stream \(index): \(error.detail ?? error.text)"))
                }
                report.streams[index] = DecodeTally()
            }
        }

        /// Reads and decodes from the keyframe before `from` (the start when nil) until every decoded
        /// stream is past `to` (the end when nil), then drains the decoders.
        mutating func decode(from: Double?, to end: Double?, stop: () -> Bool) throws(FFmpegError) {
            if let from, from > 0 {
                do { try demuxer.seek(toSeconds: start + from) } catch {
                    if error.isInterrupted { throw error }
                    add(DecodeProblem(time: from, stream: nil, message: "cannot seek to \(from) s: \(error.detail ?? error.text)"))
                    return
                }
            }
            for decoder in decoders.values { decoder.flush() }
            var lastTime: Double?
            var failedReads = 0
            var past: Set<Int> = []
            while past.count < decoders.count, !stop() {
                do {
                    guard try demuxer.read(into: packet) else { break }
                    failedReads = 0
                } catch {
                    if error.isInterrupted { throw error }
                    // The ffmpeg CLI reports a read error and reads on; a file that keeps failing ends here.
                    add(DecodeProblem(time: lastTime, stream: nil, message: error.detail ?? error.text))
                    collect(time: lastTime, stream: nil)
                    failedReads += 1
                    if failedReads > 32 { break }
                    continue
                }
                report.packetsRead += 1
                let index = packet.streamIndex
                let time = (packet.pts ?? packet.dts).map { Double($0) * (timeBases[index] ?? 0) - start }
                if let time { lastTime = time }
                collect(time: time ?? lastTime, stream: nil)
                // Well past the window in any stream (another may have ended early): done with it.
                if let end, let time, time > end + 5 { break }
                guard let decoder = decoders[index], !past.contains(index) else { continue }
                if let end, let time, time > end, !packet.isDiscarded { past.insert(index); continue }
                var failed: FFmpegError?
                do { try decoder.send(packet) } catch { failed = error }
                drainFrames(decoder)
                // FFmpeg's own lines first: they say why; the failed call's text only says that it failed.
                collect(time: time ?? lastTime, stream: index)
                if let failed { add(DecodeProblem(time: time ?? lastTime, stream: index, message: failed.text)) }
            }
            for (index, decoder) in decoders {
                do { try decoder.send(nil) } catch {
                    add(DecodeProblem(time: lastTime, stream: index, message: error.text))
                }
                drainFrames(decoder)
                collect(time: lastTime, stream: index)
            }
        }

        private mutating func drainFrames(_ decoder: Decoder) {
            let index = decoder.streamIndex
            let base = timeBases[index] ?? 0
            while true {
                do {
                    guard try decoder.receive(into: frame) else { return }
                } catch {
                    add(DecodeProblem(time: report.streams[index]?.endTime, stream: index, message: error.text))
                    continue
                }
                var tally = report.streams[index] ?? DecodeTally()
                tally.frames += 1
                if frame.isDamaged { tally.damagedFrames += 1 }
                if let pts = frame.pts {
                    let t = Double(pts) * base - start
                    let length = frame.duration > 0 ? Double(frame.duration) * base
                        : frame.sampleCount > 0 && decoder.sampleRate > 0 ? Double(frame.sampleCount) / Double(decoder.sampleRate) : 0
                    tally.firstTime = min(tally.firstTime ?? t, t)
                    tally.endTime = max(tally.endTime ?? t + length, t + length)
                }
                report.streams[index] = tally
            }
        }

        /// The lines logged since the last call: the thread's (demuxer, parsers, analysis) and, for
        /// `stream`, its decoder's.
        private mutating func collect(time: Double?, stream: Int?) {
            let (lines, dropped) = sink.take()
            for line in lines { add(DecodeProblem(time: time, stream: nil, message: line.description)) }
            report.problemCount += dropped
            guard let stream, let log = decoders[stream]?.log else { return }
            let (decoderLines, decoderDropped) = log.take()
            for line in decoderLines { add(DecodeProblem(time: time, stream: stream, message: line.description)) }
            report.problemCount += decoderDropped
        }

        private mutating func add(_ problem: DecodeProblem) {
            report.problemCount += 1
            if report.problems.count < limit { report.problems.append(problem) }
        }
    }
}
