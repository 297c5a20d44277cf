import CCurl
import Foundation
import PreflightCore

/// Owns one libcurl easy handle for one blocking transfer. Callbacks reach this object through
/// CURLOPT_*DATA pointers; nothing of libcurl escapes the type.
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var responseHeaders: [String: String] = [:]
    private var responseBody = Data()
    private var upload: FileHandle?
    private var uploadRemaining: Int64 = 0
    private var uploadData: Data?
    private var uploadOffset = 0
    private(set) var bytesSent: Int64 = 0
    /// Receives body bytes as they arrive instead of collecting them (status streams). An error
    /// answer's body is still collected, so its reason is kept.
    var onData: ((Data) -> Bool)?
    /// Streams: abort when nothing (not even a keep-alive comment) arrived for this many seconds.
    var idleTimeout: Double?
    /// Set from another thread to stop the transfer at the next progress tick.
    var control: TransferControl?
    /// Asked at every progress tick (about once a second): true stops the transfer (Ctrl-C, a
    /// job's --timeout passing).
    var shouldStop: (@Sendable () -> Bool)?
    private var lastActivity = Date()
    private var idleExpired = false
    private var bodyLimit = 32 << 20
    private var bodyTooLarge = false

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    init() {
        _ = Self.globalInit
        handle = curl_easy_init()
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(handle)
        try? upload?.close()
    }

    func perform(_ request: HTTPRequest, userAgent: String) throws(TransportError) -> HTTPResponse {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try Self.refuseInsecure(request.url.absoluteString)
        pf_curl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        // Only http(s), and no redirects (the default): a server cannot send the key elsewhere.
        pf_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        pf_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        // Threads: no signals for timeouts; TLS verified; HTTP/2 where the server offers it over TLS.
        pf_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        pf_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        pf_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        pf_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        pf_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 15)
        if let timeout = request.timeout, timeout.isFinite, timeout > 0 {
            pf_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(min(timeout, 7 * 86_400) * 1000))
        }
        bodyLimit = request.maxBody
        if onData == nil {
            // A stalled transfer (under 1 KB/s for 30 s) fails instead of hanging. Streams and
            // downloads are judged by their idle timeout instead: a queued request may be quiet for
            // minutes, and a download's pace is the network's.
            pf_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1024)
            pf_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, 30)
        }
        Self.setProxy(handle, for: request.url)
        // Compressed answers are welcome, unless the request asked otherwise (part PUTs ask for
        // identity so that the ETag comes back untouched).
        if !request.headers.contains(where: { $0.0.lowercased() == "accept-encoding" }) {
            pf_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        }
        // Progress ticks (about once a second, data or not) drive the idle timeout and cancellation.
        pf_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        pf_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, me)
        pf_curl_setopt_xferinfo_callback(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            if transfer.control?.isStopped == true || transfer.shouldStop?() == true { return 1 }
            if let idle = transfer.idleTimeout, Date().timeIntervalSince(transfer.lastActivity) > idle {
                transfer.idleExpired = true
                return 1
            }
            return 0
        }

        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        // curl adds "Expect: 100-continue" to large uploads, which costs a round trip per part.
        headerList = curl_slist_append(headerList, "Expect:")
        pf_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        pf_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        pf_curl_setopt_write_callback(handle) { buffer, size, count, context in
            guard let context, let buffer else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let n = size * count
            let chunk = Data(bytes: buffer, count: n)
            transfer.lastActivity = Date()
            if let onData = transfer.onData, transfer.responseStatus() < 400 { return onData(chunk) ? n : 0 }
            // Bodies are bounded by what the call can need; an error's reason by a smaller bound.
            let limit = transfer.responseStatus() >= 400 ? min(transfer.bodyLimit, HTTPRequest.maxErrorBody) : transfer.bodyLimit
            guard transfer.responseBody.count + n <= limit else {
                // An error's body is kept up to the bound (its reason is at the start); an answer
                // that should be whole is refused rather than cut.
                if transfer.responseStatus() >= 400 {
                    transfer.responseBody.append(chunk.prefix(max(0, limit - transfer.responseBody.count)))
                    return n
                }
                transfer.bodyTooLarge = true
                return 0
            }
            transfer.responseBody.append(chunk)
            return n
        }
        pf_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        pf_curl_setopt_header_callback(handle) { buffer, size, count, context in
            guard let context, let buffer else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.lastActivity = Date()
            let n = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") { transfer.responseHeaders = [:] } // a new response (after 100 Continue)
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                transfer.responseHeaders[name] = value
            }
            return n
        }

        switch request.method {
        case "GET": pf_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": pf_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            pf_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            pf_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if request.method != "GET" && request.method != "HEAD" {
            try setBody(request.body, me)
        }

        lastActivity = Date()
        let code = curl_easy_perform(handle)
        if code == CURLE_ABORTED_BY_CALLBACK, idleExpired, let idle = idleTimeout {
            throw TransportError(kind: .timeout, code: Int(code.rawValue),
                                 message: "nothing arrived for \(Int(idle)) s (stalled: not a byte, not a keep-alive)", requestSent: bytesSent > 0)
        }
        if code == CURLE_WRITE_ERROR, bodyTooLarge {
            throw TransportError(kind: .other, code: Int(code.rawValue), message: "the answer is larger than the \(bodyLimit >> 20) MiB this call can need",
                                 requestSent: bytesSent > 0)
        }
        if code == CURLE_ABORTED_BY_CALLBACK, control?.isStopped == true || shouldStop?() == true {
            throw TransportError(kind: .cancelled, code: Int(code.rawValue), message: "cancelled", requestSent: bytesSent > 0)
        }
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError(kind: Self.kind(code), code: Int(code.rawValue), message: message, requestSent: bytesSent > 0)
        }
        return HTTPResponse(status: responseStatus(), headers: responseHeaders, body: responseBody)
    }

    private func responseStatus() -> Int {
        var status = 0
        pf_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// Proxies, decided here and not by libcurl's reading of the environment: a plain-http request
    /// (loopback only) never goes through a proxy, which would see its Authorization header in the
    /// clear; an https request uses the proxy the user named for https (`HTTPS_PROXY`, or
    /// `PREFLIGHT_HTTPS_PROXY`), minus `NO_PROXY`'s hosts. `ALL_PROXY` and `http_proxy` are not
    /// read: a proxy meant for other traffic is not one the user asked for here.
    static func setProxy(_ handle: UnsafeMutableRawPointer, for url: URL) {
        let proxy = url.scheme?.lowercased() == "https" ? ProxySetting.current : nil
        pf_curl_setopt_string(handle, CURLOPT_PROXY, proxy?.url ?? "")
        if let noProxy = proxy?.noProxy { pf_curl_setopt_string(handle, CURLOPT_NOPROXY, noProxy) }
    }

    /// The same rule as `FalEndpoints.requireSecure`, decided on libcurl's own reading of the URL
    /// (the parser that will connect), so a URL that two parsers read differently cannot slip by.
    static func refuseInsecure(_ text: String) throws(TransportError) {
        guard let parsed = curl_url() else { return }
        defer { curl_url_cleanup(parsed) }
        func part(_ p: CURLUPart) -> String? {
            var out: UnsafeMutablePointer<CChar>?
            guard curl_url_get(parsed, p, &out, 0) == CURLUE_OK, let out else { return nil }
            defer { curl_free(out) }
            return String(cString: out)
        }
        guard curl_url_set(parsed, CURLUPART_URL, text, 0) == CURLUE_OK else {
            throw TransportError(kind: .other, code: -1, message: "not a URL libcurl can read", requestSent: false)
        }
        let scheme = part(CURLUPART_SCHEME)?.lowercased()
        if scheme == "https" { return }
        if scheme == "http", let host = part(CURLUPART_HOST), FalEndpoints.isLoopback(host) { return }
        throw TransportError(kind: .insecure, code: -1, message: "refused to send anything over plain http to a host that is not loopback",
                             requestSent: false)
    }

    /// Every body goes through the read callback (CURLOPT_UPLOAD), so data and files share one path
    /// and files are read piece by piece as libcurl sends them.
    private func setBody(_ body: HTTPRequest.Body, _ me: UnsafeMutableRawPointer) throws(TransportError) {
        var length: Int64 = 0
        switch body {
        case .none:
            uploadData = Data()
        case .data(let data):
            uploadData = data
            length = Int64(data.count)
        case .file(let path, let offset, let count):
            guard let file = FileHandle(forReadingAtPath: path) else {
                throw TransportError(kind: .other, code: -1, message: "cannot read \(path)", requestSent: false)
            }
            do { try file.seek(toOffset: UInt64(offset)) } catch {
                throw TransportError(kind: .other, code: -1, message: "cannot seek in \(path)", requestSent: false)
            }
            upload = file
            uploadRemaining = count
            length = count
        }
        pf_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(length))
        // Bigger reads for big bodies: fewer callbacks and system calls per part (libcurl's default is 64 KB).
        if length > 1 << 20 { pf_curl_setopt_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, 1 << 20) }
        pf_curl_setopt_pointer(handle, CURLOPT_READDATA, me)
        pf_curl_setopt_read_callback(handle) { buffer, size, count, context in
            guard let context, let buffer else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let room = size * count
            if let file = transfer.upload {
                let want = Int(min(Int64(room), transfer.uploadRemaining))
                guard want > 0, let chunk = try? file.read(upToCount: want), !chunk.isEmpty else { return 0 }
                _ = chunk.copyBytes(to: UnsafeMutableRawBufferPointer(start: buffer, count: chunk.count).bindMemory(to: UInt8.self))
                transfer.uploadRemaining -= Int64(chunk.count)
                transfer.bytesSent += Int64(chunk.count)
                return chunk.count
            }
            guard let data = transfer.uploadData else { return 0 }
            let n = min(room, data.count - transfer.uploadOffset)
            guard n > 0 else { return 0 }
            data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + transfer.uploadOffset, byteCount: n)
            }
            transfer.uploadOffset += n
            transfer.bytesSent += Int64(n)
            return n
        }
    }

    private static func kind(_ code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .dns
        case CURLE_COULDNT_CONNECT: .refused
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING: .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE: .tls
        case CURLE_PARTIAL_FILE: .partial
        default: .other
        }
    }
}

