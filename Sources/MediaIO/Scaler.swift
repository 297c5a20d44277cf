import CFFmpeg

/// Owns a libswscale context: resizes and converts pictures. The context is rebuilt only when the
/// source or destination geometry changes.
package final class Scaler {
    private var context: OpaquePointer?

    package init() {}

    deinit { sws_freeContext(context) }

    /// Scales all of `source` into a `width`x`height` rectangle of `destination` at (`x`, `y`).
    /// Offsets must be even for subsampled formats; the destination's format must be planar 8-bit
    /// when an offset is used (letterboxing into a canvas).
    package func scale(_ source: Frame, into destination: Frame, x: Int = 0, y: Int = 0,
                      width: Int? = nil, height: Int? = nil) throws(FFmpegError) {
        let src = source.pointer.pointee, dst = destination.pointer.pointee
        let w = width ?? destination.width, h = height ?? destination.height
        context = sws_getCachedContext(context, src.width, src.height, AVPixelFormat(rawValue: src.format),
                                       Int32(w), Int32(h), AVPixelFormat(rawValue: dst.format),
                                       SWS_BICUBIC, nil, nil, nil) // what the ffmpeg CLI uses by default
        guard context != nil else {
            throw FFmpegError(code: pf_averror(EINVAL), operation: "set up scaling \(src.width)x\(src.height) to \(w)x\(h)")
        }
        let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: dst.format))!.pointee
        let planar = desc.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0
        var planes = [UnsafeMutablePointer<UInt8>?](repeating: nil, count: 4)
        var strides = [Int32](repeating: 0, count: 4)
        for p in 0..<4 {
            guard let base = dst.dataPlane(p) else { continue }
            let chroma = p == 1 || p == 2
            let px = chroma ? x >> Int(desc.log2_chroma_w) : x, py = chroma ? y >> Int(desc.log2_chroma_h) : y
            // Packed formats (RGB24, RGBA) hold several bytes per pixel in one plane.
            let bytesPerPixel = planar ? 1 : Int(desc.comp.0.step)
            planes[p] = base + py * Int(dst.linesizePlane(p)) + px * bytesPerPixel
            strides[p] = dst.linesizePlane(p)
        }
        let srcPlanes = (0..<4).map { UnsafePointer(src.dataPlane($0)) }
        let srcStrides = (0..<4).map { src.linesizePlane($0) }
        let rows = sws_scale(context, srcPlanes, srcStrides, 0, src.height, planes, strides)
        try check(rows < 0 ? rows : 0, "scale a picture")
    }
}

/// Turns an 8-bit planar picture by quarter turns (libswscale cannot rotate).
package enum Rotation {
    /// A new frame holding `source` turned `degrees` clockwise (90, 180 or 270).
    package static func rotate(_ source: Frame, clockwise degrees: Int) throws(FFmpegError) -> Frame {
        let src = source.pointer.pointee
        let turned = degrees == 90 || degrees == 270
        let out = Frame()
        try out.allocatePicture(width: turned ? source.height : source.width, height: turned ? source.width : source.height,
                                pixelFormat: source.pixelFormatName ?? "yuv420p")
        let dst = out.pointer.pointee
        let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: src.format))!.pointee
        for p in 0..<Int(desc.nb_components) {
            guard let s = src.dataPlane(p), let d = dst.dataPlane(p) else { continue }
            let chroma = p == 1 || p == 2
            let sw = chroma ? (source.width + (1 << Int(desc.log2_chroma_w)) - 1) >> Int(desc.log2_chroma_w) : source.width
            let sh = chroma ? (source.height + (1 << Int(desc.log2_chroma_h)) - 1) >> Int(desc.log2_chroma_h) : source.height
            let ss = Int(src.linesizePlane(p)), ds = Int(dst.linesizePlane(p))
            switch degrees {
            case 90:  // dst[r][c] = src[sh-1-c][r]
                for r in 0..<sw { for c in 0..<sh { d[r * ds + c] = s[(sh - 1 - c) * ss + r] } }
            case 270: // dst[r][c] = src[c][sw-1-r]
                for r in 0..<sw { for c in 0..<sh { d[r * ds + c] = s[c * ss + (sw - 1 - r)] } }
            case 180:
                for r in 0..<sh { for c in 0..<sw { d[r * ds + c] = s[(sh - 1 - r) * ss + (sw - 1 - c)] } }
            default:
                for r in 0..<sh { (d + r * ds).update(from: s + r * ss, count: sw) }
            }
        }
        out.pointer.pointee.pts = src.pts
        out.pointer.pointee.best_effort_timestamp = src.best_effort_timestamp
        return out
    }
}
