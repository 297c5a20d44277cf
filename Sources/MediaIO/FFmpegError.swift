import CFFmpeg

/// A failed FFmpeg call: the code FFmpeg returned, its `av_strerror` text, and the most specific
/// message FFmpeg logged while failing (often the real reason, e.g. "moov atom not found").
public struct FFmpegError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    /// What the failing call was trying to do, e.g. "open input".
    public let operation: String
    /// FFmpeg's text for `code`.
    public let text: String
    /// The first error FFmpeg logged on this thread during the call, if any (usually the cause).
    public let detail: String?

    public init(code: Int32, operation: String, detail: String? = nil) {
        self.code = code
        self.operation = operation
        self.text = FFmpegError.describe(code)
        self.detail = detail
    }

    public var description: String {
        if let detail, !detail.isEmpty, detail != text { return "\(operation): \(text) (\(detail))" }
        return "\(operation): \(text)"
    }

    /// The call was stopped by our interrupt callback (deadline passed).
    public var isInterrupted: Bool { code == pf_averror_exit() }
    /// The input is not in any format FFmpeg recognises, or its data is corrupt.
    public var isInvalidData: Bool { code == pf_averror_invaliddata() }
    /// An operating-system error (ENOENT, EACCES...) as opposed to a media error.
    public var posixError: Int32? {
        // AVERROR(e) is -e for POSIX errors; FFmpeg's own codes are FourCC tags far outside errno range.
        (code < 0 && code > -4096) ? -code : nil
    }

    public static var endOfFile: Int32 { pf_averror_eof() }
    public static var tryAgain: Int32 { pf_averror_eagain() }

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
