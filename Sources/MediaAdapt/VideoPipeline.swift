import Foundation
import MediaIO
import MediaProbe
import ModelCatalog

/// Decode -> crop/scale/turn/pad -> constant rate -> encode -> mux, with audio copied, re-encoded or
/// dropped, timestamps rescaled at every boundary and both encoders drained.
struct VideoPipeline {
    let plan: FixPlan
    let video: VideoPlan
    let info: MediaInfo

    static func muxerName(_ format: String) -> String {
        switch format {
        case "mov": "mov"
        case "webm": "webm"
        case "mkv": "matroska"
        default: "mp4"
        }
    }

    func run(to path: String, cancel: CancellationFlag, progress: ((FixProgress) -> Void)?) throws(FixError) {
        do {
            try convert(to: path, cancel: cancel, progress: progress)
        } catch let e as FixError {
            throw e
        } catch {
            throw FixError.media("\(error)")
        }
    }

    private func convert(to path: String, cancel: CancellationFlag, progress: ((FixProgress) -> Void)?) throws {
        guard let v = info.primaryVideo else { throw FixError.impossible(["no video stream"]) }
        let demuxer = try Demuxer(path: info.path)
        try demuxer.findStreamInfo()
        // Its complaints are kept: a file none of whose frames decode is refused in FFmpeg's words.
        let decoder = try Decoder(demuxer, stream: v.index, log: LogSink(capacity: 8))
        let sourceFPS = (v.averageFrameRate ?? v.realFrameRate)?.value ?? 25
        // A double-rate deinterlace makes a picture of every field.
        let pictureFPS = video.deinterlace == .field ? 2 * sourceFPS : sourceFPS
        // Time 0 of the output: the kept streams' start (PresentedMedia decides, as it did for the plan).
        let containerStart = PresentedMedia(info, video: v, plan: plan.audio).origin
        let start = plan.trim?.start ?? 0
        let length = plan.trim?.duration ?? plan.duration ?? info.duration ?? .infinity

        let muxer = try Muxer(path: path, format: Self.muxerName(plan.format))
        let encoderTB = video.frameRate.map { Rational(Int32(clamping: $0.den), Int32(clamping: $0.num)) } ?? decoder.timeBase
        var settings = VideoEncoderSettings(width: video.width, height: video.height, timeBase: encoderTB)
        settings.codec = video.codec
        settings.frameRate = video.frameRate.map { Rational(Int32(clamping: $0.num), Int32(clamping: $0.den)) }
            ?? v.averageFrameRate.map { Rational(Int32(clamping: $0.num), Int32(clamping: $0.den)) }
        settings.crf = video.codec == "libvpx-vp9" ? Double(VideoPlan.vp9CRF(video.crf)) : video.crf
        settings.preset = video.preset
        settings.bitRate = video.bitRate
        settings.globalHeader = muxer.needsGlobalHeader
        let encoder = try Encoder(video: settings)
        let videoOut = try muxer.addStream(from: encoder)

        var audio = AudioPath(plan: plan.audio, info: info)
        try audio.setUp(demuxer: demuxer, muxer: muxer)
        if let created = info.container.creationTime { muxer.setMetadata("creation_time", created) }
        try muxer.writeHeader()

        if start > 0 { try demuxer.seek(toSeconds: containerStart + start) }

        let renderer = PictureRenderer(
            canvas: PictureSize(video.width, video.height), content: video.content, sourceCrop: video.sourceCrop,
            display: PictureSize(v.displayWidth, v.displayHeight), coded: PictureSize(v.width, v.height),
            rotation: video.rotation, sampleAspect: v.sampleAspectRatio?.value ?? 1, pixelFormat: "yuv420p", padColor: video.padColor)
        var timer = FrameTimer(rate: video.frameRate, timeBase: encoderTB, length: length, frameDuration: 1 / pictureFPS)
        let totalFrames = video.frameRate.map { Int(clampingRounded: min(length, info.duration ?? length) * $0.value, .down) } ?? Int(clampingRounded: min(length, info.duration ?? 0) * sourceFPS, .down)
        let packet = Packet(), frame = Frame(), encoded = Packet()
        var framesOut = 0, decodedCount = 0
        var lastTime = -Double.infinity
        var videoDone = false

        // libx264 leaves packet durations at 0; the MP4 muxer then gives the last frame no time and
        // the clip comes out a frame short. One frame at the output rate is the right length.
        let frameTicks = max(1, Int64(clampingRounded: (1 / (video.frameRate?.value ?? sourceFPS)) / (encoderTB.value ?? 1)))
        func writeEncoded() throws {
            while try encoder.receive(into: encoded) {
                if encoded.duration <= 0 { encoded.duration = frameTicks }
                try muxer.write(encoded, stream: videoOut, timeBase: encoderTB)
            }
        }
        let emit: (Frame, Int64) throws(FixError) -> Void = { picture, pts throws(FixError) in
            do {
                let out = try renderer.render(picture)
                out.pts = pts
                try encoder.send(out)
                try writeEncoded()
            } catch let e as FixError { throw e } catch { throw FixError.media("\(error)") }
            framesOut += 1
            if framesOut % 10 == 0 {
                progress?(FixProgress(frames: framesOut, totalFrames: totalFrames, seconds: Double(framesOut) / sourceFPS, totalSeconds: length))
            }
        }
        /// One picture (from the decoder, or out of the filters) at its output time.
        func place(_ picture: Frame, timeBase: Rational) throws {
            // Raw streams have no timestamps: count frames instead.
            let time = picture.pts.map { Double($0) * (timeBase.value ?? 0) - containerStart - start }
                ?? Double(decodedCount) / sourceFPS - start
            decodedCount += 1
            if time >= length - 0.0005 { videoDone = true; return }
            lastTime = max(lastTime, time)
            try timer.push(picture, time: time, length: length, emit: emit)
        }
        // Deinterlacing and tone mapping run in libavfilter, before the picture is scaled.
        let chain = FilterChain.describe(video, source: v)
        var graph: FilterGraph?
        let filtered = Frame()
        var fed = 0
        func filter(_ picture: Frame?) throws {
            guard let chain else { return }
            if let picture {
                if picture.pts == nil { picture.pts = Int64((Double(fed) / sourceFPS / (decoder.timeBase.value ?? 1)).rounded()) }
                fed += 1
                if graph == nil { graph = try FilterGraph(for: picture, timeBase: decoder.timeBase, description: chain) }
            }
            guard let g = graph else { return }
            try g.push(picture)
            while !videoDone, try g.pull(into: filtered) {
                if cancel.isCancelled { throw FixError.cancelled }
                try place(filtered, timeBase: g.outputTimeBase)
            }
        }
        // As the ffmpeg CLI does, a frame that does not decode is passed over (FFmpeg conceals what it
        // can); a cut-short file's partial last frame is one. Only a file with no frame at all fails.
        var decodeFailure: FFmpegError?
        func receiveVideo() -> Bool {
            // A failed frame does not end the drain: the frames after it are still there.
            for _ in 0..<64 {
                do { return try decoder.receive(into: frame) } catch { decodeFailure = decodeFailure ?? error }
            }
            return false
        }
        func drainVideo() throws {
            while !videoDone, receiveVideo() {
                if cancel.isCancelled { throw FixError.cancelled }
                if chain != nil { try filter(frame) } else { try place(frame, timeBase: decoder.timeBase) }
            }
        }

        while !(videoDone && audio.done), try demuxer.read(into: packet) {
            if cancel.isCancelled { throw FixError.cancelled }
            // A cut-short file's incomplete frames, by the rule the probe counted by: not decoded.
            if let cut = info.truncation, !cut.isWhole(position: packet.position, size: packet.size, fileSize: info.fileSize) { continue }
            if packet.streamIndex == v.index {
                guard !videoDone else { continue }
                do { try decoder.send(packet) } catch { decodeFailure = decodeFailure ?? error }
                try drainVideo()
            } else {
                try audio.handle(packet, containerStart: containerStart, start: start, length: length, muxer: muxer)
            }
        }
        if !videoDone {
            do { try decoder.send(nil) } catch { decodeFailure = decodeFailure ?? error }
            try drainVideo()
            if !videoDone { try filter(nil) }
        }
        if decodedCount == 0 {
            let said = decoder.log?.take().lines.first?.description ?? decodeFailure?.text
            throw FixError.media("not one frame of the video decodes" + (said.map { " (FFmpeg: \($0))" } ?? "") + ": the file is damaged; copy or export it again")
        }
        try timer.finish(end: min(length, lastTime + 1 / pictureFPS), emit: emit)
        try encoder.send(nil)
        try writeEncoded()
        try audio.finish(muxer: muxer, length: length)
        try muxer.finish()
        progress?(FixProgress(frames: framesOut, totalFrames: framesOut, seconds: length, totalSeconds: length))
    }
}

