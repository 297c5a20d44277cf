import CFFmpeg

/// An AV1 stream's parameters as avformat_find_stream_info would leave them. The analysis decodes
/// nothing here: opening libdav1d reads the sequence header in the `av1C` and sets the profile, level,
/// range, colour codes (as they are, over the container's), the pixel format (libdav1d_init_params:
/// layout and bit depth, GBR for sRGB 4:4:4) and the size (the header's maximum frame size), which is
/// all the analysis waits for; FFmpeg's AV1 parser
/// sets the same from the first packet. This reads the `av1C`'s sequence header and runs that parser
/// over the first packet to vouch for it. Another AV1 decoder than libdav1d (which might decode and say
/// more), a record without one readable sequence header, or a parser that disagrees makes it refuse,
/// and the caller runs FFmpeg's analysis.
struct AV1Reading: FirstPacketReading {
    private let sequence: AV1SequenceHeader
    private let pixelFormat: AVPixelFormat
    private let parser: ParserOwner
    private(set) var isDone = false

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee, let extradata = par.extradata, par.extradata_size > 0,
              let decoder = avcodec_find_decoder(AV_CODEC_ID_AV1), String(cString: decoder.pointee.name) == "libdav1d",
              let sequence = AV1SequenceHeader.fromAV1Configuration(Array(UnsafeBufferPointer(start: extradata, count: Int(par.extradata_size)))),
              // libdav1d sets the stream's size to the header's maximum: another than the container's changes it.
              sequence.maxWidth == Int(par.width), sequence.maxHeight == Int(par.height),
              let parser = ParserOwner(st) else { return nil }
        self.sequence = sequence
        self.parser = parser
        let depth = [8: 0, 10: 1, 12: 2][sequence.bitDepth] ?? 0
        if sequence.monochrome {
            pixelFormat = [AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY10LE, AV_PIX_FMT_GRAY12LE][depth]
        } else if !sequence.subsamplingX {
            let rgb = sequence.matrixCoefficients == 0 && sequence.colourPrimaries == 1 && sequence.transferCharacteristics == 13
            pixelFormat = rgb ? [AV_PIX_FMT_GBRP, AV_PIX_FMT_GBRP10LE, AV_PIX_FMT_GBRP12LE][depth]
                              : [AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P12LE][depth]
        } else if !sequence.subsamplingY {
            pixelFormat = [AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV422P12LE][depth]
        } else {
            pixelFormat = [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P12LE][depth]
        }
    }

    var source: FieldSource { .parser }

    /// Runs FFmpeg's AV1 parser over the first packet; false when it reports anything else than the
    /// `av1C` says (an in-band sequence header that differs, a packet without a frame).
    mutating func take(_ packet: Packet) -> Bool {
        guard packet.isKeyframe, parserAgrees(packet) else { return false }
        isDone = true
        return true
    }

    /// FFmpeg's AV1 parser reads every packet the analysis reads, and the last sequence header wins:
    /// a later packet must say what the first said.
    mutating func watch(_ packet: Packet) -> Bool { parserAgrees(packet) }

    private func parserAgrees(_ packet: Packet) -> Bool {
        guard let data = packet.pointer.pointee.data, packet.size > 0,
              let ctx = parser.context, let reported = parser.parse(data, count: packet.size) else { return false }
        let c = ctx.pointee
        return c.profile == Int32(sequence.profile) && c.level == Int32(sequence.levelIndex)
            && c.color_range == range && c.color_primaries.rawValue == UInt32(sequence.colourPrimaries)
            && c.color_trc.rawValue == UInt32(sequence.transferCharacteristics) && c.colorspace.rawValue == UInt32(sequence.matrixCoefficients)
            && H264Reading.sameLayout(AVPixelFormat(reported), pixelFormat)
    }

    private var range: AVColorRange { sequence.fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar else { return false }
        par.pointee.format = pixelFormat.rawValue
        par.pointee.profile = Int32(sequence.profile)
        par.pointee.level = Int32(sequence.levelIndex)
        par.pointee.color_range = range
        par.pointee.color_primaries = AVColorPrimaries(UInt32(sequence.colourPrimaries))
        par.pointee.color_trc = AVColorTransferCharacteristic(UInt32(sequence.transferCharacteristics))
        par.pointee.color_space = AVColorSpace(UInt32(sequence.matrixCoefficients))
        return true
    }
}
