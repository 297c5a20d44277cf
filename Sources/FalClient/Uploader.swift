import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ModelCatalog

/// How local files go to fal storage.
public struct UploadOptions: Sendable {
    /// Files at least this big go up in parts (the official Python client switches at 100 MiB).
    public var multipartThreshold: Int64 = 100 << 20
    public var partSize: Int64 = 10 << 20
    /// Parts in flight at once.
    public var parallelParts = 4
    /// Tries per part (a part is idempotent: sending it again is safe).
    public var partAttempts = 3
    /// Send files up to `dataURILimit` inline as data: URIs instead of uploading (only when asked).
    public var allowDataURI = false
    public var dataURILimit = 64 << 10
    /// Go straight to the older signed-URL path (`storage/upload/initiate`, then one PUT), which is
    /// also the fallback when the CDN token endpoint is missing.
    public var signedURLOnly = false

    public init() {}
}

/// Remembers uploads by content hash, so the same bytes are not sent twice while their URL lives.
public protocol UploadCache: Sendable {
    func url(forHash hash: String) async -> URL?
    func remember(hash: String, url: URL, until: Date) async
}

/// An in-process cache (the journal keeps a durable one).
public actor MemoryUploadCache: UploadCache {
    private var entries: [String: (URL, Date)] = [:]
    public init() {}
    public func url(forHash hash: String) -> URL? {
        guard let (url, until) = entries[hash], until > Date() else { return nil }
        return url
    }
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
    /// and returns the URL to give the model.
    public func upload(file path: String, contentType: String? = nil, options: UploadOptions = UploadOptions(),
                       cache: UploadCache? = nil) async throws(FalError) -> URL {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = (attributes[.size] as? NSNumber)?.int64Value else {
            throw FalError(category: .usage, message: "cannot read \(path)", hint: "Check the path.")
        }
        let name = (path as NSString).lastPathComponent
        let mime = contentType ?? Self.mimeType(for: path)
        if options.allowDataURI, size <= options.dataURILimit, let data = FileManager.default.contents(atPath: path) {
            return URL(string: "data:\(mime);base64,\(data.base64EncodedString())")!
        }
        var hash: String?
        if let cache {
            hash = Self.cacheKey(path, size: size, fullHashBelow: options.multipartThreshold)
            if let hash, let known = await cache.url(forHash: hash) {
                log?("upload \(name): already uploaded (content hash \(hash.prefix(12))), reusing its URL")
                return known
            }
        }
        let url: URL
        if options.signedURLOnly {
            url = try await signedURLUpload(path, size: size, name: name, mime: mime)
        } else {
            let token: StorageTokens.Token
            do {
                token = try await storageToken()
            } catch where error.category == .notFound || error.category == .unexpectedOutput {
                // An older storage API without CDN tokens: the signed-URL path still works.
                log?("upload \(name): no CDN upload token (\(error.message)); using a signed upload URL")
                url = try await signedURLUpload(path, size: size, name: name, mime: mime)
                if let cache, let hash { await cache.remember(hash: hash, url: url, until: Date().addingTimeInterval(86_400)) }
                return url
            }
            url = size >= options.multipartThreshold
                ? try await multipart(path, size: size, name: name, mime: mime, token: token, options: options)
                : try await single(path, size: size, name: name, mime: mime, token: token)
        }
        // fal keeps uploads for a while; remember them for a day at most.
        if let cache, let hash { await cache.remember(hash: hash, url: url, until: Date().addingTimeInterval(86_400)) }
        return url
    }

    private func storageToken() async throws(FalError) -> StorageTokens.Token {
        let client = self
        return try await tokens.get { () async throws(FalError) -> StorageTokens.Token in
            let url = FalClient.with(client.endpoints.rest.appendingPathComponent("storage/auth/token"), query: "storage_type", "fal-cdn-v3")
            let response = try await client.send("POST", url, headers: [("Content-Type", "application/json")], body: .data(Data("{}".utf8)),
                                                 operation: "get an upload token")
            do { return try JSONDecoder().decode(StorageTokens.Token.self, from: response.body) } catch {
                throw FalError(category: .unexpectedOutput, message: "get an upload token: not the documented shape", hint: "The raw body is kept.",
                               status: response.status, rawBody: response.text)
            }
        }
    }

    /// `POST {rest}/storage/upload/initiate?storage_type=gcs` for a signed URL, then `PUT` the bytes.
    private func signedURLUpload(_ path: String, size: Int64, name: String, mime: String) async throws(FalError) -> URL {
        let initiate = FalClient.with(endpoints.rest.appendingPathComponent("storage/upload/initiate"), query: "storage_type", "gcs")
        let body = (try? JSONEncoder().encode(["file_name": name, "content_type": mime])) ?? Data()
        let response = try await send("POST", initiate, headers: [("Content-Type", "application/json")], body: .data(body),
                                      operation: "get a signed upload URL for \(name)")
        struct Signed: Decodable { var upload_url: String; var file_url: String }
        guard let signed = try? JSONDecoder().decode(Signed.self, from: response.body), let put = URL(string: signed.upload_url),
              let file = URL(string: signed.file_url) else {
            throw FalError(category: .unexpectedOutput, message: "get a signed upload URL: not the documented shape", hint: "The raw body is kept.", rawBody: response.text)
        }
        // The signed URL authorises itself: no fal key goes to the storage host.
        _ = try await send("PUT", put, headers: [("Content-Type", mime)], body: .file(path: path, offset: 0, length: size), timeout: nil,
                           operation: "upload \(name)", authorization: "")
        return file
    }

    private func single(_ path: String, size: Int64, name: String, mime: String, token: StorageTokens.Token) async throws(FalError) -> URL {
        let url = URL(string: token.base_url)!.appendingPathComponent("files/upload")
        let response = try await send("POST", url, headers: [("Content-Type", mime), ("X-Fal-File-Name", name)],
                                      body: .file(path: path, offset: 0, length: size), timeout: nil,
                                      operation: "upload \(name)", authorization: "\(token.token_type) \(token.token)")
        return try accessURL(response, operation: "upload \(name)")
    }

    private func multipart(_ path: String, size: Int64, name: String, mime: String, token: StorageTokens.Token,
                           options: UploadOptions) async throws(FalError) -> URL {
        let auth = "\(token.token_type) \(token.token)"
        let start = URL(string: token.base_url)!.appendingPathComponent("files/upload/multipart")
        let begun = try await send("POST", start, headers: [("Content-Type", mime), ("X-Fal-File-Name", name)], body: .data(Data()),
                                   operation: "start a multipart upload of \(name)", authorization: auth)
        struct Started: Decodable { var access_url: String; var uploadId: String }
        guard let started = try? JSONDecoder().decode(Started.self, from: begun.body), let access = URL(string: started.access_url) else {
            throw FalError(category: .unexpectedOutput, message: "start a multipart upload: not the documented shape", hint: "The raw body is kept.", rawBody: begun.text)
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
                        return (n, try await client.uploadPart(path, url: url, offset: offset, length: length, auth: auth, attempts: options.partAttempts))
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
            throw FalError(category: .network, message: "upload \(name): \(error)", hint: "Retry.")
        }
        let parts = etags.enumerated().map { JSONValue.object(["partNumber": .integer($0.offset + 1), "etag": .string($0.element)]) }
        let body = (try? JSONEncoder().encode(JSONValue.object(["parts": .array(parts)]))) ?? Data()
        let completeURL = access.appendingPathComponent("multipart/\(started.uploadId)/complete")
        let done = try await send("POST", completeURL, headers: [("Content-Type", "application/json")], body: .data(body),
                                  operation: "complete the upload of \(name)", authorization: auth)
        return (try? accessURL(done, operation: "complete the upload of \(name)")) ?? access
    }

    /// One part, tried again on failures that a retry can help (parts are idempotent).
    func uploadPart(_ path: String, url: URL, offset: Int64, length: Int64, auth: String, attempts: Int) async throws(FalError) -> String {
        var last: FalError?
        for attempt in 1...max(1, attempts) {
            do throws(FalError) {
                let response = try await send("PUT", url, headers: [("Content-Type", "application/octet-stream")],
                                              body: .file(path: path, offset: offset, length: length), timeout: nil,
                                              operation: "upload part \(url.lastPathComponent)", authorization: auth)
                guard let etag = response.header("etag") else {
                    throw FalError(category: .unexpectedOutput, message: "upload part \(url.lastPathComponent): no ETag in the answer", hint: "Retry.")
                }
                return etag
            } catch {
                last = error
                guard error.retryable || error.category == .network else { throw error }
                log?("upload part \(url.lastPathComponent): attempt \(attempt) failed (\(error.message)); trying again")
                try? await Task.sleep(nanoseconds: UInt64(200_000_000 * attempt))
            }
        }
        throw last!
    }

    private func accessURL(_ response: HTTPResponse, operation: String) throws(FalError) -> URL {
        struct Access: Decodable { var access_url: String }
        guard let a = try? JSONDecoder().decode(Access.self, from: response.body), let url = URL(string: a.access_url) else {
            throw FalError(category: .unexpectedOutput, message: "\(operation): no access_url in the answer", hint: "The raw body is kept.", rawBody: response.text)
        }
        return url
    }

    /// The upload cache's key: the SHA-256 of the content for files under `fullHashBelow`; above it,
    /// hashing would cost as much as uploading (about 3 s per GiB here), so the key is the file's
    /// identity instead (device, inode, size, modification time): the same file is still recognised,
    /// a byte-identical copy elsewhere is not.
    static func cacheKey(_ path: String, size: Int64, fullHashBelow limit: Int64) -> String? {
        if size < limit { return (try? SHA256.file(path)).map { "sha256:\($0)" } }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "file:\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
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
