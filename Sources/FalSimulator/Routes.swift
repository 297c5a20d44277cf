import Foundation
import HTTPTypes
import Hummingbird
import ModelCatalog

/// Request handling. fal's hosts share one server here: paths under /storage, /files, /uploads and
/// /api are storage and status; everything else is the queue.
struct Routes: Sendable {
    let server: FalSimulatorServer
    let baseURL: @Sendable () -> URL

    var state: SimulatorState { server.state }
    var config: FalSimulatorServer.Configuration { server.configuration }

    func register(on router: Router<BasicRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put] {
            router.on("**", method: method) { request, _ in
                var response = try await self.handle(request)
                let named = request.headers[HTTPField.Name("X-Sim-Scenario")!]
                if let seed = self.config.scenarios.scenario(named: named, model: nil).chaosSeed {
                    response = await Chaos.mutate(response, seed: seed, counter: self.state.nextChaosCounter(), request: request)
                }
                await self.state.record("\(request.method.rawValue) \(request.uri.path) -> \(response.status.code)")
                return response
            }
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        let path = request.uri.path.split(separator: "/").map(String.init)
        let scenarioName = request.headers[HTTPField.Name("X-Sim-Scenario")!]
        let general = config.scenarios.scenario(named: scenarioName, model: nil)
        if general.delayMs > 0 { try await Task.sleep(nanoseconds: UInt64(general.delayMs) * 1_000_000) }

        switch (request.method, path.first) {
        case (.get, "api"):
            return Answer.json(200, ["status": ["indicator": "none", "description": "All Systems Operational"]])
        case (.get, "_sim"):
            // The simulator's own record of what it accepted, for crash trials and benchmarks
            // (not part of fal's API).
            let list = await state.requests.values.sorted { $0.submittedAt < $1.submittedAt }.map { r -> JSONValue in
                ["id": .string(r.id), "model": .string(r.model), "state": .string(r.state), "prompt": r.input["prompt"] ?? .null]
            }
            return Answer.json(200, ["requests": .array(list)])
        case (.post, "storage"):
            if path.dropFirst().first == "auth", let fault = await server.faults.next(.token, faults: general.faults) {
                return fault.response(requestID: nil, base: baseURL())
            }
            return try await storage(request, path, general)
        case (_, "files"), (_, "uploads"):
            let route: Fault.Route = request.method == .get ? .download : .upload
            if let fault = await server.faults.next(route, faults: general.faults) {
                if request.method != .get { _ = try await request.body.collect(upTo: .max) }
                if fault.behaviour == .stall {
                    let server = self.server
                    return Fault.stalled(prefix: Data(repeating: 0, count: 4096), declaredLength: 64 << 20, stallMs: fault.stallMs,
                                         stopping: { [weak server] in server?.isStopping ?? true })
                }
                return fault.response(requestID: nil, base: baseURL())
            }
            return try await cuttingUploads { try await files(request, path, general) }
        default:
            return try await Queue(routes: self).handle(request, path, scenarioName: scenarioName)
        }
    }

