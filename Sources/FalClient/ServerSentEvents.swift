import Foundation

/// A server-sent-events parser as the standard (WHATWG HTML, "event stream interpretation") says:
/// lines end in LF, CR or CRLF, even split across chunks; `:` lines are comments; `data:` lines of
/// one event are joined with LF; an event ends at a blank line; one leading space after the colon
/// is dropped. Bytes are buffered until a line is complete, so a chunk may split anywhere, even
/// inside a UTF-8 sequence.
package struct ServerSentEventParser: Sendable {
    /// One server-sent event: its name and its data lines joined.
    package struct Event: Sendable, Equatable {
        package var type: String
        package var data: String
        package var id: String?
    }

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var overlong = false
    private var data: [String] = []
    private var dataBytes = 0
    private var type = ""
    private var id: String?
    /// Comments seen (keep-alives); they count as signs of life.
    package private(set) var comments = 0

    /// Longest line kept: a server that never ends a line must not grow memory without bound.
    static let maximumLine = 4 << 20
    /// Largest event (its data lines together): a status with its logs is far smaller; a server
    /// that never ends an event must not grow memory either.
    static let maximumEvent = 8 << 20

    package init() {}

    /// Feeds bytes; returns the events they completed.
    package mutating func feed(_ bytes: Data) throws(SSEError) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == 0x0A && lastWasCR { lastWasCR = false; continue } // the LF of a CRLF
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
                if overlong { throw SSEError(message: "an event of the stream is longer than \(Self.maximumEvent) bytes") }
            } else {
                line.append(byte)
                if line.count > Self.maximumLine { throw SSEError(message: "a line of the event stream is longer than \(Self.maximumLine) bytes") }
            }
        }
        return events
    }

    /// At the end of the stream: an event without its blank line is dropped, as the standard says.
    package mutating func finish() -> [Event] { [] }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { comments += 1; return nil }
        let name: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            name = Substring(text)
            value = ""
        }
        switch name {
        case "data":
            dataBytes += value.utf8.count + 1
            if dataBytes > Self.maximumEvent { overlong = true; return nil }
            data.append(String(value))
        case "event": type = String(value)
        case "id": if !value.contains("\0") { id = String(value) }
        default: break // "retry" and unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> Event? {
        defer { data = []; type = ""; dataBytes = 0 }
        guard !data.isEmpty else { return nil }
        return Event(type: type.isEmpty ? "message" : type, data: data.joined(separator: "\n"), id: id)
    }
}

/// A status stream that broke its bounds (an event larger than 8 MiB).
package struct SSEError: Error, Sendable {
    package var message: String
}
