import CFFmpeg
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FFmpeg writes its most useful failure reasons ("moov atom not found", "Invalid image size") only to
/// its log. We silence the log for users and keep the last error-level line per thread, so that an
/// `FFmpegError` can say why a call failed. Work on one file stays on one thread (decoders opened for
/// probing are single-threaded), so a thread-local slot does not mix files.
///
/// A decode check wants every line instead, with the decoder that wrote it: a frame-threaded decoder
/// logs from its own worker threads, which no thread-local slot of ours sees. Such a decoder carries a
/// `LogSink` in its context's `opaque` (FFmpeg copies it into every worker's context), and lines
/// logged by that context go to the sink; a thread can also route what it logs itself (the demuxer,
/// the parsers) to a sink while it checks a file (`capture(into:_:)`).
package enum FFmpegLog {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // The destructor's argument is optional in Glibc's import and not in Darwin's.
        #if canImport(Darwin)
        pthread_key_create(&key) { pointer in Unmanaged<Slot>.fromOpaque(pointer).release() }
        #else
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<Slot>.fromOpaque(pointer).release() }
        }
        #endif
        return key
    }()

    private final class Slot {
        var errors: [String] = []
        /// Set while this thread's lines go to a sink instead.
        var capture: LogSink?
    }

    private static let installOnce: Void = {
        av_log_set_callback { context, level, format, arguments in
            guard level <= AV_LOG_ERROR, let format, let arguments else { return }
            var buffer = [CChar](repeating: 0, count: 512)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let line = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: " \n")
            guard !line.isEmpty else { return }
            if let sink = LogSink.registered(for: context) {
                sink.append(line, from: FFmpegLog.itemName(context))
                return
            }
            let slot = FFmpegLog.slot()
            if let sink = slot.capture {
                sink.append(line, from: FFmpegLog.itemName(context))
                return
            }
            // A failure usually logs its cause first and generic follow-ups after; keep the first few.
            if slot.errors.count < 8, slot.errors.last != line { slot.errors.append(line) }
        }
    }()

    /// Installs the capturing log callback (idempotent). FFmpeg then prints nothing itself.
    package static func install() { _ = installOnce }

    /// The errors FFmpeg logged on this thread since the last `reset()` or `takeErrors()`, oldest
    /// first, and forgets them.
    package static func takeErrors() -> [String] {
        let slot = slot()
        defer { slot.errors = [] }
        return slot.errors
    }

    /// Forgets any error logged earlier on this thread, before starting work on a new file.
    package static func reset() { slot().errors = [] }

    /// Runs `body` with every error line this thread logs (a demuxer's, a parser's, a single-threaded
    /// decoder's without a sink of its own) going to `sink`; nested captures restore the outer one.
    package static func capture<T, E: Error>(into sink: LogSink, _ body: () throws(E) -> T) throws(E) -> T {
        install()
        let slot = slot()
        let outer = slot.capture
        slot.capture = sink
        defer { slot.capture = outer }
        return try body()
    }

    private static func slot() -> Slot {
        if let raw = pthread_getspecific(key) { return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue() }
        let slot = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }

    /// What FFmpeg prints in brackets before a line: the codec or format name ("h264", "matroska,webm").
    private static func itemName(_ context: UnsafeMutableRawPointer?) -> String? {
        guard let context, let cls = context.assumingMemoryBound(to: UnsafePointer<AVClass>?.self).pointee,
              let name = cls.pointee.item_name?(context) else { return nil }
        let text = String(cString: name)
        return text.isEmpty || text == "NULL" ? nil : text
    }
}

/// Collects the error lines FFmpeg logs for one piece of work (a decoder's, a file's), from any
/// thread. Bounded: after `capacity` lines only a count is kept, so a file logging an error per
/// macroblock cannot grow memory.
package final class LogSink: Sendable {
    /// One line as FFmpeg logged it.
    package struct Line: Sendable, Equatable {
        /// The codec or format that logged it ("h264", "mov,mp4,m4a,3gp,3g2,mj2"), when known.
        package var source: String?
        package var text: String

        /// "h264: Invalid NAL unit size (558 > 50)", as the user sees it.
        package var description: String { source.map { "\($0): \(text)" } ?? text }
    }

    private struct Gathered {
        var lines: [Line] = []
        var dropped = 0
    }

    private let gathered = Mutex(Gathered())
    private let capacity: Int

    package init(capacity: Int = 256) { self.capacity = max(1, capacity) }

    func append(_ text: String, from source: String?) {
        gathered.withLock { g in
            if g.lines.count < capacity { g.lines.append(Line(source: source, text: text)) } else { g.dropped += 1 }
        }
    }

    /// The lines gathered since the last call, and how many more there were beyond the capacity.
    package func take() -> (lines: [Line], dropped: Int) {
        gathered.withLock { g in
            defer { g = Gathered() }
            return (g.lines, g.dropped)
        }
    }

    // MARK: - Sinks carried by codec contexts

    /// The sinks codec contexts may carry, by address.
    private static let registry = Mutex(Set<UInt>())

    /// The value to put in a codec context's `opaque` so that its lines (and its frame threads')
    /// come here; valid until `unregister()`.
    var opaque: UnsafeMutableRawPointer {
        let pointer = Unmanaged.passUnretained(self).toOpaque()
        _ = Self.registry.withLock { $0.insert(UInt(bitPattern: pointer)) }
        return pointer
    }

    /// Call once no context carrying this sink can log any more (after the context is freed).
    func unregister() {
        _ = Self.registry.withLock { $0.remove(UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque())) }
    }

    /// The sink a logging context carries, if it is a codec context that carries one of ours. Only a
    /// registered pointer is trusted: `opaque` is the application's field and nothing else here sets it.
    fileprivate static func registered(for context: UnsafeMutableRawPointer?) -> LogSink? {
        guard let context, let cls = context.assumingMemoryBound(to: UnsafePointer<AVClass>?.self).pointee,
              cls == avcodec_get_class() else { return nil }
        guard let opaque = context.assumingMemoryBound(to: AVCodecContext.self).pointee.opaque else { return nil }
        // Looked up and retained under the lock: a sink is unregistered before it can go away.
        return registry.withLock { known in
            known.contains(UInt(bitPattern: opaque)) ? Unmanaged<LogSink>.fromOpaque(opaque).takeUnretainedValue() : nil
        }
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
