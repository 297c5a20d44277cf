import CFFmpeg

/// A ProRes stream's parameters as avformat_find_stream_info would leave them, without decoding. FFmpeg's
/// ProRes decoder (proresdec2.c) takes the profile and the bit depth from the codec tag when it opens
/// (apco Proxy ... ap4x XQ; 4444 and XQ decode to 12 bits), then, on the first frame, sets the pixel
/// format from the frame header's chroma format and alpha flag and copies its colour codes as they are
/// (over the container's `colr`), with limited range; the first frame decoded is where the analysis
/// stops. This reads the same frame header. Field order and aspect stay the container's, as the decoder
/// leaves them. Anything the decoder would refuse or change (another size, an unknown tag or header
/// version, a reserved alpha mode) makes it refuse, and the caller runs FFmpeg's analysis.
struct ProResReading: FirstPacketReading {
    private let profile: Int32
    private let twelveBit: Bool
    private let width: Int
    private let height: Int
    private var found: (format: AVPixelFormat, primaries: UInt8, transfer: UInt8, matrix: UInt8)?
    var isDone: Bool { found != nil }

    /// The decoder's profile for each codec tag it names (decode_init); 4444 and XQ are 12-bit.
    private static let profiles: [String: (profile: Int32, twelveBit: Bool)] = [
        "apco": (FF_PROFILE_PRORES_PROXY, false), "apcs": (FF_PROFILE_PRORES_LT, false),
        "apcn": (FF_PROFILE_PRORES_STANDARD, false), "apch": (FF_PROFILE_PRORES_HQ, false),
        "ap4h": (FF_PROFILE_PRORES_4444, true), "ap4x": (FF_PROFILE_PRORES_XQ, true),
    ]

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee, par.width > 0, par.height > 0,
              // What is said here is FFmpeg's own decoder's behaviour; another one may say otherwise.
              let decoder = avcodec_find_decoder(AV_CODEC_ID_PRORES), String(cString: decoder.pointee.name) == "prores",
              let entry = ProResReading.profiles[fourCC(par.codec_tag)] else { return nil }
        profile = entry.profile
        twelveBit = entry.twelveBit
        width = Int(par.width)
        height = Int(par.height)
    }

    /// Reads the first packet's frame header (decode_frame and decode_frame_header); false when the
    /// decoder would refuse it or change the picture size, and the stream needs FFmpeg's analysis.
    mutating func take(_ packet: Packet) -> Bool {
        guard let data = packet.pointer.pointee.data, packet.size >= 28 else { return false }
        let b = UnsafeBufferPointer(start: data, count: packet.size)
        func be16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
        // The frame: its size, "icpf", then the frame header (offsets below from the header's start).
        guard be16(0) << 16 | be16(2) == packet.size, b[4] == 0x69, b[5] == 0x63, b[6] == 0x70, b[7] == 0x66 else { return false }
        let h = 8
        let headerSize = be16(h)
        let flags = b[h + 19]
        // The header holds what is read here and the quantisation matrices its flags announce.
        guard headerSize >= 20 + (flags & 2 != 0 ? 64 : 0) + (flags & 1 != 0 ? 64 : 0), headerSize <= packet.size - h,
              be16(h + 2) <= 1, // version
              be16(h + 8) == width, be16(h + 10) == height, // another size: the decoder resizes (ff_set_dimensions)
              (b[h + 12] >> 2) & 3 != 3 // frame type: progressive, top or bottom field first
        else { return false }
        let alpha = b[h + 17] & 0x0F
        guard alpha <= 2 else { return false } // the decoder refuses other alpha modes
        let full = b[h + 12] & 0xC0 == 0xC0 // 4:4:4; anything else decodes as 4:2:2
        let format: AVPixelFormat = switch (alpha != 0, full, twelveBit) {
        case (false, false, false): AV_PIX_FMT_YUV422P10LE
        case (false, true, false): AV_PIX_FMT_YUV444P10LE
        case (false, false, true): AV_PIX_FMT_YUV422P12LE
        case (false, true, true): AV_PIX_FMT_YUV444P12LE
        case (true, false, false): AV_PIX_FMT_YUVA422P10LE
        case (true, true, false): AV_PIX_FMT_YUVA444P10LE
        case (true, false, true): AV_PIX_FMT_YUVA422P12LE
        case (true, true, true): AV_PIX_FMT_YUVA444P12LE
        }
        found = (format, b[h + 14], b[h + 15], b[h + 16])
        return true
    }

    var source: FieldSource { .frameHeader }

    /// Decoded once by the analysis, and no parser: later packets change nothing in it.
    func watch(_ packet: Packet) -> Bool { true }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar, let found else { return false }
        par.pointee.format = found.format.rawValue
        par.pointee.profile = profile
        par.pointee.bits_per_raw_sample = twelveBit ? 12 : 10
        // The decoder copies the header's codes as they are, named by FFmpeg or not.
        par.pointee.color_primaries = AVColorPrimaries(UInt32(found.primaries))
        par.pointee.color_trc = AVColorTransferCharacteristic(UInt32(found.transfer))
        par.pointee.color_space = AVColorSpace(UInt32(found.matrix))
        par.pointee.color_range = AVCOL_RANGE_MPEG
        return true
    }
}

/// A codec tag as its four characters ("apch"); FFmpeg stores MKTAG(a, b, c, d) little-endian.
func fourCC(_ tag: UInt32) -> String {
    String(decoding: [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: tag >> $0) }, as: UTF8.self)
}
