import CFFmpeg

/// Owns a libavfilter graph (AVFilterGraph) for pictures: a buffer source, the chain described in
/// FFmpeg's filter syntax ("bwdif=mode=send_frame,zscale=..."), and a buffer sink. Frames go in
/// with `push`, come out with `pull`; the graph and every filter in it are freed with this object.
package final class FilterGraph {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    /// The time base of the frames `pull` gives (a double-rate deinterlacer halves it).
    package let outputTimeBase: Rational

    /// A graph for pictures shaped like `first` (size, pixel format, pixel aspect), with timestamps
    /// in `timeBase`.
    package init(for first: Frame, timeBase: Rational, description: String) throws(FFmpegError) {
        guard let g = avfilter_graph_alloc() else { throw FFmpegError(code: pf_averror(ENOMEM), operation: "allocate a filter graph") }
        graph = g
        let f = first.pointer.pointee
        let sar = f.sample_aspect_ratio.num > 0 && f.sample_aspect_ratio.den > 0 ? f.sample_aspect_ratio : AVRational(num: 1, den: 1)
        let args = "video_size=\(f.width)x\(f.height):pix_fmt=\(f.format):time_base=\(timeBase.num)/\(max(timeBase.den, 1))"
            + ":pixel_aspect=\(sar.num)/\(sar.den)"
        var src: UnsafeMutablePointer<AVFilterContext>?
        var snk: UnsafeMutablePointer<AVFilterContext>?
        do {
            try check(avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args, nil, g), "create the filter source")
            try check(avfilter_graph_create_filter(&snk, avfilter_get_by_name("buffersink"), "out", nil, nil, g), "create the filter sink")
        } catch {
            avfilter_graph_free(&graph)
            throw error
        }
        guard let src, let snk else {
            avfilter_graph_free(&graph)
            throw FFmpegError(code: pf_averror(ENOMEM), operation: "create the filter ends")
        }
        source = src
        sink = snk

        // The chain's open input is fed by the source, its open output feeds the sink.
        var outputs = avfilter_inout_alloc()
        var inputs = avfilter_inout_alloc()
        defer {
            avfilter_inout_free(&outputs)
            avfilter_inout_free(&inputs)
        }
        guard let o = outputs, let i = inputs else {
            avfilter_graph_free(&graph)
            throw FFmpegError(code: pf_averror(ENOMEM), operation: "allocate the filter links")
        }
        o.pointee.name = av_strdup("in")
        o.pointee.filter_ctx = src
        o.pointee.pad_idx = 0
        o.pointee.next = nil
        i.pointee.name = av_strdup("out")
        i.pointee.filter_ctx = snk
        i.pointee.pad_idx = 0
        i.pointee.next = nil
        do {
            try check(avfilter_graph_parse_ptr(g, description, &inputs, &outputs, nil), "read the filter chain \"\(description)\"")
            try check(avfilter_graph_config(g, nil), "set up the filter chain \"\(description)\"")
        } catch {
            avfilter_graph_free(&graph)
            throw error
        }
        outputTimeBase = Rational(av_buffersink_get_time_base(snk))
    }

    deinit { avfilter_graph_free(&graph) }

    /// Feeds a picture (its best-effort timestamp becomes its pts); nil ends the stream so the
    /// filters give up what they hold.
    package func push(_ frame: Frame?) throws(FFmpegError) {
        guard let frame else {
            try check(av_buffersrc_add_frame_flags(source, nil, 0), "end the filter input")
            return
        }
        let pts = frame.pts
        frame.pts = pts
        try check(av_buffersrc_add_frame_flags(source, frame.pointer, pf_buffersrc_keep_ref()), "filter a picture")
    }

    /// The next filtered picture (timestamps in `outputTimeBase`), or false when the graph needs
    /// more input or is drained.
    package func pull(into frame: Frame) throws(FFmpegError) -> Bool {
        frame.unref()
        let code = av_buffersink_get_frame(sink, frame.pointer)
        if code == FFmpegError.tryAgain || code == FFmpegError.endOfFile { return false }
        try check(code, "take a filtered picture")
        return true
    }

    /// Whether this FFmpeg has a filter of that name (Debian's has zscale, tonemap, bwdif).
    package static func has(_ name: String) -> Bool { avfilter_get_by_name(name) != nil }
}
