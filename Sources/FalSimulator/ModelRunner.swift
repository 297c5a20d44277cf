import Foundation
import MediaProbe
import ModelCatalog

/// What a simulated model does with a request: fetch its media (from the simulator's own storage or
/// a data: URI), probe it, enforce the model's true limits as fal does (422s with `type` and `ctx`),
/// and on success return a real file in fal's result shape.
struct ModelRunner: Sendable {
    let catalog: Catalog
    let storage: URL
    let baseURL: URL

    func run(model: String, input: [String: JSONValue]) async -> SimRequest.Outcome {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.runBlocking(model: model, input: input)) }.start()
        }
    }

    private func runBlocking(model: String, input: [String: JSONValue]) -> SimRequest.Outcome {
        guard let spec = catalog.models[model] else {
            // A model the catalog does not know accepts anything and echoes it.
            return .success(.object(["echo": .object(input), "seed": 42]))
        }
        var details: [JSONValue] = []
        var firstMedia: (MediaInfo, URL)?
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
                guard let info = try? Prober.probe(local.path) else {
                    details.append(entry(field.name, "The file could not be read as \(field.kind.element.rawValue)", "unsupported_\(field.kind.element.rawValue)_format",
                                         ["supported_formats": .array((field.requirement.formats ?? ["mp4", "mov"]).map { .string(".\($0)") })], input: url))
                    continue
                }
                if firstMedia == nil { firstMedia = (info, local) }
                let report = Checker().check(info, models: [spec], payload: [:], field: field.name)
                let requirement = field.requirement(for: input)
                for v in report.verdicts[0].violations where !v.rule.hasPrefix("payload.") {
                    details.append(detail(for: v, field: field, requirement: requirement, info: info, url: url))
                }
            }
        }
        // The payload's own mistakes, as pydantic reports them.
        let payloadReport = Checker().check(firstMedia?.0 ?? placeholder(), models: [spec], payload: input)
        for v in payloadReport.verdicts[0].violations where v.rule.hasPrefix("payload.") {
            details.append(payloadDetail(v, spec: spec, input: input))
        }
        if !details.isEmpty {
            let type = details.first.flatMap { $0.objectValue?["type"]?.stringValue } ?? "validation_error"
            return .failure(status: 422, body: .object(["detail": .array(details)]), type: type)
        }
        return .success(output(for: spec, media: firstMedia))
    }

    /// The simulator's own files by path; data: URIs decoded; nothing else (no network here).
    private func fetch(_ text: String) -> URL? {
        if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") {
            let data = Data(base64Encoded: String(text[text.index(after: comma)...])) ?? Data()
            let file = storage.appendingPathComponent("inline-\(UUID().uuidString)")
            return (try? data.write(to: file)) != nil ? file : nil
        }
        guard let url = URL(string: text), url.host == baseURL.host, url.port == baseURL.port, url.path.hasPrefix("/files/") else { return nil }
        let local = storage.appendingPathComponent(String(url.path.dropFirst("/files/".count)))
        return FileManager.default.fileExists(atPath: local.path) ? local : nil
    }

    private func entry(_ field: String, _ message: String, _ type: String, _ ctx: [String: JSONValue], input: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["loc": .array(["body", .string(field)]), "msg": .string(message), "type": .string(type),
                                      "url": .string("https://docs.fal.ai/errors/#\(type)")]
        if !ctx.isEmpty { o["ctx"] = .object(ctx) }
        if let input { o["input"] = .string(input) }
        return .object(o)
    }

    /// A preflight violation as the fal error that the real model answers (fal-protocol.md).
    private func detail(for v: Violation, field: MediaField, requirement r: MediaRequirement, info: MediaInfo, url: String) -> JSONValue {
        let kind = field.kind.element.rawValue
        let image = field.kind.element == .image
        func num(_ d: Double?) -> JSONValue { d.map { .number($0) } ?? .null }
        func int(_ i: Int?) -> JSONValue { i.map { .integer($0) } ?? .null }
        let seconds = info.duration ?? 0
        switch LimitKey(rawValue: v.rule) {
        case .minWidth?, .minHeight?, .minShortSide?, .minPixels?:
            // fal documents image_too_small; video size errors are not documented, so the simulator
            // uses the same ctx under a video_ name (an assumption).
            return entry(field.name, v.message, image ? "image_too_small" : "video_too_small",
                         ["min_width": int(r.minWidth ?? r.minShortSide), "min_height": int(r.minHeight ?? r.minShortSide)], input: url)
        case .maxWidth?, .maxHeight?, .maxLongSide?, .maxPixels?:
            return entry(field.name, v.message, image ? "image_too_large" : "video_too_large",
                         ["max_width": int(r.maxWidth ?? r.maxLongSide), "max_height": int(r.maxHeight ?? r.maxLongSide)], input: url)
        case .minAspectRatio?, .maxAspectRatio?, .aspectRatios?:
            return entry(field.name, v.message, "image_aspect_ratio_error",
                         ["min_aspect_ratio": num(r.minAspectRatio), "max_aspect_ratio": num(r.maxAspectRatio)], input: url)
        case .maxFileSize?, .maxTotalFileSize?:
            return entry(field.name, "File size exceeds the maximum allowed", "file_too_large",
                         ["max_size": .integer(Int((r.maxFileSize ?? r.maxTotalFileSize)!.bytes))], input: url)
        case .maxDuration?, .maxTotalDuration?:
            let limit = r.maxDuration ?? r.maxTotalDuration ?? 0
            return entry(field.name, "\(kind.capitalized) duration exceeds the maximum of \(Int(limit)) seconds", "\(kind)_duration_too_long",
                         ["max_duration": .number(limit), "provided_duration": .number(seconds)], input: url)
        case .minDuration?:
            return entry(field.name, "\(kind.capitalized) duration is below the minimum of \(r.minDuration ?? 0) seconds", "\(kind)_duration_too_short",
                         ["min_duration": num(r.minDuration), "provided_duration": .number(seconds)], input: url)
        case .formats?, .mediaKind?, .videoCodecs?, .audioCodecs?:
            return entry(field.name, "Unsupported \(kind) format", "unsupported_\(kind)_format",
                         ["supported_formats": .array((r.formats ?? []).map { .string(".\($0)") })], input: url)
        case .minFPS?:
            return entry(field.name, "Input should be greater than or equal to \(r.minFPS ?? 0) fps", "greater_than_equal", ["ge": num(r.minFPS)], input: url)
        case .maxFPS?:
            return entry(field.name, "Input should be less than or equal to \(r.maxFPS ?? 0) fps", "less_than_equal", ["le": num(r.maxFPS)], input: url)
        default:
            return entry(field.name, v.message, "value_error", [:], input: url)
        }
    }

    private func payloadDetail(_ v: Violation, spec: ModelSpec, input: [String: JSONValue]) -> JSONValue {
        let name = v.field ?? "body"
        let field = spec.payload.field(name)
        switch v.rule {
        case "payload.required":
            return entry(name, "Field required", "missing", [:])
        case "payload.enum":
            return entry(name, "Input should be " + (field?.enumValues ?? []).map(\.description).joined(separator: " or "), "literal_error",
                         ["expected": .string((field?.enumValues ?? []).map(\.description).joined(separator: " or "))])
        case "payload.type":
            return entry(name, "Input should be a valid \(field?.type.rawValue ?? "value")", "\(field?.type.rawValue ?? "value")_type", [:])
        case "payload.range":
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
    private func output(for spec: ModelSpec, media: (MediaInfo, URL)?) -> JSONValue {
        guard let (info, file) = media, let id = try? UUID().uuidString.lowercased() else { return .object(["seed": 42]) }
        let ext = (file.pathExtension.isEmpty ? MediaFormatName.of(info) : file.pathExtension)
        let folder = storage.appendingPathComponent(id)
        let name = "output.\(ext)"
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
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
