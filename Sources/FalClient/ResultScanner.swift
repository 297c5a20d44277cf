import Foundation
import PreflightCore

/// What a model's result names, found without holding the result in memory: a result can be tens
/// of megabytes (per-frame data, or a whole video inlined as a `data:` URI by fal's sync mode),
/// and building a tree of it costs many times its size. The scanner reads the body as it comes,
/// once, and keeps only what it needs:
/// - the files to download: strings under a key named `url` or ending in `_url` / `_urls` (as the
///   official clients look for them), http(s) with a host, each once, in document order;
/// - the files fal inlined: `data:<type>;base64,...` under those keys, decoded straight to disk;
/// - what cannot be used (`file://`, a relative path, null under such a key), so that a result with
///   nothing to download is never reported as done.
///
/// It writes a copy of the body with every secret removed (result.json), and reports a body that
/// is not a JSON object as such.
package struct ResultScanner {
    /// A file fal put inside the result.
    package struct Inline: Sendable, Equatable {
        /// Where the bytes were written, its size and SHA-256.
        package var path: String
        package var bytes: Int64
        package var sha256: String
        package var contentType: String
        /// `data:1`, `data:2`...: a stable name for the journal's outputs table.
        package var key: String
    }

    /// The output files a result names, and the files its inlined data: URIs were written to.
    package struct Outputs: Sendable, Equatable {
        package var remote: [URL] = []
        package var inline: [Inline] = []
        /// "video.url: file:///tmp/x.mp4", "video.url: null": named outputs that cannot be fetched.
        package var unusable: [String] = []
        /// Whether any key of the result names an output at all (`url`, `*_url`, `*_urls`).
        package var namesOutputs = false
        /// The body's size.
        package var bytes: Int64 = 0
    }

    private enum Container { case object(expectingKey: Bool, key: String), array(key: String) }
    private enum Mode { case structure, string, escape, unicode, literal }

    private var stack: [Container] = []
    private var mode = Mode.structure
    private var started = false
    private var finishedTop = false
    private var stringIsKey = false
    /// Key text (bounded), or the captured start of an output string.
    private var text: [UInt8] = []
    private var textTruncated = false
    private var capturing = false
    private var unicode: [UInt8] = []
    private var pendingHighSurrogate: UInt16?
    private var literal: [UInt8] = []
    private var inlineWriter: InlineWriter?
    private var outputs = Outputs()
    private var seen = Set<String>()
    private let inlineFolder: URL
    private let nameFor: (_ index: Int, _ contentType: String) -> String
    private var copy: RedactingCopy

    /// Longest URL kept; longer strings under an output key are not URLs anyone serves.
    static let maximumURL = 16 << 10
    static let maximumKey = 1 << 10
    static let maximumDepth = 256

    /// - Parameters:
    ///   - copyTo: the redacted copy of the body (written as it is read).
    ///   - inlineFolder: where inlined files go, named by `nameFor(index, contentType)`.
    package init(copyTo: FileHandle?, redactor: Redactor, inlineFolder: URL, nameFor: @escaping (_ index: Int, _ contentType: String) -> String) {
        self.inlineFolder = inlineFolder
        self.nameFor = nameFor
        copy = RedactingCopy(out: copyTo, secrets: redactor.secrets)
    }

    /// Feeds the next bytes of the body.
    package mutating func feed(_ bytes: Data) throws(ResultScanError) {
        outputs.bytes += Int64(bytes.count)
        try copy.write(bytes)
        for byte in bytes { try step(byte) }
    }

    /// The body has ended: what it names. Throws when it was not a whole JSON object.
    package mutating func finish() throws(ResultScanError) -> Outputs {
        if mode == .literal { try endLiteral() }
        try copy.finish()
        guard started, stack.isEmpty, finishedTop, mode == .structure else {
            inlineWriter?.discard()
            throw ResultScanError(message: started ? "the result ends before its JSON does" : "the result is not a JSON object")
        }
        return outputs
    }

    /// Removes what an unfinished scan wrote (inlined files part-way).
    package mutating func abandon() { inlineWriter?.discard(); inlineWriter = nil }

    // MARK: - Tokens

    private mutating func step(_ b: UInt8) throws(ResultScanError) {
        switch mode {
        case .string:
            if b == UInt8(ascii: "\"") { try endString() } else if b == UInt8(ascii: "\\") { mode = .escape } else { try append(b) }
        case .escape:
            mode = .string
            switch b {
            case UInt8(ascii: "n"): try append(0x0A)
            case UInt8(ascii: "t"): try append(0x09)
            case UInt8(ascii: "r"): try append(0x0D)
            case UInt8(ascii: "b"): try append(0x08)
            case UInt8(ascii: "f"): try append(0x0C)
            case UInt8(ascii: "u"): mode = .unicode; unicode = []
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): try append(b)
            default: throw ResultScanError(message: "the result has a bad escape in a string")
            }
        case .unicode:
            unicode.append(b)
            if unicode.count == 4 {
                mode = .string
                guard let unit = UInt16(String(decoding: unicode, as: UTF8.self), radix: 16) else {
                    throw ResultScanError(message: "the result has a bad \\u escape")
                }
                try appendUnit(unit)
            }
        case .literal:
            if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || Self.isSpace(b) {
                try endLiteral()
                try structure(b)
            } else {
                if literal.count < 32 { literal.append(b) }
            }
        case .structure:
            try structure(b)
        }
    }

    private mutating func structure(_ b: UInt8) throws(ResultScanError) {
        if Self.isSpace(b) { return }
        if finishedTop { throw ResultScanError(message: "the result has text after its JSON") }
        switch b {
        case UInt8(ascii: "{"):
            try beginValue()
            try push(.object(expectingKey: true, key: ""))
        case UInt8(ascii: "["):
            guard started else { throw ResultScanError(message: "the result is not a JSON object") }
            try beginValue()
            try push(.array(key: currentKey))
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            guard let top = stack.popLast() else { throw ResultScanError(message: "the result's JSON is unbalanced") }
            switch (top, b) {
            case (.object, UInt8(ascii: "}")), (.array, UInt8(ascii: "]")): break
            default: throw ResultScanError(message: "the result's JSON is unbalanced")
            }
            valueEnded()
        case UInt8(ascii: ":"):
            guard case .object(false, _)? = stack.last else { throw ResultScanError(message: "the result's JSON has a stray ':'") }
        case UInt8(ascii: ","):
            if case .object(_, let key)? = stack.last { stack[stack.count - 1] = .object(expectingKey: true, key: key) }
        case UInt8(ascii: "\""):
            guard started else { throw ResultScanError(message: "the result is not a JSON object") }
            if case .object(true, _)? = stack.last {
                stringIsKey = true
                capturing = true
            } else {
                try beginValue()
                stringIsKey = false
                capturing = Self.namesOutput(currentKey)
                if capturing { outputs.namesOutputs = true }
            }
            text = []
            textTruncated = false
            mode = .string
        default:
            guard started else { throw ResultScanError(message: "the result is not a JSON object") }
            try beginValue()
            literal = [b]
            mode = .literal
        }
    }

    private mutating func push(_ c: Container) throws(ResultScanError) {
        guard stack.count < Self.maximumDepth else { throw ResultScanError(message: "the result nests deeper than \(Self.maximumDepth) levels") }
        stack.append(c)
        started = true
    }

    /// A value starts: in an object it is the value of the current key.
    private mutating func beginValue() throws(ResultScanError) {
        if case .object(true, _)? = stack.last { throw ResultScanError(message: "the result's JSON has a value where a key belongs") }
    }

    private mutating func valueEnded() {
        if stack.isEmpty { finishedTop = true }
    }

    /// The key whose value is being read (for an array: the key that holds it).
    private var currentKey: String {
        switch stack.last {
        case .object(_, let key)?: key
        case .array(let key)?: key
        case nil: ""
        }
    }

    private mutating func endLiteral() throws(ResultScanError) {
        mode = .structure
        let word = String(decoding: literal, as: UTF8.self)
        let valid = ["true", "false", "null"].contains(word) || Double(word) != nil
        guard valid else { throw ResultScanError(message: "the result's JSON has a bad value") }
        if word == "null", Self.namesOutput(currentKey) {
            outputs.namesOutputs = true
            outputs.unusable.append("\(currentKey): null")
        }
        valueEnded()
    }

    // MARK: - Strings

    private mutating func append(_ b: UInt8) throws(ResultScanError) {
        if let writer = inlineWriter {
            try writer.feed(b)
            return
        }
        guard capturing else { return }
        let bound = stringIsKey ? Self.maximumKey : Self.maximumURL
        guard text.count < bound else { textTruncated = true; return }
        text.append(b)
        // `data:<type>;base64,` seen: the rest is decoded to a file as it arrives.
        if !stringIsKey, b == UInt8(ascii: ","), text.count <= 256, text.starts(with: Array("data:".utf8)) {
            let header = String(decoding: text.dropLast(), as: UTF8.self)
            guard header.lowercased().hasSuffix(";base64") else { return }
            let type = String(header.dropFirst(5).dropLast(7)).split(separator: ";").first.map(String.init) ?? "application/octet-stream"
            let index = outputs.inline.count + 1
            let target = inlineFolder.appendingPathComponent(nameFor(index, type.isEmpty ? "application/octet-stream" : type))
            inlineWriter = try InlineWriter(target: target, contentType: type, key: "data:\(index)")
        }
    }

    private mutating func appendUnit(_ unit: UInt16) throws(ResultScanError) {
        if (0xD800...0xDBFF).contains(unit) { pendingHighSurrogate = unit; return }
        var scalar: Unicode.Scalar?
        if (0xDC00...0xDFFF).contains(unit), let high = pendingHighSurrogate {
            scalar = Unicode.Scalar((UInt32(high - 0xD800) << 10 | UInt32(unit - 0xDC00)) + 0x10000)
        } else {
            scalar = Unicode.Scalar(unit)
        }
        pendingHighSurrogate = nil
        for b in String(scalar ?? "\u{FFFD}").utf8 { try append(b) }
    }

    private mutating func endString() throws(ResultScanError) {
        mode = .structure
        if stringIsKey {
            guard case .object(_, _)? = stack.last else { return }
            stack[stack.count - 1] = .object(expectingKey: false, key: String(decoding: text, as: UTF8.self))
            return
        }
        defer { valueEnded() }
        if let writer = inlineWriter {
            inlineWriter = nil
            outputs.inline.append(try writer.finish())
            return
        }
        guard capturing else { return }
        let value = String(decoding: text, as: UTF8.self)
        if !textTruncated, let url = URL(string: value), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil {
            if seen.insert(url.absoluteString).inserted { outputs.remote.append(url) }
        } else if !value.isEmpty {
            outputs.unusable.append("\(currentKey): " + Printable.escape(String(value.prefix(80))) + (value.count > 80 || textTruncated ? "..." : ""))
        }
    }

    static func namesOutput(_ key: String) -> Bool { key == "url" || key.hasSuffix("_url") || key.hasSuffix("_urls") }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}

