import Foundation
import MediaProbe
import PreflightCore
import ModelCatalog

/// What a simulated model does with a request: fetch its media (from the simulator's own storage or
/// a data: URI), probe it, enforce the model's true limits as fal does (422s with `type` and `ctx`),
/// and on success return a real file in fal's result shape.
struct ModelRunner: Sendable {
    /// Simulated models probe files with ffprobe: blocking work, on threads of their own.
    static let pool = WorkerPool(name: "fal-sim.models", width: max(2, ProcessInfo.processInfo.activeProcessorCount))

    let catalog: Catalog
    let storage: URL
    let baseURL: URL

    func run(model: String, input: [String: JSONValue], scenario: Scenario = Scenario()) async -> SimRequest.Outcome {
        await Self.pool.run { self.runBlocking(model: model, input: input, scenario: scenario) }
    }

    private func runBlocking(model: String, input: [String: JSONValue], scenario: Scenario) -> SimRequest.Outcome {
        guard let spec = catalog.models[model] else {
            // An endpoint only fal-sim knows is judged by its published x-fal limits.
            if let live = LiveModel.named(model) { return runLive(live, input: input) }
            // A model the catalog does not know accepts anything and echoes it.
            return .success(.object(["echo": .object(input), "seed": 42]))
        }
        var details: [JSONValue] = []
        var firstMedia: (MediaInfo, URL)?
        var firstMeasured: (MediaJudge.Measurement, URL)?
        for field in spec.media {
            guard let value = input[field.name] else {
                if field.required { details.append(entry(field.name, "Field required", "missing", [:])) }
                continue
            }
            let urls: [String] = switch value {
            case .string(let s): [s]
            case .array(let a): a.compactMap(\.stringValue)
            default: []
            }
            for url in urls {
                guard let local = fetch(url) else {
                    details.append(entry(field.name, "Failed to download the file. Please check if the URL is accessible.", "file_download_error", [:], input: url))
                    continue
                }
                // Measured and judged by the simulator's own path (ffprobe + MediaJudge), never by
                // preflight's Checker, so the two can disagree.
                let kind = field.kind.element.rawValue
                guard let measured = MediaJudge.measure(local) else {
                    details.append(entry(field.name, "The file could not be read as \(kind)", "unsupported_\(kind)_format",
                                         ["supported_formats": .array((field.requirement.formats ?? ["mp4", "mov"]).map { .string(".\($0)") })], input: url))
                    continue
                }
                if firstMeasured == nil { firstMeasured = (measured, local) }
                if firstMedia == nil, let info = try? Prober.probe(local.path) { firstMedia = (info, local) }
                let ext = Self.fileExtension(of: url)
                for finding in MediaJudge.judge(measured, field.requirement(for: input), kind: kind, fileExtension: ext) {
                    details.append(entry(field.name, finding.message, finding.type, finding.ctx, input: url))
                }
            }
        }
        // The payload's own mistakes, as pydantic reports them.
        let payloadReport = Checker().check(firstMedia?.0 ?? placeholder(), models: [spec], payload: input)
        for v in payloadReport.verdicts[0].violations where v.rule.isPayload {
            details.append(payloadDetail(v, spec: spec, input: input))
        }
        if !details.isEmpty {
            let type = details.first.flatMap { $0.objectValue?["type"]?.stringValue } ?? "validation_error"
            return .failure(status: 422, body: .object(["detail": .array(details)]), type: type)
        }
        var result = output(media: firstMedia)
        if scenario.outputShape == "audio_url", case .object(var o) = result {
            // Some models name their output in a plain string field ending in _url.
            let url = o["video"]?["url"] ?? o["audio"]?["url"] ?? o["images"]?.arrayValue?.first?["url"]
            o = ["audio_url": url ?? .null, "seed": 42]
            result = .object(o)
        }
        if scenario.absurdNumbers, case .object(var o) = result {
            o["seed"] = .number(1e308)
            o["timings"] = ["inference": .number(-1), "queue": .integer(Int.max)]
            result = .object(o)
        }
        _ = firstMeasured
        return .success(result)
    }

    /// What a model sees as the file's type: the URL's extension, or a data: URI's MIME type.
    static func fileExtension(of url: String) -> String {
        if url.hasPrefix("data:") {
            let mime = url.dropFirst(5).prefix { $0 != ";" && $0 != "," }.lowercased()
            let known = ["video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "image/jpeg": "jpg", "image/png": "png",
                         "image/webp": "webp", "image/gif": "gif", "image/bmp": "bmp", "audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav"]
            return known[mime] ?? ""
        }
        return URL(string: url).map { ($0.path as NSString).pathExtension } ?? ""
    }

