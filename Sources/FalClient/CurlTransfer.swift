import CCurl
import Foundation

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
    /// Receives body bytes as they arrive instead of collecting them (status streams).
    var onData: ((Data) -> Bool)?

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
        pf_curl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        pf_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        // Threads: no signals for timeouts; TLS verified; HTTP/2 where the server offers it over TLS.
        pf_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        pf_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        pf_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        pf_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        pf_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 15)
        if let timeout = request.timeout { pf_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000)) }
        // A stalled transfer (under 1 KB/s for 30 s) fails instead of hanging.
        pf_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1024)
        pf_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, 30)
        pf_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        // Proxies: libcurl reads http_proxy / https_proxy / no_proxy from the environment itself.

        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        // curl adds "Expect: 100-continue" to large uploads, which costs a round trip per part.
        headerList = curl_slist_append(headerList, "Expect:")
        pf_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        pf_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        pf_curl_setopt_write_callback(handle) { buffer, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            let chunk = Data(bytes: buffer!, count: n)
            if let onData = transfer.onData { return onData(chunk) ? n : 0 }
            transfer.responseBody.append(chunk)
            return n
        }
        pf_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        pf_curl_setopt_header_callback(handle) { buffer, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
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

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError(kind: Self.kind(code), code: Int(code.rawValue), message: message, requestSent: bytesSent > 0)
        }
        var status = 0
        pf_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: responseHeaders, body: responseBody)
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
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let room = size * count
            if let file = transfer.upload {
                let want = Int(min(Int64(room), transfer.uploadRemaining))
                guard want > 0, let chunk = try? file.read(upToCount: want), !chunk.isEmpty else { return 0 }
                chunk.copyBytes(to: UnsafeMutableRawBufferPointer(start: buffer, count: chunk.count).bindMemory(to: UInt8.self))
                transfer.uploadRemaining -= Int64(chunk.count)
                transfer.bytesSent += Int64(chunk.count)
                return chunk.count
            }
            guard let data = transfer.uploadData else { return 0 }
            let n = min(room, data.count - transfer.uploadOffset)
            guard n > 0 else { return 0 }
            data.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer!).copyMemory(from: raw.baseAddress! + transfer.uploadOffset, byteCount: n)
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

/// Runs transfers on their own threads (libcurl blocks; the Swift concurrency pool must not) and
/// awaits them. Any number may run at once.
public struct HTTPTransport: Sendable {
    public var userAgent: String

    public init(userAgent: String = "preflight/0.1 (+libcurl)") { self.userAgent = userAgent }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let agent = userAgent
        let result: Result<HTTPResponse, TransportError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                let transfer = CurlTransfer()
                continuation.resume(returning: Result { () throws(TransportError) in try transfer.perform(request, userAgent: agent) })
            }
            thread.start()
        }
        return try result.get()
    }

    /// The body as it arrives, chunk by chunk (server-sent events); the stream ends with the transfer.
    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<Data, Error> {
        let agent = userAgent
        return AsyncThrowingStream { continuation in
            let thread = Thread {
                let transfer = CurlTransfer()
                transfer.onData = { chunk in
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
            thread.start()
        }
    }
}

/// A streamed request answered with an error status.
public struct HTTPStatusError: Error, Sendable {
    public var response: HTTPResponse
}
