import CFFmpeg

/// Where a stream's parameters came from, fastest first.
public enum FieldSource: String, Sendable, Codable {
    /// The container's headers and the codec configuration they carry (avcC, esds...).
    case headers
    /// FFmpeg's codec parser over the stream's first packet(s), read with its configuration: nothing decoded.
    case parser
    /// The first packet's frame header, read as FFmpeg's decoder reads it before any picture data
    /// (ProRes, VP9, Motion JPEG): nothing decoded.
    case frameHeader = "frame_header"
    /// The stream's first packet decoded, as FFmpeg's own analysis does for audio (sample format and
    /// channel layout are the decoder's).
    case firstFrame = "first_frame"
    /// FFmpeg's full analysis (avformat_find_stream_info), which decodes frames.
    case streamInfo = "stream_info"
}

extension Demuxer {
    /// Fills in what `findStreamInfo()` would, for files where the headers plus each stream's first
    /// packet say it exactly: MP4/MOV whose video is H.264 or HEVC (FFmpeg's parser for field order,
    /// profile and level; the sequence parameter set for what the decoder would derive: pixel format,
    /// range, colour, cropped size), AV1 (the av1C's sequence header, as libdav1d reads it on opening),
    /// ProRes, VP9 or Motion JPEG (the first frame's header, as the decoder reads it), and whose audio
    /// is AAC (its first packet decoded, as FFmpeg's analysis does), with
    /// frame rates, start times and durations in the headers. Container start time, bit rate and the
    /// duration's origin are then completed as FFmpeg's `estimate_timings` completes them.
    ///
    /// Returns the source of each stream's parameters, or nil when any stream needs FFmpeg's analysis
    /// (another container or codec, a header that leaves something out, a first packet that is not a
    /// keyframe, parameter sets or SEI that would change the answer...). Nothing is written to the
    /// streams unless every stream succeeded, but packets have been read: after nil, open a fresh
    /// demuxer for `findStreamInfo()`.
    package func analyseFirstPackets(packetLimit: Int = 256) throws(FFmpegError) -> [Int: FieldSource]? {
        guard let ctx = contextPointer, let format = ctx.pointee.iformat,
              String(cString: format.pointee.name) == "mov,mp4,m4a,3gp,3g2,mj2",
              ctx.pointee.duration != pf_nopts_value(), ctx.pointee.duration > 0, streamCount > 0 else { return nil }

        var plans: [Int: StreamPlan] = [:]
        for i in 0..<streamCount {
            guard let plan = StreamPlan(stream(i)) else { return nil }
            plans[i] = plan
        }

        // FFmpeg's analysis reads until every stream has given its first packet, and a little further
        // (a stream with B-frames shows it over its first packets), running parsers over every packet it
        // reads and decoding up to seven H.264 pictures: each packet read after a stream's first must not
        // change what that first said ("watched"). It stops at 5 MB read or 5 s of one stream: a stream
        // whose first packet comes later is never decoded there, so that file is left to it.
        let packet = Packet()
        var read = 0, bytes = 0
        var firstTimes: [Int: Double] = [:]
        var watched: [Int: Int] = [:]
        let video = Set(plans.keys.filter { stream($0).pointee.codecpar?.pointee.codec_type == AVMEDIA_TYPE_VIDEO })
        func allDone() -> Bool { !plans.values.contains { !$0.isDone } }
        while !(allDone() && video.allSatisfy { (watched[$0] ?? 0) >= StreamPlan.watchedPackets }) {
            guard read < packetLimit else { if allDone() { break } else { return nil } }
            // A read error here is the full analysis's to report (truncation, corruption); only the
            // deadline ends the probe.
            do {
                guard try self.read(into: packet) else { if allDone() { break } else { return nil } }
            } catch {
                if error.isInterrupted { throw error }
                return nil
            }
            read += 1
            bytes += packet.size
            let index = packet.streamIndex
            if let time = packet.seconds(in: stream(index).pointee.time_base) {
                let first = firstTimes[index] ?? time
                firstTimes[index] = first
                if time - first >= StreamPlan.analysedSeconds || bytes >= StreamPlan.analysedBytes {
                    if allDone() { break } else { return nil }
                }
            }
            guard var plan = plans[index] else { continue }
            if plan.isDone {
                guard plan.watch(packet) else { return nil }
                watched[index, default: 0] += 1
            } else {
                guard plan.take(packet) else { return nil }
            }
            plans[index] = plan
        }

        var sources: [Int: FieldSource] = [:]
        for (i, plan) in plans {
            guard plan.apply(to: stream(i)) else { return nil }
            sources[i] = plan.source
        }
        completeTimings()
        return sources
    }

