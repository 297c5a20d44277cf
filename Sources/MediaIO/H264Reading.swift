import CFFmpeg

/// An H.264 stream's parameters as avformat_find_stream_info would leave them, without decoding:
/// FFmpeg's H.264 parser over the first packet(s) gives the field order (the only way FFmpeg learns it,
/// through the parser's FILL), profile and level; the sequence parameter set in the avcC gives what the
/// decoder derives on its first slice (h264_init_ps): VUI range and colour overriding the container's,
/// the pixel format that follows from bit depth, chroma format, range and matrix, the cropped size.
/// Anything this cannot vouch for makes it refuse (nil / false), and the caller runs FFmpeg's analysis.
struct H264Reading: FirstPacketReading {
    private let sequence: H264SequenceHeader
    private let sequenceNAL: [UInt8]
    private let nalLengthSize: Int
    private let parser: ParserOwner
    private var fieldOrder: AVFieldOrder
    private var packets = 0
    private(set) var isDone = false

    // What the decoder would set.
    private let pixelFormat: AVPixelFormat
    private let colorRange: AVColorRange
    private let primaries: AVColorPrimaries
    private let transfer: AVColorTransferCharacteristic
    private let space: AVColorSpace
    private let codecAspect: AVRational

    /// A field order never shows in the first packets of a stream FFmpeg would read for long.
    private static let packetBudget = 8

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee, let extradata = par.extradata, par.extradata_size > 0,
              let config = H264SequenceHeader.fromAVCConfiguration(Array(UnsafeBufferPointer(start: extradata, count: Int(par.extradata_size))))
        else { return nil }
        let sps = config.header
        sequence = sps
        sequenceNAL = config.sps
        nalLengthSize = config.nalLengthSize

        // h264_init_ps: the VUI's range and colour description replace the container's; codes FFmpeg
        // has no name for become "unspecified".
        var range = par.color_range, pri = par.color_primaries, trc = par.color_trc, spc = par.color_space
        if let full = sps.fullRange {
            range = full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
            if let p = sps.colourPrimaries, let t = sps.transferCharacteristics, let m = sps.matrixCoefficients {
                (pri, trc, spc) = NALUnits.namedColour(primaries: p, transfer: t, matrix: m)
            }
        }
        guard let format = H264Reading.decoderPixelFormat(sps, space: spc, range: range),
              H264Reading.decoderSizeMatches(sps, width: Int(par.width), height: Int(par.height)) else { return nil }
        pixelFormat = format
        colorRange = range; primaries = pri; transfer = trc; space = spc
        // ff_set_sar: an aspect FFmpeg finds invalid for the size is dropped to 0/1.
        let sar = sps.sampleAspectRatio.map { AVRational(num: $0.num, den: $0.den) } ?? AVRational(num: 0, den: 1)
        codecAspect = av_image_check_sar(UInt32(par.width), UInt32(par.height), sar) < 0 ? AVRational(num: 0, den: 1) : sar

