import CFFmpeg

/// Owns one libavformat input (AVFormatContext) and frees it on deinit. Read its streams' descriptions
/// after `findStreamInfo()`, or walk its packets with `readPacketInfo()`. Not thread-safe: one demuxer
/// belongs to one thread at a time.
package final class Demuxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    // Referenced by the context's interrupt callback, so it lives exactly as long as the context.
    private let deadline: Deadline
    /// The path this demuxer reads.
    package let path: String
    /// Whether the header alone gave a container duration (before stream analysis filled gaps).
    package let headerHadDuration: Bool

    /// Opens `path` and reads its header.
    /// - Parameter timeout: seconds after which every later call on this demuxer fails with an
    ///   interrupted `FFmpegError`; nil for no limit.
    /// - Parameter format: the demuxer's short name when the caller already knows which one FFmpeg's
    ///   probing would choose (probing runs every demuxer's test over the file's start: a fifth of a
    ///   quick probe's CPU); nil to let FFmpeg probe.
    package init(path: String, timeout: Double? = nil, format: String? = nil) throws(FFmpegError) {
        FFmpegLog.install()
        FFmpegLog.reset()
        self.path = path
        self.deadline = Deadline(after: timeout)

        var ctx = avformat_alloc_context()
        guard ctx != nil else { throw FFmpegError(code: pf_averror(ENOMEM), operation: "open \(path)") }
        ctx!.pointee.interrupt_callback = deadline.interruptCallback
        // avformat_open_input frees the context and sets it to NULL when it fails.
        let known = format.flatMap { av_find_input_format($0) }
        // As ffprobe and the ffmpeg CLI open every input: an MPEG-TS's programs are all read, not only
        // those announced before the first packet (else an audio stream's bit rate, among others, differs).
        var options: OpaquePointer?
        av_dict_set(&options, "scan_all_pmts", "1", AV_DICT_DONT_OVERWRITE)
        defer { av_dict_free(&options) }
        try check(avformat_open_input(&ctx, path, known, &options), "open input")
        self.context = ctx
        self.headerHadDuration = ctx!.pointee.duration != pf_nopts_value()
    }

    deinit {
        if packet != nil { av_packet_free(&packet) }
        if context != nil { avformat_close_input(&context) }
    }

    /// Lets FFmpeg read the start of the file (and decode a frame where needed) to fill in stream
    /// parameters that headers leave out, such as pixel format or field order.
    package func findStreamInfo() throws(FFmpegError) {
        try check(avformat_find_stream_info(context, nil), "read stream info")
    }

    /// The container as FFmpeg sees it now.
    package var format: FormatDescription {
        let ctx = context!.pointee
        let nopts = pf_nopts_value()
        let estimation: DurationEstimation
        switch ctx.duration_estimation_method {
        case AVFMT_DURATION_FROM_PTS: estimation = .fromTimestamps
        case AVFMT_DURATION_FROM_BITRATE: estimation = .fromBitRate
        default: estimation = .fromStreams
        }
        return FormatDescription(
            name: ctx.iformat.map { String(cString: $0.pointee.name) } ?? "unknown",
            longName: ctx.iformat.flatMap { $0.pointee.long_name.map { String(cString: $0) } },
            duration: ctx.duration == nopts ? nil : ctx.duration,
            startTime: ctx.start_time == nopts ? nil : ctx.start_time,
            bitRate: ctx.bit_rate > 0 ? ctx.bit_rate : nil,
            durationEstimation: estimation,
            headerHadDuration: headerHadDuration,
            tags: Demuxer.tags(ctx.metadata)
        )
    }

    package var streamCount: Int { Int(context!.pointee.nb_streams) }

    // For the other owners in this module (decoders, muxers copying parameters); never public.
    var contextPointer: UnsafeMutablePointer<AVFormatContext>? { context }
    func stream(_ i: Int) -> UnsafeMutablePointer<AVStream> { context!.pointee.streams[i]! }

    /// Every stream, in file order.
    package var streams: [StreamDescription] {
        (0..<streamCount).map { describeStream(at: $0) }
    }

    /// The furthest byte offset any stream's sample index points to (offset + size), or nil when the
    /// container keeps no index. Beyond the file size means the file was cut short.
    package var indexedDataEnd: Int64? {
        var end: Int64?
        for i in 0..<streamCount {
            let st = context!.pointee.streams[i]!
            let count = avformat_index_get_entries_count(st)
            // Entries are in time order, and data is laid out nearly so: the last few hold the end.
            for j in max(0, count - 16)..<count {
                guard let entry = avformat_index_get_entry(st, j) else { continue }
                let last = entry.pointee.pos + Int64(entry.pointee.size)
                end = max(end ?? last, last)
            }
        }
        return end
    }

    /// A summary of one stream's sample index (MP4/MOV keep one per sample), or nil without an index.
    /// Lets a fast probe see frame timing without reading packets.
    package func indexSummary(stream: Int) -> IndexSummary? {
        let st = context!.pointee.streams[stream]!
        let count = avformat_index_get_entries_count(st)
        guard count > 0 else { return nil }
        var summary = IndexSummary(entryCount: Int(count))
        var previous: Int64?
        for j in 0..<count {
            guard let entry = avformat_index_get_entry(st, j) else { continue }
            let ts = entry.pointee.timestamp
            if let previous { summary.observe(step: ts - previous) }
            previous = ts
        }
        return summary
    }

    /// The next packet's timing and place (its bytes are dropped), or nil at the end of the input.
    package func readPacketInfo() throws(FFmpegError) -> PacketInfo? {
        if packet == nil { packet = av_packet_alloc() }
        let result = av_read_frame(context, packet)
        if result == FFmpegError.endOfFile { return nil }
        try check(result, "read packet")
        defer { av_packet_unref(packet) }
        let p = packet!.pointee
        let nopts = pf_nopts_value()
        return PacketInfo(
            streamIndex: Int(p.stream_index),
            pts: p.pts == nopts ? nil : p.pts,
            dts: p.dts == nopts ? nil : p.dts,
            duration: p.duration,
            size: Int(p.size),
            position: p.pos >= 0 ? p.pos : nil,
            isKeyframe: p.flags & AV_PKT_FLAG_KEY != 0,
            isDiscarded: p.flags & AV_PKT_FLAG_DISCARD != 0,
            isCorrupt: p.flags & AV_PKT_FLAG_CORRUPT != 0
        )
    }

    // MARK: - Copying FFmpeg's stream state into Swift values

    private func describeStream(at i: Int) -> StreamDescription {
        let st = context!.pointee.streams[i]!
        let par = st.pointee.codecpar!.pointee
        let nopts = pf_nopts_value()
        var d = StreamDescription(
            index: i,
            mediaType: Demuxer.mediaType(par.codec_type),
            timeBase: Rational(st.pointee.time_base.num, st.pointee.time_base.den)
        )
        if let desc = avcodec_descriptor_get(par.codec_id) {
            d.codecName = String(cString: desc.pointee.name)
            d.codecLongName = desc.pointee.long_name.map { String(cString: $0) }
        }
        d.profile = avcodec_profile_name(par.codec_id, par.profile).map { String(cString: $0) }
            ?? (par.profile != FF_PROFILE_UNKNOWN ? String(par.profile) : nil)
        d.level = par.level != FF_LEVEL_UNKNOWN ? Int(par.level) : nil
        d.bitRate = par.bit_rate > 0 ? par.bit_rate : nil
        d.duration = st.pointee.duration == nopts ? nil : st.pointee.duration
        d.startTime = st.pointee.start_time == nopts ? nil : st.pointee.start_time
        d.frameCount = st.pointee.nb_frames > 0 ? st.pointee.nb_frames : nil
        if let shown = presentedIndexEntries(st), shown != d.frameCount {
            d.frameCount = shown
            d.frameCountFromIndex = true
        }
        d.isAttachedPicture = st.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0
        d.isDefault = st.pointee.disposition & AV_DISPOSITION_DEFAULT != 0
        d.tags = Demuxer.tags(st.pointee.metadata)

        switch par.codec_type {
        case AVMEDIA_TYPE_VIDEO:
            describeVideo(st, par, into: &d)
        case AVMEDIA_TYPE_AUDIO:
            describeAudio(par, into: &d)
        default:
            break
        }
        return d
    }

    private func describeVideo(_ st: UnsafeMutablePointer<AVStream>, _ par: AVCodecParameters, into d: inout StreamDescription) {
        d.width = par.width > 0 ? Int(par.width) : nil
        d.height = par.height > 0 ? Int(par.height) : nil
        // As ffprobe: the stream's aspect ratio wins over the codec's.
        let sar = av_guess_sample_aspect_ratio(context, st, nil)
        d.sampleAspectRatio = sar.num > 0 && sar.den > 0 ? Rational(sar.num, sar.den) : nil
        let pixfmt = AVPixelFormat(rawValue: par.format)
        if pixfmt != AV_PIX_FMT_NONE, let name = av_get_pix_fmt_name(pixfmt) {
            d.pixelFormat = String(cString: name)
            if let desc = av_pix_fmt_desc_get(pixfmt), desc.pointee.nb_components > 0 {
                d.bitDepth = Int(desc.pointee.comp.0.depth)
            }
        }
        let avg = st.pointee.avg_frame_rate, real = st.pointee.r_frame_rate
        d.averageFrameRate = avg.num > 0 && avg.den > 0 ? Rational(avg.num, avg.den) : nil
        d.realFrameRate = real.num > 0 && real.den > 0 ? Rational(real.num, real.den) : nil
        switch par.field_order {
        case AV_FIELD_PROGRESSIVE: d.fieldOrder = .progressive
        case AV_FIELD_TT: d.fieldOrder = .tt
        case AV_FIELD_BB: d.fieldOrder = .bb
        case AV_FIELD_TB: d.fieldOrder = .tb
        case AV_FIELD_BT: d.fieldOrder = .bt
        default: d.fieldOrder = nil
        }
        if par.color_range != AVCOL_RANGE_UNSPECIFIED { d.colorRange = av_color_range_name(par.color_range).map { String(cString: $0) } }
        if par.color_primaries != AVCOL_PRI_UNSPECIFIED { d.colorPrimaries = av_color_primaries_name(par.color_primaries).map { String(cString: $0) } }
        if par.color_trc != AVCOL_TRC_UNSPECIFIED { d.colorTransfer = av_color_transfer_name(par.color_trc).map { String(cString: $0) } }
        if par.color_space != AVCOL_SPC_UNSPECIFIED { d.colorSpace = av_color_space_name(par.color_space).map { String(cString: $0) } }

        var size = 0
        if let matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 9 * MemoryLayout<Int32>.size {
            let degrees = matrix.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
            d.displayMatrixRotation = degrees.isNaN ? nil : degrees
        }
    }

    private func describeAudio(_ par: AVCodecParameters, into d: inout StreamDescription) {
        d.sampleRate = par.sample_rate > 0 ? Int(par.sample_rate) : nil
        var layout = par.ch_layout
        d.channels = layout.nb_channels > 0 ? Int(layout.nb_channels) : nil
        if layout.order != AV_CHANNEL_ORDER_UNSPEC {
            var buffer = [CChar](repeating: 0, count: 128)
            if av_channel_layout_describe(&layout, &buffer, buffer.count) > 0 {
                d.channelLayout = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        let sampleFormat = AVSampleFormat(rawValue: par.format)
        if sampleFormat != AV_SAMPLE_FMT_NONE, let name = av_get_sample_fmt_name(sampleFormat) {
            d.sampleFormat = String(cString: name)
        }
    }

    private static func mediaType(_ type: AVMediaType) -> MediaType {
        switch type {
        case AVMEDIA_TYPE_VIDEO: .video
        case AVMEDIA_TYPE_AUDIO: .audio
        case AVMEDIA_TYPE_SUBTITLE: .subtitle
        case AVMEDIA_TYPE_DATA: .data
        case AVMEDIA_TYPE_ATTACHMENT: .attachment
        default: .unknown
        }
    }

    private static func tags(_ dict: OpaquePointer?) -> [String: String] {
        var result: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>?
        while let next = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX) {
            result[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
            entry = next
        }
        return result
    }
}

extension Demuxer {
    /// The samples of an MP4/MOV stream's index a player presents: FFmpeg's mov demuxer applies the
    /// edit list to the index when it opens the file, flagging a lead-in it keeps for decoding as
    /// discarded and leaving out what the edit trims from the end, while the header's sample count
    /// (`nb_frames`) still counts them all. Nothing is read; nil for other containers or an empty index.
    func presentedIndexEntries(_ st: UnsafeMutablePointer<AVStream>) -> Int64? {
        guard let format = contextPointer?.pointee.iformat, String(cString: format.pointee.name) == "mov,mp4,m4a,3gp,3g2,mj2"
        else { return nil }
        let count = avformat_index_get_entries_count(st)
        guard count > 0 else { return nil }
        var shown: Int64 = 0
        for i in 0..<count {
            guard let entry = avformat_index_get_entry(st, i) else { return nil }
            if entry.pointee.flags & AVINDEX_DISCARD_FRAME == 0 { shown += 1 }
        }
        return shown
    }
}