    /// FFmpeg's `estimate_timings` for a file whose streams state their start and duration
    /// (`update_stream_timings`): the container starts with its earliest audio or video stream (a
    /// subtitle or data track only when it starts less than a second earlier), its bit
    /// rate is the file's size over its duration, and the duration comes from the streams.
    private func completeTimings() {
        guard let ctx = contextPointer else { return }
        let microseconds = AVRational(num: 1, den: 1_000_000)
        var start = Int64.max, textStart = Int64.max
        for i in 0..<streamCount {
            let st = stream(i).pointee
            guard st.start_time != pf_nopts_value(), st.time_base.den != 0 else { continue }
            let t = av_rescale_q(st.start_time, st.time_base, microseconds)
            // Subtitle and data tracks (timecode) count only when no picture or sound starts, or when
            // they start less than a second before (update_stream_timings's is_text).
            let text = [AVMEDIA_TYPE_SUBTITLE, AVMEDIA_TYPE_DATA].contains(st.codecpar?.pointee.codec_type ?? AVMEDIA_TYPE_UNKNOWN)
            if text { textStart = min(textStart, t) } else { start = min(start, t) }
        }
        if start == .max || (start > textStart && start - textStart < 1_000_000) { start = textStart }
        if start != .max { ctx.pointee.start_time = start }
        let size = avio_size(ctx.pointee.pb)
        if size > 0, ctx.pointee.duration > 0 {
            let bitRate = Double(size) * 8.0 * 1_000_000 / Double(ctx.pointee.duration)
            if bitRate >= 0, bitRate <= Double(Int64.max) { ctx.pointee.bit_rate = Int64(bitRate) }
        }
        ctx.pointee.duration_estimation_method = AVFMT_DURATION_FROM_STREAM
    }
}

/// How one codec's parameters are read without FFmpeg's analysis: fed the stream's packets until it
/// knows them, then each packet the analysis would also read, and finally written to the stream.
protocol FirstPacketReading {
    /// The parameters are known: later packets go to `watch`.
    var isDone: Bool { get }
    /// Where the parameters came from (`field_source`).
    var source: FieldSource { get }
    /// Feeds one of the stream's packets until `isDone`; false when the stream needs FFmpeg's analysis.
    mutating func take(_ packet: Packet) -> Bool
    /// A packet FFmpeg's analysis reads after the stream's first (while another stream gives its first):
    /// false when the analysis, reading it too, would come to other parameters.
    mutating func watch(_ packet: Packet) -> Bool
    /// Writes the parameters where `findStreamInfo()` would have.
    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool
}

/// A data track (timecode, a phone's metadata track): no decoder, and the analysis leaves it as the
/// headers describe it.
private struct DataTrackReading: FirstPacketReading {
    var isDone: Bool { true }
    var source: FieldSource { .headers }
    func take(_ packet: Packet) -> Bool { true }
    func watch(_ packet: Packet) -> Bool { true }
    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool { true }
}

/// What one stream still needs before its parameters are known, and what its first packets told.
private struct StreamPlan {
    private(set) var reader: any FirstPacketReading

    /// Audio codecs whose decoder, opened on the headers and given the first packet where FFmpeg's analysis
    /// gives it one, says what that analysis would. Not AC-3, E-AC-3 or MP3: the demuxer runs their
    /// parser, which changes the codec (AC-3 to E-AC-3) and the bit rate during the analysis (bit
    /// flips in the test showed both).
    static let firstFrameAudio: Set<AVCodecID> = [
        AV_CODEC_ID_AAC, AV_CODEC_ID_PCM_S16LE, AV_CODEC_ID_PCM_S16BE, AV_CODEC_ID_PCM_S24LE, AV_CODEC_ID_PCM_S24BE,
        AV_CODEC_ID_PCM_S32LE, AV_CODEC_ID_PCM_S32BE, AV_CODEC_ID_PCM_F32LE, AV_CODEC_ID_PCM_F32BE,
        AV_CODEC_ID_ALAC, AV_CODEC_ID_OPUS,
    ]

    /// Packets read after a video stream's first before the analysis ends (FFmpeg reads at least two
    /// more where B-frames show).
    static let watchedPackets = 3
    /// Short of FFmpeg's probesize (5,000,000 bytes) and analyzeduration (5 s), to be safe.
    static let analysedBytes = 4_500_000
    static let analysedSeconds = 4.5

