import Foundation
import MediaProbe

/// One probed file as a row of the `probe` table: short, and saying what a model will see.
struct ProbeRow {
    let info: MediaInfo

    init(_ info: MediaInfo) { self.info = info }

    var cells: [String] {
        [info.path, info.kind.rawValue, format, duration, video, audio, Format.bytes(info.fileSize)]
    }

    /// FFmpeg names families ("mov,mp4,m4a,3gp,3g2,mj2"); show the member the file's name claims.
    var format: String {
        let names = info.container.format.split(separator: ",").map(String.init)
        let ext = (info.path as NSString).pathExtension.lowercased()
        if names.contains(ext) { return ext }
        // Picture demuxers: "png_pipe", "image2" (JPEG, TIFF... by name).
        if info.container.format == "image2" { return ext.isEmpty ? "image" : ext }
        if info.container.format.hasSuffix("_pipe") { return String(info.container.format.dropLast(5)) }
        return names.first ?? info.container.format
    }

    var duration: String {
        guard let d = info.container.duration else { return info.kind == .image ? "-" : "unknown" }
        return (info.container.durationExact == false ? "~" : "") + Format.seconds(d)
    }

    var video: String {
        guard let v = info.primaryVideo else {
            return info.attachedPictures.isEmpty ? "-" : "cover art"
        }
        var parts = [v.codec ?? "?"]
        var size = "\(v.width)x\(v.height)"
        if v.displayWidth != v.width || v.displayHeight != v.height { size += " -> \(v.displayWidth)x\(v.displayHeight)" }
        parts.append(size)
        if v.rotation != 0 { parts.append("rot \(v.rotation)") }
        if info.kind == .video, let fps = v.averageFrameRate?.value ?? v.realFrameRate?.value {
            parts.append(Format.rate(fps) + (v.variableFrameRate == true ? " fps VFR" : " fps"))
        }
        if info.kind == .animatedImage, let n = v.frameCount { parts.append("\(n) frames") }
        if let depth = v.bitDepth, depth > 8 { parts.append("\(depth)-bit") }
        if let hdr = v.hdr { parts.append(hdr.rawValue.uppercased()) }
        if v.interlaced == true { parts.append("interlaced") }
        if info.video.count > 1 { parts.append("+\(info.video.count - 1)") }
        return parts.joined(separator: " ")
    }

    var audio: String {
        guard let a = info.primaryAudio else { return "-" }
        var parts = [a.codec ?? "?"]
        if let rate = a.sampleRate { parts.append(rate % 1000 == 0 ? "\(rate / 1000) kHz" : String(format: "%.1f kHz", Double(rate) / 1000)) }
        if let layout = a.channelLayout { parts.append(layout) } else if let ch = a.channels { parts.append("\(ch) ch") }
        if info.audio.count > 1 { parts.append("+\(info.audio.count - 1)") }
        return parts.joined(separator: " ")
    }
}