        guard let parser = ParserOwner(st) else { return nil }
        self.parser = parser
        fieldOrder = par.field_order
    }

    var source: FieldSource { .parser }

    /// Feeds one packet of the stream; false when the stream needs FFmpeg's analysis.
    mutating func take(_ packet: Packet) -> Bool {
        packets += 1
        // The decoder learns nothing from a picture it cannot start at; nor do we.
        if packets == 1, !packet.isKeyframe { return false }
        guard let parsed = parserAgrees(packet) else { return false }
        if fieldOrder.rawValue <= AV_FIELD_UNKNOWN.rawValue { fieldOrder = parsed }
        if fieldOrder.rawValue > AV_FIELD_UNKNOWN.rawValue {
            isDone = true
            return true
        }
        return packets < H264Reading.packetBudget
    }

    /// FFmpeg's analysis decodes up to seven H.264 pictures and its parser reads every packet it reads:
    /// a later one must say what the first said.
    mutating func watch(_ packet: Packet) -> Bool { parserAgrees(packet) != nil }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar else { return false }
        par.pointee.format = pixelFormat.rawValue
        par.pointee.profile = Int32(sequence.ffmpegProfile)
        par.pointee.level = Int32(sequence.levelIDC)
        par.pointee.field_order = fieldOrder
        par.pointee.color_range = colorRange
        par.pointee.color_primaries = primaries
        par.pointee.color_trc = transfer
        par.pointee.color_space = space
        par.pointee.sample_aspect_ratio = codecAspect
        return true
    }

    /// The packet's NAL units agree with the avcC and FFmpeg's parser, run over the packet, reads the
    /// same parameter sets (if it disagrees with our reading, trust neither): the parser's field order
    /// then, else nil.
    private func parserAgrees(_ packet: Packet) -> AVFieldOrder? {
        guard let data = packet.pointer.pointee.data, packet.size > 0, unitsAgree(UnsafeBufferPointer(start: data, count: packet.size)),
              let ctx = parser.context, let reported = parser.parse(data, count: packet.size),
              ctx.pointee.profile == Int32(sequence.ffmpegProfile), ctx.pointee.level == Int32(sequence.levelIDC),
              H264Reading.sameLayout(AVPixelFormat(reported), pixelFormat) else { return nil }
        return ctx.pointee.field_order
    }

    /// The packet's NAL units: an in-band SPS other than the avcC's, or an alternative transfer
    /// characteristics SEI (which the decoder applies over the VUI), changes what the decoder would
    /// report; NAL lengths that do not add up make it reject the packet, so the picture says nothing.
    private func unitsAgree(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let units = NALUnits.split(bytes, lengthSize: nalLengthSize, headerSize: 1) else { return false }
        var sawSlice = false
        for unit in units {
            switch bytes[unit.lowerBound] & 0x1F {
            case 1...5: sawSlice = true
            case 7: guard bytes[unit].elementsEqual(sequenceNAL) else { return false }
            case 6: guard H264Reading.seiPayloadTypes(bytes[unit.dropFirst()]).allSatisfy({ $0 != 147 }) else { return false }
            default: break
            }
        }
        return sawSlice
    }

    /// The payload types of an SEI NAL's messages (H.264 7.3.2.3.1); [147] when it does not parse, so
    /// that an unreadable SEI counts as one that matters.
    static func seiPayloadTypes(_ nal: Slice<UnsafeBufferPointer<UInt8>>) -> [Int] {
        NALUnits.seiMessages(nal)?.map(\.type) ?? [147]
    }

    /// get_pixel_format in h264_slice.c, for the bit depths and chroma formats this reading accepts
    /// (8 and 10 bits; 4:2:0, 4:2:2, 4:4:4; luma and chroma alike). Little-endian formats, as FFmpeg's
    /// native ones on every platform this builds for.
    static func decoderPixelFormat(_ sps: H264SequenceHeader, space: AVColorSpace, range: AVColorRange) -> AVPixelFormat? {
        guard sps.bitDepthLuma == sps.bitDepthChroma, (1...3).contains(sps.chromaFormatIDC) else { return nil }
        let rgb = space == AVCOL_SPC_RGB, full = range == AVCOL_RANGE_JPEG
        switch (sps.bitDepthLuma, sps.chromaFormatIDC) {
        case (8, 3): return rgb ? AV_PIX_FMT_GBRP : full ? AV_PIX_FMT_YUVJ444P : AV_PIX_FMT_YUV444P
        case (8, 2): return full ? AV_PIX_FMT_YUVJ422P : AV_PIX_FMT_YUV422P
        case (8, _): return full ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P
        case (10, 3): return rgb ? AV_PIX_FMT_GBRP10LE : AV_PIX_FMT_YUV444P10LE
        case (10, 2): return AV_PIX_FMT_YUV422P10LE
        case (10, _): return AV_PIX_FMT_YUV420P10LE
        default: return nil
        }
    }

    /// init_dimensions in h264_slice.c: the decoder reports the cropped size, or the container's when
    /// that is the same picture padded to macroblocks. Only a decoder size equal to the container's
    /// (what the header already says) is accepted.
    static func decoderSizeMatches(_ sps: H264SequenceHeader, width: Int, height: Int) -> Bool {
        let w = sps.codedWidth - sps.cropLeft - sps.cropRight, h = sps.codedHeight - sps.cropTop - sps.cropBottom
        if w == width && h == height { return true }
        func align16(_ x: Int) -> Int { (x + 15) & ~15 }
        return width > 0 && height > 0 && sps.cropTop == 0 && sps.cropLeft == 0
            && align16(width) == align16(w) && align16(height) == align16(h) && width <= w && height <= h
    }

    /// Same bit depth and chroma subsampling (the parser never says "full range" or "RGB").
    static func sameLayout(_ a: AVPixelFormat, _ b: AVPixelFormat) -> Bool {
        guard let da = av_pix_fmt_desc_get(a)?.pointee, let db = av_pix_fmt_desc_get(b)?.pointee else { return false }
        return da.comp.0.depth == db.comp.0.depth && da.log2_chroma_w == db.log2_chroma_w && da.log2_chroma_h == db.log2_chroma_h
    }
}

/// Owns FFmpeg's codec parser for one stream and the codec context it reports into (set from the
/// stream's parameters, extradata included, as libavformat sets its own).
final class ParserOwner {
    private var parser: UnsafeMutablePointer<AVCodecParserContext>?
    private(set) var context: UnsafeMutablePointer<AVCodecContext>?

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar, let p = av_parser_init(Int32(par.pointee.codec_id.rawValue)) else { return nil }
        parser = p
        // Packets from MP4 are whole frames: the parser reads them at once instead of looking for ends.
        p.pointee.flags |= PARSER_FLAG_COMPLETE_FRAMES
        context = avcodec_alloc_context3(nil)
        guard context != nil, avcodec_parameters_to_context(context, par) >= 0 else { return nil }
    }

    deinit {
        if parser != nil { av_parser_close(parser) }
        avcodec_free_context(&context)
    }

    /// Parses one whole frame; the parser's pixel format (raw value), or nil when it output nothing.
    func parse(_ data: UnsafeMutablePointer<UInt8>, count: Int) -> Int32? {
        var out: UnsafeMutablePointer<UInt8>?
        var outSize: Int32 = 0
        let nopts = pf_nopts_value()
        _ = av_parser_parse2(parser, context, &out, &outSize, data, Int32(count), nopts, nopts, 0)
        guard outSize > 0, let parser else { return nil }
        return parser.pointee.format
    }
}
