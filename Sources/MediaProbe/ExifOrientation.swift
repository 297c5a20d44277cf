#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The EXIF orientation of a JPEG (tag 0x0112): how a phone photo stored landscape is meant to be
/// shown. Read from the file's first APP1 segment; nothing is decoded.
enum ExifOrientation {
    /// (degrees clockwise to show it upright, mirrored) or nil when the file says nothing.
    static func read(_ path: String) -> (rotation: Int, mirrored: Bool)? {
        let bytes = FileSniffer.head(path, count: 128 * 1024)
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if marker == 0xDA || length < 2 { return nil } // image data starts: no EXIF before it
            // length >= 8: the "Exif\0\0" header fits inside the segment (a shorter one made the
            // slice below run backwards, a trap).
            if marker == 0xE1, length >= 8, i + 4 + length - 2 <= bytes.count,
               Array(bytes[(i + 4)..<min(i + 10, bytes.count)]) == Array("Exif\0\0".utf8) {
                return orientation(in: Array(bytes[(i + 10)..<(i + 2 + length)]))
            }
            i += 2 + length
        }
        return nil
    }

    private static func orientation(in tiff: [UInt8]) -> (Int, Bool)? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49 // "II"
        func u16(_ at: Int) -> Int? {
            guard at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(4), let count = u16(ifd) else { return nil }
        for n in 0..<count {
            let entry = ifd + 2 + n * 12
            guard let tag = u16(entry), tag == 0x0112, let value = u16(entry + 8) else { continue }
            switch value {
            case 1: return (0, false)
            case 2: return (0, true)
            case 3: return (180, false)
            case 4: return (180, true)
            case 5: return (90, true)
            case 6: return (90, false)
            case 7: return (270, true)
            case 8: return (270, false)
            default: return nil
            }
        }
        return nil
    }
}
