import CFFmpeg

/// A Motion JPEG stream's parameters as avformat_find_stream_info would leave them, without decoding.
/// FFmpeg's MJPEG decoder (mjpegdec.c) sets the matrix to BT.470BG and the chroma position to centre
/// when it opens, whatever the container says; on the first frame it walks the JPEG markers and, at the
/// start of frame (SOF), sets the profile from the marker, the bit depth, and the pixel format from
/// the components' sampling factors: full-range `yuvj` formats, unless a comment `CS=ITU601` earlier
/// in the frame asked for limited range. A JFIF segment sets the codec's sample aspect. This walks the
/// same markers the same way (the decoder moves on by what it read, then scans for the next marker).
/// It takes the plain shapes only: 8-bit baseline or extended Huffman, three components sampled
/// 4:2:0, 4:2:2 or 4:4:4, a picture the container's size, in a `jpeg` sample entry. Anything else (an
/// APP segment other than JFIF, which may carry Adobe's transform or AVI1's fields; an AVID or
/// MULTISCOPE comment; a table the decoder would refuse; progressive, lossless, grey or RGB; a second
/// frame header in the packet) makes it refuse, and the caller runs FFmpeg's analysis.
struct MJPEGReading: FirstPacketReading {
    private let width: Int
    private let height: Int
    private var found: (profile: Int32, format: AVPixelFormat, range: AVColorRange, aspect: AVRational?)?
    var isDone: Bool { found != nil }

    init?(_ st: UnsafeMutablePointer<AVStream>) {
        guard let par = st.pointee.codecpar?.pointee, par.width > 0, par.height > 0,
              // What is said here is FFmpeg's own decoder's behaviour; another one may say otherwise.
              let decoder = avcodec_find_decoder(AV_CODEC_ID_MJPEG), String(cString: decoder.pointee.name) == "mjpeg",
              // MJPEG-A/B, AVID and AVI tags carry field layouts and quirks this does not read.
              fourCC(par.codec_tag) == "jpeg" else { return nil }
        width = Int(par.width)
        height = Int(par.height)
    }

    mutating func take(_ packet: Packet) -> Bool {
        guard let data = packet.pointer.pointee.data, packet.size > 0 else { return false }
        let b = UnsafeBufferPointer(start: data, count: packet.size)
        var frame = JPEGFrameHeaderWalk(bytes: b, width: width, height: height)
        guard let header = frame.walk() else { return false }
        found = header
        return true
    }

    var source: FieldSource { .frameHeader }

    /// Decoded once by the analysis, and the mov demuxer runs no parser over it: later packets change
    /// nothing in it.
    func watch(_ packet: Packet) -> Bool { true }

    func apply(to st: UnsafeMutablePointer<AVStream>) -> Bool {
        guard let par = st.pointee.codecpar, let found else { return false }
        par.pointee.profile = found.profile
        par.pointee.format = found.format.rawValue
        par.pointee.bits_per_raw_sample = 8
        par.pointee.color_range = found.range
        // Set by the decoder when it opens (ff_mjpeg_decode_init), over the container's.
        par.pointee.color_space = AVCOL_SPC_BT470BG
        par.pointee.chroma_location = AVCHROMA_LOC_CENTER
        if let aspect = found.aspect { par.pointee.sample_aspect_ratio = aspect }
        return true
    }
}

/// One JPEG frame's markers up to its frame header, walked as ff_mjpeg_receive_frame walks them.
private struct JPEGFrameHeaderWalk {
    let bytes: UnsafeBufferPointer<UInt8>
    let width: Int
    let height: Int
    private var itu601 = false
    private var aspect: AVRational?

    init(bytes: UnsafeBufferPointer<UInt8>, width: Int, height: Int) {
        self.bytes = bytes
        self.width = width
        self.height = height
    }

    private func be16(_ i: Int) -> Int { Int(bytes[i]) << 8 | Int(bytes[i + 1]) }

