import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PreflightCore

/// How local files go to fal storage.
public struct UploadOptions: Sendable {
    /// Files at least this big go up in parts (the official Python client switches at 100 MiB).
    public var multipartThreshold: Int64 = 100 << 20
    /// Bytes per part of a multipart upload (10 MiB by default).
    public var partSize: Int64 = 10 << 20
    /// Parts in flight at once.
    public var parallelParts = 4
    /// Tries per step (token, upload, multipart start, each part, complete) for failures a retry
    /// can help: the network, 408/409/429, 5xx. fal's CDN page says its client tries up to 10.
    public var attempts = 4
    /// First wait between tries; doubled each time, with jitter, up to `maximumDelay`.
    public var baseDelay = 0.25
    /// Longest wait between tries, in seconds.
    public var maximumDelay = 5.0
    /// Seconds fal should keep the uploaded file (X-Fal-Object-Lifecycle-Preference); nil leaves
    /// it to the account's settings.
    public var lifetime: Int?
    /// How long a cached upload URL is trusted when its lifetime is not known: short, so a cached
    /// URL never leads a model to a file that is gone (`file_download_error`).
    public var unknownLifetimeTrust = 3600.0
    /// Send files up to `dataURILimit` inline as data: URIs instead of uploading (only when asked).
    public var allowDataURI = false
    /// Largest file sent inline as a data: URI, in bytes (64 KiB by default).
    public var dataURILimit = 64 << 10
    /// Go straight to the older signed-URL path (`storage/upload/initiate`, then one PUT), which is
    /// also the fallback whenever the CDN path fails.
    public var signedURLOnly = false

    /// The defaults: multipart from 100 MiB in 10 MiB parts, 4 at once, 4 tries, no data: URIs.
    public init() {}

    /// Until when an upload made now may be reused: its known lifetime less a tenth (at least five
    /// minutes, for the model's own download), else the short default.
    public func trustedUntil(from now: Date = Date()) -> Date {
        guard let lifetime else { return now.addingTimeInterval(unknownLifetimeTrust) }
        let seconds = Double(lifetime)
        return now.addingTimeInterval(max(0, seconds - max(300, seconds / 10)))
    }
}

/// Remembers uploads by content hash, so the same bytes are not sent twice while their URL lives.
public protocol UploadCache: Sendable {
    func url(forHash hash: String) async -> URL?
    func remember(hash: String, url: URL, until: Date) async
}

/// An in-process cache (the journal keeps a durable one).
public actor MemoryUploadCache: UploadCache {
    private var entries: [String: (URL, Date)] = [:]
    /// An empty cache.
    public init() {}
    /// The URL a file of this content key was uploaded to, while it is still trusted; nil otherwise.
    public func url(forHash hash: String) -> URL? {
        guard let (url, until) = entries[hash], until > Date() else { return nil }
        return url
    }
    /// Remembers that the file of this content key is at `url` until `until`.
    public func remember(hash: String, url: URL, until: Date) { entries[hash] = (url, until) }
}

/// A CDN upload token, kept until shortly before it expires.
actor StorageTokens {
    struct Token: Decodable {
        var token: String
        var token_type: String
        var base_url: String
        var expires_at: String?
    }

    private var current: (Token, Date)?

    func get(_ fetch: @Sendable () async throws(FalError) -> Token) async throws(FalError) -> Token {
        if let (token, expiry) = current, expiry.timeIntervalSinceNow > 60 { return token }
        let token = try await fetch()
        let expiry = token.expires_at.flatMap { ISO8601DateFormatter.lenient($0) } ?? Date().addingTimeInterval(600)
        current = (token, expiry)
        return token
    }
}

extension ISO8601DateFormatter {
    static func lenient(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}

extension FalClient {
    /// Uploads a local file to fal storage, streamed from disk (memory does not grow with its size),
    /// and returns the URL to give the model. Each step is retried on failures a retry can help,
    /// and any failure of the CDN path falls back to the signed-URL path, as fal's Python client does.
    public func upload(file path: String, contentType: String? = nil, options: UploadOptions = UploadOptions(),
                       cache: UploadCache? = nil) async throws(FalError) -> URL {
        try await redacting { () async throws(FalError) -> URL in
            try await uploadUnredacted(file: path, contentType: contentType, options: options, cache: cache)
        }
    }

