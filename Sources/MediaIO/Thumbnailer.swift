import CFFmpeg

/// What picture to make of a file so that a person recognises it: one frame, upright, with square
/// pixels, small, as JPEG.
public struct ThumbnailRequest: Sendable {
    /// The box the picture fits in, in display pixels; a smaller picture is never enlarged.
    public var maxWidth = 192
    /// Height of the box the picture fits in, in display pixels.
    public var maxHeight = 108
    /// Where in a clip to look, as a share of its duration: a third in shows the content rather than
    /// a title card or a fade from black. Stills and clips under `seekAfter` seconds show their first frame.
    public var position = 1.0 / 3.0
    /// Clips shorter than this many seconds show their first frame rather than seeking to `position`.
    public var seekAfter = 1.0
    /// The part of a clip to look in (seconds from its start, and length), when only that part
    /// matters (a trimmed clip's kept part); nil: the whole clip.
    public var part: (start: Double, seconds: Double)?
    /// Seconds after which the attempt gives up, so that one pathological file cannot hold up a run.
    public var timeout = 5.0
    /// Stored pictures larger than this (in pixels, after any shrink on decode) are refused before
    /// FFmpeg allocates them: a header claiming 100000x100000 costs nothing.
    public var maxPixels: Int64 = 1 << 26
    /// MJPEG quantiser scale, 2 (best) to 31: 5 keeps a 192x108 picture near 5 KB.
    public var quality = 5

    /// The defaults: 192x108, a third in, JPEG quality 5, 5 seconds at most.
    public init() {}
}

/// A small JPEG of one frame.
package struct Thumbnail: Sendable {
    package var jpeg: [UInt8]
    package var width: Int
    package var height: Int
    /// How far into the file the frame is shown, when the file has a timeline.
    package var seconds: Double?
}