/// Runs transfers on the transfer pool (libcurl blocks; the Swift concurrency pool must not) and
/// awaits them; status streams on a pool of their own, since each holds its thread while it waits.
public struct HTTPTransport: Sendable {
    /// The User-Agent header every request carries.
    public var userAgent: String

    /// A transport sending `userAgent` with every request.
    public init(userAgent: String = "preflight/0.1 (+libcurl)") { self.userAgent = userAgent }

    package func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let agent = userAgent
        let result: Result<HTTPResponse, TransportError> = await WorkerPool.transfers.run {
            Result { () throws(TransportError) in try CurlTransfer().perform(request, userAgent: agent) }
        }
        return try result.get()
    }

    /// GETs `request.url` straight into the file at `path` (memory stays flat whatever the size).
    /// The answer's body is the file's; an error answer's body (small) is returned instead.
    /// `stallTimeout`: seconds without a byte before the transfer counts as stalled and fails;
    /// `shouldStop`: asked about once a second (Ctrl-C, a deadline).
    package func download(_ request: HTTPRequest, to path: String, stallTimeout: Double = 30,
                         shouldStop: (@Sendable () -> Bool)? = nil) async throws(TransportError) -> HTTPResponse {
        let agent = userAgent
        let result: Result<HTTPResponse, TransportError> = await WorkerPool.transfers.run {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                guard let file = FileHandle(forWritingAtPath: path) else {
                    return .failure(TransportError(kind: .other, code: -1, message: "cannot write \(path)", requestSent: false))
                }
                defer { try? file.close() }
                let transfer = CurlTransfer()
                transfer.idleTimeout = stallTimeout
                transfer.shouldStop = shouldStop
                var failed = false
                transfer.onData = { chunk in
                    do { try file.write(contentsOf: chunk) } catch { failed = true; return false }
                    return true
                }
                let outcome = Result { () throws(TransportError) in try transfer.perform(request, userAgent: agent) }
                if failed, case .success = outcome {
                    return .failure(TransportError(kind: .other, code: -1, message: "cannot write \(path) (disk full?)", requestSent: false))
                }
                return outcome
        }
        return try result.get()
    }

    /// The body as it arrives, chunk by chunk (server-sent events); the stream ends with the
    /// transfer. It fails when nothing at all arrives for `idleTimeout` seconds, and stops when the
    /// consumer stops listening. An error answer ends it with `HTTPStatusError`, body included.
    /// The transfer waits while `BoundedChunks.capacity` chunks are unread: a server that sends
    /// faster than the reader reads fills the socket, not memory.
    package func stream(_ request: HTTPRequest, idleTimeout: Double = 15, shouldStop: (@Sendable () -> Bool)? = nil) -> BoundedChunks {
        let agent = userAgent
        let gate = ChunkGate()
        let base = AsyncThrowingStream<Data, Error> { continuation in
            let control = TransferControl()
            continuation.onTermination = { _ in control.stop(); gate.open() }
            WorkerPool.streams.submit {
                let transfer = CurlTransfer()
                transfer.idleTimeout = idleTimeout
                transfer.control = control
                transfer.shouldStop = shouldStop
                transfer.onData = { chunk in
                    guard gate.enter(while: { !control.isStopped }) else { return false }
                    if case .terminated = continuation.yield(chunk) { return false }
                    return true
                }
                do {
                    let response = try transfer.perform(request, userAgent: agent)
                    if response.status >= 400 { continuation.finish(throwing: HTTPStatusError(response: response)) } else { continuation.finish() }
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
        return BoundedChunks(base: base, gate: gate)
    }
}

/// A transfer's body chunks with back-pressure: each chunk read lets the transfer deliver one more.
package struct BoundedChunks: AsyncSequence, Sendable {
    package typealias Element = Data
    /// Chunks (up to libcurl's 16 KiB each) delivered but not yet read.
    package static let capacity = 64
    let base: AsyncThrowingStream<Data, Error>
    let gate: ChunkGate

    /// Reads the chunks in order; each read frees room for one more.
    package struct AsyncIterator: AsyncIteratorProtocol {
        var inner: AsyncThrowingStream<Data, Error>.AsyncIterator
        let gate: ChunkGate
        package mutating func next() async throws -> Data? {
            let chunk = try await inner.next()
            if chunk != nil { gate.leave() }
            return chunk
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: base.makeAsyncIterator(), gate: gate) }
}

/// Counts chunks in flight between a transfer thread and its reader.
final class ChunkGate: @unchecked Sendable {
    private let slots = DispatchSemaphore(value: BoundedChunks.capacity)
    private let lock = NSLock()
    private var isOpen = false

    /// Takes a slot, waiting while none is free and `alive()` holds; false when the reader is gone.
    func enter(while alive: () -> Bool) -> Bool {
        while true {
            if slots.wait(timeout: .now() + 0.25) == .success { return true }
            lock.lock(); let open = isOpen; lock.unlock()
            if open || !alive() { return false }
        }
    }

    func leave() { slots.signal() }

    /// The reader stopped: nothing waits for it any more.
    func open() { lock.lock(); isOpen = true; lock.unlock() }
}

/// Lets another thread stop a transfer in flight (checked at libcurl's progress ticks).
final class TransferControl: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    func stop() { lock.lock(); stopped = true; lock.unlock() }
    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}

/// A streamed request answered with an error status.
package struct HTTPStatusError: Error, Sendable {
    package var response: HTTPResponse
}