    private func uploadUnredacted(file path: String, contentType: String?, options: UploadOptions, cache: UploadCache?) async throws(FalError) -> URL {
        let size = try Self.regularFileSize(path)
        let name = Self.uploadName(path)
        let mime = contentType ?? Self.mimeType(for: path)
        if options.allowDataURI, size <= options.dataURILimit, let data = FileManager.default.contents(atPath: path),
           let inline = URL(string: "data:\(mime);base64,\(data.base64EncodedString())") {
            return inline
        }
        var hash: String?
        if let cache {
            hash = Self.cacheKey(path, size: size, fullHashBelow: options.multipartThreshold).map { "\(cacheScope)|\($0)" }
            if let hash, let known = await cache.url(forHash: hash) {
                log?("upload \(name): already uploaded (content hash \(hash.prefix(12))), reusing its URL")
                return known
            }
        }
        let url: URL
        if options.signedURLOnly {
            url = try await signedURLUpload(path, size: size, name: name, mime: mime, options: options)
        } else {
            do {
                let token = try await retrying("get an upload token", options) { () async throws(FalError) in try await storageToken() }
                url = size >= options.multipartThreshold
                    ? try await multipart(path, size: size, name: name, mime: mime, token: token, options: options)
                    : try await single(path, size: size, name: name, mime: mime, token: token, options: options)
            } catch where Self.canFallBack(error) {
                log?("upload \(name): the CDN path failed (\(error.message)); using a signed upload URL")
                url = try await signedURLUpload(path, size: size, name: name, mime: mime, options: options)
            }
        }
        if let cache, let hash { await cache.remember(hash: hash, url: url, until: options.trustedUntil()) }
        return url
    }

    /// The signed-URL path cannot help when the key, the account or the request itself is refused.
    static func canFallBack(_ error: FalError) -> Bool {
        ![.auth, .billing, .usage].contains(error.kind)
    }