    /// The X-Fal-* headers (and the content negotiation ones) of a request, names lower-cased.
    static func falHeaders(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            if name.hasPrefix("x-fal-") || name == "content-type" || name == "accept-encoding" { out[name] = field.value }
        }
        out[":path"] = request.uri.path
        return out
    }

    // MARK: - Keys

    /// fal's 401 bodies, from the Authorization header.
    func authorize(_ request: Request, _ scenario: Scenario) -> Response? {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Key ") else {
            return Answer.detail(401, "Invalid Key Authorization header format. Expected '<key_id>:<key_secret>'.")
        }
        let key = String(header.dropFirst(4))
        guard key.contains(":") else { return Answer.detail(401, "Invalid Key Authorization header format. Expected '<key_id>:<key_secret>'.") }
        guard !scenario.invalidKey, config.keys.contains(key) else { return Answer.detail(401, "No user found for Key ID and Secret") }
        return nil
    }

    static let lockedBody = "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."

    // MARK: - Storage

    private func storage(_ request: Request, _ path: [String], _ scenario: Scenario) async throws -> Response {
        if let refusal = authorize(request, scenario) { return refusal }
        await state.recordUpload(headers: Self.falHeaders(request))
        if let echo = Answer.echoingKey(request, scenario) { return echo }
        if scenario.locked { return Answer.detail(403, Self.lockedBody) }
        let base = baseURL()
        switch path.dropFirst().first {
        case "auth": // /storage/auth/token?storage_type=fal-cdn-v3
            let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            return Answer.json(200, ["token": .string("sim-cdn-token"), "token_type": "Bearer",
                                     "base_url": .string(scenario.tokenBaseURL ?? base.absoluteString), "expires_at": .string(expires)])
        case "upload": // /storage/upload/initiate?storage_type=gcs
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
            let name = json?["file_name"]?.stringValue ?? "upload.bin"
            let (id, _) = try await state.newFileFolder()
            // A hostile server: a signed URL on plain http to a host that is not loopback (the
            // reserved .invalid name: nothing is ever there, and the client must not try).
            let upload = scenario.signedURLOnHTTP ? "http://storage.example.invalid/uploads/\(id)/\(name)"
                                                  : base.appendingPathComponent("uploads/\(id)/\(name)").absoluteString
            return Answer.json(200, ["upload_url": .string(upload),
                                     "file_url": .string(base.appendingPathComponent("files/\(id)/\(name)").absoluteString)])
        default:
            return Answer.detail(404, "Not Found")
        }
    }

    private func files(_ request: Request, _ path: [String], _ scenario: Scenario) async throws -> Response {
        let base = baseURL()
        let bearer = request.headers[.authorization] == "Bearer sim-cdn-token"
        // GET /files/<id>/<name>: public, as fal's CDN is.
        if request.method == .get, path.count == 3 {
            let file = await state.storage.appendingPathComponent("\(path[1])/\(path[2])")
            guard FileManager.default.fileExists(atPath: file.path), await !state.isExpired(file: path[1]) else { return Answer.detail(404, "File not found") }
            return try serve(file)
        }
        // PUT /uploads/<id>/<name>: the signed-URL fallback.
        if request.method == .put, path.first == "uploads", path.count == 3 {
            let file = await state.storage.appendingPathComponent("\(path[1])/\(path[2])")
            try await receive(request, into: file, scenario: scenario)
            return Response(status: .ok)
        }
        guard bearer else { return Answer.detail(401, "Invalid or missing upload token") }
        if scenario.cdnUploadFails, request.method == .post, path == ["files", "upload"] || path == ["files", "upload", "multipart"] {
            _ = try await request.body.collect(upTo: .max)
            return Answer.infrastructure(500, type: "internal_error", requestID: nil)
        }
        if request.method != .get { await state.recordUpload(headers: Self.falHeaders(request)) }
        // POST /files/upload
        if request.method == .post, path == ["files", "upload"] {
            let name = request.headers[HTTPField.Name("X-Fal-File-Name")!] ?? "upload.bin"
            let (id, folder) = try await state.newFileFolder()
            try await receive(request, into: folder.appendingPathComponent(name), scenario: scenario)
            return Answer.json(200, ["access_url": .string(base.appendingPathComponent("files/\(id)/\(name)").absoluteString)])
        }
        // POST /files/upload/multipart
        if request.method == .post, path == ["files", "upload", "multipart"] {
            let name = request.headers[HTTPField.Name("X-Fal-File-Name")!] ?? "upload.bin"
            let (id, folder) = try await state.newFileFolder()
            let upload = await state.startMultipart(id: id, folder: folder, name: name)
            return Answer.json(200, ["access_url": .string(base.appendingPathComponent("files/\(id)/\(name)").absoluteString), "uploadId": .string(upload)])
        }
        // PUT /files/<id>/<name>/multipart/<upload>/<n>  and  POST .../complete
        if path.count == 6, path[3] == "multipart", let upload = await state.multipartUpload(path[4]) {
            if request.method == .put, let n = Int(path[5]) {
                if let failing = scenario.failPart, failing == n, await state.shouldFailPart(upload: path[4], part: n, times: scenario.failPartTimes) {
                    _ = try await request.body.collect(upTo: .max)
                    return Answer.infrastructure(500, type: "internal_error", requestID: nil)
                }
                let part = upload.folder.appendingPathComponent(".part-\(n)")
                try await receive(request, into: part, scenario: scenario)
                var headers = HTTPFields()
                let etag = "\"etag-\(path[4].prefix(8))-\(n)-\(try fileSize(part))\""
                let identity = (request.headers[.acceptEncoding] ?? "").lowercased().contains("identity")
                if scenario.compressPartAnswers, !identity {
                    // What a compressing proxy does: a gzip body and a weak ETag, which no longer
                    // names the stored bytes.
                    headers[.eTag] = "W/" + etag
                    headers[.contentEncoding] = "gzip"
                    let gzipEmptyJSON: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 255, 171, 174, 5, 0, 67, 191, 166, 163, 2, 0, 0, 0] // gzip of "{}"
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: gzipEmptyJSON)))
                }
                headers[.eTag] = etag
                return Response(status: .ok, headers: headers)
            }
            if request.method == .post, path[5] == "complete" {
                let body = try await request.body.collect(upTo: 1 << 20)
                let json = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
                // Clients list parts in the order they finished (fal-client does); order by number.
                var etags: [Int: String] = [:]
                for part in json?["parts"]?.arrayValue ?? [] {
                    if let n = part["partNumber"]?.numberValue, let etag = part["etag"]?.stringValue { etags[Int(n)] = etag }
                }
                let target = upload.folder.appendingPathComponent(upload.name)
                FileManager.default.createFile(atPath: target.path, contents: nil)
                let out = try FileHandle(forWritingTo: target)
                defer { try? out.close() }
                for n in 1...max(1, etags.count) {
                    let partFile = upload.folder.appendingPathComponent(".part-\(n)")
                    guard let etag = etags[n], FileManager.default.fileExists(atPath: partFile.path), !etag.hasPrefix("W/"),
                          etag.hasSuffix("-\(n)-\(try fileSize(partFile))\"") else {
                        return Answer.detail(400, "Part \(n) is missing or its ETag does not match")
                    }
                    let input = try FileHandle(forReadingFrom: partFile)
                    while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try out.write(contentsOf: chunk) }
                    try input.close()
                    try FileManager.default.removeItem(at: partFile)
                }
                await state.finishMultipart(path[4])
                return Answer.json(200, ["access_url": .string(base.appendingPathComponent("files/\(path[1])/\(path[2])").absoluteString)])
            }
        }
        return Answer.detail(404, "Not Found")
    }

    /// Streams a request body to disk (memory stays flat for a 1 GiB upload); a scenario may cut
    /// the connection part-way, as a broken network would.
    private func receive(_ request: Request, into file: URL, scenario: Scenario) async throws {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var received = 0
        for try await buffer in request.body {
            received += buffer.readableBytes
            if let limit = scenario.dropUploadAfter, received > limit {
                try? FileManager.default.removeItem(at: file)
                throw SimulatedDrop()
            }
            try handle.write(contentsOf: buffer.readableBytesView)
        }
    }

    /// Runs an upload handler; when the scenario cuts the upload, the connection is dropped after
    /// the head of an answer, so the client sees a broken transfer rather than an HTTP error.
    func cuttingUploads(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch is SimulatedDrop {
            var headers = HTTPFields()
            headers[.contentLength] = "64"
            return Response(status: .ok, headers: headers, body: .init { writer in
                try await writer.write(ByteBuffer(string: "{"))
                try await Task.sleep(nanoseconds: 50_000_000)
                throw SimulatedDrop()
            })
        }
    }

    private func serve(_ file: URL) throws -> Response {
        let size = try fileSize(file)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.contentLength] = String(size)
        return Response(status: .ok, headers: headers, body: .init(contentLength: Int(size)) { writer in
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        })
    }

    func fileSize(_ url: URL) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// Thrown to close a connection mid-transfer (the server drops it without an answer).
struct SimulatedDrop: Error {}
