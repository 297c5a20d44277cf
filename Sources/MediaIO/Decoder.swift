import CFFmpeg

/// Owns a decoder (AVCodecContext) for one stream of a demuxer, multi-threaded.
package final class Decoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?
    /// The stream's time base: decoded frames' timestamps are in it.
    package let timeBase: Rational
    package let streamIndex: Int
    /// Where this decoder's error lines go (its frame threads' too), when it was asked to keep them.
    package let log: LogSink?

    /// - Parameters:
    ///   - shrink: decode at 1/2^shrink of the stored size where the codec can (JPEG's `lowres`), so a
    ///     huge photo is never decoded at full size for a small picture; held to what the codec offers.
    ///   - maxPixels: refuse decoded pictures larger than this (FFmpeg checks before allocating), so a
    ///     header claiming absurd dimensions cannot make us allocate gigabytes.
    ///   - log: keep every error line this decoder logs here, from whichever thread decodes.
    ///   - skipLoopFilter: leave out the in-loop deblocking (and SAO) filter: the pictures' pixels
    ///     change, nothing the decoder finds wrong with the stream does (for checking, not showing).
    package init(_ demuxer: Demuxer, stream: Int, threads: Int = 0, shrink: Int = 0, maxPixels: Int64? = nil, log: LogSink? = nil,
                skipLoopFilter: Bool = false) throws(FFmpegError) {
        let st = demuxer.stream(stream)
        // Every stored property first: a throw below then runs deinit, which frees what was made.
        timeBase = Rational(st.pointee.time_base)
        streamIndex = stream
        self.log = log
        guard let codec = avcodec_find_decoder(st.pointee.codecpar.pointee.codec_id) else {
            throw FFmpegError(code: pf_averror(ENOSYS), operation: "find a decoder for stream \(stream)")
        }
        context = avcodec_alloc_context3(codec)
        if let log { context!.pointee.opaque = log.opaque }
        try check(avcodec_parameters_to_context(context, st.pointee.codecpar), "configure the decoder")
        context!.pointee.pkt_timebase = st.pointee.time_base
        context!.pointee.thread_count = Int32(threads)
        context!.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        if skipLoopFilter { context!.pointee.skip_loop_filter = AVDISCARD_ALL }
        let lowres = max(0, min(shrink, Int(codec.pointee.max_lowres)))
        context!.pointee.lowres = Int32(lowres)
        if let maxPixels, maxPixels > 0 {
            // FFmpeg checks the limit against the stored size as well as the decoded one: scale it so
            // that it bounds what is decoded (4x fewer pixels per halving).
            let (stored, overflow) = maxPixels.multipliedReportingOverflow(by: Int64(1) << (2 * lowres))
            context!.pointee.max_pixels = overflow ? .max : stored
        }
        try check(avcodec_open2(context, codec, nil), "open the decoder")
    }

    deinit {
        // Frees (and joins) the frame threads first: nothing logs into the sink after this.
        avcodec_free_context(&context)
        log?.unregister()
    }

    /// Forgets every buffered packet and frame, after a seek.
    package func flush() { avcodec_flush_buffers(context) }

    /// Feeds a packet; nil drains the decoder at the end of the stream.
    package func send(_ packet: Packet?) throws(FFmpegError) {
        let code = avcodec_send_packet(context, packet?.pointer)
        // EAGAIN cannot happen when the caller drains with receive() after every send; EOF means
        // the drain was already requested.
        if code == FFmpegError.endOfFile { return }
        try check(code, "decode")
    }

    /// The next decoded frame, or false when the decoder needs more input (or is drained).
    package func receive(into frame: Frame) throws(FFmpegError) -> Bool {
        frame.unref()
        let code = avcodec_receive_frame(context, frame.pointer)
        if code == FFmpegError.tryAgain || code == FFmpegError.endOfFile { return false }
        try check(code, "decode")
        return true
    }

    package var sampleRate: Int { Int(context!.pointee.sample_rate) }
}

extension Demuxer {
    /// Jumps to the last keyframe at or before `seconds` in every stream.
    package func seek(toSeconds seconds: Double) throws(FFmpegError) {
        let ts = Int64(seconds * 1_000_000)
        try check(avformat_seek_file(contextPointer, -1, Int64.min, ts, ts, 0), "seek to \(seconds) s")
    }

    /// Reads the next packet with its bytes into `packet`; false at the end of the input.
    package func read(into packet: Packet) throws(FFmpegError) -> Bool {
        packet.unref()
        let code = av_read_frame(contextPointer, packet.pointer)
        if code == FFmpegError.endOfFile { return false }
        try check(code, "read packet")
        return true
    }

    /// A stream's time base.
    package func timeBase(of stream: Int) -> Rational { Rational(self.stream(stream).pointee.time_base) }

    /// Skips every stream but these: their packets are dropped by the demuxer (not even read where
    /// the container allows), as the ffmpeg CLI does with the streams it does not use.
    package func keepOnly(_ streams: Set<Int>) {
        for i in 0..<streamCount { stream(i).pointee.discard = streams.contains(i) ? AVDISCARD_DEFAULT : AVDISCARD_ALL }
    }

}
