import Foundation
import HTTPTypes
import Hummingbird
import ModelCatalog

/// The queue: submit, status (and its event stream), result, cancel, with fal's URL rules (status
/// URLs drop the model's sub-path) and shapes.
struct Queue {
    let routes: Routes

    func handle(_ request: Request, _ path: [String], scenarioName: String?) async throws -> Response {
        guard !path.isEmpty else { return Answer.detail(404, "Not Found") }
        // owner/app, or three segments for workflows/comfy.
        let appLength = ["workflows", "comfy"].contains(path[0]) ? 3 : 2
        if path.count > appLength, path[appLength] == "requests", path.count >= appLength + 2 {
            let id = path[appLength + 1]
            let rest = Array(path.dropFirst(appLength + 2))
            guard let sim = await routes.state.request(id) else {
                // fal's cancel answers its own shape for an unknown id; the rest say "Request not found".
                if request.method == .put, rest == ["cancel"] { return Answer.json(404, ["status": "NOT_FOUND"]) }
                return Answer.detail(404, "Request not found")
            }
            if let refusal = routes.authorize(request, sim.scenario) { return refusal }
            if let faulty = await fault(request.method, rest, sim) { return faulty }
            switch (request.method, rest) {
            case (.get, ["status"]): return await status(sim, request)
            case (.get, ["status", "stream"]): return stream(sim)
            case (.get, []): return try await result(sim)
            case (.put, ["cancel"]): return await cancel(sim)
            default: return Answer.detail(405, "Method Not Allowed")
            }
        }
        guard request.method == .post else { return Answer.detail(405, "Method Not Allowed") }
        return try await submit(request, model: path.joined(separator: "/"), app: path.prefix(appLength).joined(separator: "/"), scenarioName: scenarioName)
    }

