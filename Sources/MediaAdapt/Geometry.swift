import MediaIO
import MediaProbe
import ModelCatalog

/// Where the picture goes: the output canvas, the part of the displayed source kept (crop), and
/// where it lands on the canvas (pad). All in display space: rotation and pixel aspect applied.
struct Geometry: Equatable {
    var canvas: PictureSize
    var sourceCrop: Rect
    var content: Rect

    /// Whether this changes anything for a picture of `display` size.
    func changes(_ display: PictureSize) -> Bool {
        canvas != display || sourceCrop != Rect(x: 0, y: 0, width: display.width, height: display.height)
    }

    /// The smallest change of `display` that meets every size and shape limit of `r`, keeping the
    /// picture's aspect unless a limit forbids it, then padding or cropping as `fit` says.
    static func plan(_ display: PictureSize, _ r: MediaRequirement, fit: Fit, even: Bool) throws(FixError) -> Geometry {
        // The prober refuses such pictures; a planner called with one must not divide by zero.
        guard display.width > 0, display.height > 0 else {
            throw FixError.impossible(["the picture is \(display), which no change can make into a real picture"])
        }
        let whole = Rect(x: 0, y: 0, width: display.width, height: display.height)
        var aspect = display.aspect
        var exact: PictureSize?

        if let allowed = r.aspectRatios, !allowed.isEmpty {
            let ratios = allowed.compactMap(SizeTarget.parseRatio)
            if !ratios.contains(where: { abs($0 - aspect) / $0 <= 0.01 }), let nearest = ratios.min(by: { abs($0 - aspect) < abs($1 - aspect) }) {
                aspect = nearest
            }
        }
        if let lo = r.minAspectRatio, aspect < lo { aspect = lo }
        if let hi = r.maxAspectRatio, aspect > hi { aspect = hi }
        if let allowed = r.resolutions, !allowed.isEmpty, !allowed.contains(where: { SizeTarget.matches(display, resolution: $0) }) {
            let sizes = allowed.compactMap(SizeTarget.parseResolution).map { display.width >= display.height ? $0 : PictureSize($0.height, $0.width) }
            if let nearest = sizes.min(by: { abs($0.shortSide - display.shortSide) < abs($1.shortSide - display.shortSide) }) {
                exact = nearest
                aspect = nearest.aspect
            }
        }
        // Size limits that no scale of this shape satisfies: move the shape to the nearest one that fits.
        if exact == nil, SizeTarget.scaleRange(for: try shape(display, aspect, fit), r) == nil {
            aspect = feasibleAspect(near: aspect, r) ?? aspect
        }

        var canvas: PictureSize
        if let exact {
            canvas = exact
        } else if let target = SizeTarget.target(for: try shape(display, aspect, fit), r, even: even) {
            canvas = target
        } else {
            throw FixError.impossible(["no picture size meets every size limit at once (\(describe(r)))"])
        }
        if even {
            canvas = PictureSize(canvas.width & ~1, canvas.height & ~1)
            // Rounding both sides down to even may tip the shape past an aspect limit: widen or heighten by a step.
            if let lo = r.minAspectRatio, canvas.aspect < lo, r.maxWidth.map({ canvas.width + 2 <= $0 }) ?? true { canvas.width += 2 }
            if let hi = r.maxAspectRatio, canvas.aspect > hi, r.maxHeight.map({ canvas.height + 2 <= $0 }) ?? true { canvas.height += 2 }
        }
        // No plan names a picture the prober itself would refuse (or an empty one).
        guard (1...Prober.maxSide).contains(canvas.width), (1...Prober.maxSide).contains(canvas.height) else {
            throw FixError.impossible(["the size the limits call for, \(canvas), is beyond any real picture (1 to \(Prober.maxSide) px per side)"])
        }

        let changedShape = abs(aspect - display.aspect) / display.aspect > 0.001
        guard changedShape else {
            return Geometry(canvas: canvas, sourceCrop: whole, content: Rect(x: 0, y: 0, width: canvas.width, height: canvas.height))
        }
        switch fit {
        case .pad:
            // The whole picture, as large as fits; bars fill the rest.
            let scale = min(Double(canvas.width) / Double(display.width), Double(canvas.height) / Double(display.height))
            var w = try side(Double(display.width) * scale), h = try side(Double(display.height) * scale)
            if even { w &= ~1; h &= ~1 }
            w = min(w, canvas.width); h = min(h, canvas.height)
            var x = (canvas.width - w) / 2, y = (canvas.height - h) / 2
            if even { x &= ~1; y &= ~1 }
            return Geometry(canvas: canvas, sourceCrop: whole, content: Rect(x: x, y: y, width: w, height: h))
        case .crop:
            // The middle of the picture with the canvas's shape fills it.
            let target = Double(canvas.width) / Double(canvas.height)
            var cw = display.width, ch = display.height
            if target > display.aspect { ch = try side(Double(display.width) / target) } else { cw = try side(Double(display.height) * target) }
            var x = (display.width - cw) / 2, y = (display.height - ch) / 2
            if even { x &= ~1; y &= ~1; cw &= ~1; ch &= ~1 }
            return Geometry(canvas: canvas, sourceCrop: Rect(x: x, y: y, width: cw, height: ch),
                            content: Rect(x: 0, y: 0, width: canvas.width, height: canvas.height))
        }
    }

