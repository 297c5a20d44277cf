import MediaIO

/// Gives pictures their output times. At a constant rate it repeats or drops pictures so that each
/// output slot n (time n / rate) shows the latest picture due by then, as FFmpeg's fps filter does;
/// otherwise it keeps the source's own times.
struct FrameTimer {
    let rate: Ratio?
    let timeBase: Rational
    /// Output slots allowed in all (the trimmed length), when known.
    let maxSlots: Int?
    /// Seconds one picture lasts when the source's own times are kept.
    let frameDuration: Double
    private var pending: Frame?
    private var nextSlot = 0
    private var lastPTS: Int64 = -1

    init(rate: Ratio?, timeBase: Rational, length: Double?, frameDuration: Double) {
        self.rate = rate
        self.timeBase = timeBase
        self.frameDuration = frameDuration
        // A clip shorter than one slot (a file cut short to a frame) still shows its picture once.
        if let rate, let length, length.isFinite { maxSlots = max(1, Int(clampingRounded: length * rate.value + 1e-6, .down)) } else { maxSlots = nil }
    }

    var slotsEmitted: Int { nextSlot }

    /// A decoded picture at `time` seconds of output time (negative: before the cut).
    mutating func push(_ frame: Frame, time: Double, length: Double, emit: (Frame, Int64) throws(FixError) -> Void) throws(FixError) {
        guard let rate else {
            // Kept only if it ends by the cut: a picture starting just before it would outlast it.
            guard time >= -0.0005, time + frameDuration <= length + 0.0005 else { return }
            var pts = Int64(clampingRounded: time / (timeBase.value ?? 1))
            if pts <= lastPTS { pts = lastPTS + 1 }
            lastPTS = pts
            try emit(frame, pts)
            return
        }
        let upTo = Int(clampingRounded: time * rate.value)
        if let pending {
            try flush(until: upTo, pending, emit)
        }
        pending = frame.clone()
    }

    /// The last picture fills the slots up to `end` seconds.
    mutating func finish(end: Double, emit: (Frame, Int64) throws(FixError) -> Void) throws(FixError) {
        guard let rate, let pending else { return }
        try flush(until: max(Int(clampingRounded: end * rate.value), nextSlot == 0 ? 1 : 0), pending, emit)
        self.pending = nil
    }

    private mutating func flush(until slot: Int, _ frame: Frame, _ emit: (Frame, Int64) throws(FixError) -> Void) throws(FixError) {
        let limit = min(slot, maxSlots ?? .max)
        while nextSlot < limit {
            try emit(frame, Int64(nextSlot))
            nextSlot += 1
        }
    }
}

import ModelCatalog
import MediaProbe