    private func submit(_ request: Request, model: String, app: String, scenarioName: String?) async throws -> Response {
        let scenario = routes.config.scenarios.scenario(named: scenarioName, model: model)
        if let refusal = routes.authorize(request, scenario) { return refusal }
        if let echo = Answer.echoingKey(request, scenario) { return echo }
        if scenario.locked { return Answer.detail(403, Routes.lockedBody) }
        if scenario.failSubmits > 0, await routes.state.shouldFailSubmit(key: scenarioName ?? model, times: scenario.failSubmits) {
            _ = try await request.body.collect(upTo: 16 << 20)
            return Answer.failedSubmit(scenario)
        }
        var headers: [String: String] = [:]
        for field in request.headers where field.name.canonicalName.lowercased().hasPrefix("x-fal-") {
            headers[field.name.canonicalName.lowercased()] = field.value
        }
        await routes.state.recordSubmit(webhook: request.uri.queryParameters.get("fal_webhook"), headers: headers)
        let body = try await request.body.collect(upTo: 16 << 20)
        guard case .object(let input)? = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)) else {
            return Answer.json(422, ["detail": [["loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"]]])
        }
        let id = UUID().uuidString.lowercased()
        let sim = SimRequest(id: id, model: model, app: app, input: input, scenario: scenario)
        var fault = await routes.server.faults.next(.submit, faults: scenario.faults)
        if let fault, !fault.accepted { return fault.response(requestID: nil, base: routes.baseURL()) }
        await routes.state.add(sim)
        if let slow = fault, slow.behaviour == .slow {
            // Accepted, and the answer is slow to come back.
            fault = nil
            try await Task.sleep(nanoseconds: UInt64(slow.stallMs) * 1_000_000)
        }
        let base = routes.baseURL().appendingPathComponent("\(app)/requests/\(id)")
        if let fault { return fault.response(requestID: id, base: routes.baseURL()) }
        if scenario.dropSubmitAnswer { return Answer.cutOff(status: 200) }
        return Answer.json(200, [
            "status": "IN_QUEUE", "request_id": .string(id), "queue_position": .integer(sim.queuePosition),
            "response_url": .string(base.absoluteString), "status_url": .string(base.appendingPathComponent("status").absoluteString),
            "cancel_url": .string(base.appendingPathComponent("cancel").absoluteString),
        ], headers: [("x-fal-request-id", id)])
    }

    /// A scripted fault answering this call instead of fal (Faults.swift), if one covers it.
    private func fault(_ method: HTTPRequest.Method, _ rest: [String], _ sim: SimRequest) async -> Response? {
        let route: Fault.Route
        switch (method, rest) {
        case (.get, ["status"]): route = .status
        case (.get, ["status", "stream"]): route = .stream
        case (.get, []): route = .result
        case (.put, ["cancel"]): route = .cancel
        default: return nil
        }
        guard let fault = await routes.server.faults.next(route, faults: sim.scenario.faults) else { return nil }
        let server = routes.server
        let stopping: @Sendable () -> Bool = { [weak server] in server?.isStopping ?? true }
        switch fault.behaviour {
        case .answer:
            return fault.response(requestID: sim.id, base: routes.baseURL())
        case .slow:
            try? await Task.sleep(nanoseconds: UInt64(fault.stallMs) * 1_000_000)
            return nil
        case .stall:
            return Fault.stalled(prefix: Data(#"{"status":"#.utf8), declaredLength: 1 << 20, stallMs: fault.stallMs, stopping: stopping)
        case .keepaliveForever:
            return Fault.keepaliveForever(stopping: stopping)
        case .endlessLine:
            return Fault.endlessLine(sizeBytes: fault.sizeBytes, stopping: stopping)
        case .hugeResult, .hugeDataURI:
            // The model really ran: the huge answer names (or inlines) its real output.
            guard let done = await current(sim.id), done.state == "COMPLETED", case .success(let body)? = done.outcome else { return nil }
            if fault.behaviour == .hugeResult { return Fault.hugeResult(body, sizeBytes: fault.sizeBytes, requestID: sim.id) }
            let url = body["video"]?["url"]?.stringValue.flatMap(URL.init(string:))
            let storage = await routes.state.storage
            let file = url.map { storage.appendingPathComponent($0.pathComponents.suffix(2).joined(separator: "/")) }
            return Fault.dataURIResult(file: file, contentType: body["video"]?["content_type"]?.stringValue ?? "video/mp4",
                                       sizeBytes: fault.sizeBytes, requestID: sim.id)
        }
    }

    /// Where the request is now; the first look at a completed request runs the model.
    private func current(_ id: String) async -> SimRequest? {
        guard var sim = await routes.state.request(id) else { return nil }
        if sim.state == "COMPLETED", sim.outcome == nil, !sim.cancelled {
            let outcome = await ModelRunner(catalog: routes.config.catalog, storage: routes.state.storage, baseURL: routes.baseURL())
                .run(model: sim.model, input: sim.input, scenario: sim.scenario)
            sim = await routes.state.update(id) { $0.outcome = $0.outcome ?? outcome } ?? sim
            // Outputs that expire (fal's `expires_in`): counted from the completion, not from this look.
            if let ms = sim.scenario.outputsExpireMs, case .success(let body)? = sim.outcome {
                let completed = sim.submittedAt.addingTimeInterval(Double(sim.scenario.queueMs + sim.scenario.progressMs) / 1000)
                await routes.state.expire(files: Self.fileIDs(in: body), at: completed.addingTimeInterval(Double(ms) / 1000))
            }
        }
        return sim
    }

    /// The stored files a result names (…/files/<id>/<name>).
    static func fileIDs(in value: JSONValue) -> [String] {
        switch value {
        case .string(let s):
            guard let url = URL(string: s), url.pathComponents.count >= 3, url.pathComponents.dropLast(2).last == "files" else { return [] }
            return [url.pathComponents[url.pathComponents.count - 2]]
        case .array(let items): return items.flatMap(fileIDs)
        case .object(let fields): return fields.values.flatMap(fileIDs)
        default: return []
        }
    }

    private func statusBody(_ sim: SimRequest, logs: Bool) -> JSONValue {
        let base = routes.baseURL().appendingPathComponent("\(sim.app)/requests/\(sim.id)")
        var o: [String: JSONValue] = ["status": .string(sim.state), "request_id": .string(sim.id), "response_url": .string(base.absoluteString)]
        switch sim.state {
        case "IN_QUEUE":
            o["queue_position"] = sim.scenario.absurdNumbers ? .number(1e300) : .integer(sim.queuePosition)
        case "IN_PROGRESS":
            // fal always sends the key (null without ?logs=1); the official clients read it unconditionally.
            o["logs"] = logs ? [["message": "Running the model", "level": "INFO", "source": "USER", "timestamp": .string(ISO8601DateFormatter().string(from: Date()))]] : .null
        default:
            o["logs"] = logs ? [] : .null
            o["metrics"] = ["inference_time": sim.scenario.absurdNumbers ? .number(-1e308) : .number(0.42)]
            if sim.cancelled {
                o["error"] = "Request was cancelled"
                o["error_type"] = "client_cancelled"
            } else if let failure = failure(of: sim) {
                o["error"] = .string(failure.message)
                // Only request-level (infrastructure) types go in the status; a model's own types
                // (422s, internal_server_error...) stay in the result body, as on fal.
                if let type = failure.requestErrorType { o["error_type"] = .string(type) }
            }
        }
        return .object(o)
    }

    private func failure(of sim: SimRequest) -> (message: String, requestErrorType: String?)? {
        if let status = sim.scenario.resultStatus {
            let type = sim.scenario.resultErrorType ?? Answer.errorTypeFor(status: status)
            return ("Invalid status code: \(status)", Answer.requestErrorTypes.contains(type) ? type : nil)
        }
        if sim.scenario.userStartTimeout { return ("Request timed out", "request_timeout") }
        if case .failure(let status, _, _)? = sim.outcome { return ("Invalid status code: \(status)", nil) }
        return nil
    }

    private func status(_ sim: SimRequest, _ request: Request) async -> Response {
        let updated = await current(sim.id) ?? sim
        let logs = ["1", "true"].contains((request.uri.queryParameters.get("logs") ?? "0").lowercased())
        return Answer.json(updated.state == "COMPLETED" ? 200 : 202, statusBody(updated, logs: logs), headers: [("x-fal-request-id", sim.id)])
    }

    /// Server-sent events: a `data:` line when the state changes, keep-alive comments between
    /// (none when `keepalive_ms` is 0), closed after COMPLETED.
    private func stream(_ sim: SimRequest) -> Response {
        if sim.scenario.locked || sim.scenario.streamLocked { return Answer.detail(403, Routes.lockedBody) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        if sim.scenario.silentStream {
            // A buffering proxy: the connection stays open and not a byte arrives.
            return Response(status: .ok, headers: headers, body: .init { writer in
                while !self.routes.server.isStopping { try await Task.sleep(nanoseconds: 50_000_000) }
                try await writer.finish(nil)
            })
        }
        let end = sim.scenario.lineEnding
        let keepalive = Double(sim.scenario.keepaliveMs) / 1000
        return Response(status: .ok, headers: headers, body: .init { writer in
            var last = ""
            var lastWrite = Date()
            while !self.routes.server.isStopping {
                guard let now = await self.current(sim.id) else { break }
                if now.state != last {
                    // A slow loop (a loaded machine) may see IN_QUEUE and then COMPLETED: fal would
                    // have said IN_PROGRESS between them, so the stream says it too.
                    let order = ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]
                    if let from = order.firstIndex(of: last), let to = order.firstIndex(of: now.state), to > from + 1, !now.cancelled {
                        for skipped in order[(from + 1)..<to] {
                            let body: JSONValue = ["status": .string(skipped), "request_id": .string(now.id), "logs": []]
                            let data = try JSONEncoder().encode(body)
                            try await writer.write(ByteBuffer(string: "data: " + String(decoding: data, as: UTF8.self) + end + end))
                        }
                    }
                    last = now.state
                    let data = try JSONEncoder().encode(self.statusBody(now, logs: true))
                    try await writer.write(ByteBuffer(string: "data: " + String(decoding: data, as: UTF8.self) + end + end))
                    lastWrite = Date()
                    if now.state == "COMPLETED" { break }
                } else if keepalive > 0, Date().timeIntervalSince(lastWrite) >= keepalive {
                    try await writer.write(ByteBuffer(string: ": keep-alive" + end + end))
                    lastWrite = Date()
                }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            try await writer.finish(nil)
        })
    }

    private func result(_ sim: SimRequest) async throws -> Response {
        let sim = await current(sim.id) ?? sim
        let idHeader = [("x-fal-request-id", sim.id)]
        guard sim.state == "COMPLETED" else { return Answer.detail(400, "Request is still in progress", headers: idHeader) }
        let s = sim.scenario
        if s.resultExpired { return Answer.detail(404, "Request not found") }
        if s.userStartTimeout {
            return Answer.json(504, ["detail": "Request timed out", "error_type": "request_timeout"],
                               headers: idHeader + [("X-Fal-Request-Timeout-Type", "user"), ("X-Fal-Error-Type", "request_timeout"), ("X-Fal-Retryable", "false")])
        }
        if sim.cancelled { return Answer.detail(400, "Request was cancelled", headers: idHeader) }
        if let status = s.resultStatus {
            return Answer.modelFailure(status: status, type: s.resultErrorType ?? Answer.errorTypeFor(status: status), requestID: sim.id,
                                       retryable: s.resultRetryable)
        }
        if s.malformedResult {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[HTTPField.Name("x-fal-request-id")!] = sim.id
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"video\": {\"url\": ")))
        }
        switch sim.outcome {
        case .failure(let status, let body, _)?:
            return Answer.json(status, body, headers: idHeader + [("X-Fal-Retryable", "false")])
        case .success(let body)?:
            if s.dropResult { return Answer.cutOff(status: 200, body: try JSONEncoder().encode(body)) }
            return Answer.json(200, body, headers: idHeader)
        case nil:
            return Answer.detail(400, "Request is still in progress", headers: idHeader)
        }
    }

    private func cancel(_ sim: SimRequest) async -> Response {
        if sim.state == "COMPLETED" { return Answer.json(400, ["status": "ALREADY_COMPLETED"]) }
        // A running request may finish before the cancel reaches it: fal says "requested" either way.
        if !sim.scenario.cancelLosesRace { _ = await routes.state.update(sim.id) { $0.cancelled = true } }
        return Answer.json(202, ["status": "CANCELLATION_REQUESTED"])
    }
}
