import Foundation

/// Looks at a file's first bytes to say what it is when FFmpeg will not: a failed download saved
/// under a video name is usually an HTML page or a JSON error, and the user should be told so.
enum FileSniffer {
    static func head(_ path: String, count: Int = 64) -> [UInt8] {
        guard let file = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? file.close() }
        return [UInt8]((try? file.read(upToCount: count)) ?? Data())
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
}
