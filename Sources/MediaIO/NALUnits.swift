import CFFmpeg

/// What H.264 and HEVC share in an MP4 sample: length-prefixed NAL units, emulation prevention and
/// SEI message syntax. The readers of both codecs walk packets through these, once each.
enum NALUnits {
    /// The NAL units of a length-prefixed (MP4) sample as FFmpeg's ff_h2645_packet_split reads them:
    /// each `lengthSize`-byte big-endian length, then that many bytes. nil when a length is shorter
    /// than the NAL header or runs past the sample, or bytes are left over: the decoder rejects such a
    /// packet ("Invalid NAL unit size"), so it says nothing, and neither may we.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, lengthSize: Int, headerSize: Int) -> [Range<Int>]? {
        var units: [Range<Int>] = []
        var i = 0
        while i + lengthSize <= bytes.count {
            var length = 0
            for k in 0..<lengthSize { length = length << 8 | Int(bytes[i + k]) }
            i += lengthSize
            guard length >= headerSize, length <= bytes.count - i else { return nil }
            units.append(i..<(i + length))
            i += length
        }
        return i == bytes.count ? units : nil
    }

    /// The RBSP of a NAL unit's payload: emulation-prevention bytes (the 03 of 00 00 03) dropped.
    static func rbsp<S: Sequence>(_ nal: S) -> [UInt8] where S.Element == UInt8 {
        var out: [UInt8] = []
        var zeros = 0
        for b in nal {
            if zeros >= 2 && b == 3 { zeros = 0; continue }
            zeros = b == 0 ? zeros + 1 : 0
            out.append(b)
        }
        return out
    }

    /// The messages of an SEI NAL's payload (H.264 7.3.2.3.1, H.265 7.3.5, the same syntax): type and
    /// payload bytes; nil when it does not parse.
    static func seiMessages<S: Sequence>(_ payload: S) -> [(type: Int, payload: ArraySlice<UInt8>)]? where S.Element == UInt8 {
        let rbsp = rbsp(payload)
        var messages: [(type: Int, payload: ArraySlice<UInt8>)] = []
        var i = 0
        // The RBSP ends with a stop bit (0x80) after the last message.
        while i < rbsp.count, !(rbsp[i] == 0x80 && i == rbsp.count - 1) {
            var type = 0, size = 0
            while i < rbsp.count, rbsp[i] == 0xFF { type += 255; i += 1 }
            guard i < rbsp.count else { return nil }
            type += Int(rbsp[i]); i += 1
            while i < rbsp.count, rbsp[i] == 0xFF { size += 255; i += 1 }
            guard i < rbsp.count else { return nil }
            size += Int(rbsp[i]); i += 1
            guard size <= rbsp.count - i else { return nil }
            messages.append((type, rbsp[i..<(i + size)]))
            i += size
        }
        return messages
    }

    /// The colour codes of a VUI as both decoders export them (h264_init_ps, export_stream_params):
    /// a code FFmpeg has no name for becomes "unspecified".
    static func namedColour(primaries p: Int, transfer t: Int, matrix m: Int)
        -> (primaries: AVColorPrimaries, transfer: AVColorTransferCharacteristic, space: AVColorSpace) {
        let pri = AVColorPrimaries(UInt32(truncatingIfNeeded: p)), trc = AVColorTransferCharacteristic(UInt32(truncatingIfNeeded: t))
        let spc = AVColorSpace(UInt32(truncatingIfNeeded: m))
        return (av_color_primaries_name(pri) != nil ? pri : AVCOL_PRI_UNSPECIFIED,
                av_color_transfer_name(trc) != nil ? trc : AVCOL_TRC_UNSPECIFIED,
                av_color_space_name(spc) != nil ? spc : AVCOL_SPC_UNSPECIFIED)
    }
}
