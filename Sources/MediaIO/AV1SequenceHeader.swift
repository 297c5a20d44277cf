/// The parts of an AV1 sequence header OBU (AV1 bitstream 5.5) that FFmpeg reports for a stream: the
/// profile, the first operating point's level, bit depth, monochrome and subsampling (the pixel format),
/// range and colour description. Read from the `av1C` box's configOBUs, where libdav1d reads them when
/// FFmpeg opens it. Pure byte parsing: anything it cannot read, or reads as invalid, makes it nil.
struct AV1SequenceHeader: Equatable {
    var profile: Int
    var levelIndex: Int
    /// max_frame_width/height: libdav1d gives these to FFmpeg as the stream's size when it opens.
    var maxWidth = 0, maxHeight = 0
    var bitDepth: Int
    var monochrome: Bool
    var subsamplingX: Bool
    var subsamplingY: Bool
    var fullRange: Bool
    /// Raw codes (ISO/IEC 23091-2); 2 (unspecified) when the header has no colour description.
    var colourPrimaries: Int
    var transferCharacteristics: Int
    var matrixCoefficients: Int

    /// The sequence header OBU of an `av1C` record (AV1-ISOBMFF 2.3): nil when the record is not
    /// version 1, its fixed fields disagree with the header, or it holds no or several sequence headers.
    static func fromAV1Configuration(_ record: [UInt8]) -> AV1SequenceHeader? {
        guard record.count > 4, record[0] == 0x81 else { return nil } // marker and version 1
        var headers: [AV1SequenceHeader] = []
        var i = 4
        while i < record.count {
            guard let obu = obu(in: record, at: i) else { return nil }
            if obu.type == 1 {
                var r = BitReader(plain: record[obu.payload])
                guard let header = try? read(&r), trailingBitsOK(record[obu.payload], consumed: r.bitPosition) else { return nil }
                headers.append(header)
            }
            i = obu.payload.upperBound
        }
        guard headers.count == 1, let h = headers.first else { return nil }
        // The record repeats the header's profile, level and colour format; a record that disagrees
        // is one some tool got wrong, and which FFmpeg would believe is not for this reading to guess.
        let twelve = h.bitDepth == 12, high = h.bitDepth > 8
        guard Int(record[1] >> 5) == h.profile, Int(record[1] & 0x1F) == h.levelIndex,
              (record[2] & 0x40 != 0) == high, (record[2] & 0x20 != 0) == twelve, (record[2] & 0x10 != 0) == h.monochrome,
              (record[2] & 0x08 != 0) == h.subsamplingX, (record[2] & 0x04 != 0) == h.subsamplingY else { return nil }
        return h
    }

    /// One OBU (5.3): its type and payload range; nil when it runs past the record or has no size field.
    static func obu(in bytes: [UInt8], at start: Int) -> (type: Int, payload: Range<Int>)? {
        var i = start
        guard i < bytes.count else { return nil }
        let header = bytes[i]
        guard header & 0x80 == 0, header & 0x02 != 0 else { return nil } // forbidden bit; obu_has_size_field
        i += header & 0x04 != 0 ? 2 : 1 // extension byte
        var size = 0
        for k in 0..<8 { // leb128
            guard i < bytes.count else { return nil }
            let b = bytes[i]
            i += 1
            size |= Int(b & 0x7F) << (7 * k)
            if b & 0x80 == 0 { break }
            guard k < 7 else { return nil }
        }
        guard size <= bytes.count - i else { return nil }
        return (Int(header >> 3) & 0x0F, i..<(i + size))
    }

    /// trailing_bits (5.3.4): a one then zeros to the end of the OBU.
    private static func trailingBitsOK(_ payload: ArraySlice<UInt8>, consumed: Int) -> Bool {
        var r = BitReader(plain: payload)
        do {
            _ = try r.bits(consumed)
            guard try r.bit() else { return false }
            while r.bitPosition < payload.count * 8 { guard try !r.bit() else { return false } }
            return true
        } catch { return false }
    }

