import Foundation
import ModelCatalog

/// How the simulator measures an uploaded file and judges it against a model's limits: its own
/// small code path, on ffprobe's output, so that it can disagree with preflight's own probe and
/// `Checker` (an end-to-end test through the simulator then catches their bugs). Limits come from
/// the catalog data; the comparisons are written here again on purpose.
struct MediaJudge {
    /// What ffprobe says about a file, reduced to what fal's checks look at.
    struct Measurement {
        var kind: String // "video", "image", "audio"
        var width = 0, height = 0 // as displayed: rotation and sample aspect applied
        var duration: Double?
        var fps: Double?
        var videoCodec: String?
        var audioCodec: String?
        var formatNames: [String] = []
        var size: Int64 = 0
    }

    /// One rejection, in fal's documented terms.
    struct Finding {
        var type: String
        var message: String
        var ctx: [String: JSONValue]
    }

    /// Runs `ffprobe -show_format -show_streams` on the file; nil when it is not media.
    static func measure(_ file: URL) -> Measurement? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let json = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        let streams = json["streams"]?.arrayValue ?? []
        let format = json["format"]
        var m = Measurement(kind: "audio")
        m.size = Int64(format?["size"]?.stringValue ?? "") ?? ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
        m.formatNames = (format?["format_name"]?.stringValue ?? "").split(separator: ",").map(String.init)
        m.duration = Double(format?["duration"]?.stringValue ?? "")
        let video = streams.first { $0["codec_type"]?.stringValue == "video" && ($0["disposition"]?["attached_pic"]?.numberValue ?? 0) == 0 }
        let audio = streams.first { $0["codec_type"]?.stringValue == "audio" }
        m.audioCodec = audio?["codec_name"]?.stringValue
        guard video != nil || audio != nil else { return nil }
        if let v = video {
            m.videoCodec = v["codec_name"]?.stringValue
            var w = Double(v["width"]?.numberValue ?? 0), h = Double(v["height"]?.numberValue ?? 0)
            if let sar = ratio(v["sample_aspect_ratio"]?.stringValue), sar > 0, sar.isFinite { w *= sar }
            let rotation = abs(Int(rotationOf(v)) % 180)
            if rotation == 90 { swap(&w, &h) }
            m.width = Int(w.rounded())
            m.height = Int(h.rounded())
            m.fps = ratio(v["avg_frame_rate"]?.stringValue) ?? ratio(v["r_frame_rate"]?.stringValue)
            let stills = ["png", "mjpeg", "webp", "bmp", "tiff", "gif"]
            let oneFrame = (Double(v["nb_frames"]?.stringValue ?? "") ?? 0) <= 1
            m.kind = stills.contains(m.videoCodec ?? "") && (oneFrame || m.formatNames.contains { $0.hasSuffix("_pipe") || $0 == "image2" }) ? "image" : "video"
        }
        return m
    }

    private static func ratio(_ text: String?) -> Double? {
        guard let parts = text?.split(separator: ":").flatMap({ $0.split(separator: "/") }), parts.count == 2,
              let a = Double(parts[0]), let b = Double(parts[1]), b != 0 else { return nil }
        let r = a / b
        return r.isFinite && r > 0 ? r : nil
    }

    private static func rotationOf(_ stream: JSONValue) -> Double {
        for side in stream["side_data_list"]?.arrayValue ?? [] {
            if let r = side["rotation"]?.numberValue { return r }
        }
        return Double(stream["tags"]?["rotate"]?.stringValue ?? "") ?? 0
    }

    /// fal's rejections for this file and limit set, in the order a model checks them.
    static func judge(_ m: Measurement, _ r: MediaRequirement, kind: String, fileExtension: String) -> [Finding] {
        var out: [Finding] = []
        func add(_ type: String, _ message: String, _ ctx: [String: JSONValue]) { out.append(Finding(type: type, message: message, ctx: ctx)) }
        // By the name's extension, as a model sees it; a name without one is judged by what ffprobe
        // calls the container ("mov,mp4,m4a,..." counts for mp4 and mov).
        let names = fileExtension.isEmpty ? m.formatNames : [fileExtension.lowercased()]
        if let formats = r.formats, Set(formats.map { $0.lowercased() }).isDisjoint(with: names.map { $0 == "jpeg" ? "jpg" : $0 }) {
            add("unsupported_\(kind)_format", "Unsupported \(kind) format", ["supported_formats": .array(formats.map { .string(".\($0)") })])
        }
        if let codecs = r.videoCodecs, let c = m.videoCodec, !codecs.contains(c) {
            add("unsupported_\(kind)_format", "Unsupported video codec \(c)", ["supported_formats": .array((r.formats ?? []).map { .string(".\($0)") })])
        }
        if let codecs = r.audioCodecs, let c = m.audioCodec, !codecs.contains(c) {
            add("unsupported_\(kind)_format", "Unsupported audio codec \(c)", ["supported_formats": .array((r.formats ?? []).map { .string(".\($0)") })])
        }
        if let max = r.maxFileSize?.bytes, m.size > max {
            add("file_too_large", "File size exceeds the maximum allowed", ["max_size": .integer(Int(clamping: max))])
        }
        if kind != "audio" {
            // fal documents image_too_small / image_too_large (ctx min_width/min_height, max_...);
            // no type is documented for a video's dimensions, so the same documented types and ctx
            // are used for video fields too (an assumption, stated).
            let short = min(m.width, m.height), long = max(m.width, m.height)
            let minW = r.minWidth ?? r.minShortSide, minH = r.minHeight ?? r.minShortSide
            if (r.minWidth.map { m.width < $0 } ?? false) || (r.minHeight.map { m.height < $0 } ?? false)
                || (r.minShortSide.map { short < $0 } ?? false) || (r.minPixels.map { m.width * m.height < $0 } ?? false) {
                add("image_too_small", "Image dimensions are too small: \(m.width)x\(m.height)",
                    ["min_width": minW.map { .integer($0) } ?? .null, "min_height": minH.map { .integer($0) } ?? .null])
            }
            let maxW = r.maxWidth ?? r.maxLongSide, maxH = r.maxHeight ?? r.maxLongSide
            if (r.maxWidth.map { m.width > $0 } ?? false) || (r.maxHeight.map { m.height > $0 } ?? false)
                || (r.maxLongSide.map { long > $0 } ?? false) || (r.maxPixels.map { m.width * m.height > $0 } ?? false) {
                add("image_too_large", "Image dimensions are too large: \(m.width)x\(m.height)",
                    ["max_width": maxW.map { .integer($0) } ?? .null, "max_height": maxH.map { .integer($0) } ?? .null])
            }
            if m.height > 0 {
                let aspect = Double(m.width) / Double(m.height)
                if (r.minAspectRatio.map { aspect < $0 - 1e-9 } ?? false) || (r.maxAspectRatio.map { aspect > $0 + 1e-9 } ?? false) {
                    add("image_aspect_ratio_error", "Aspect ratio \(String(format: "%.3f", aspect)) is out of range",
                        ["min_aspect_ratio": r.minAspectRatio.map { .number($0) } ?? .null, "max_aspect_ratio": r.maxAspectRatio.map { .number($0) } ?? .null])
                }
            }
        }
        if kind != "image", let d = m.duration {
            if let max = r.maxDuration, d > max {
                add("\(kind)_duration_too_long", "\(kind.capitalized) duration exceeds the maximum of \(max) seconds",
                    ["max_duration": .number(max), "provided_duration": .number(d)])
            }
            if let min = r.minDuration, d < min {
                add("\(kind)_duration_too_short", "\(kind.capitalized) duration is below the minimum of \(min) seconds",
                    ["min_duration": .number(min), "provided_duration": .number(d)])
            }
        }
        if kind == "video", let fps = m.fps {
            if let min = r.minFPS, fps < min - 0.01 { add("greater_than_equal", "Input should be greater than or equal to \(min) fps", ["ge": .number(min)]) }
            if let max = r.maxFPS, fps > max + 0.01 { add("less_than_equal", "Input should be less than or equal to \(max) fps", ["le": .number(max)]) }
        }
        return out
    }
}

/// The simulator's verdict on a file for one limit set, for differential tests against preflight's
/// own `Checker`: the fal error types it would answer (empty: accepted).
package enum SimulatorJudge {
    package static func rejections(file: String, requirement: MediaRequirement, kind: String) -> [String]? {
        let url = URL(fileURLWithPath: file)
        guard let m = MediaJudge.measure(url) else { return nil }
        return MediaJudge.judge(m, requirement, kind: kind, fileExtension: url.pathExtension).map(\.type)
    }
}
