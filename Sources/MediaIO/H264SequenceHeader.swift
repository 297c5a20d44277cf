/// The parts of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1 and E.1.1) that FFmpeg's decoder
/// turns into stream parameters on its first picture: chroma format, bit depth, cropping, and the VUI's
/// pixel aspect, range and colour description. FFmpeg's H.264 parser reports profile, level, field order
/// and the plain pixel format, but not these; reading them here is what lets a probe skip decoding.
/// Pure byte parsing: any field it cannot read makes the whole header nil (the caller then decodes).
struct H264SequenceHeader: Equatable {
    var profileIDC: Int
    var constraintFlags: Int
    var levelIDC: Int
    var chromaFormatIDC: Int
    var bitDepthLuma: Int
    var bitDepthChroma: Int
    var frameMBsOnly: Bool
    /// Coded size in pixels (16 x macroblocks; twice the map units for field coding).
    var codedWidth: Int
    var codedHeight: Int
    /// Cropping in pixels, as FFmpeg keeps it.
    var cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0
    /// VUI aspect_ratio_idc resolved to a fraction; nil when the VUI does not say.
    var sampleAspectRatio: Rational?
    /// VUI video_signal_type: nil when absent.
    var fullRange: Bool?
    /// VUI colour description, raw codes (ISO/IEC 23091-2), nil when absent.
    var colourPrimaries: Int?
    var transferCharacteristics: Int?
    var matrixCoefficients: Int?

    /// FFmpeg's profile number: profile_idc with its constrained / intra bits (ff_h264_get_profile).
    var ffmpegProfile: Int {
        switch profileIDC {
        case 66: return profileIDC | (constraintFlags & 0x40 != 0 ? 1 << 9 : 0) // constraint_set1: Constrained Baseline
        case 110, 122, 244: return profileIDC | (constraintFlags & 0x10 != 0 ? 1 << 11 : 0) // constraint_set3: Intra
        default: return profileIDC
        }
    }

    /// The pixel aspects of Table E-1, index = aspect_ratio_idc (FFmpeg's ff_h264_pixel_aspect).
    private static let aspects: [Rational] = [
        Rational(0, 1), Rational(1, 1), Rational(12, 11), Rational(10, 11), Rational(16, 11), Rational(40, 33),
        Rational(24, 11), Rational(20, 11), Rational(32, 11), Rational(80, 33), Rational(18, 11), Rational(15, 11),
        Rational(64, 33), Rational(160, 99), Rational(4, 3), Rational(3, 2), Rational(2, 1),
    ]

    /// Reads the one sequence parameter set of an `avcC` box (ISO/IEC 14496-15). nil when the record is
    /// not avcC (Annex B extradata), holds no or several SPS (which one applies depends on the PPS), or
    /// does not parse.
    static func fromAVCConfiguration(_ record: [UInt8]) -> (header: H264SequenceHeader, nalLengthSize: Int, sps: [UInt8])? {
        guard record.count >= 8, record[0] == 1 else { return nil }
        let nalLengthSize = Int(record[4] & 0x03) + 1
        guard Int(record[5] & 0x1F) == 1 else { return nil }
        let length = Int(record[6]) << 8 | Int(record[7])
        guard record.count >= 8 + length, length > 1 else { return nil }
        let nal = Array(record[8..<(8 + length)])
        guard nal[0] & 0x1F == 7, let header = parse(nal: nal) else { return nil }
        return (header, nalLengthSize, nal)
    }

    /// Parses one SPS NAL unit (with its one-byte NAL header, emulation prevention still in).
    static func parse(nal: [UInt8]) -> H264SequenceHeader? {
        var r = BitReader(rbsp: nal.dropFirst())
        return try? read(&r)
    }

