import CFFmpeg

/// Owns one AVFrame: decoded pictures or audio samples.
package final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    package init() {
        guard let f = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&f)
    }

    package var width: Int { Int(pointer.pointee.width) }
    package var height: Int { Int(pointer.pointee.height) }
    package var sampleCount: Int { Int(pointer.pointee.nb_samples) }

    /// In the time base of whoever produced the frame; nil when unknown.
    package var pts: Int64? {
        get {
            let best = pointer.pointee.best_effort_timestamp
            if best != pf_nopts_value() { return best }
            return pointer.pointee.pts == pf_nopts_value() ? nil : pointer.pointee.pts
        }
        set {
            pointer.pointee.pts = newValue ?? pf_nopts_value()
            pointer.pointee.best_effort_timestamp = pf_nopts_value()
        }
    }

    package var pixelFormatName: String? {
        av_get_pix_fmt_name(AVPixelFormat(rawValue: pointer.pointee.format)).map { String(cString: $0) }
    }

    package func unref() { av_frame_unref(pointer) }

    /// How long the frame lasts, in the producer's time base (0 when unknown).
    package var duration: Int64 { max(0, pointer.pointee.pkt_duration) }

    /// The decoder concealed errors in it or knows it to be incomplete.
    package var isDamaged: Bool {
        pointer.pointee.decode_error_flags != 0 || pointer.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0
    }

    /// The decoder's pixel aspect for this picture; nil when unknown (0/0, x/0 or 0/x).
    package var sampleAspectRatio: Rational? {
        let sar = pointer.pointee.sample_aspect_ratio
        return sar.num > 0 && sar.den > 0 ? Rational(sar.num, sar.den) : nil
    }

    /// Counter-clockwise degrees of a display matrix the decoder attached to this picture (the JPEG
    /// decoder turns an EXIF orientation into one), as `av_display_rotation_get` reports them; nil without one.
    package var displayMatrixRotation: Double? {
        guard let side = av_frame_get_side_data(pointer, AV_FRAME_DATA_DISPLAYMATRIX),
              side.pointee.size >= 9 * MemoryLayout<Int32>.size, let data = side.pointee.data else { return nil }
        let degrees = data.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        return degrees.isNaN ? nil : degrees
    }

    /// Gives this frame a fresh picture buffer of the given size and format.
    package func allocatePicture(width: Int, height: Int, pixelFormat: String) throws(FFmpegError) {
        av_frame_unref(pointer)
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = PixelFormat.named(pixelFormat).rawValue
        try check(av_frame_get_buffer(pointer, 0), "allocate a \(width)x\(height) \(pixelFormat) picture")
    }

    /// Paints the picture one colour (letterbox bars): planar YUV gets `y`/`u`/`v` (an alpha plane
    /// becomes transparent); packed RGB formats become black (transparent where they have alpha).
    package func fill(y: UInt8, u: UInt8, v: UInt8) {
        let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: pointer.pointee.format))!.pointee
        let planar = desc.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0
        let values: [UInt8] = planar ? [y, u, v, 0] : [0]
        for plane in 0..<values.count {
            guard let data = pointer.pointee.dataPlane(plane) else { continue }
            let chroma = plane == 1 || plane == 2
            let shiftX = chroma ? Int(desc.log2_chroma_w) : 0, shiftY = chroma ? Int(desc.log2_chroma_h) : 0
            let rowBytes = ((width + (1 << shiftX) - 1) >> shiftX) * (planar ? 1 : Int(desc.comp.0.step))
            let h = (height + (1 << shiftY) - 1) >> shiftY
            let stride = Int(pointer.pointee.linesizePlane(plane))
            for row in 0..<h { (data + row * stride).update(repeating: values[plane], count: rowBytes) }
        }
    }

    /// Copies `other` (same 8-bit planar format) into this picture with its top-left at (x, y).
    package func paste(_ other: Frame, x: Int, y: Int) {
        let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: pointer.pointee.format))!.pointee
        for plane in 0..<Int(desc.nb_components) {
            guard let dst = pointer.pointee.dataPlane(plane), let src = other.pointer.pointee.dataPlane(plane) else { continue }
            let chroma = plane == 1 || plane == 2
            let sx = chroma ? Int(desc.log2_chroma_w) : 0, sy = chroma ? Int(desc.log2_chroma_h) : 0
            let w = (other.width + (1 << sx) - 1) >> sx, h = (other.height + (1 << sy) - 1) >> sy
            let ds = Int(pointer.pointee.linesizePlane(plane)), ss = Int(other.pointer.pointee.linesizePlane(plane))
            for row in 0..<h { (dst + ((y >> sy) + row) * ds + (x >> sx)).update(from: src + row * ss, count: w) }
        }
    }

    /// Makes the picture safe to overwrite: a no-op when nobody else (an encoder's queue) still
    /// holds its buffers, else a fresh copy. Reusing one frame this way avoids a large allocation,
    /// and the page faults that come with it, for every picture.
    package func makeWritable() throws(FFmpegError) {
        try check(av_frame_make_writable(pointer), "reuse a picture buffer")
    }

    /// A new frame sharing this one's buffers (av_frame_clone): cheap, for holding a picture.
    package func clone() -> Frame {
        let copy = Frame()
        av_frame_ref(copy.pointer, pointer)
        return copy
    }

    /// Crops in place, without copying (av_frame_apply_cropping); offsets are rounded as the pixel
    /// format requires.
    package func crop(left: Int, top: Int, right: Int, bottom: Int) throws(FFmpegError) {
        pointer.pointee.crop_left = left
        pointer.pointee.crop_top = top
        pointer.pointee.crop_right = right
        pointer.pointee.crop_bottom = bottom
        try check(av_frame_apply_cropping(pointer, Int32(AV_FRAME_CROP_UNALIGNED)), "crop a picture")
    }
}

extension AVFrame {
    func dataPlane(_ i: Int) -> UnsafeMutablePointer<UInt8>? {
        withUnsafeBytes(of: data) { $0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self)[i] }
    }

    func linesizePlane(_ i: Int) -> Int32 {
        withUnsafeBytes(of: linesize) { $0.bindMemory(to: Int32.self)[i] }
    }
}

enum PixelFormat {
    static func named(_ name: String) -> AVPixelFormat {
        av_get_pix_fmt(name)
    }
}