    /// The simulator's own files by path; data: URIs decoded; nothing else (no network here).
    func fetch(_ text: String) -> URL? {
        if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") {
            let data = Data(base64Encoded: String(text[text.index(after: comma)...])) ?? Data()
            let file = storage.appendingPathComponent("inline-\(UUID().uuidString)")
            return (try? data.write(to: file)) != nil ? file : nil
        }
        guard let url = URL(string: text), url.host == baseURL.host, url.port == baseURL.port, url.path.hasPrefix("/files/") else { return nil }
        let local = storage.appendingPathComponent(String(url.path.dropFirst("/files/".count)))
        return FileManager.default.fileExists(atPath: local.path) ? local : nil
    }

    func entry(_ field: String, _ message: String, _ type: String, _ ctx: [String: JSONValue], input: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["loc": .array(["body", .string(field)]), "msg": .string(message), "type": .string(type),
                                      "url": .string("https://docs.fal.ai/errors/#\(type)")]
        if !ctx.isEmpty { o["ctx"] = .object(ctx) }
        if let input { o["input"] = .string(input) }
        return .object(o)
    }

    private func payloadDetail(_ v: Violation, spec: ModelSpec, input: [String: JSONValue]) -> JSONValue {
        let name = v.field ?? "body"
        let field = spec.payload.field(name)
        switch v.rule {
        case .payload(.required):
            return entry(name, "Field required", "missing", [:])
        case .payload(.enumValue):
            // fal documents `one_of` with the allowed values as a list in ctx.expected.
            let allowed = field?.enumValues ?? []
            return entry(name, "Input should be " + allowed.map(\.description).joined(separator: " or "), "one_of", ["expected": .array(allowed)])
        case .payload(.type):
            // fal's table names no type for a wrong JSON type; its FastAPI apps answer pydantic's
            // `<type>_type`, kept here as the closest real answer.
            return entry(name, "Input should be a valid \(field?.type.rawValue ?? "value")", "\(field?.type.rawValue ?? "value")_type", [:])
        case .payload(.range):
            if let hi = field?.maximum, let n = input[name]?.numberValue, n > hi {
                return entry(name, "Input should be less than or equal to \(hi)", "less_than_equal", ["le": .number(hi)])
            }
            return entry(name, "Input should be greater than or equal to \(field?.minimum ?? 0)", "greater_than_equal", ["ge": .number(field?.minimum ?? 0)])
        default:
            return entry(name, v.message, "value_error", [:])
        }
    }

    /// A real output file: the input itself, stored as the "generated" result (the simulator makes
    /// no pixels of its own), in the shape the model's kind returns.
    func output(media: (MediaInfo, URL)?) -> JSONValue {
        guard let (info, file) = media, let id = try? UUID().uuidString.lowercased() else { return .object(["seed": 42]) }
        let ext = (file.pathExtension.isEmpty ? MediaFormatName.of(info) : file.pathExtension)
        let folder = storage.appendingPathComponent(id)
        let name = "output.\(ext)"
        // Not the storage itself (see SimulatorState.newFileFolder): a stopped simulator's removed
        // storage must stay removed.
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try? FileManager.default.copyItem(at: file, to: folder.appendingPathComponent(name))
        let url = JSONValue.string(baseURL.appendingPathComponent("files/\(id)/\(name)").absoluteString)
        let size = JSONValue.integer(Int(info.fileSize))
        switch info.kind {
        case .image, .animatedImage:
            return .object(["images": .array([.object(["url": url, "width": .integer(info.primaryVideo?.displayWidth ?? 0),
                                                          "height": .integer(info.primaryVideo?.displayHeight ?? 0),
                                                          "content_type": .string("image/\(ext == "jpg" ? "jpeg" : ext)")])]), "seed": 42])
        case .audio:
            return .object(["audio": .object(["url": url, "content_type": .string("audio/\(ext)"), "file_name": .string(name), "file_size": size])])
        case .video:
            return .object(["video": .object(["url": url, "content_type": .string("video/\(ext == "mov" ? "quicktime" : ext)"),
                                              "file_name": .string(name), "file_size": size]), "seed": 42])
        }
    }

    /// Payload checks need some media; a model without any gets an empty stand-in.
    private func placeholder() -> MediaInfo {
        let json = #"{"path":"","file_size":0,"kind":"video","probe_mode":"fast","container":{"format":"mp4","stream_count":0},"video":[],"audio":[],"subtitles":[],"data":[],"attached_pictures":[],"warnings":[]}"#
        return try! ProbeJSON.decoder().decode(MediaInfo.self, from: Data(json.utf8))
    }
}