/// A result that could not be read as JSON (cut off, too deep, not JSON).
package struct ResultScanError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// Decodes base64 as it arrives into a temporary file beside the target, renamed when whole.
private final class InlineWriter {
    let target: URL
    let temporary: URL
    let contentType: String
    let key: String
    private let handle: FileHandle
    private var quad: [UInt8] = []
    private var buffer = Data()
    private var hasher = ContentHash.Hasher()
    private var bytes: Int64 = 0
    private var pads = 0

    init(target: URL, contentType: String, key: String) throws(ResultScanError) {
        self.target = target
        self.contentType = contentType
        self.key = key
        temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let h = FileHandle(forWritingAtPath: temporary.path) else {
            throw ResultScanError(message: "cannot write \(Printable.escape(temporary.path))")
        }
        handle = h
    }

    func feed(_ b: UInt8) throws(ResultScanError) {
        if Self.isSpace(b) { return }
        if b == UInt8(ascii: "=") {
            pads += 1
            guard pads <= 2 else { throw ResultScanError(message: "an inlined file is not valid base64") }
            return
        }
        guard pads == 0, let v = Self.value(b) else { throw ResultScanError(message: "an inlined file is not valid base64") }
        quad.append(v)
        if quad.count == 4 { try emit(3) }
    }