    /// Only regular files: a folder, a device (/dev/zero never ends) or a FIFO (blocks forever) is
    /// refused before any network call.
    static func regularFileSize(_ path: String) throws(FalError) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw FalError(kind: .usage, message: "cannot read \(Redactor.printable(path)): \(String(cString: strerror(errno)))", hint: "Check the path.")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FalError(kind: .usage, message: "\(Redactor.printable(path)) is not a regular file",
                           hint: "Upload media files; folders, devices and pipes cannot be uploaded.")
        }
        return Int64(st.st_size)
    }

    /// The file name fal stores: the last path component, without control characters.
    static func uploadName(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        let text = String(String.UnicodeScalarView(name))
        return text.isEmpty ? "upload.bin" : text
    }

    /// Runs one upload step, again on failures that a retry can help, waiting longer each time.
    func retrying<T>(_ what: String, _ options: UploadOptions, _ step: () async throws(FalError) -> T) async throws(FalError) -> T {
        var attempt = 1
        while true {
            do { return try await step() } catch {
                guard attempt < max(1, options.attempts), error.retryable else { throw error }
                // The one backoff formula, with the Python client's ±50 % jitter.
                let delay = Backoff(base: options.baseDelay, maximum: options.maximumDelay, jitter: 0.5...1.5).delay(attempt: attempt)
                log?("\(what): attempt \(attempt) failed (\(error.message)); trying again in \(String(format: "%.2f", delay)) s")
                try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                attempt += 1
            }
        }
    }

    private func storageToken() async throws(FalError) -> StorageTokens.Token {
        let client = self
        return try await tokens.get { () async throws(FalError) -> StorageTokens.Token in
            let url = FalClient.with(client.endpoints.rest.appendingPathComponent("storage/auth/token"), query: "storage_type", "fal-cdn-v3")
            let response = try await client.send("POST", url, headers: [("Content-Type", "application/json")], body: .data(Data("{}".utf8)),
                                                 operation: "get an upload token")
            let token: StorageTokens.Token
            do { token = try JSONDecoder().decode(StorageTokens.Token.self, from: response.body) } catch {
                throw FalError(kind: .unexpectedOutput, message: "get an upload token: not the documented shape", hint: "The raw body is kept.",
                               status: response.status, rawBody: response.text)
            }
            // The token's base URL is a server's word: it must be a URL, and https (or loopback).
            guard let base = URL(string: token.base_url), base.host != nil else {
                throw FalError(kind: .unexpectedOutput, message: "get an upload token: its base_url is not a URL",
                               hint: "The storage service answered something unexpected; the upload falls back to a signed URL.",
                               rawBody: String(response.text.prefix(4096)))
            }
            do throws(FalError) { try FalEndpoints.requireSecure(base, name: "upload base_url returned by the token service") } catch {
                // A server's bad answer, not the user's mistake: the signed-URL fallback may still work.
                throw FalError(kind: .unexpectedOutput, message: "get an upload token: \(error.message)", hint: error.hint)
            }
            return token
        }
    }

    /// `POST {rest}/storage/upload/initiate?storage_type=gcs` for a signed URL, then `PUT` the bytes.
    private func signedURLUpload(_ path: String, size: Int64, name: String, mime: String, options: UploadOptions) async throws(FalError) -> URL {
        let initiate = FalClient.with(endpoints.rest.appendingPathComponent("storage/upload/initiate"), query: "storage_type", "gcs")
        let body = (try? JSONEncoder().encode(["file_name": name, "content_type": mime])) ?? Data()
        let lifecycle = options.lifetime.map { [("X-Fal-Object-Lifecycle-Preference", Self.lifecyclePreference(seconds: $0))] } ?? []
        let response = try await retrying("get a signed upload URL", options) { () async throws(FalError) in
            try await send("POST", initiate, headers: [("Content-Type", "application/json")] + lifecycle, body: .data(body),
                           operation: "get a signed upload URL for \(name)")
        }
        struct Signed: Decodable { var upload_url: String; var file_url: String }
        guard let signed = try? JSONDecoder().decode(Signed.self, from: response.body), let put = URL(string: signed.upload_url), put.host != nil,
              let file = URL(string: signed.file_url), file.host != nil else {
            throw FalError(kind: .unexpectedOutput, message: "get a signed upload URL: not the documented shape", hint: "The raw body is kept.",
                           rawBody: String(response.text.prefix(4096)))
        }
        try FalEndpoints.requireSecure(put, name: "signed upload")
        // The signed URL authorises itself: no fal key goes to the storage host.
        _ = try await retrying("upload \(name)", options) { () async throws(FalError) in
            try await send("PUT", put, headers: [("Content-Type", mime)], body: .file(path: path, offset: 0, length: size), timeout: nil,
                           operation: "upload \(name)", authorization: "")
        }
        return file
    }

    private func single(_ path: String, size: Int64, name: String, mime: String, token: StorageTokens.Token, options: UploadOptions) async throws(FalError) -> URL {
        let url = try Self.baseURL(token).appendingPathComponent("files/upload")
        let lifecycle = options.lifetime.map { [("X-Fal-Object-Lifecycle-Preference", Self.lifecyclePreference(seconds: $0))] } ?? []
        let response = try await retrying("upload \(name)", options) { () async throws(FalError) in
            try await send("POST", url, headers: [("Content-Type", mime), ("X-Fal-File-Name", name)] + lifecycle,
                           body: .file(path: path, offset: 0, length: size), timeout: nil,
                           operation: "upload \(name)", authorization: "\(token.token_type) \(token.token)")
        }
        return try accessURL(response, operation: "upload \(name)")
    }

    static func baseURL(_ token: StorageTokens.Token) throws(FalError) -> URL {
        guard let u = URL(string: token.base_url), u.host != nil else {
            throw FalError(kind: .unexpectedOutput, message: "the upload token's base_url is not a URL", hint: "Falling back to a signed URL.")
        }
        return u
    }

    private func multipart(_ path: String, size: Int64, name: String, mime: String, token: StorageTokens.Token,
                           options: UploadOptions) async throws(FalError) -> URL {
        let auth = "\(token.token_type) \(token.token)"
        let start = try Self.baseURL(token).appendingPathComponent("files/upload/multipart")
        let lifecycle = options.lifetime.map { [("X-Fal-Object-Lifecycle-Preference", Self.lifecyclePreference(seconds: $0))] } ?? []
        let begun = try await retrying("start a multipart upload of \(name)", options) { () async throws(FalError) in
            try await send("POST", start, headers: [("Content-Type", mime), ("X-Fal-File-Name", name)] + lifecycle, body: .data(Data()),
                           operation: "start a multipart upload of \(name)", authorization: auth)
        }
        struct Started: Decodable { var access_url: String; var uploadId: String }
        guard let started = try? JSONDecoder().decode(Started.self, from: begun.body), let access = URL(string: started.access_url), access.host != nil,
              !started.uploadId.isEmpty, !started.uploadId.contains("/") else {
            throw FalError(kind: .unexpectedOutput, message: "start a multipart upload: not the documented shape", hint: "The raw body is kept.", rawBody: begun.text)
        }
        let count = Int((size + options.partSize - 1) / options.partSize)
        let client = self
        var etags = [String](repeating: "", count: count)
        do {
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func launch(_ n: Int) {
                    group.addTask {
                        let offset = Int64(n) * options.partSize
                        let length = min(options.partSize, size - offset)
                        let url = access.appendingPathComponent("multipart/\(started.uploadId)/\(n + 1)")
                        return (n, try await client.uploadPart(path, url: url, offset: offset, length: length, mime: mime, auth: auth, options: options))
                    }
                }
                while next < min(count, options.parallelParts) { launch(next); next += 1 }
                while let (n, etag) = try await group.next() {
                    etags[n] = etag
                    if next < count { launch(next); next += 1 }
                }
            }
        } catch let e as FalError {
            throw e
        } catch {
            throw FalError(kind: .network, message: "upload \(name): \(error)", hint: "Retry.")
        }
        let parts = etags.enumerated().map { JSONValue.object(["partNumber": .integer($0.offset + 1), "etag": .string($0.element)]) }
        let body = (try? JSONEncoder().encode(JSONValue.object(["parts": .array(parts)]))) ?? Data()
        let completeURL = access.appendingPathComponent("multipart/\(started.uploadId)/complete")
        let done = try await retrying("complete the upload of \(name)", options) { () async throws(FalError) in
            try await send("POST", completeURL, headers: [("Content-Type", "application/json")], body: .data(body),
                           operation: "complete the upload of \(name)", authorization: auth)
        }
        return (try? accessURL(done, operation: "complete the upload of \(name)")) ?? access
    }

    /// One part, tried again on failures that a retry can help (parts are idempotent). It asks for
    /// an uncompressed answer and sends the file's real type, so that the ETag comes back untouched.
    func uploadPart(_ path: String, url: URL, offset: Int64, length: Int64, mime: String, auth: String, options: UploadOptions) async throws(FalError) -> String {
        try await retrying("upload part \(url.lastPathComponent)", options) { () async throws(FalError) -> String in
            let response = try await send("PUT", url, headers: [("Content-Type", mime), ("Accept-Encoding", "identity")],
                                          body: .file(path: path, offset: offset, length: length), timeout: nil,
                                          operation: "upload part \(url.lastPathComponent)", authorization: auth)
            guard let etag = response.header("etag"), !etag.isEmpty else {
                throw FalError(kind: .unexpectedOutput, message: "upload part \(url.lastPathComponent): no ETag in the answer", hint: "Retry.", retryable: true)
            }
            return etag
        }
    }

    private func accessURL(_ response: HTTPResponse, operation: String) throws(FalError) -> URL {
        struct Access: Decodable { var access_url: String }
        guard let a = try? JSONDecoder().decode(Access.self, from: response.body), let url = URL(string: a.access_url), url.host != nil else {
            throw FalError(kind: .unexpectedOutput, message: "\(operation): no access_url in the answer", hint: "The raw body is kept.", rawBody: response.text)
        }
        return url
    }

    /// Uploads live in one storage and one account: a URL from the simulator, or from another
    /// account, is never offered to fal. The scope names the storage base URL and the key's id
    /// (hashed: the journal never holds any part of a key).
    var cacheScope: String {
        let id = key.secret.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return String(ContentHash.data(Data("\(endpoints.rest.absoluteString)\n\(id)".utf8)).prefix(16))
    }

    /// The upload cache's key: the SHA-256 of the content, whatever the file's size (swift-crypto
    /// hashes a GiB in well under a second here), so a byte-identical copy anywhere is recognised.
    static func cacheKey(_ path: String, size: Int64, fullHashBelow limit: Int64) -> String? {
        (try? ContentHash.file(path)).map { "sha256:\($0)" }
    }

    static func mimeType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "mp4", "m4v": "video/mp4"
        case "mov", "qt": "video/quicktime"
        case "webm": "video/webm"
        case "mkv": "video/x-matroska"
        case "jpg", "jpeg": "image/jpeg"
        case "png": "image/png"
        case "webp": "image/webp"
        case "gif": "image/gif"
        case "mp3": "audio/mpeg"
        case "wav": "audio/wav"
        case "m4a", "aac": "audio/mp4"
        default: "application/octet-stream"
        }
    }
}
