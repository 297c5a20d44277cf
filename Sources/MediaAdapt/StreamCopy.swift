import Foundation
import MediaIO
import MediaProbe

/// Re-wrap and keyframe trims: packets copied unchanged into a new container, timestamps shifted
/// so the output starts at zero. Nothing is decoded, so it runs at disk speed.
struct StreamCopy {
    let plan: FixPlan
    let info: MediaInfo

    func run(to path: String, cancel: CancellationFlag) throws(FixError) {
        do {
            try copy(to: path, cancel: cancel)
        } catch let e as FixError {
            throw e
        } catch {
            throw FixError.media("\(error)")
        }
    }

    private func copy(to path: String, cancel: CancellationFlag) throws {
        let demuxer = try Demuxer(path: info.path)
        try demuxer.findStreamInfo()
        let muxer = try Muxer(path: path, format: VideoPipeline.muxerName(plan.format))
        var map: [Int: (out: Int, timeBase: Rational)] = [:]
        if let v = info.primaryVideo {
            map[v.index] = (try muxer.addStream(copying: demuxer, stream: v.index), demuxer.timeBase(of: v.index))
        }
        if let a = info.primaryAudio, plan.audio == .copy {
            map[a.index] = (try muxer.addStream(copying: demuxer, stream: a.index), demuxer.timeBase(of: a.index))
        }
        if let created = info.container.creationTime { muxer.setMetadata("creation_time", created) }
        try muxer.writeHeader()

        // Time 0 of the output: the kept streams' start (PresentedMedia decides, as it did for the plan).
        let containerStart = info.primaryVideo.map { PresentedMedia(info, video: $0, plan: plan.audio).origin } ?? info.container.startTime ?? 0
        let start = plan.trim?.start ?? 0
        // A file cut short ends at its last whole frame: the partial one after it is not copied.
        let end = plan.trim.map { $0.start + $0.duration } ?? (info.truncation != nil ? plan.duration ?? .infinity : .infinity)
        if start > 0 { try demuxer.seek(toSeconds: containerStart + start) }
        var finished: Set<Int> = []
        let packet = Packet()
        while finished.count < map.count, try demuxer.read(into: packet) {
            if cancel.isCancelled { throw FixError.cancelled }
            guard let (out, tb) = map[packet.streamIndex], !finished.contains(packet.streamIndex) else { continue }
            // A cut-short file's incomplete frames, by the rule the probe counted by.
            if let cut = info.truncation, !cut.isWhole(position: packet.position, size: packet.size, fileSize: info.fileSize) { continue }
            let seconds = tb.value ?? 0
            let time = Double(packet.pts ?? packet.dts ?? 0) * seconds - containerStart
            // Before the cut (leading B-frames of an open GOP, earlier sound): not kept. Without a
            // cut, an edit list's hidden lead-in is kept as the ffmpeg CLI keeps it: the first shown
            // frame needs it to decode, and its negative times make the muxer hide it again.
            if time < start - 0.0005, !(start < 0.0005 && packet.isDiscarded) { continue }
            // An edit list's hidden tail stays hidden: the plan's length does not count it.
            if time >= 0, packet.isDiscarded { continue }
            // In decode order, the first picture due at or after the end closes the stream: every
            // picture kept still has the pictures it refers to.
            if time + Double(packet.duration) * seconds > end + 0.0005 {
                finished.insert(packet.streamIndex)
                continue
            }
            packet.shift(by: -Int64(clampingRounded: (containerStart + start) / seconds))
            try muxer.write(packet, stream: out, timeBase: tb)
        }
        try muxer.finish()
    }
}