/// Decodes one frame of a clip or picture, scales it with libswscale and encodes it as JPEG. Blocking
/// (run it on a worker pool); time and memory are bounded by the request.
package enum Thumbnailer {
    /// Packets of the picture stream read before giving up on finding a decodable frame.
    static let packetLimit = 1000

    package static func make(_ path: String, _ request: ThumbnailRequest = ThumbnailRequest()) throws(FFmpegError) -> Thumbnail {
        // The demuxer's own deadline stops FFmpeg's I/O and probing loops; ours stops the decode loop.
        let deadline = Deadline(after: request.timeout)
        let demuxer = try Demuxer(path: path, timeout: request.timeout)
        try demuxer.findStreamInfo()
        guard let stream = pictureStream(demuxer.streams) else {
            throw FFmpegError(code: pf_averror_stream_not_found(), operation: "find a picture in \(path)")
        }
        let format = demuxer.format
        var target: Double?
        if !stream.isAttachedPicture, let duration = format.duration, duration > 0 {
            let seconds = Double(duration) / 1_000_000
            let origin = Double(format.startTime ?? 0) / 1_000_000
            if let part = request.part, part.start.isFinite, part.seconds.isFinite, part.start >= 0, part.seconds > 0, part.start < seconds {
                // The kept part: a third into it, or its first frame when it is short.
                target = origin + part.start + (part.seconds >= request.seekAfter ? min(part.seconds, seconds - part.start) * request.position : 0)
            } else if seconds >= request.seekAfter {
                target = origin + seconds * request.position
            }
        }
        let shrink = shrinkSteps(stream, request)

        var picture: Frame?
        if let target, (try? demuxer.seek(toSeconds: target)) != nil {
            picture = try firstFrame(demuxer, stream: stream.index, shrink: shrink, request: request, deadline: deadline)
            // A header that promises more than the packets hold (a cut file) puts the seek past the end.
            if picture == nil, (try? demuxer.seek(toSeconds: Double(format.startTime ?? 0) / 1_000_000)) != nil {
                picture = try firstFrame(demuxer, stream: stream.index, shrink: shrink, request: request, deadline: deadline)
            }
        } else {
            picture = try firstFrame(demuxer, stream: stream.index, shrink: shrink, request: request, deadline: deadline)
        }
        guard let picture else {
            if deadline.hasPassed { throw FFmpegError(code: pf_averror_exit(), operation: "find a picture of \(path) within \(request.timeout) s") }
            throw FFmpegError(code: pf_averror_invaliddata(), operation: "decode a picture of \(path)", detail: FFmpegLog.takeErrors().first)
        }

        let rotation = quarterTurns(picture.displayMatrixRotation ?? stream.displayMatrixRotation)
        let aspect = pixelAspect(stream.sampleAspectRatio ?? picture.sampleAspectRatio)
        let size = fit(width: picture.width, height: picture.height, pixelAspect: aspect, rotation: rotation, request: request)
        let upright = try render(picture, to: size, rotation: rotation)
        let jpeg = try encode(upright, quality: request.quality)
        let seconds = picture.pts.flatMap { pts -> Double? in
            guard target != nil, let base = stream.timeBase.value else { return nil }
            return max(0, Double(pts) * base - Double(format.startTime ?? 0) / 1_000_000)
        }
        return Thumbnail(jpeg: jpeg, width: upright.width, height: upright.height, seconds: seconds)
    }

    /// The main picture: the first real video stream, else an attached picture (an album cover).
    static func pictureStream(_ streams: [StreamDescription]) -> StreamDescription? {
        let pictures = streams.filter { $0.mediaType == .video && ($0.width ?? 0) > 0 && ($0.height ?? 0) > 0 }
        return pictures.first { !$0.isAttachedPicture } ?? pictures.first
    }

    /// Halvings on decode (JPEG's lowres) that still leave twice the box's size to scale from.
    static func shrinkSteps(_ stream: StreamDescription, _ request: ThumbnailRequest) -> Int {
        guard let width = stream.width, let height = stream.height else { return 0 }
        let box = 2 * max(request.maxWidth, request.maxHeight)
        var steps = 0
        while steps < 3, min(width, height) >> (steps + 1) >= box { steps += 1 }
        return steps
    }

    /// Reads packets of `stream` until one decodes to a picture; nil when the stream ends first.
    static func firstFrame(_ demuxer: Demuxer, stream: Int, shrink: Int, request: ThumbnailRequest, deadline: Deadline) throws(FFmpegError) -> Frame? {
        // A fresh decoder per attempt: one that was drained cannot take packets again.
        let decoder = try Decoder(demuxer, stream: stream, threads: 1, shrink: shrink, maxPixels: request.maxPixels)
        let packet = Packet(), frame = Frame()
        var packets = 0, damaged = 0
        while (try? demuxer.read(into: packet)) == true {
            guard packet.streamIndex == stream else { continue }
            packets += 1
            if packets > packetLimit || deadline.hasPassed {
                throw FFmpegError(code: pf_averror_exit(), operation: "find a picture within \(packetLimit) packets and \(request.timeout) s")
            }
            do {
                try decoder.send(packet)
                if try decoder.receive(into: frame) { return frame }
            } catch {
                // A damaged packet in a cut or corrupt file: the next keyframe may still decode.
                guard error.isInvalidData, damaged < 16 else { throw error }
                damaged += 1
            }
        }
        // A read error ends the input like its end does; what the decoder holds may still be a picture.
        try decoder.send(nil)
        return try decoder.receive(into: frame) ? frame : nil
    }

    /// The clockwise quarter turn that shows a picture upright, from FFmpeg's counter-clockwise degrees.
    static func quarterTurns(_ counterClockwise: Double?) -> Int {
        guard let ccw = counterClockwise, let clockwise = Int(rounding: -ccw) else { return 0 }
        return (((clockwise % 360 + 360) % 360 + 45) / 90 * 90) % 360
    }

    /// Width of a stored pixel over its height, held to 1:16 ... 16:1: a hostile aspect (1:2147483647)
    /// still gives a picture a person can see, and the report shows the real figures beside it.
    static func pixelAspect(_ sar: Rational?) -> Double {
        guard let value = sar?.value, value.isFinite, value > 0 else { return 1 }
        return min(16, max(1.0 / 16, value))
    }

    /// The upright output size: the display shape fitted into the box, even sides (4:2:0 JPEG), at least 2x2.
    static func fit(width: Int, height: Int, pixelAspect: Double, rotation: Int, request: ThumbnailRequest) -> (width: Int, height: Int) {
        var displayWidth = Double(width) * pixelAspect, displayHeight = Double(height)
        if rotation == 90 || rotation == 270 { swap(&displayWidth, &displayHeight) }
        let scale = min(1, Double(request.maxWidth) / displayWidth, Double(request.maxHeight) / displayHeight)
        func even(_ value: Double) -> Int { max(2, Int(clampingRounded: value / 2) * 2) }
        return (min(even(displayWidth * scale), max(2, request.maxWidth)), min(even(displayHeight * scale), max(2, request.maxHeight)))
    }

    /// Scales (and turns) the decoded picture into a new full-range 4:2:0 picture of `size`.
    static func render(_ picture: Frame, to size: (width: Int, height: Int), rotation: Int) throws(FFmpegError) -> Frame {
        let turned = rotation == 90 || rotation == 270
        let scaled = Frame()
        // libswscale cannot turn: scale to the pre-turn shape, then turn the small picture.
        try scaled.allocatePicture(width: turned ? size.height : size.width, height: turned ? size.width : size.height, pixelFormat: "yuvj420p")
        try Scaler().scale(picture, into: scaled)
        return rotation == 0 ? scaled : try Rotation.rotate(scaled, clockwise: rotation)
    }

    static func encode(_ picture: Frame, quality: Int) throws(FFmpegError) -> [UInt8] {
        try Encoder.encodePicture(picture, codec: "mjpeg", pixelFormat: "yuvj420p", quality: min(31, max(2, quality)))
    }
}
