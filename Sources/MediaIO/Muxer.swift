import CFFmpeg

/// Owns an output file being written (AVFormatContext + its AVIOContext). `finish()` writes the
/// trailer; a muxer dropped before that leaves an incomplete file, which the caller removes.
package final class Muxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var timeBases: [Rational] = []
    private var headerWritten = false
    private var finished = false
    package let path: String

    /// - Parameter format: FFmpeg's muxer name ("mp4", "mov", "webm", "matroska").
    package init(path: String, format: String) throws(FFmpegError) {
        self.path = path
        try check(avformat_alloc_output_context2(&context, nil, format, path), "create a \(format) file")
    }

    deinit {
        if let ctx = context {
            if ctx.pointee.pb != nil { avio_closep(&ctx.pointee.pb) }
            avformat_free_context(ctx)
        }
    }

    /// Encoders writing into this container must put codec headers out of band.
    package var needsGlobalHeader: Bool { context!.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 }

    /// A stream fed by `encoder`; returns its index.
    package func addStream(from encoder: Encoder) throws(FFmpegError) -> Int {
        guard let st = avformat_new_stream(context, nil) else { throw FFmpegError(code: pf_averror(ENOMEM), operation: "add a stream") }
        try check(avcodec_parameters_from_context(st.pointee.codecpar, encoder.context), "describe a stream")
        st.pointee.time_base = encoder.timeBase.av
        if encoder.context!.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
            st.pointee.sample_aspect_ratio = encoder.context!.pointee.sample_aspect_ratio
            st.pointee.avg_frame_rate = encoder.context!.pointee.framerate
        }
        timeBases.append(encoder.timeBase)
        return Int(st.pointee.index)
    }

    /// A stream whose packets are copied unchanged from `demuxer`'s stream `index` (codec
    /// parameters, display matrix, language and disposition come along).
    package func addStream(copying demuxer: Demuxer, stream index: Int, keepDisplayMatrix: Bool = true) throws(FFmpegError) -> Int {
        let source = demuxer.stream(index)
        guard let st = avformat_new_stream(context, nil) else { throw FFmpegError(code: pf_averror(ENOMEM), operation: "add a stream") }
        try check(avcodec_parameters_copy(st.pointee.codecpar, source.pointee.codecpar), "copy stream parameters")
        st.pointee.codecpar.pointee.codec_tag = 0 // let the new container choose its own tag
        st.pointee.time_base = source.pointee.time_base
        st.pointee.sample_aspect_ratio = source.pointee.sample_aspect_ratio
        st.pointee.avg_frame_rate = source.pointee.avg_frame_rate
        st.pointee.disposition = source.pointee.disposition
        if let lang = av_dict_get(source.pointee.metadata, "language", nil, 0) {
            av_dict_set(&st.pointee.metadata, "language", lang.pointee.value, 0)
        }
        var size = 0
        if keepDisplayMatrix, let matrix = av_stream_get_side_data(source, AV_PKT_DATA_DISPLAYMATRIX, &size), size > 0,
           let copy = av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, size) {
            copy.update(from: matrix, count: size)
        }
        timeBases.append(Rational(source.pointee.time_base))
        return Int(st.pointee.index)
    }

    /// Container-level metadata (creation_time...).
    package func setMetadata(_ key: String, _ value: String) {
        av_dict_set(&context!.pointee.metadata, key, value, 0)
    }

    /// Stream-level metadata (language...).
    package func setMetadata(stream: Int, _ key: String, _ value: String) {
        av_dict_set(&context!.pointee.streams[stream]!.pointee.metadata, key, value, 0)
    }

    /// Opens the file and writes the header. `fastStart` moves the MP4 index to the front, so a
    /// model's downloader can start before the whole file has arrived.
    package func writeHeader(fastStart: Bool = true) throws(FFmpegError) {
        try check(avio_open(&context!.pointee.pb, path, AVIO_FLAG_WRITE), "create \(path)")
        var options: OpaquePointer?
        if fastStart { av_dict_set(&options, "movflags", "+faststart", 0) }
        defer { av_dict_free(&options) }
        try check(avformat_write_header(context, &options), "write the header of \(path)")
        // The muxer may have changed each stream's time base.
        timeBases = (0..<Int(context!.pointee.nb_streams)).map { Rational(context!.pointee.streams[$0]!.pointee.time_base) }
        headerWritten = true
    }

    /// Writes a packet for `stream`, its timestamps in `timeBase`; packets are interleaved by time.
    package func write(_ packet: Packet, stream: Int, timeBase: Rational) throws(FFmpegError) {
        packet.streamIndex = stream
        packet.rescale(from: timeBase, to: timeBases[stream])
        packet.pointer.pointee.pos = -1
        try check(av_interleaved_write_frame(context, packet.pointer), "write to \(path)")
    }

    /// Writes the trailer (the MP4 index) and closes the file.
    package func finish() throws(FFmpegError) {
        guard headerWritten, !finished else { return }
        finished = true
        try check(av_write_trailer(context), "finish \(path)")
        avio_closep(&context!.pointee.pb)
    }
}