    private static func read(_ r: inout BitReader) throws(BitReader.End) -> AV1SequenceHeader {
        let profile = try r.bits(3)
        guard profile <= 2 else { throw .end }
        let stillPicture = try r.bit()
        let reduced = try r.bit()
        var level = 0
        if reduced {
            guard stillPicture else { throw .end }
            level = try r.bits(5)
        } else {
            var decoderModel = false, bufferDelayLength = 0
            if try r.bit() { // timing_info_present
                guard try r.bits(32) > 0, try r.bits(32) > 0 else { throw .end } // num_units_in_display_tick, time_scale
                if try r.bit() { // equal_picture_interval: uvlc num_ticks_per_picture_minus_1
                    var zeros = 0
                    while try !r.bit() { zeros += 1; guard zeros < 32 else { throw .end } }
                    _ = try r.bits(zeros)
                }
                decoderModel = try r.bit()
                if decoderModel {
                    bufferDelayLength = try r.bits(5) + 1
                    guard try r.bits(32) > 0 else { throw .end } // num_units_in_decoding_tick
                    _ = try r.bits(5); _ = try r.bits(5)
                }
            }
            let initialDisplayDelay = try r.bit()
            let operatingPoints = try r.bits(5) + 1
            for i in 0..<operatingPoints {
                let idc = try r.bits(12) // operating_point_idc: layers in use, none or some of each kind
                guard idc == 0 || (idc & 0xFF != 0 && idc & 0xF00 != 0) else { throw .end }
                let l = try r.bits(5)
                if i == 0 { level = l }
                if l > 7 { _ = try r.bit() } // seq_tier
                if decoderModel, try r.bit() { _ = try r.bits(bufferDelayLength); _ = try r.bits(bufferDelayLength); _ = try r.bit() }
                if initialDisplayDelay, try r.bit() { _ = try r.bits(4) }
            }
        }
        let widthBits = try r.bits(4) + 1, heightBits = try r.bits(4) + 1
        let maxWidth = try r.bits(widthBits) + 1, maxHeight = try r.bits(heightBits) + 1
        if !reduced, try r.bit() { _ = try r.bits(4); _ = try r.bits(3) } // frame ids
        _ = try r.bits(3) // 128x128 superblocks, filter intra, intra edge filter
        if !reduced {
            _ = try r.bits(4) // interintra compound, masked compound, warped motion, dual filter
            let orderHint = try r.bit()
            if orderHint { _ = try r.bits(2) } // jnt_comp, ref_frame_mvs
            let chooseScreenContent = try r.bit()
            let forceScreenContent = chooseScreenContent ? 2 : (try r.bits(1))
            if forceScreenContent > 0, try !r.bit() { _ = try r.bit() } // seq_choose_integer_mv, seq_force_integer_mv
            if orderHint { _ = try r.bits(3) }
        }
        _ = try r.bits(3) // superres, cdef, restoration

        // color_config (5.5.2)
        let high = try r.bit()
        let bitDepth = profile == 2 && high ? (try r.bit() ? 12 : 10) : (high ? 10 : 8)
        let mono = profile == 1 ? false : try r.bit()
        var primaries = 2, transfer = 2, matrix = 2
        if try r.bit() { primaries = try r.bits(8); transfer = try r.bits(8); matrix = try r.bits(8) }
        var h = AV1SequenceHeader(profile: profile, levelIndex: level, bitDepth: bitDepth, monochrome: mono, subsamplingX: true, subsamplingY: true,
                                  fullRange: false, colourPrimaries: primaries, transferCharacteristics: transfer, matrixCoefficients: matrix)
        h.maxWidth = maxWidth; h.maxHeight = maxHeight
        if mono {
            h.fullRange = try r.bit() // and no separate_uv_delta_q
        } else {
            if primaries == 1, transfer == 13, matrix == 0 { // sRGB: full range 4:4:4
                guard profile == 1 || (profile == 2 && bitDepth == 12) else { throw .end }
                h.fullRange = true; h.subsamplingX = false; h.subsamplingY = false
            } else {
                h.fullRange = try r.bit()
                switch profile {
                case 0: break
                case 1: h.subsamplingX = false; h.subsamplingY = false
                default:
                    if bitDepth == 12 {
                        h.subsamplingX = try r.bit()
                        h.subsamplingY = h.subsamplingX ? try r.bit() : false
                    } else {
                        h.subsamplingY = false
                    }
                }
                if h.subsamplingX && h.subsamplingY { _ = try r.bits(2) } // chroma_sample_position
            }
            _ = try r.bit() // separate_uv_delta_q
        }
        // The identity matrix is for 4:4:4 only (a conformance rule decoders enforce).
        guard matrix != 0 || (!h.subsamplingX && !h.subsamplingY && !mono) else { throw .end }
        _ = try r.bit() // film_grain_params_present
        return h
    }
}