    /// Decodes the group in `quad` (zero-filled) and keeps its first `count` bytes.
    private func emit(_ count: Int) throws(ResultScanError) {
        let q = quad + Array(repeating: 0, count: 4 - quad.count)
        let n = (UInt32(q[0]) << 18) | (UInt32(q[1]) << 12) | (UInt32(q[2]) << 6) | UInt32(q[3])
        buffer.append(contentsOf: [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)].prefix(count))
        quad = []
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(ResultScanError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { throw ResultScanError(message: "cannot write an inlined file (disk full?)") }
        hasher.update(buffer)
        bytes += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(ResultScanError) -> ResultScanner.Inline {
        // The last group: 2 or 3 characters (padded or not) hold 1 or 2 bytes; 1 cannot be.
        switch quad.count {
        case 0: break
        case 2, 3: try emit(quad.count - 1)
        default:
            discard()
            throw ResultScanError(message: "an inlined file is not valid base64")
        }
        try flush()
        try? handle.close()
        guard rename(temporary.path, target.path) == 0 else {
            discard()
            throw ResultScanError(message: "cannot write \(Printable.escape(target.path))")
        }
        return ResultScanner.Inline(path: target.path, bytes: bytes, sha256: hasher.finish(), contentType: contentType, key: key)
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    static func value(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): b - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): b - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }
}

