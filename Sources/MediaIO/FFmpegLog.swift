import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FFmpeg writes its most useful failure reasons ("moov atom not found", "Invalid image size") only to
/// its log. We silence the log for users and keep the last error-level line per thread, so that an
/// `FFmpegError` can say why a call failed. Work on one file stays on one thread (decoders opened for
/// probing are single-threaded), so a thread-local slot does not mix files.
public enum FFmpegLog {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<Slot>.fromOpaque(pointer).release() }
        }
        return key
    }()

    private final class Slot {
        var errors: [String] = []
    }

    private static let installOnce: Void = {
        av_log_set_callback { _, level, format, arguments in
            guard level <= AV_LOG_ERROR, let format, let arguments else { return }
            var buffer = [CChar](repeating: 0, count: 512)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let line = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: " \n")
            let slot = FFmpegLog.slot()
            // A failure usually logs its cause first and generic follow-ups after; keep the first few.
            if !line.isEmpty, slot.errors.count < 8, slot.errors.last != line { slot.errors.append(line) }
        }
    }()

    /// Installs the capturing log callback (idempotent). FFmpeg then prints nothing itself.
    public static func install() { _ = installOnce }

    /// The errors FFmpeg logged on this thread since the last `reset()` or `takeErrors()`, oldest
    /// first, and forgets them.
    public static func takeErrors() -> [String] {
        let slot = slot()
        defer { slot.errors = [] }
        return slot.errors
    }

    /// Forgets any error logged earlier on this thread, before starting work on a new file.
    public static func reset() { slot().errors = [] }

    private static func slot() -> Slot {
        if let raw = pthread_getspecific(key) { return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue() }
        let slot = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
