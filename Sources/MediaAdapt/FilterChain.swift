import MediaProbe

/// The libavfilter chain a re-encode runs pictures through before they are scaled: deinterlacing
/// (bwdif) and HDR to SDR tone mapping (zscale + tonemap), written as the ffmpeg CLI writes them so
/// the two can be compared.
enum FilterChain {
    /// nil when the pictures need no filter.
    static func describe(_ video: VideoPlan, source v: VideoStreamInfo) -> String? {
        var parts: [String] = []
        if let d = video.deinterlace, d != .off {
            // deint=all: the stream says it is interlaced even when a frame's own flag does not.
            parts.append("bwdif=mode=\(d == .field ? "send_field" : "send_frame"):parity=auto:deint=all")
        }
        if let tm = video.toneMap { parts += toneMap(tm, source: v) }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }

    /// To linear light, BT.2020 to BT.709 primaries in float, the curve (desat=0: highlights keep
    /// their colour), then BT.709 transfer and matrix in 8-bit limited range.
    static func toneMap(_ tm: ToneMapPlan, source v: VideoStreamInfo) -> [String] {
        let transfer = tm.transfer == .pq ? "smpte2084" : "arib-std-b67"
        let matrix = v.color.space == "bt2020c" ? "2020_cl" : "2020_ncl"
        let range = v.color.range == "pc" ? "full" : "limited"
        return [
            "zscale=tin=\(transfer):pin=2020:min=\(matrix):rin=\(range):t=linear:npl=100",
            "format=gbrpf32le",
            "zscale=p=709",
            "tonemap=tonemap=\(tm.curve.rawValue):desat=0",
            "zscale=t=709:m=709:r=limited",
            "format=yuv420p",
        ]
    }
}
