/// The parts of an HEVC sequence parameter set (ITU-T H.265 7.3.2.2 and E.2.1) that FFmpeg's decoder
/// exports as stream parameters on its first picture (hevcdec.c export_stream_params): profile and
/// level, chroma format and bit depth (the pixel format), the conformance window (the cropped size),
/// and the VUI's pixel aspect, range and colour description. iPhone and Pixel clips are HEVC: reading
/// these is what lets their probe skip decoding. Pure byte parsing: anything it cannot read makes the
/// whole header nil (the caller then decodes).
struct HEVCSequenceHeader: Equatable {
    var profileIDC: Int
    var levelIDC: Int
    var chromaFormatIDC: Int
    var bitDepthLuma: Int
    var bitDepthChroma: Int
    var codedWidth: Int
    var codedHeight: Int
    /// The conformance window, in luma samples.
    var cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0
    /// VUI aspect_ratio_idc resolved to a fraction; nil when the VUI does not say.
    var sampleAspectRatio: Rational?
    /// VUI video_signal_type: nil when absent.
    var fullRange: Bool?
    /// VUI colour description, raw codes (ISO/IEC 23091-2), nil when absent.
    var colourPrimaries: Int?
    var transferCharacteristics: Int?
    var matrixCoefficients: Int?
    /// VUI chroma_sample_loc_type_top_field, nil when absent.
    var chromaLocation: Int?
    /// VUI field_seq_flag: pictures are fields (FFmpeg then reports them as such).
    var fieldSequence = false

    /// The pixel aspects of Table E-1 (the same table as H.264's), index = aspect_ratio_idc.
    private static let aspects: [Rational] = [
        Rational(0, 1), Rational(1, 1), Rational(12, 11), Rational(10, 11), Rational(16, 11), Rational(40, 33),
        Rational(24, 11), Rational(20, 11), Rational(32, 11), Rational(80, 33), Rational(18, 11), Rational(15, 11),
        Rational(64, 33), Rational(160, 99), Rational(4, 3), Rational(3, 2), Rational(2, 1),
    ]

    /// The NAL units of an `hvcC` box (ISO/IEC 14496-15 8.3.3): its one SPS (raw, with the two-byte
    /// NAL header), every parameter set NAL (to recognise them again in-band), and the NAL length size.
    /// nil when the record is not hvcC, holds no or several SPS, or does not parse.
    static func fromHEVCConfiguration(_ record: [UInt8]) -> (header: HEVCSequenceHeader, nalLengthSize: Int, parameterSets: [[UInt8]])? {
        guard record.count >= 23, record[0] == 1 else { return nil }
        let nalLengthSize = Int(record[21] & 0x03) + 1
        guard nalLengthSize != 3 else { return nil }
        var i = 23
        var sets: [[UInt8]] = []
        var sps: [[UInt8]] = []
        for _ in 0..<Int(record[22]) {
            guard i + 3 <= record.count else { return nil }
            let type = Int(record[i] & 0x3F)
            let count = Int(record[i + 1]) << 8 | Int(record[i + 2])
            i += 3
            for _ in 0..<count {
                guard i + 2 <= record.count else { return nil }
                let length = Int(record[i]) << 8 | Int(record[i + 1])
                i += 2
                guard length >= 2, i + length <= record.count else { return nil }
                let nal = Array(record[i..<(i + length)])
                i += length
                // Only parameter sets and SEI belong here; the NAL's own type must match the array's.
                guard (32...34).contains(type) || type == 39 || type == 40, Int(nal[0] >> 1) & 0x3F == type else { return nil }
                sets.append(nal)
                if type == 33 { sps.append(nal) }
            }
        }
        guard sps.count == 1, let header = parse(nal: sps[0]) else { return nil }
        return (header, nalLengthSize, sets)
    }

    /// Parses one SPS NAL unit (with its two-byte NAL header, emulation prevention still in).
    static func parse(nal: [UInt8]) -> HEVCSequenceHeader? {
        // nuh_layer_id 0 only: a layered (MV-HEVC) SPS has another syntax.
        guard nal.count > 2, (Int(nal[0] & 1) << 5 | Int(nal[1] >> 3)) == 0 else { return nil }
        var r = BitReader(rbsp: nal.dropFirst(2))
        return try? read(&r)
    }