    /// find_marker: the next 0xFF followed by a byte from SOF0 (0xC0) to COM (0xFE); the index after it.
    private func marker(from start: Int) -> (code: UInt8, after: Int)? {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == 0xFF, (0xC0...0xFE).contains(bytes[i + 1]) { return (bytes[i + 1], i + 2) }
            i += 1
        }
        return nil
    }

    mutating func walk() -> (profile: Int32, format: AVPixelFormat, range: AVColorRange, aspect: AVRational?)? {
        var position = 0
        while let (code, after) = marker(from: position) {
            // What the decoder reads of the segment; it then scans for the next marker from there.
            let rest = bytes.count - after
            let consumed: Int
            switch code {
            case 0xD0...0xD7, 0xD8, 0xD9: consumed = 0 // RSTn, SOI, and EOI before a frame header: ignored
            case 0xDB: guard let n = quantisationTables(at: after, rest: rest) else { return nil }; consumed = n
            case 0xC4: guard let n = huffmanTables(at: after, rest: rest) else { return nil }; consumed = n
            case 0xDD: guard rest >= 4, be16(after) == 4 else { return nil }; consumed = 4 // DRI
            case 0xE0: guard let n = jfif(at: after, rest: rest) else { return nil }; consumed = n
            case 0xFE: guard let n = comment(at: after, rest: rest) else { return nil }; consumed = n
            case 0xC0, 0xC1:
                guard let header = frameHeader(at: after, rest: rest, extended: code == 0xC1) else { return nil }
                // A second frame header in the packet would set the format again (possibly otherwise).
                var i = after
                while let next = marker(from: i) {
                    if [0xC0, 0xC1, 0xC2, 0xC3, 0xF7].contains(next.code) { return nil }
                    i = next.after
                }
                return header
            default: return nil // other APPn, SOS before a frame header, progressive, lossless...
            }
            position = after + consumed
        }
        return nil
    }

    /// ff_mjpeg_decode_dqt; the bytes read, or nil where the decoder fails.
    private func quantisationTables(at p: Int, rest: Int) -> Int? {
        guard rest >= 2 else { return nil }
        var length = be16(p) - 2, read = 2
        guard length <= rest - 2 else { return nil }
        while length >= 65 {
            let precision = Int(bytes[p + read] >> 4), index = bytes[p + read] & 0x0F
            guard precision <= 1, index < 4 else { return nil }
            let size = 1 + 64 * (1 + precision)
            guard read + size <= rest else { return nil } // the decoder would read past the packet
            read += size
            length -= size
        }
        return read
    }

    /// ff_mjpeg_decode_dht and ff_mjpeg_build_vlc; the bytes read, or nil where the decoder fails.
    private func huffmanTables(at p: Int, rest: Int) -> Int? {
        guard rest >= 2 else { return nil }
        var length = be16(p) - 2, read = 2
        guard length <= rest - 2 else { return nil }
        while length > 0 {
            guard length >= 17, bytes[p + read] >> 4 < 2, bytes[p + read] & 0x0F < 4 else { return nil }
            var codes = 0, kraft: UInt64 = 0
            for bits in 1...16 {
                let count = Int(bytes[p + read + bits])
                codes += count
                kraft += UInt64(count) << UInt64(32 - bits)
            }
            length -= 17
            // ff_init_vlc_from_lengths fails on an over-full code (more codes than the lengths allow).
            guard codes > 0, codes <= 256, length >= codes, kraft <= 1 << 32 else { return nil }
            read += 17 + codes
            length -= codes
        }
        return read
    }

    /// mjpeg_decode_app for a JFIF segment: sets the codec's sample aspect. Other APP segments refuse.
    private mutating func jfif(at p: Int, rest: Int) -> Int? {
        guard rest >= 6 else { return nil }
        let segment = be16(p)
        guard segment >= 6, segment <= rest - 2,
              bytes[p + 2] == 0x4A, bytes[p + 3] == 0x46, bytes[p + 4] == 0x49, bytes[p + 5] == 0x46 else { return nil }
        var length = segment - 6, read = 6
        if length >= 8 {
            let num = be16(p + 10), den = be16(p + 12)
            aspect = num > 0 && den > 0 ? AVRational(num: Int32(num), den: Int32(den)) : AVRational(num: 0, den: 1)
            length -= 8
            read += 8
            if length >= 2 {
                let tw = Int(bytes[p + 14]), th = Int(bytes[p + 15])
                if tw != 0, th != 0, length - 10 - tw * th * 3 > 0 { length -= tw * th * 3 }
                length -= 2
                read += 2
            }
        }
        // "while (--len > 0) skip_bits(8)": one byte short of what is left, as the decoder does.
        return read + max(length - 1, 0)
    }

    /// mjpeg_decode_com: `CS=ITU601` asks for limited range; AVID and MULTISCOPE comments refuse.
    private mutating func comment(at p: Int, rest: Int) -> Int? {
        guard rest >= 2 else { return nil }
        let length = be16(p)
        guard length >= 2, length <= rest else { return 2 }
        var text = Array(bytes[(p + 2)..<(p + length)])
        if text.last == 0x0A { text.removeLast() }
        if let end = text.firstIndex(of: 0) { text = Array(text[..<end]) } // a C string
        if text.starts(with: Array("AVID".utf8)) || text.elementsEqual("MULTISCOPE II".utf8) { return nil }
        if text.elementsEqual("CS=ITU601".utf8) { itu601 = true }
        return length
    }

    /// ff_mjpeg_decode_sof for the shapes taken here; nil for anything else.
    private func frameHeader(at p: Int, rest: Int, extended: Bool)
        -> (profile: Int32, format: AVPixelFormat, range: AVColorRange, aspect: AVRational?)? {
        guard rest >= 17, be16(p) == 8 + 3 * 3, bytes[p + 2] == 8, bytes[p + 7] == 3 else { return nil }
        let h = be16(p + 3), w = be16(p + 5)
        // The container's size (another one resizes the stream, a much shorter one means fields), and
        // enough bytes for one bit per block (the decoder refuses a frame smaller than that).
        guard w == width, h == height, (w + 7) / 8 * ((h + 7) / 8) <= bytes.count * 4,
              (w + 128) * (h + 128) < Int(Int32.max) / 8 else { return nil } // av_image_check_size
        var id: UInt32 = 0, names: [UInt8] = []
        for c in 0..<3 {
            let at = p + 8 + 3 * c
            let hs = UInt32(bytes[at + 1] >> 4), vs = UInt32(bytes[at + 1] & 0x0F)
            guard hs > 0, vs > 0, bytes[at + 2] < 4 else { return nil }
            names.append(bytes[at])
            id |= (hs << 4 | vs) << UInt32(24 - 8 * c)
        }
        // The decoder's normalisation: sampling factors all even are halved.
        if id & 0xD0D0_D0D0 == 0 { id -= (id & 0xF0F0_F0F0) >> 1 }
        if id & 0x0D0D_0D0D == 0 { id -= (id & 0x0F0F_0F0F) >> 1 }
        let format: AVPixelFormat
        switch id {
        case 0x2211_1100: format = itu601 ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUVJ420P
        case 0x2111_1100: format = itu601 ? AV_PIX_FMT_YUV422P : AV_PIX_FMT_YUVJ422P
        case 0x1111_1100:
            guard names != Array("RGB".utf8) else { return nil } // decoded as planar RGB
            format = itu601 ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUVJ444P
        default: return nil
        }
        let profile = extended ? FF_PROFILE_MJPEG_HUFFMAN_EXTENDED_SEQUENTIAL_DCT : FF_PROFILE_MJPEG_HUFFMAN_BASELINE_DCT
        return (profile, format, itu601 ? AVCOL_RANGE_MPEG : AVCOL_RANGE_JPEG, aspect)
    }
}
