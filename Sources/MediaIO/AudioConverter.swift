import CFFmpeg

/// Owns a libswresample context and a sample FIFO: turns decoded audio of any format, layout and
/// rate into the fixed-size frames an encoder wants.
package final class AudioConverter {
    private var swr: OpaquePointer?
    private var fifo: OpaquePointer?
    private let outRate: Int32
    private var outLayout = AVChannelLayout()
    private let outFormat: AVSampleFormat
    /// Samples handed out so far: the next frame's pts, in 1/outRate.
    package private(set) var samplesOut: Int64 = 0

    package init(sampleRate: Int, channels: Int, sampleFormat: String) {
        outRate = Int32(sampleRate)
        av_channel_layout_default(&outLayout, Int32(channels))
        outFormat = av_get_sample_fmt(sampleFormat)
        fifo = av_audio_fifo_alloc(outFormat, Int32(channels), 4096)
    }

    deinit {
        swr_free(&swr)
        if fifo != nil { av_audio_fifo_free(fifo) }
        av_channel_layout_uninit(&outLayout)
    }

    package var buffered: Int { Int(av_audio_fifo_size(fifo)) }

    /// Converts a decoded frame into the FIFO, dropping its first `skip` samples (for exact trims).
    package func push(_ frame: Frame, skip: Int = 0) throws(FFmpegError) {
        let f = frame.pointer
        if swr == nil {
            try check(swr_alloc_set_opts2(&swr, &outLayout, outFormat, outRate,
                                          &f.pointee.ch_layout, AVSampleFormat(rawValue: f.pointee.format), f.pointee.sample_rate, 0, nil),
                      "set up audio conversion")
            try check(swr_init(swr), "set up audio conversion")
        }
        let capacity = swr_get_out_samples(swr, f.pointee.nb_samples)
        guard capacity > 0 else { return }
        let tmp = Frame()
        tmp.pointer.pointee.nb_samples = capacity
        tmp.pointer.pointee.format = outFormat.rawValue
        tmp.pointer.pointee.sample_rate = outRate
        try check(av_channel_layout_copy(&tmp.pointer.pointee.ch_layout, &outLayout), "copy a channel layout")
        try check(av_frame_get_buffer(tmp.pointer, 0), "allocate audio")
        let input = UnsafeMutableRawPointer(f.pointee.extended_data).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        let converted = swr_convert(swr, tmp.pointer.pointee.extended_data, capacity, input, f.pointee.nb_samples)
        try check(converted, "convert audio")
        try write(tmp, count: converted, skip: skip)
    }

    /// Pushes out what libswresample still holds (at the end of the stream).
    package func flush() throws(FFmpegError) {
        guard swr != nil else { return }
        let tmp = Frame()
        tmp.pointer.pointee.nb_samples = 4096
        tmp.pointer.pointee.format = outFormat.rawValue
        tmp.pointer.pointee.sample_rate = outRate
        try check(av_channel_layout_copy(&tmp.pointer.pointee.ch_layout, &outLayout), "copy a channel layout")
        try check(av_frame_get_buffer(tmp.pointer, 0), "allocate audio")
        let converted = swr_convert(swr, tmp.pointer.pointee.extended_data, 4096, nil, 0)
        try check(converted, "flush audio conversion")
        try write(tmp, count: converted, skip: 0)
    }

    private func write(_ tmp: Frame, count: Int32, skip: Int) throws(FFmpegError) {
        let skipped = min(Int32(clamping: skip), count)
        guard count - skipped > 0 else { return }
        let bytesPerSample = av_get_bytes_per_sample(outFormat)
        let planar = av_sample_fmt_is_planar(outFormat) != 0
        var planes = [UnsafeMutableRawPointer?]()
        let planeCount = planar ? Int(outLayout.nb_channels) : 1
        let stride = planar ? bytesPerSample : bytesPerSample * outLayout.nb_channels
        for p in 0..<planeCount {
            planes.append(UnsafeMutableRawPointer(tmp.pointer.pointee.extended_data[p]!) + Int(skipped * stride))
        }
        let written = planes.withUnsafeMutableBufferPointer { av_audio_fifo_write(fifo, $0.baseAddress, count - skipped) }
        try check(written, "buffer audio")
    }

    /// Adds `count` samples of silence (to keep sound in sync when it starts after the picture).
    package func pushSilence(_ count: Int) throws(FFmpegError) {
        // In slices: a hostile start time asks for more samples than one frame (Int32) can hold.
        var left = count
        while left > 0 {
            let slice = min(left, 1 << 20)
            try pushSilenceSlice(slice)
            left -= slice
        }
    }

    private func pushSilenceSlice(_ count: Int) throws(FFmpegError) {
        let tmp = Frame()
        tmp.pointer.pointee.nb_samples = Int32(count)
        tmp.pointer.pointee.format = outFormat.rawValue
        tmp.pointer.pointee.sample_rate = outRate
        try check(av_channel_layout_copy(&tmp.pointer.pointee.ch_layout, &outLayout), "copy a channel layout")
        try check(av_frame_get_buffer(tmp.pointer, 0), "allocate audio")
        try check(av_samples_set_silence(tmp.pointer.pointee.extended_data, 0, Int32(count), outLayout.nb_channels, outFormat), "make silence")
        try write(tmp, count: Int32(count), skip: 0)
    }

    /// The next frame of `size` samples (fewer at the end when `final`), with its pts; false when
    /// there are not enough samples yet, or `limit` samples have been handed out in all.
    package func pop(into frame: Frame, size: Int, final: Bool, limit: Int64? = nil) throws(FFmpegError) -> Bool {
        var available = Int(av_audio_fifo_size(fifo))
        if let limit { available = min(available, Int(max(0, limit - samplesOut))) }
        let stillComing = limit.map { samplesOut + Int64(available) < $0 } ?? true
        guard available >= size || ((final || !stillComing) && available > 0) else { return false }
        let n = Int32(min(size, available))
        frame.unref()
        frame.pointer.pointee.nb_samples = n
        frame.pointer.pointee.format = outFormat.rawValue
        frame.pointer.pointee.sample_rate = outRate
        try check(av_channel_layout_copy(&frame.pointer.pointee.ch_layout, &outLayout), "copy a channel layout")
        try check(av_frame_get_buffer(frame.pointer, 0), "allocate audio")
        let read = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data).withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
            av_audio_fifo_read(fifo, $0, n)
        }
        try check(read, "read buffered audio")
        frame.pointer.pointee.pts = samplesOut
        samplesOut += Int64(n)
        return true
    }
}
