import Foundation
import MediaProbe
import ModelCatalog

extension ModelRunner {
    /// A request to an endpoint only fal-sim knows: each file measured by ffprobe and judged by
    /// `MediaJudge` against the simulator's own reading of the endpoint's x-fal (per file, then the
    /// list's `combined` totals); `normalization` is what the model does itself, so never a refusal.
    func runLive(_ model: LiveModel, input: [String: JSONValue]) -> SimRequest.Outcome {
        var details: [JSONValue] = []
        var firstMedia: (MediaInfo, URL)?
        for field in model.media {
            guard let value = input[field.name], value != .null else {
                if field.required { details.append(entry(field.name, "Field required", "missing", [:])) }
                continue
            }
            let urls: [String] = switch value {
            case .string(let s) where !field.list: [s]
            case .array(let a) where field.list: a.compactMap(\.stringValue)
            default: []
            }
            if urls.isEmpty {
                details.append(entry(field.name, field.list ? "Input should be a valid list" : "Input should be a valid string",
                                     field.list ? "list_type" : "string_type", [:]))
                continue
            }
            if let most = field.maxItems, urls.count > most {
                details.append(entry(field.name, "List should have at most \(most) items", "sequence_too_long", ["max_length": .integer(most)]))
            }
            let limits = SimXFal.perFile(field.xfal)
            var seconds = 0.0, bytes: Int64 = 0
            for url in urls {
                guard let local = fetch(url) else {
                    details.append(entry(field.name, "Failed to download the file. Please check if the URL is accessible.", "file_download_error", [:], input: url))
                    continue
                }
                guard let measured = MediaJudge.measure(local), measured.kind == field.kind else {
                    details.append(entry(field.name, "The file could not be read as \(field.kind)", "unsupported_\(field.kind)_format",
                                         ["supported_formats": .array([".mp4", ".mov"])], input: url))
                    continue
                }
                seconds += measured.duration ?? 0
                bytes += measured.size
                if firstMedia == nil, let info = try? Prober.probe(local.path) { firstMedia = (info, local) }
                for finding in MediaJudge.judge(measured, limits, kind: field.kind, fileExtension: Self.fileExtension(of: url)) {
                    details.append(entry(field.name, finding.message, finding.type, finding.ctx, input: url))
                }
            }
            let (maxSeconds, maxBytes) = SimXFal.totals(field.xfal)
            if field.list, let most = maxSeconds, seconds > most {
                details.append(entry(field.name, "The \(field.kind)s together exceed the maximum of \(most) seconds", "\(field.kind)_duration_too_long",
                                     ["max_duration": .number(most), "provided_duration": .number(seconds)]))
            }
            if field.list, let most = maxBytes, bytes > most {
                details.append(entry(field.name, "The files together exceed the maximum size", "file_too_large", ["max_size": .integer(Int(clamping: most))]))
            }
        }
        for p in model.parameters where p.required && input[p.name] == nil {
            details.append(entry(p.name, "Field required", "missing", [:]))
        }
        if !details.isEmpty {
            let type = details.first.flatMap { $0.objectValue?["type"]?.stringValue } ?? "validation_error"
            return .failure(status: 422, body: .object(["detail": .array(details)]), type: type)
        }
        return .success(output(media: firstMedia))
    }
}