/// The sound's path through a re-encode: copied packet by packet, or decoded, trimmed to the sample,
/// resampled and encoded as AAC; or nothing.
struct AudioPath {
    let plan: AudioPlan
    let info: MediaInfo
    private var index: Int?
    private var out = 0
    private var copyTimeBase = Rational(1, 1)
    private var decoder: Decoder?
    private var encoder: Encoder?
    private var converter: AudioConverter?
    private var started = false
    private(set) var done = true
    private let frame = Frame(), encodeFrame = Frame(), encoded = Packet()

    init(plan: AudioPlan, info: MediaInfo) {
        self.plan = plan
        self.info = info
    }

    mutating func setUp(demuxer: Demuxer, muxer: Muxer) throws {
        guard let a = info.primaryAudio else { return }
        switch plan {
        case .copy:
            index = a.index
            copyTimeBase = demuxer.timeBase(of: a.index)
            out = try muxer.addStream(copying: demuxer, stream: a.index)
            done = false
        case .reencode(let codec, let rate, let channels, let bitRate):
            index = a.index
            decoder = try Decoder(demuxer, stream: a.index)
            var settings = AudioEncoderSettings(sampleRate: rate, channels: channels)
            settings.codec = codec
            settings.bitRate = bitRate
            settings.globalHeader = muxer.needsGlobalHeader
            let enc = try Encoder(audio: settings)
            encoder = enc
            converter = AudioConverter(sampleRate: rate, channels: channels, sampleFormat: enc.sampleFormatName)
            out = try muxer.addStream(from: enc)
            if let language = a.language { muxer.setMetadata(stream: out, "language", language) }
            done = false
        case .none, .drop:
            break
        }
    }

