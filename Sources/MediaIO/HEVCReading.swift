import CFFmpeg

/// An HEVC stream's parameters as avformat_find_stream_info would leave them, without decoding (the
/// iPhone and Pixel case): the SPS in the hvcC gives what the decoder exports on its first picture
/// (hevcdec.c export_stream_params: the VUI's range, defaulting to limited, and its colour
/// description, unspecified when absent, both replacing the container's; the pixel format from bit
/// depth and chroma format, GBR for RGB 4:4:4; the cropped size), and FFmpeg's HEVC parser over the
/// first packet vouches for profile, level and pixel format and gives the field order (from the
/// picture timing SEI). Anything this cannot vouch for makes it refuse (nil / false), and the caller
/// runs FFmpeg's analysis.
struct HEVCReading: FirstPacketReading {
    private let sequence: HEVCSequenceHeader
    private let parameterSets: [[UInt8]]
    private let nalLengthSize: Int
    private let parser: ParserOwner
    private var fieldOrder: AVFieldOrder
    private(set) var isDone = false

    private let pixelFormat: AVPixelFormat
    private let colorRange: AVColorRange
    private let primaries: AVColorPrimaries
    private let transfer: AVColorTransferCharacteristic
    private let space: AVColorSpace
    private let codecAspect: AVRational

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee, let extradata = par.extradata, par.extradata_size > 0,
              let config = HEVCSequenceHeader.fromHEVCConfiguration(Array(UnsafeBufferPointer(start: extradata, count: Int(par.extradata_size))))
        else { return nil }
        let sps = config.header
        sequence = sps
        parameterSets = config.parameterSets
        nalLengthSize = config.nalLengthSize

        colorRange = sps.fullRange == true ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        if let p = sps.colourPrimaries, let t = sps.transferCharacteristics, let m = sps.matrixCoefficients {
            (primaries, transfer, space) = NALUnits.namedColour(primaries: p, transfer: t, matrix: m)
        } else {
            primaries = AVCOL_PRI_UNSPECIFIED; transfer = AVCOL_TRC_UNSPECIFIED; space = AVCOL_SPC_UNSPECIFIED
        }
        guard let format = HEVCReading.decoderPixelFormat(sps, space: space, fullRange: sps.fullRange == true),
              sps.codedWidth - sps.cropLeft - sps.cropRight == Int(par.width),
              sps.codedHeight - sps.cropTop - sps.cropBottom == Int(par.height), !sps.fieldSequence else { return nil }
        pixelFormat = format
        // ff_set_sar: an aspect FFmpeg finds invalid for the size is dropped to 0/1.
        let sar = sps.sampleAspectRatio.map { AVRational(num: $0.num, den: $0.den) } ?? AVRational(num: 0, den: 1)
        codecAspect = av_image_check_sar(UInt32(par.width), UInt32(par.height), sar) < 0 ? AVRational(num: 0, den: 1) : sar

