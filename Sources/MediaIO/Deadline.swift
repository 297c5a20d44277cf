import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in monotonic time after which FFmpeg's blocking calls on one input give up. FFmpeg polls it
/// through AVIOInterruptCB during I/O and in its probing loops, so a pathological file cannot hang a run.
final class Deadline {
    private let limit: UInt64

    init(after seconds: Double?) {
        // NaN, infinite or beyond UInt64's nanoseconds (584 years): no deadline, rather than a trap.
        if let seconds, seconds > 0, let nanoseconds = UInt64(rounding: seconds * 1_000_000_000) {
            limit = Deadline.now().addingReportingOverflow(nanoseconds).overflow ? .max : Deadline.now() &+ nanoseconds
        } else {
            limit = .max
        }
    }

    var hasPassed: Bool { Deadline.now() >= limit }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The callback record FFmpeg calls; `self` must outlive the format context that holds it.
    var interruptCallback: AVIOInterruptCB {
        AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().hasPassed ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(self).toOpaque()
        )
    }
}
