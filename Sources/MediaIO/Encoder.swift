import CFFmpeg

/// How to encode pictures.
package struct VideoEncoderSettings: Sendable {
    package var codec = "libx264"
    package var width: Int
    package var height: Int
    package var pixelFormat = "yuv420p"
    /// Timestamps of frames sent in are in this time base.
    package var timeBase: Rational
    package var frameRate: Rational?
    /// Constant quality (libx264 CRF); ignored when `bitRate` is set.
    package var crf: Double?
    package var preset: String?
    /// Average bit rate in bits per second, with a VBV cap at 1.5x, for size targets.
    package var bitRate: Int64?
    /// For JPEG: 2 (best) to 31. For WebP: 0-100 quality.
    package var quality: Int?
    /// 0: as many as useful.
    package var threads = 0
    /// Set when the container keeps codec headers out of band (MP4, MOV).
    package var globalHeader = false
    /// Tag the output BT.709 SDR, as almost every model expects.
    package var tagBT709 = true

    package init(width: Int, height: Int, timeBase: Rational) {
        self.width = width
        self.height = height
        self.timeBase = timeBase
    }
}

/// How to encode sound.
package struct AudioEncoderSettings: Sendable {
    package var codec = "aac"
    package var sampleRate: Int
    package var channels: Int
    package var bitRate: Int64 = 160_000
    package var globalHeader = false

    package init(sampleRate: Int, channels: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
    }
}

/// Owns an encoder (AVCodecContext).
package final class Encoder {
    var context: UnsafeMutablePointer<AVCodecContext>?
    package let timeBase: Rational

    package init(video s: VideoEncoderSettings) throws(FFmpegError) {
        guard let codec = avcodec_find_encoder_by_name(s.codec) else {
            throw FFmpegError(code: pf_averror(ENOSYS), operation: "find the \(s.codec) encoder (is FFmpeg built with it?)")
        }
        context = avcodec_alloc_context3(codec)
        let c = context!
        c.pointee.width = Int32(s.width)
        c.pointee.height = Int32(s.height)
        c.pointee.pix_fmt = PixelFormat.named(s.pixelFormat)
        c.pointee.time_base = s.timeBase.av
        if let fr = s.frameRate { c.pointee.framerate = fr.av }
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        c.pointee.thread_count = Int32(s.threads)
        if s.globalHeader { c.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        if s.tagBT709 {
            c.pointee.color_primaries = AVCOL_PRI_BT709
            c.pointee.color_trc = AVCOL_TRC_BT709
            c.pointee.colorspace = AVCOL_SPC_BT709
            c.pointee.color_range = s.pixelFormat.hasPrefix("yuvj") ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        }
        if let rate = s.bitRate {
            c.pointee.bit_rate = rate
            c.pointee.rc_max_rate = rate * 3 / 2
            c.pointee.rc_buffer_size = Int32(clamping: rate * 2)
        }
        if s.codec == "libvpx-vp9" {
            // Constant quality unless a bit rate is set; "good" at cpu-used 5 with row threading is
            // several times faster than the defaults for a small loss.
            if s.bitRate == nil {
                c.pointee.bit_rate = 0
                av_opt_set_int(c.pointee.priv_data, "crf", Int64(s.crf ?? 31), 0)
            }
            av_opt_set(c.pointee.priv_data, "deadline", "good", 0)
            av_opt_set_int(c.pointee.priv_data, "cpu-used", 5, 0)
            av_opt_set_int(c.pointee.priv_data, "row-mt", 1, 0)
        }
        if s.codec == "libx264" {
            av_opt_set(c.pointee.priv_data, "preset", s.preset ?? "fast", 0)
            if s.bitRate == nil { av_opt_set_double(c.pointee.priv_data, "crf", s.crf ?? 18, 0) }
            if s.pixelFormat == "yuv420p" { av_opt_set(c.pointee.priv_data, "profile", "high", 0) }
        }
        if let q = s.quality {
            if s.codec == "libwebp" {
                av_opt_set_double(c.pointee.priv_data, "quality", Double(q), 0)
            } else {
                // MJPEG: a fixed quantiser scale.
                c.pointee.flags |= AV_CODEC_FLAG_QSCALE
                c.pointee.global_quality = Int32(q) * FF_QP2LAMBDA
            }
        }
        try check(avcodec_open2(c, codec, nil), "open the \(s.codec) encoder")
        timeBase = s.timeBase
    }

    package init(audio s: AudioEncoderSettings) throws(FFmpegError) {
        guard let codec = avcodec_find_encoder_by_name(s.codec) else {
            throw FFmpegError(code: pf_averror(ENOSYS), operation: "find the \(s.codec) encoder")
        }
        context = avcodec_alloc_context3(codec)
        let c = context!
        c.pointee.sample_rate = Int32(s.sampleRate)
        av_channel_layout_default(&c.pointee.ch_layout, Int32(s.channels))
        c.pointee.sample_fmt = codec.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
        if s.bitRate > 0 { c.pointee.bit_rate = s.bitRate }
        c.pointee.time_base = AVRational(num: 1, den: Int32(s.sampleRate))
        if s.globalHeader { c.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try check(avcodec_open2(c, codec, nil), "open the \(s.codec) encoder")
        timeBase = Rational(1, Int32(s.sampleRate))
    }

    deinit { avcodec_free_context(&context) }

    /// Samples per frame the audio encoder wants (AAC: 1024); encoders that take any size (PCM)
    /// get 1024 too, so frames stay small.
    package var frameSize: Int {
        let size = Int(context!.pointee.frame_size)
        return size > 0 ? size : 1024
    }
    package var sampleFormatName: String { String(cString: av_get_sample_fmt_name(context!.pointee.sample_fmt)) }
    package var sampleRate: Int { Int(context!.pointee.sample_rate) }
    package var channels: Int { Int(context!.pointee.ch_layout.nb_channels) }

    /// Feeds a frame (timestamps in `timeBase`); nil starts draining.
    package func send(_ frame: Frame?) throws(FFmpegError) {
        // Fixed-quantiser encoders (MJPEG) read the quality from each frame, as the ffmpeg CLI sets it.
        if let frame, context!.pointee.flags & AV_CODEC_FLAG_QSCALE != 0 {
            frame.pointer.pointee.quality = context!.pointee.global_quality
        }
        let code = avcodec_send_frame(context, frame?.pointer)
        if code == FFmpegError.endOfFile { return }
        try check(code, "encode")
    }

    /// The next encoded packet, or false when the encoder needs more input (or is drained).
    package func receive(into packet: Packet) throws(FFmpegError) -> Bool {
        packet.unref()
        let code = avcodec_receive_packet(context, packet.pointer)
        if code == FFmpegError.tryAgain || code == FFmpegError.endOfFile { return false }
        try check(code, "encode")
        return true
    }
}

extension Encoder {
    /// One picture encoded on its own (a still, a thumbnail): its whole bitstream.
    package static func encodePicture(_ picture: Frame, codec: String, pixelFormat: String, quality: Int?) throws(FFmpegError) -> [UInt8] {
        var settings = VideoEncoderSettings(width: picture.width, height: picture.height, timeBase: Rational(1, 25))
        settings.codec = codec
        settings.pixelFormat = pixelFormat
        settings.quality = quality
        settings.tagBT709 = false
        settings.threads = 1
        let encoder = try Encoder(video: settings)
        picture.pts = 0
        try encoder.send(picture)
        try encoder.send(nil)
        let packet = Packet()
        var bytes: [UInt8] = []
        while try encoder.receive(into: packet) { bytes += packet.bytes }
        return bytes
    }
}
