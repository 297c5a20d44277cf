import Foundation
import MediaIO
import MediaProbe
import ModelCatalog

/// Still pictures: decode the first frame, crop/scale/pad, encode as JPEG, PNG or WebP; when a size
/// limit is set, lower the quality and then the dimensions until the file fits.
struct ImagePipeline {
    let plan: FixPlan
    let image: ImagePlan
    let info: MediaInfo

    func run(to path: String) throws(FixError) -> [String] {
        do {
            return try convert(to: path)
        } catch let e as FixError {
            throw e
        } catch {
            throw FixError.media("\(error)")
        }
    }

    private func convert(to path: String) throws -> [String] {
        guard let v = info.primaryVideo else { throw FixError.impossible(["no picture"]) }
        let picture = try firstFrame(stream: v.index)
        var notes: [String] = []
        var canvas = PictureSize(image.width, image.height)
        var content = image.content
        var quality = image.quality
        for attempt in 0..<40 {
            // Turning works on planar 8-bit pictures only: a turned picture is made in 4:4:4 (with
            // alpha when kept) and converted after; otherwise it goes straight to the stored format.
            let working = v.rotation == 0 ? image.pixelFormat : image.pixelFormat.contains("a") ? "yuva444p" : "yuv444p"
            let renderer = PictureRenderer(
                canvas: canvas, content: content, sourceCrop: image.sourceCrop,
                display: PictureSize(v.displayWidth, v.displayHeight), coded: PictureSize(v.width, v.height),
                rotation: v.rotation, sampleAspect: v.sampleAspectRatio?.value ?? 1, pixelFormat: working, padColor: [16, 128, 128])
            var final = try renderer.render(picture)
            if working != image.pixelFormat {
                let converted = Frame()
                try converted.allocatePicture(width: final.width, height: final.height, pixelFormat: image.pixelFormat)
                try Scaler().scale(final, into: converted)
                final = converted
            }
            let bytes = try encode(final, quality: quality)
            if image.maxBytes.map({ Int64(bytes.count) <= $0 }) ?? true {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                if attempt > 0, let limit = image.maxBytes {
                    notes.append("stepped down to \(canvas)" + (quality.map { " at quality \($0)" } ?? "") + " to fit \(ByteCount(limit))")
                }
                return notes
            }
            // Quality first (cheap in detail), then size by 15 % a step.
            if let q = quality, image.codec == "mjpeg", q < 31 { quality = min(31, q + 3); continue }
            if let q = quality, image.codec == "libwebp", q > 30 { quality = max(30, q - 15); continue }
            // Never below the models' minimum size: that would trade one rejection for another.
            let floor = max(Double(image.minWidth ?? 16) / Double(canvas.width), Double(image.minHeight ?? 16) / Double(canvas.height))
            let step = max(0.85, floor)
            guard step < 0.999 else {
                throw FixError.impossible(["at the lowest quality and the smallest size the models accept (\(canvas)) the picture is \(ByteCount(Int64(bytes.count))), over the \(ByteCount(image.maxBytes ?? 0)) limit"])
            }
            canvas = PictureSize(Int(clampingRounded: Double(canvas.width) * step, .up), Int(clampingRounded: Double(canvas.height) * step, .up))
            content = Rect(x: Int(clampingRounded: Double(content.x) * step, .towardZero), y: Int(clampingRounded: Double(content.y) * step, .towardZero),
                           width: min(canvas.width, Int(clampingRounded: Double(content.width) * step, .up)),
                           height: min(canvas.height, Int(clampingRounded: Double(content.height) * step, .up)))
        }
        throw FixError.impossible(["no quality or size of this picture fits \(ByteCount(image.maxBytes ?? 0))"])
    }

    private func firstFrame(stream: Int) throws -> Frame {
        let demuxer = try Demuxer(path: info.path)
        try demuxer.findStreamInfo()
        let decoder = try Decoder(demuxer, stream: stream, threads: 1)
        let packet = Packet(), frame = Frame()
        while try demuxer.read(into: packet) {
            guard packet.streamIndex == stream else { continue }
            try decoder.send(packet)
            if try decoder.receive(into: frame) { return frame }
        }
        try decoder.send(nil)
        if try decoder.receive(into: frame) { return frame }
        throw FixError.media("no picture could be decoded from \(info.path)")
    }

    private func encode(_ picture: Frame, quality: Int?) throws -> [UInt8] {
        try Encoder.encodePicture(picture, codec: image.codec, pixelFormat: image.pixelFormat, quality: quality)
    }
}