    private static func read(_ r: inout BitReader) throws(BitReader.End) -> H264SequenceHeader {
        let profile = try r.bits(8), constraints = try r.bits(8), level = try r.bits(8)
        guard try r.ue() <= 31 else { throw .end } // seq_parameter_set_id
        var chroma = 1, depthLuma = 8, depthChroma = 8
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            chroma = try r.ue()
            guard chroma <= 3 else { throw .end }
            if chroma == 3, try r.bit() { throw .end } // separate colour planes: FFmpeg decodes, rarely seen
            depthLuma = try r.ue() + 8
            depthChroma = try r.ue() + 8
            guard depthLuma <= 14, depthChroma <= 14 else { throw .end }
            _ = try r.bit() // qpprime_y_zero_transform_bypass
            if try r.bit() { // seq_scaling_matrix_present
                for i in 0..<(chroma != 3 ? 8 : 12) where try r.bit() { try skipScalingList(&r, size: i < 6 ? 16 : 64) }
            }
        }
        guard try r.ue() <= 12 else { throw .end } // log2_max_frame_num_minus4
        switch try r.ue() { // pic_order_cnt_type
        case 0: guard try r.ue() <= 12 else { throw .end }
        case 1:
            _ = try r.bit(); _ = try r.se(); _ = try r.se()
            let cycle = try r.ue()
            guard cycle <= 255 else { throw .end }
            for _ in 0..<cycle { _ = try r.se() }
        case 2: break
        default: throw .end
        }
        _ = try r.ue() // max_num_ref_frames
        _ = try r.bit() // gaps_in_frame_num_allowed
        let mbWidth = try r.ue() + 1, mapUnitsHeight = try r.ue() + 1
        let frameMBsOnly = try r.bit()
        guard mbWidth <= 4096, mapUnitsHeight <= 4096 else { throw .end }
        if !frameMBsOnly { _ = try r.bit() } // mb_adaptive_frame_field
        _ = try r.bit() // direct_8x8_inference
        var h = H264SequenceHeader(profileIDC: profile, constraintFlags: constraints, levelIDC: level, chromaFormatIDC: chroma,
                                   bitDepthLuma: depthLuma, bitDepthChroma: depthChroma, frameMBsOnly: frameMBsOnly,
                                   codedWidth: 16 * mbWidth, codedHeight: 16 * mapUnitsHeight * (frameMBsOnly ? 1 : 2))
        if try r.bit() { // frame_cropping
            let unitX = chroma == 1 || chroma == 2 ? 2 : 1
            let unitY = (chroma == 1 ? 2 : 1) * (frameMBsOnly ? 1 : 2)
            h.cropLeft = try r.ue() * unitX; h.cropRight = try r.ue() * unitX
            h.cropTop = try r.ue() * unitY; h.cropBottom = try r.ue() * unitY
            guard h.cropLeft + h.cropRight < h.codedWidth, h.cropTop + h.cropBottom < h.codedHeight else { throw .end }
        }
        guard try r.bit() else { return h } // vui_parameters_present
        if try r.bit() { // aspect_ratio_info_present
            let idc = try r.bits(8)
            if idc == 255 {
                h.sampleAspectRatio = Rational(Int32(try r.bits(16)), Int32(try r.bits(16)))
            } else if idc < aspects.count {
                h.sampleAspectRatio = aspects[idc]
            } else {
                throw .end // FFmpeg refuses the SPS: let it say so
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
        return h
    }

    private static func skipScalingList(_ r: inout BitReader, size: Int) throws(BitReader.End) {
        var last = 8, next = 8
        for _ in 0..<size {
            if next != 0 {
                let delta = try r.se()
                guard (-128...127).contains(delta) else { throw .end }
                next = (last + delta + 256) % 256
            }
            last = next == 0 ? last : next
        }
    }
}

/// MSB-first bit reader over an RBSP, dropping emulation-prevention bytes (00 00 03) as it goes (or over
/// plain bytes).
struct BitReader {
    struct End: Error {
        static let end = End()
    }

    private let bytes: [UInt8]
    private var position = 0 // in bits

    init<S: Sequence>(rbsp nal: S) where S.Element == UInt8 {
        bytes = NALUnits.rbsp(nal)
    }

    /// Over bytes as they are, for codecs without emulation prevention (VP9, AV1).
    init<S: Sequence>(plain: S) where S.Element == UInt8 {
        bytes = Array(plain)
    }

    /// Bits read so far.
    var bitPosition: Int { position }

    mutating func bit() throws(End) -> Bool {
        guard position < bytes.count * 8 else { throw .end }
        defer { position += 1 }
        return bytes[position >> 3] & (0x80 >> UInt8(position & 7)) != 0
    }

    mutating func bits(_ n: Int) throws(End) -> Int {
        var v = 0
        for _ in 0..<n { v = v << 1 | (try bit() ? 1 : 0) }
        return v
    }

    /// Unsigned Exp-Golomb; codes longer than 31 bits are not valid H.264 and end the read.
    mutating func ue() throws(End) -> Int {
        var zeros = 0
        while try !bit() {
            zeros += 1
            guard zeros <= 31 else { throw .end }
        }
        return (1 << zeros) - 1 + (try bits(zeros))
    }

    mutating func se() throws(End) -> Int {
        let k = try ue()
        return k & 1 == 1 ? (k + 1) / 2 : -(k / 2)
    }
}
