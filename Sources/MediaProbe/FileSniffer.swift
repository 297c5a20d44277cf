import Foundation

/// Looks at a file's first bytes to say what it is when FFmpeg will not: a failed download saved
/// under a video name is usually an HTML page or a JSON error, and the user should be told so.
enum FileSniffer {
    static func head(_ path: String, count: Int = 64) -> [UInt8] {
        // A plain read: every probe looks at its file's head, and FileHandle costs more than the read.
        let fd = open(path, O_RDONLY)
        guard fd >= 0, count > 0 else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }

    /// The demuxer FFmpeg's probing would choose, when the first bytes leave no doubt: an ISO file type
    /// box (MP4, MOV, 3GP, M4A...) is the mov demuxer's at full score, but for JPEG 2000 and JPEG XL
    /// brands, which FFmpeg's other demuxers read.
    static func certainFormat(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 12, bytes[4..<8].elementsEqual("ftyp".utf8),
              !bytes[8..<12].elementsEqual("jp2 ".utf8), !bytes[8..<12].elementsEqual("jxl ".utf8) else { return nil }
        return "mov"
    }

    /// True when the bytes start like an ISO base media file (MP4/MOV/3GP): a box size, then a
    /// known top-level box type.
    static func looksLikeISOMedia(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8 else { return false }
        let type = String(decoding: bytes[4..<8], as: UTF8.self)
        return ["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "styp", "sidx", "moof"].contains(type)
    }

    /// A short description of text content, or nil when the bytes are not text. The first line is
    /// quoted only when neither the file's name nor its first bytes look like credentials: probing a
    /// key file by mistake must not print the key.
    static func describeText(_ bytes: [UInt8], path: String = "") -> String? {
        guard !bytes.isEmpty,
              bytes.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) || $0 >= 0x80 })
        else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let start = text.drop(while: { $0.isWhitespace }).lowercased()
        let kind: String
        if start.hasPrefix("<!doctype html") || start.hasPrefix("<html") { kind = "an HTML page" }
        else if start.hasPrefix("<?xml") || start.hasPrefix("<") { kind = "XML" }
        else if start.hasPrefix("{") || start.hasPrefix("[") { kind = "JSON" }
        else { kind = "text" }
        if CredentialShape.nameLooksSecret(path) || CredentialShape.textLooksSecret(text) {
            return "\(kind) (not quoted: it may hold credentials)"
        }
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let excerpt = firstLine.count > 40 ? String(firstLine.prefix(40)) + "..." : firstLine
        return "\(kind), beginning \"\(excerpt)\""
    }

    /// The bytes a Matroska/WebM segment or a RIFF (AVI, WAV) chunk says the file runs to, from its
    /// first bytes: more than the file holds means it was cut short. Nil for other files, and for a
    /// live-written Matroska segment of unknown size.
    static func declaredLength(_ bytes: [UInt8]) -> Int64? {
        if bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8) {
            let size = Int64(bytes[4]) | Int64(bytes[5]) << 8 | Int64(bytes[6]) << 16 | Int64(bytes[7]) << 24
            return 8 + size
        }
        guard bytes.count >= 4, bytes[0..<4].elementsEqual([0x1A, 0x45, 0xDF, 0xA3]) else { return nil }
        // The EBML header element, then the Segment (ID 18 53 80 67) whose size covers the rest.
        guard let header = vint(bytes, at: 4) else { return nil }
        let segment = 4 + header.length + Int(clamping: header.value ?? .max)
        guard segment + 4 <= bytes.count, bytes[segment..<segment + 4].elementsEqual([0x18, 0x53, 0x80, 0x67]),
              let size = vint(bytes, at: segment + 4), let value = size.value else { return nil }
        let (end, overflow) = Int64(segment + 4 + size.length).addingReportingOverflow(value)
        return overflow ? nil : end
    }

    /// An EBML variable-size integer at `offset`: its length in bytes and its value (nil: "unknown").
    private static func vint(_ bytes: [UInt8], at offset: Int) -> (length: Int, value: Int64?)? {
        guard offset < bytes.count, bytes[offset] != 0 else { return nil }
        let length = bytes[offset].leadingZeroBitCount + 1
        guard offset + length <= bytes.count else { return nil }
        var value = Int64(bytes[offset] & (0xFF >> length))
        var allOnes = value == Int64(0xFF >> length)
        for b in bytes[(offset + 1)..<(offset + length)] {
            value = value << 8 | Int64(b)
            allOnes = allOnes && b == 0xFF
        }
        return (length, allOnes ? nil : value)
    }
}