/// Copies bytes to a file with every secret replaced by `****`, holding back only as many bytes as
/// the longest secret, so a secret split across two reads is still found.
struct RedactingCopy {
    let out: FileHandle?
    let secrets: [[UInt8]]
    private var pending: [UInt8] = []
    private let keep: Int

    init(out: FileHandle?, secrets: [String]) {
        self.out = out
        self.secrets = secrets.map { Array($0.utf8) }.filter { !$0.isEmpty }
        keep = max(0, (self.secrets.map(\.count).max() ?? 0) - 1)
    }

    mutating func write(_ data: Data) throws(ResultScanError) {
        guard out != nil else { return }
        pending.append(contentsOf: data)
        guard pending.count > keep + (64 << 10) else { return }
        try emit(upTo: pending.count - keep)
    }

    mutating func finish() throws(ResultScanError) {
        guard out != nil else { return }
        try emit(upTo: pending.count)
    }

    /// Writes `pending[..<limit]` redacted; a secret that starts before `limit` is replaced whole.
    private mutating func emit(upTo limit: Int) throws(ResultScanError) {
        var result: [UInt8] = []
        result.reserveCapacity(limit)
        var i = 0
        var consumed = 0
        scan: while i < limit {
            for s in secrets where pending[i] == s[0] && i + s.count <= pending.count && pending[i..<(i + s.count)].elementsEqual(s) {
                result.append(contentsOf: Array("****".utf8))
                i += s.count
                consumed = i
                continue scan
            }
            result.append(pending[i])
            i += 1
            consumed = i
        }
        pending.removeFirst(consumed)
        do { try out?.write(contentsOf: Data(result)) } catch { throw ResultScanError(message: "cannot write the result (disk full?)") }
    }
}
