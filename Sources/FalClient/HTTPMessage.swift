import Foundation

/// One HTTP request as the client sends it. Bodies stream from disk when they are files, so memory
/// does not grow with upload size.
package struct HTTPRequest: Sendable {
    /// What a request sends: nothing, bytes, or a file streamed from disk.
    package enum Body: Sendable {
        case none
        case data(Data)
        /// `length` bytes of the file at `path` from `offset`.
        case file(path: String, offset: Int64, length: Int64)
    }

    package var method: String
    package var url: URL
    package var headers: [(String, String)]
    package var body: Body
    /// Seconds for the whole transfer; nil for none (long downloads use the stall limit instead).
    package var timeout: Double?
    /// The most body bytes held in memory: an answer is bounded by what its call can need, so a
    /// hostile or broken server cannot make the client hold gigabytes. Downloads to a file are
    /// bounded by the file system instead; an error answer's body, always kept, by `maxErrorBody`.
    package var maxBody: Int

    package static let maxErrorBody = 1 << 20

    package init(method: String, url: URL, headers: [(String, String)] = [], body: Body = .none, timeout: Double? = 60, maxBody: Int = 32 << 20) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxBody = maxBody
    }
}

/// What came back: the status, the headers (names lower-cased) and the body.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: Data

    package init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? { headers[name.lowercased()] }

    package var text: String { String(decoding: body, as: UTF8.self) }
}

/// A transfer that did not produce an HTTP answer (or lost it part-way).
package struct TransportError: Error, Sendable, CustomStringConvertible {
    /// How a transfer failed: DNS, refused, timeout, reset, TLS, cut short, refused as insecure, cancelled.
    package enum Kind: String, Sendable {
        case dns, refused, timeout, reset, tls, partial, insecure, cancelled, other
    }

    package var kind: Kind
    /// libcurl's error code and text.
    package var code: Int
    package var message: String
    /// The request body was (at least partly) sent before the failure: a POST may have been accepted.
    package var requestSent: Bool

    package init(kind: Kind, code: Int, message: String, requestSent: Bool) {
        self.kind = kind
        self.code = code
        self.message = message
        self.requestSent = requestSent
    }

    package var description: String { "\(message) (curl \(code))" }
}
