import CFFmpeg

/// Owns one AVPacket: compressed data of one stream, as read from a demuxer or made by an encoder.
package final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    package init() {
        guard let p = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }

    package var streamIndex: Int {
        get { Int(pointer.pointee.stream_index) }
        set { pointer.pointee.stream_index = Int32(newValue) }
    }

    /// In the stream's time base; nil when unset.
    package var pts: Int64? {
        get { pointer.pointee.pts == pf_nopts_value() ? nil : pointer.pointee.pts }
        set { pointer.pointee.pts = newValue ?? pf_nopts_value() }
    }

    package var dts: Int64? {
        get { pointer.pointee.dts == pf_nopts_value() ? nil : pointer.pointee.dts }
        set { pointer.pointee.dts = newValue ?? pf_nopts_value() }
    }

    package var duration: Int64 {
        get { pointer.pointee.duration }
        set { pointer.pointee.duration = newValue }
    }

    package var isKeyframe: Bool { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }
    /// Outside the presented media (an MP4 edit list's pre-roll or tail): decoded, never shown.
    package var isDiscarded: Bool { pointer.pointee.flags & AV_PKT_FLAG_DISCARD != 0 }
    package var size: Int { Int(pointer.pointee.size) }
    /// The decoding time (else the presentation time) in seconds; nil when neither is known.
    func seconds(in timeBase: AVRational) -> Double? {
        let t = pointer.pointee.dts != pf_nopts_value() ? pointer.pointee.dts : pointer.pointee.pts
        guard t != pf_nopts_value(), timeBase.den != 0 else { return nil }
        return Double(t) * av_q2d(timeBase)
    }
    /// Byte offset in the file, when the demuxer knows it.
    package var position: Int64? { pointer.pointee.pos >= 0 ? pointer.pointee.pos : nil }

    /// A copy of the packet's bytes.
    package var bytes: [UInt8] {
        guard let data = pointer.pointee.data, pointer.pointee.size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(pointer.pointee.size)))
    }

    /// Converts timestamps from one time base to another (av_packet_rescale_ts).
    package func rescale(from: Rational, to: Rational) {
        av_packet_rescale_ts(pointer, from.av, to.av)
    }

    /// Shifts every timestamp by `offset` (in the packet's time base).
    package func shift(by offset: Int64) {
        if let pts { self.pts = pts + offset }
        if let dts { self.dts = dts + offset }
    }

    package func unref() { av_packet_unref(pointer) }
}

extension Rational {
    var av: AVRational { AVRational(num: num, den: den) }
    init(_ r: AVRational) { self.init(r.num, r.den) }

    /// `value` ticks of this time base in another (av_rescale_q, rounding to nearest).
    package func rescale(_ value: Int64, to other: Rational) -> Int64 {
        av_rescale_q(value, av, other.av)
    }
}