        // The decoder reads the hvcC's SEI arrays as it reads in-band SEI: an alternative transfer
        // message there is left to FFmpeg's analysis like one in the first packet.
        for nal in config.parameterSets where Int(nal[0] >> 1) & 0x3F == 39 {
            let messages = NALUnits.seiMessages(nal.dropFirst(2))
            guard let messages, !messages.contains(where: { $0.type == 147 }) else { return nil }
        }
        guard let parser = ParserOwner(st) else { return nil }
        self.parser = parser
        fieldOrder = par.field_order
    }

    var source: FieldSource { .parser }

    /// Feeds the stream's first packet; false when the stream needs FFmpeg's analysis.
    mutating func take(_ packet: Packet) -> Bool {
        // The decoder learns nothing from a picture it cannot start at; nor do we.
        guard packet.isKeyframe, let parsed = parserAgrees(packet) else { return false }
        // The parser's field order is the picture timing SEI's pic_struct: 0, a frame, says nothing.
        if fieldOrder.rawValue <= AV_FIELD_UNKNOWN.rawValue { fieldOrder = parsed }
        guard fieldOrder.rawValue > AV_FIELD_UNKNOWN.rawValue else { return false }
        isDone = true
        return true
    }

    /// FFmpeg's HEVC parser reads every packet the analysis reads: a later one must say what the first said.
    mutating func watch(_ packet: Packet) -> Bool { parserAgrees(packet) != nil }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar else { return false }
        par.pointee.format = pixelFormat.rawValue
        par.pointee.profile = Int32(sequence.profileIDC)
        par.pointee.level = Int32(sequence.levelIDC)
        par.pointee.field_order = fieldOrder
        par.pointee.color_range = colorRange
        par.pointee.color_primaries = primaries
        par.pointee.color_trc = transfer
        par.pointee.color_space = space
        par.pointee.sample_aspect_ratio = codecAspect
        return true
    }

    /// The packet's NAL units agree with the hvcC and FFmpeg's parser, run over the packet, reads the
    /// same parameter sets (if it disagrees with our reading, trust neither): its field order, else nil.
    private func parserAgrees(_ packet: Packet) -> AVFieldOrder? {
        guard let data = packet.pointer.pointee.data, packet.size > 0, unitsAgree(UnsafeBufferPointer(start: data, count: packet.size)),
              let ctx = parser.context, let reported = parser.parse(data, count: packet.size),
              ctx.pointee.profile == Int32(sequence.profileIDC), ctx.pointee.level == Int32(sequence.levelIDC),
              H264Reading.sameLayout(AVPixelFormat(reported), pixelFormat) else { return nil }
        return ctx.pointee.field_order
    }

    /// The packet's NAL units: a parameter set other than the hvcC's, or an alternative transfer
    /// characteristics SEI naming another transfer than the VUI's, changes what the decoder would
    /// report; NAL lengths that do not add up make it reject the packet (false).
    private func unitsAgree(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let units = NALUnits.split(bytes, lengthSize: nalLengthSize, headerSize: 2) else { return false }
        var sawSlice = false
        for unit in units {
            switch Int(bytes[unit.lowerBound] >> 1) & 0x3F {
            case 0...31: sawSlice = true
            case 32...34: guard parameterSets.contains(where: { bytes[unit].elementsEqual($0) }) else { return false }
            case 39:
                guard let messages = NALUnits.seiMessages(bytes[unit.dropFirst(2)]) else { return false }
                // An alternative transfer SEI that agrees with the VUI (x265 writes one beside an HLG
                // VUI) changes nothing; one that would change the transfer is the decoder's to apply
                // (when and whether it does depends on the picture decoding): left to FFmpeg.
                for message in messages where message.type == 147 {
                    guard let preferred = message.payload.first else { return false }
                    let trc = AVColorTransferCharacteristic(UInt32(preferred))
                    if av_color_transfer_name(trc) != nil, trc != AVCOL_TRC_UNSPECIFIED, trc != transfer { return false }
                }
            default: break // suffix SEI (40) comes after the picture
            }
        }
        return sawSlice
    }

    /// map_pixel_format in hevc_ps.c (luma and chroma of one depth: FFmpeg refuses others), with
    /// decode_vui's switches: 8-bit 4:2:0 in full range is yuvj420p, 4:4:4 with an RGB matrix is GBR.
    /// Little-endian, as FFmpeg's native formats on every platform this builds for.
    static func decoderPixelFormat(_ sps: HEVCSequenceHeader, space: AVColorSpace, fullRange: Bool) -> AVPixelFormat? {
        guard sps.bitDepthLuma == sps.bitDepthChroma else { return nil }
        let rgb = space == AVCOL_SPC_RGB
        switch (sps.bitDepthLuma, sps.chromaFormatIDC) {
        case (8, 0): return AV_PIX_FMT_GRAY8
        case (8, 1): return fullRange ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P
        case (8, 2): return AV_PIX_FMT_YUV422P
        case (8, 3): return rgb ? AV_PIX_FMT_GBRP : AV_PIX_FMT_YUV444P
        case (10, 0): return AV_PIX_FMT_GRAY10LE
        case (10, 1): return AV_PIX_FMT_YUV420P10LE
        case (10, 2): return AV_PIX_FMT_YUV422P10LE
        case (10, 3): return rgb ? AV_PIX_FMT_GBRP10LE : AV_PIX_FMT_YUV444P10LE
        case (12, 0): return AV_PIX_FMT_GRAY12LE
        case (12, 1): return AV_PIX_FMT_YUV420P12LE
        case (12, 2): return AV_PIX_FMT_YUV422P12LE
        case (12, 3): return rgb ? AV_PIX_FMT_GBRP12LE : AV_PIX_FMT_YUV444P12LE
        default: return nil
        }
    }
}