    mutating func handle(_ packet: Packet, containerStart: Double, start: Double, length: Double, muxer: Muxer) throws {
        guard !done, packet.streamIndex == index else { return }
        if case .copy = plan {
            let tb = copyTimeBase
            let time = Double(packet.pts ?? 0) * (tb.value ?? 0) - containerStart - start
            if time < -0.0005 { return }
            if time >= length - 0.0005 { done = true; return }
            packet.shift(by: -Int64(clampingRounded: (containerStart + start) / (tb.value ?? 1)))
            try muxer.write(packet, stream: out, timeBase: tb)
            return
        }
        guard let decoder, let converter, let encoder else { return }
        // A packet that does not decode (a cut-short file's last one) is passed over, as the ffmpeg CLI does.
        do { try decoder.send(packet) } catch { return }
        let rate = Double(encoder.sampleRate)
        while (try? decoder.receive(into: frame)) == true {
            let time = Double(frame.pts ?? 0) * (decoder.timeBase.value ?? 0) - containerStart - start
            let seconds = Double(frame.sampleCount) / Double(max(decoder.sampleRate, 1))
            if time + seconds <= 0 { continue }
            if time >= length { done = true; break }
            if !started {
                started = true
                // Sound that starts after the picture keeps its place: silence before it.
                // At most an hour: a start time further out is a hostile timestamp, not a pause.
                if time > 0.0005 { try converter.pushSilence(Int(clampingRounded: min(time, 3600) * rate, .down)) }
            }
            try converter.push(frame, skip: time < 0 ? Int(clampingRounded: -time * rate) : 0)
            try encodeReady(final: false, length: length, muxer: muxer)
        }
    }

    mutating func finish(muxer: Muxer, length: Double) throws {
        guard let encoder, let converter else { return }
        try converter.flush()
        try encodeReady(final: true, length: length, muxer: muxer)
        try encoder.send(nil)
        while try encoder.receive(into: encoded) { try muxer.write(encoded, stream: out, timeBase: encoder.timeBase) }
    }

    private func encodeReady(final: Bool, length: Double, muxer: Muxer) throws {
        guard let encoder, let converter else { return }
        // The encoder pads the last frame and adds a frame of delay: stop a frame and a half early so
        // the sound never outlasts the cut.
        let frame = Int64(max(encoder.frameSize, 1))
        // At least one frame of sound: a clip a frame long (a cut-short file) keeps its sound too.
        let limit = length.isFinite ? max(frame, (Int64(length * Double(encoder.sampleRate)) / frame - 1) * frame) : nil
        while try converter.pop(into: encodeFrame, size: encoder.frameSize, final: final, limit: limit) {
            try encoder.send(encodeFrame)
            while try encoder.receive(into: encoded) { try muxer.write(encoded, stream: out, timeBase: encoder.timeBase) }
        }
    }
}