    /// The display picture re-shaped to `aspect`: grown with bars (pad) or cut (crop).
    private static func shape(_ d: PictureSize, _ aspect: Double, _ fit: Fit) throws(FixError) -> PictureSize {
        let a = d.aspect
        if abs(aspect - a) / a <= 0.001 { return d }
        switch fit {
        case .pad: return aspect > a ? PictureSize(try side(Double(d.height) * aspect), d.height) : PictureSize(d.width, try side(Double(d.width) / aspect))
        case .crop: return aspect > a ? PictureSize(d.width, try side(Double(d.width) / aspect)) : PictureSize(try side(Double(d.height) * aspect), d.height)
        }
    }

    /// A computed side in whole pixels; a side no picture can have (NaN, infinite, beyond the
    /// prober's cap) is a plan that cannot be made, not a trap.
    static func side(_ value: Double) throws(FixError) -> Int {
        guard let n = Int(rounding: value), n >= 0, n <= Prober.maxSide * 4 else {
            throw FixError.impossible([String(format: "a picture side of %g px is beyond any real picture", value)])
        }
        return n
    }

    /// The aspect nearest `aspect` for which some size meets every size limit.
    private static func feasibleAspect(near aspect: Double, _ r: MediaRequirement) -> Double? {
        var lo = r.minAspectRatio ?? 0.01, hi = r.maxAspectRatio ?? 100
        if let maxW = r.maxWidth, let minH = r.minHeight { hi = min(hi, Double(maxW) / Double(minH)) }
        if let minW = r.minWidth, let maxH = r.maxHeight { lo = max(lo, Double(minW) / Double(maxH)) }
        if let long = r.maxLongSide, let short = r.minShortSide { hi = min(hi, Double(long) / Double(short)); lo = max(lo, Double(short) / Double(long)) }
        guard lo <= hi else { return nil }
        return min(max(aspect, lo), hi)
    }

    private static func describe(_ r: MediaRequirement) -> String {
        [r.minWidth.map { "width >= \($0)" }, r.maxWidth.map { "width <= \($0)" }, r.minHeight.map { "height >= \($0)" },
         r.maxHeight.map { "height <= \($0)" }, r.minShortSide.map { "short side >= \($0)" }, r.maxLongSide.map { "long side <= \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}

/// Maps a rectangle of the displayed picture back to the stored (coded) picture: undo the rotation,
/// then the pixel aspect.
enum CodedSpace {
    static func rect(_ r: Rect, display: PictureSize, rotation: Int, sampleAspect: Double) -> Rect {
        // Unrotated display size.
        let unrotated = rotation == 90 || rotation == 270 ? PictureSize(display.height, display.width) : display
        var u: Rect
        switch rotation {
        case 90: u = Rect(x: r.y, y: unrotated.height - (r.x + r.width), width: r.height, height: r.width)
        case 270: u = Rect(x: unrotated.width - (r.y + r.height), y: r.x, width: r.height, height: r.width)
        case 180: u = Rect(x: unrotated.width - (r.x + r.width), y: unrotated.height - (r.y + r.height), width: r.width, height: r.height)
        default: u = r
        }
        if sampleAspect > 0, abs(sampleAspect - 1) > 0.0001 {
            // Clamped: the prober caps display and coded sizes, so the bounds never bite on real input.
            u.x = Int(clampingRounded: Double(u.x) / sampleAspect)
            u.width = Int(clampingRounded: Double(u.width) / sampleAspect)
        }
        return u
    }
}
