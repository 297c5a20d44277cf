import MediaIO

/// Finds keyframes by their presentation times. Container indexes (MP4) list decode times, which
/// differ when B-frames reorder pictures, so this reads packet headers around the wanted point.
package enum KeyframeLocator {
    /// A function giving the keyframe times (seconds, container start removed) of `path`'s video
    /// stream within a range; empty when the file cannot be read.
    package static func near(path: String, stream: Int, containerStart: Double = 0) -> (ClosedRange<Double>) -> [Double] {
        { range in
            guard let demuxer = try? Demuxer(path: path) else { return [] }
            try? demuxer.seek(toSeconds: containerStart + max(0, range.lowerBound - 1))
            let tb = demuxer.timeBase(of: stream).value ?? 0
            let packet = Packet()
            var times: [Double] = []
            while (try? demuxer.read(into: packet)) == true {
                guard packet.streamIndex == stream, let pts = packet.pts else { continue }
                let t = Double(pts) * tb - containerStart
                if t > range.upperBound + 1 { break }
                if packet.isKeyframe, range.contains(t) { times.append(t) }
            }
            return times
        }
    }
}
