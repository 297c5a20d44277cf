import CFFmpeg

/// A failed FFmpeg call: the code FFmpeg returned, its `av_strerror` text, and the most specific
/// message FFmpeg logged while failing (often the real reason, e.g. "moov atom not found").
package struct FFmpegError: Error, Sendable, CustomStringConvertible {
    package let code: Int32
    /// What the failing call was trying to do, e.g. "open input".
    package let operation: String
    /// FFmpeg's text for `code`.
    package let text: String
    /// The first error FFmpeg logged on this thread during the call, if any (usually the cause).
    package let detail: String?

    package init(code: Int32, operation: String, detail: String? = nil) {
        self.code = code
        self.operation = operation
        self.text = FFmpegError.describe(code)
        self.detail = detail
    }

    package var description: String {
        if let detail, !detail.isEmpty, detail != text { return "\(operation): \(text) (\(detail))" }
        return "\(operation): \(text)"
    }

    /// The call was stopped by our interrupt callback (deadline passed).
    package var isInterrupted: Bool { code == pf_averror_exit() }
    /// The input is not in any format FFmpeg recognises, or its data is corrupt.
    package var isInvalidData: Bool { code == pf_averror_invaliddata() }
    /// An operating-system error (ENOENT, EACCES...) as opposed to a media error.
    package var posixError: Int32? {
        // AVERROR(e) is -e for POSIX errors; FFmpeg's own codes are FourCC tags far outside errno range.
        (code < 0 && code > -4096) ? -code : nil
    }

    package static var endOfFile: Int32 { pf_averror_eof() }
    package static var tryAgain: Int32 { pf_averror_eagain() }

    static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        pf_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Turns a negative FFmpeg return code into an `FFmpegError`; passes non-negative codes through.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(FFmpegError) -> Int32 {
    guard code < 0 else { return code }
    throw FFmpegError(code: code, operation: operation(), detail: FFmpegLog.takeErrors().first)
}
