import CFFmpeg

/// A ProRes stream's parameters as avformat_find_stream_info would leave them, without decoding (the
/// camera and editing intermediate): the profile and bit depth follow from the sample entry's codec
/// tag, as FFmpeg's decoder sets them on opening (proresdec2.c decode_init), and the pixel format from
/// the first frame's header (chroma format and alpha), and so do the colour codes and limited range
/// the decoder writes over the container's `colr` (decode_frame_header). Field order is the
/// container's (`fiel`), which the decoder leaves as it is. Anything else makes it refuse, and the
/// caller runs FFmpeg's analysis.
struct ProResReading {
    private let profile: Int32
    private let bits: Int32
    private var pixelFormat: AVPixelFormat?
    private var colour: (primaries: UInt8, transfer: UInt8, matrix: UInt8)?
    private let width: Int, height: Int
    private(set) var isDone = false

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee else { return nil }
        // decode_init: the profile and depth the tag names (4444 and XQ are 12-bit).
        switch par.codec_tag.bigEndianFourCC {
        case "apco": profile = 0; bits = 10
        case "apcs": profile = 1; bits = 10
        case "apcn": profile = 2; bits = 10
        case "apch": profile = 3; bits = 10
        case "ap4h": profile = 4; bits = 12
        case "ap4x": profile = 5; bits = 12
        default: return nil
        }
        guard par.width > 0, par.height > 0 else { return nil }
        width = Int(par.width); height = Int(par.height)
    }

    /// Reads the first frame's header; false when the stream needs FFmpeg's analysis.
    mutating func take(_ packet: Packet) -> Bool {
        guard let data = packet.pointer.pointee.data, packet.size >= 28 else { return false }
        let b = UnsafeBufferPointer(start: data, count: packet.size)
        // A frame: its size, "icpf", then the header (size, version, creator, width, height, flags...).
        guard b[4] == 0x69, b[5] == 0x63, b[6] == 0x70, b[7] == 0x66 else { return false }
        let h = 8
        let headerSize = Int(b[h]) << 8 | Int(b[h + 1])
        let version = Int(b[h + 2]) << 8 | Int(b[h + 3])
        let w = Int(b[h + 8]) << 8 | Int(b[h + 9]), ht = Int(b[h + 10]) << 8 | Int(b[h + 11])
        guard headerSize >= 20, headerSize <= packet.size - h, version <= 1, w == width, ht == height else { return false }
        let chroma444 = b[h + 12] & 0xC0 == 0xC0
        let alpha = b[h + 17] & 0x0F
        guard alpha <= 2 else { return false }
        switch (bits, chroma444, alpha != 0) {
        case (10, true, true): pixelFormat = AV_PIX_FMT_YUVA444P10LE
        case (10, false, true): pixelFormat = AV_PIX_FMT_YUVA422P10LE
        case (10, true, false): pixelFormat = AV_PIX_FMT_YUV444P10LE
        case (10, false, false): pixelFormat = AV_PIX_FMT_YUV422P10LE
        case (_, true, true): pixelFormat = AV_PIX_FMT_YUVA444P12LE
        case (_, false, true): pixelFormat = AV_PIX_FMT_YUVA422P12LE
        case (_, true, false): pixelFormat = AV_PIX_FMT_YUV444P12LE
        default: pixelFormat = AV_PIX_FMT_YUV422P12LE
        }
        colour = (b[h + 14], b[h + 15], b[h + 16])
        isDone = true
        return true
    }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar, let pixelFormat, let colour else { return false }
        par.pointee.format = pixelFormat.rawValue
        // The codes as the header has them (FFmpeg copies them unchecked), and always limited range.
        par.pointee.color_primaries = AVColorPrimaries(UInt32(colour.primaries))
        par.pointee.color_trc = AVColorTransferCharacteristic(UInt32(colour.transfer))
        par.pointee.color_space = AVColorSpace(UInt32(colour.matrix))
        par.pointee.color_range = AVCOL_RANGE_MPEG
        par.pointee.profile = profile
        par.pointee.bits_per_raw_sample = bits
        return true
    }
}

private extension UInt32 {
    /// A little-endian stored four-character code as text ("apch").
    var bigEndianFourCC: String {
        String(decoding: [UInt8(self & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self >> 16 & 0xFF), UInt8(self >> 24 & 0xFF)], as: UTF8.self)
    }
}
