import MediaIO
import ModelCatalog

/// Turns one decoded picture into the output picture: crop (in stored pixels), scale with square
/// pixels, turn upright, and place on the canvas.
final class PictureRenderer {
    let canvas: PictureSize
    let content: Rect
    /// The kept part of the stored picture, as crop margins.
    let crop: (left: Int, top: Int, right: Int, bottom: Int)?
    let rotation: Int
    let pixelFormat: String
    let padColor: [UInt8]
    private let scaler = Scaler()
    /// Reused for every picture (made writable first): the encoder copies what it needs.
    private var canvasFrame: Frame?

    init(canvas: PictureSize, content: Rect, sourceCrop: Rect, display: PictureSize, coded: PictureSize,
         rotation: Int, sampleAspect: Double, pixelFormat: String, padColor: [UInt8]) {
        self.canvas = canvas
        self.content = content
        self.rotation = rotation
        self.pixelFormat = pixelFormat
        self.padColor = padColor
        if sourceCrop != Rect(x: 0, y: 0, width: display.width, height: display.height) {
            let r = CodedSpace.rect(sourceCrop, display: display, rotation: rotation, sampleAspect: sampleAspect)
            crop = (r.x, r.y, max(0, coded.width - r.x - r.width), max(0, coded.height - r.y - r.height))
        } else {
            crop = nil
        }
    }

    private var padded: Bool { content.width != canvas.width || content.height != canvas.height }

    func render(_ decoded: Frame) throws(FFmpegError) -> Frame {
        var input = decoded
        if let crop {
            input = decoded.clone()
            try input.crop(left: crop.left, top: crop.top, right: crop.right, bottom: crop.bottom)
        }
        let out: Frame
        if let reused = canvasFrame {
            try reused.makeWritable()
            out = reused
        } else {
            out = Frame()
            try out.allocatePicture(width: canvas.width, height: canvas.height, pixelFormat: pixelFormat)
            canvasFrame = out
        }
        if padded { out.fill(y: pixelFormat.hasPrefix("yuvj") ? 0 : padColor[0], u: padColor[1], v: padColor[2]) }
        if rotation == 0 {
            try scaler.scale(input, into: out, x: content.x, y: content.y, width: content.width, height: content.height)
            return out
        }
        // libswscale cannot rotate: scale to the content's size before the turn, then turn.
        let turned = rotation == 90 || rotation == 270
        let upright = Frame()
        try upright.allocatePicture(width: turned ? content.height : content.width, height: turned ? content.width : content.height,
                                    pixelFormat: pixelFormat)
        try scaler.scale(input, into: upright)
        let rotated = try Rotation.rotate(upright, clockwise: rotation)
        guard padded else { return rotated }
        out.paste(rotated, x: content.x, y: content.y)
        return out
    }
}