    /// nil when the stream's headers leave out something only FFmpeg's analysis would find.
    init?(_ st: UnsafeMutablePointer<AVStream>) {
        let s = st.pointee
        if s.codecpar?.pointee.codec_type == AVMEDIA_TYPE_DATA {
            reader = DataTrackReading()
            return
        }
        guard let par = s.codecpar?.pointee, s.start_time != pf_nopts_value(), s.duration != pf_nopts_value(),
              s.disposition & AV_DISPOSITION_ATTACHED_PIC == 0 else { return nil }
        let reader: (any FirstPacketReading)?
        switch (par.codec_type, par.codec_id) {
        case (AVMEDIA_TYPE_VIDEO, _):
            // Frame rates the analysis would otherwise measure from timestamps; a stream pixel aspect
            // (which wins over the codec's) so the picture's shape never rests on the bitstream alone.
            guard s.avg_frame_rate.num > 0, s.avg_frame_rate.den > 0, s.r_frame_rate.num > 0, s.r_frame_rate.den > 0,
                  s.sample_aspect_ratio.num > 0, s.sample_aspect_ratio.den > 0 else { return nil }
            switch par.codec_id {
            case AV_CODEC_ID_H264: reader = H264Reading(st)
            case AV_CODEC_ID_HEVC: reader = HEVCReading(st)
            case AV_CODEC_ID_AV1: reader = AV1Reading(st)
            case AV_CODEC_ID_PRORES: reader = ProResReading(st)
            case AV_CODEC_ID_VP9: reader = VP9Reading(st)
            case AV_CODEC_ID_MJPEG: reader = MJPEGReading(st)
            default: reader = nil
            }
        case (AVMEDIA_TYPE_AUDIO, let id) where StreamPlan.firstFrameAudio.contains(id):
            reader = par.sample_rate > 0 && par.ch_layout.nb_channels > 0 ? AudioFirstFrame(st) : nil
        default:
            reader = nil
        }
        guard let reader else { return nil }
        self.reader = reader
    }

    var isDone: Bool { reader.isDone }
    var source: FieldSource { reader.source }
    mutating func take(_ packet: Packet) -> Bool { reader.take(packet) }
    mutating func watch(_ packet: Packet) -> Bool { reader.watch(packet) }
    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool { reader.apply(to: st) }
}

/// An audio stream's decoder opened, and its first packet decoded, exactly as avformat_find_stream_info's
/// try_decode_frame does (one thread, the packet sent once, one frame received): so the sample format,
/// channel layout, profile and any SBR-doubled rate (AAC) are the decoder's. The analysis decodes only
/// while the opened decoder leaves a parameter unknown, or once for a decoder that learns its channels
/// from the bitstream (AV_CODEC_CAP_CHANNEL_CONF: AAC, AC-3); otherwise (PCM, Opus) what the decoder
/// set when it opened is the answer, and no packet is decoded here either.
private struct AudioFirstFrame: FirstPacketReading {
    private let decoder: CodecContextOwner
    /// Whether the analysis decodes the first packet (else the opened decoder's parameters are the answer).
    let decodes: Bool
    private(set) var isDone = false

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar, let codec = avcodec_find_decoder(par.pointee.codec_id),
              let owner = CodecContextOwner(codec),
              avcodec_parameters_to_context(owner.context, par) >= 0 else { return nil }
        owner.context.pointee.thread_count = 1
        owner.context.pointee.pkt_timebase = st.pointee.time_base
        guard avcodec_open2(owner.context, codec, nil) >= 0 else { return nil }
        decoder = owner
        let c = owner.context.pointee
        // has_codec_parameters for audio: a frame size where the codec's packets determine one (MPEG
        // audio), a sample format, a rate and channels.
        let frameSizeKnown = c.frame_size > 0 || ![AV_CODEC_ID_MP1, AV_CODEC_ID_MP2, AV_CODEC_ID_MP3, AV_CODEC_ID_CODEC2].contains(c.codec_id)
        let known = frameSizeKnown && c.sample_fmt != AV_SAMPLE_FMT_NONE && c.sample_rate > 0 && c.ch_layout.nb_channels > 0
        decodes = !known || codec.pointee.capabilities & Int32(AV_CODEC_CAP_CHANNEL_CONF) != 0
        isDone = !decodes
    }

    var source: FieldSource { decodes ? .firstFrame : .headers }

    mutating func take(_ packet: Packet) -> Bool {
        isDone = true
        guard avcodec_send_packet(decoder.context, packet.pointer) >= 0 else { return false }
        guard let frame = av_frame_alloc() else { return false }
        var f: UnsafeMutablePointer<AVFrame>? = frame
        defer { av_frame_free(&f) }
        let code = avcodec_receive_frame(decoder.context, frame)
        return code >= 0 || code == FFmpegError.tryAgain
    }

    /// Decoded once, if at all: later packets change nothing in the analysis.
    func watch(_ packet: Packet) -> Bool { true }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        avcodec_parameters_from_context(st.pointee.codecpar, decoder.context) >= 0
    }
}

/// Frees an AVCodecContext on deinit (the readers above are values; their C state is not).
final class CodecContextOwner {
    var context: UnsafeMutablePointer<AVCodecContext>

    init?(_ codec: UnsafePointer<AVCodec>?) {
        guard let c = avcodec_alloc_context3(codec) else { return nil }
        context = c
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }
}