    private static func read(_ r: inout BitReader) throws(BitReader.End) -> HEVCSequenceHeader {
        _ = try r.bits(4) // sps_video_parameter_set_id
        let maxSubLayersMinus1 = try r.bits(3)
        guard maxSubLayersMinus1 <= 6 else { throw .end }
        _ = try r.bit() // temporal_id_nesting
        // profile_tier_level(1, maxSubLayersMinus1)
        guard try r.bits(2) == 0 else { throw .end } // general_profile_space: 0 in every profile FFmpeg names
        _ = try r.bit() // tier
        let profile = try r.bits(5)
        _ = try r.bits(32) // compatibility flags
        _ = try r.bits(4) // progressive, interlaced, non-packed, frame-only source flags
        _ = try r.bits(43); _ = try r.bit()
        let level = try r.bits(8)
        var subProfile = [Bool](), subLevel = [Bool]()
        for _ in 0..<maxSubLayersMinus1 { subProfile.append(try r.bit()); subLevel.append(try r.bit()) }
        if maxSubLayersMinus1 > 0 { for _ in maxSubLayersMinus1..<8 { _ = try r.bits(2) } }
        for i in 0..<maxSubLayersMinus1 {
            if subProfile[i] { _ = try r.bits(32); _ = try r.bits(32); _ = try r.bits(24) } // 88 bits
            if subLevel[i] { _ = try r.bits(8) }
        }
        guard try r.ue() <= 15 else { throw .end } // sps_seq_parameter_set_id
        let chroma = try r.ue()
        guard chroma <= 3 else { throw .end }
        if chroma == 3, try r.bit() { throw .end } // separate colour planes: rare, left to the decoder
        let width = try r.ue(), height = try r.ue()
        guard (1...16_888).contains(width), (1...16_888).contains(height) else { throw .end }
        var h = HEVCSequenceHeader(profileIDC: profile, levelIDC: level, chromaFormatIDC: chroma, bitDepthLuma: 8, bitDepthChroma: 8,
                                   codedWidth: width, codedHeight: height)
        if try r.bit() { // conformance_window
            let unitX = chroma == 1 || chroma == 2 ? 2 : 1, unitY = chroma == 1 ? 2 : 1
            h.cropLeft = try r.ue() * unitX; h.cropRight = try r.ue() * unitX
            h.cropTop = try r.ue() * unitY; h.cropBottom = try r.ue() * unitY
            guard h.cropLeft + h.cropRight < width, h.cropTop + h.cropBottom < height else { throw .end }
        }
        h.bitDepthLuma = try r.ue() + 8
        h.bitDepthChroma = try r.ue() + 8
        guard h.bitDepthLuma <= 16, h.bitDepthChroma <= 16 else { throw .end }
        let log2MaxPocLsb = try r.ue() + 4
        guard log2MaxPocLsb <= 16 else { throw .end }
        let orderingAll = try r.bit()
        for _ in (orderingAll ? 0 : maxSubLayersMinus1)...maxSubLayersMinus1 { _ = try r.ue(); _ = try r.ue(); _ = try r.ue() }
        for _ in 0..<6 { _ = try r.ue() } // coding and transform block sizes, hierarchy depths
        if try r.bit(), try r.bit() { try skipScalingListData(&r) } // scaling_list_enabled, sps_scaling_list_data_present
        _ = try r.bit(); _ = try r.bit() // amp, sample_adaptive_offset
        if try r.bit() { _ = try r.bits(8); _ = try r.ue(); _ = try r.ue(); _ = try r.bit() } // pcm
        let shortTermSets = try r.ue()
        guard shortTermSets <= 64 else { throw .end }
        var deltaPocs: [Int] = []
        for i in 0..<shortTermSets { deltaPocs.append(try skipShortTermRefPicSet(&r, index: i, count: shortTermSets, previous: deltaPocs)) }
        if try r.bit() { // long_term_ref_pics_present
            let n = try r.ue()
            guard n <= 32 else { throw .end }
            for _ in 0..<n { _ = try r.bits(log2MaxPocLsb); _ = try r.bit() }
        }
        _ = try r.bit(); _ = try r.bit() // temporal_mvp, strong_intra_smoothing
        guard try r.bit() else { return h } // vui_parameters_present
        if try r.bit() { // aspect_ratio_info_present
            let idc = try r.bits(8)
            if idc == 255 {
                h.sampleAspectRatio = Rational(Int32(try r.bits(16)), Int32(try r.bits(16)))
            } else if idc < aspects.count {
                h.sampleAspectRatio = aspects[idc]
            } else {
                throw .end // FFmpeg warns and carries on with an unknown aspect: let it say so
            }
        }
        if try r.bit() { _ = try r.bit() } // overscan
        if try r.bit() { // video_signal_type_present
            _ = try r.bits(3) // video_format
            h.fullRange = try r.bit()
            if try r.bit() {
                h.colourPrimaries = try r.bits(8)
                h.transferCharacteristics = try r.bits(8)
                h.matrixCoefficients = try r.bits(8)
            }
        }
        if try r.bit() { // chroma_loc_info_present
            h.chromaLocation = try r.ue()
            _ = try r.ue()
            guard (h.chromaLocation ?? 0) <= 5 else { throw .end }
        }
        _ = try r.bit() // neutral_chroma_indication
        h.fieldSequence = try r.bit()
        return h
    }

    /// scaling_list_data() (7.3.4): read only to reach what follows it.
    private static func skipScalingListData(_ r: inout BitReader) throws(BitReader.End) {
        for sizeID in 0..<4 {
            for _ in stride(from: 0, to: 6, by: sizeID == 3 ? 3 : 1) {
                if try !r.bit() { // scaling_list_pred_mode_flag
                    _ = try r.ue() // pred_matrix_id_delta
                } else {
                    let coefficients = min(64, 1 << (4 + (sizeID << 1)))
                    if sizeID > 1 { _ = try r.se() }
                    for _ in 0..<coefficients { _ = try r.se() }
                }
            }
        }
    }

    /// st_ref_pic_set(index) (7.3.7): read only to reach what follows; returns its NumDeltaPocs, which a
    /// later set predicted from it needs.
    private static func skipShortTermRefPicSet(_ r: inout BitReader, index: Int, count: Int, previous: [Int]) throws(BitReader.End) -> Int {
        if index != 0, try r.bit() { // inter_ref_pic_set_prediction
            // In the SPS, delta_idx_minus1 is only coded for the slice header's set (index == count).
            let reference = index - 1
            guard reference >= 0, reference < previous.count else { throw .end }
            _ = try r.bit(); _ = try r.ue() // delta_rps_sign, abs_delta_rps_minus1
            var total = 0
            for _ in 0...previous[reference] {
                // use_delta_flag is coded only when used_by_curr_pic_flag is 0 (inferred 1 otherwise).
                if try r.bit() { total += 1 } else if try r.bit() { total += 1 }
            }
            return total
        }
        let negative = try r.ue(), positive = try r.ue()
        guard negative <= 16, positive <= 16 else { throw .end }
        for _ in 0..<(negative + positive) { _ = try r.ue(); _ = try r.bit() }
        return negative + positive
    }
}
