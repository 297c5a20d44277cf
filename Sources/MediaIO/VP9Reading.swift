import CFFmpeg

/// A VP9 stream's parameters as avformat_find_stream_info would leave them, without decoding. The vpcC
/// box says nothing FFmpeg keeps beyond the container's colour; the analysis decodes the first frame,
/// and FFmpeg's VP9 decoder (vp9.c decode_frame_header, read_colorspace_details, update_size) sets the
/// profile, the bit depth, subsampling and so the pixel format, the range and the matrix (over the
/// container's) from the first frame's uncompressed header, before any picture data. This reads that
/// header; primaries and transfer are not in VP9's bitstream and stay the container's. A first packet
/// that is not a keyframe, a header the decoder would refuse, a superframe index its splitter would
/// refuse, or a size other than the container's makes it refuse, and the caller runs FFmpeg's analysis.
struct VP9Reading: FirstPacketReading {
    private let width: Int
    private let height: Int
    private var found: (profile: Int32, format: AVPixelFormat, range: AVColorRange, space: AVColorSpace)?
    var isDone: Bool { found != nil }

    /// read_colorspace_details's table, index = the header's color_space.
    private static let spaces: [AVColorSpace] = [
        AVCOL_SPC_UNSPECIFIED, AVCOL_SPC_BT470BG, AVCOL_SPC_BT709, AVCOL_SPC_SMPTE170M,
        AVCOL_SPC_SMPTE240M, AVCOL_SPC_BT2020_NCL, AVCOL_SPC_RESERVED, AVCOL_SPC_RGB,
    ]

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee, par.width > 0, par.height > 0,
              let decoder = avcodec_find_decoder(AV_CODEC_ID_VP9), String(cString: decoder.pointee.name) == "vp9" else { return nil }
        width = Int(par.width)
        height = Int(par.height)
    }

    var source: FieldSource { .frameHeader }

    mutating func take(_ packet: Packet) -> Bool {
        guard packet.isKeyframe, let data = packet.pointer.pointee.data, packet.size > 0 else { return false }
        let bytes = UnsafeBufferPointer(start: data, count: packet.size)
        guard let frameSize = VP9Reading.firstFrameSize(bytes), frameSize > 0 else { return false }
        var r = BitReader(plain: bytes.prefix(min(frameSize, 64)))
        guard let header = try? VP9Reading.read(&r), header.width == width, header.height == height else { return false }
        found = (header.profile, header.format, header.range, header.space)
        return true
    }

    /// A packet FFmpeg's analysis reads after the first (while another stream gives its first): its VP9
    /// parser sets the profile from every one (the first frame's marker and profile bits), so one
    /// with another profile makes it refuse (false).
    func watch(_ packet: Packet) -> Bool {
        guard let found, let data = packet.pointer.pointee.data, packet.size > 0, data[0] >> 6 == 2 else { return false }
        let profile = Int32((data[0] >> 5) & 1) | Int32((data[0] >> 4) & 1) << 1
        return profile == found.profile
    }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar, let found else { return false }
        par.pointee.profile = found.profile
        par.pointee.format = found.format.rawValue
        par.pointee.color_range = found.range
        par.pointee.color_space = found.space
        return true
    }

    /// The first frame's size: the whole packet, or the first entry of a superframe index, as FFmpeg's
    /// vp9_superframe_split filter (which runs before the decoder) reads it; nil where it fails.
    static func firstFrameSize(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let marker = b.last, marker & 0xE0 == 0xC0 else { return b.count }
        let lengthSize = 1 + Int((marker >> 3) & 3), frames = 1 + Int(marker & 7)
        let indexSize = 2 + frames * lengthSize
        guard b.count >= indexSize, b[b.count - indexSize] == marker else { return b.count }
        var total = 0, first = 0
        for i in 0..<frames {
            var size = 0
            for j in 0..<lengthSize { size |= Int(b[b.count + 1 - indexSize + i * lengthSize + j]) << (8 * j) }
            total += size
            guard total <= b.count - indexSize else { return nil }
            if i == 0 { first = size }
        }
        return first
    }

    private struct Header {
        var profile: Int32
        var format: AVPixelFormat
        var range: AVColorRange
        var space: AVColorSpace
        var width: Int
        var height: Int
    }

    /// A keyframe's uncompressed header up to its size (VP9 bitstream 6.2), as the decoder reads it.
    private static func read(_ r: inout BitReader) throws(BitReader.End) -> Header {
        guard try r.bits(2) == 2 else { throw .end } // frame_marker
        var profile = try r.bits(1)
        profile |= try r.bits(1) << 1
        if profile == 3 { profile += try r.bits(1) }
        guard profile <= 3 else { throw .end }
        guard try !r.bit() else { throw .end } // show_existing_frame: nothing decoded
        guard try !r.bit() else { throw .end } // frame_type 1: not a keyframe
        _ = try r.bit(); _ = try r.bit() // show_frame, error_resilient_mode
        guard try r.bits(24) == 0x49_83_42 else { throw .end } // sync code
        let depthIndex = profile <= 1 ? 0 : 1 + (try r.bits(1)) // 8, 10 or 12 bits
        let space = spaces[try r.bits(3)]
        let format: AVPixelFormat, range: AVColorRange
        if space == AVCOL_SPC_RGB {
            // RGB is full range, and only in the odd profiles, whose reserved bit must be zero.
            guard profile & 1 == 1, try !r.bit() else { throw .end }
            format = [AV_PIX_FMT_GBRP, AV_PIX_FMT_GBRP10LE, AV_PIX_FMT_GBRP12LE][depthIndex]
            range = AVCOL_RANGE_JPEG
        } else {
            range = try r.bit() ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
            var subsampleX = 1, subsampleY = 1
            if profile & 1 == 1 {
                subsampleX = try r.bits(1); subsampleY = try r.bits(1)
                // 4:2:0 belongs to the even profiles; then a reserved zero bit.
                guard !(subsampleX == 1 && subsampleY == 1), try !r.bit() else { throw .end }
            }
            let formats: [[[AVPixelFormat]]] = [ // [depth][subsample y][subsample x]
                [[AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV422P], [AV_PIX_FMT_YUV440P, AV_PIX_FMT_YUV420P]],
                [[AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV422P10LE], [AV_PIX_FMT_YUV440P10LE, AV_PIX_FMT_YUV420P10LE]],
                [[AV_PIX_FMT_YUV444P12LE, AV_PIX_FMT_YUV422P12LE], [AV_PIX_FMT_YUV440P12LE, AV_PIX_FMT_YUV420P12LE]],
            ]
            format = formats[depthIndex][subsampleY][subsampleX]
        }
        let width = try r.bits(16) + 1, height = try r.bits(16) + 1
        return Header(profile: Int32(profile), format: format, range: range, space: space, width: width, height: height)
    }
}
