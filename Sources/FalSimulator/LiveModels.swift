import Foundation
import ModelCatalog

/// Endpoints only fal-sim knows: no catalog layer of preflight has them, so a client meets them as
/// it meets a model fal added this week. Each publishes its limits the way fal's SDK does today,
/// as `x-fal` on the media fields of its OpenAPI schema (and `ui.field`), and fal-sim enforces
/// those limits by its own reading of them (`SimXFal`), never through preflight's importer.
package struct LiveModel: Sendable {
    /// A media field of a model only fal-sim knows, with the x-fal limits it writes and enforces.
    package struct MediaInput: Sendable {
        package var name: String
        /// "video", "image" or "audio" (fal's `ui.field`).
        package var kind: String
        package var list: Bool
        package var required: Bool
        package var description: String
        /// As fal's SDK writes it.
        package var xfal: [String: JSONValue]
        package var maxItems: Int?
    }

    /// A payload field of such a model (name, type, whether it is required).
    package struct Parameter: Sendable {
        package var name: String
        package var type: String
        package var required: Bool
        package var description: String
        package var xfal: [String: JSONValue]?
    }

    package var id: String
    package var displayName: String
    package var category: String
    package var description: String
    package var media: [MediaInput]
    package var parameters: [Parameter]
    /// fal's unit price and unit.
    package var price: (amount: Double, unit: String)

    package static func named(_ id: String) -> LiveModel? { all.first { $0.id == id } }

    package static let all: [LiveModel] = [
        LiveModel(
            id: "fal-sim/live/clip-edit", displayName: "Sim live clip edit", category: "video-to-video",
            description: "Edits a short clip; limits published only as x-fal.",
            media: [MediaInput(name: "video_url", kind: "video", list: false, required: true, description: "The clip to edit.",
                               xfal: ["max_file_size": 52_428_800, "min_width": 320, "min_height": 240, "max_width": 1920, "max_height": 1920,
                                      "min_duration": 1.0, "max_duration": 6.0, "min_fps": 15.0, "max_fps": 60.0,
                                      "min_aspect_ratio": 0.5, "max_aspect_ratio": 2.0])],
            parameters: [Parameter(name: "prompt", type: "string", required: true, description: "What to change.")],
            price: (0.05, "second")),
        LiveModel(
            id: "fal-sim/live/reference-to-video", displayName: "Sim live reference to video", category: "image-to-video",
            description: "Makes a video from reference clips and a picture; list totals published as x-fal combined.",
            media: [
                MediaInput(name: "video_urls", kind: "video", list: true, required: true, description: "Reference clips.",
                           xfal: ["max_duration": 10.0, "max_file_size": 20_971_520,
                                  "combined": ["max_duration": 15.0, "max_file_size": 52_428_800]], maxItems: 3),
                MediaInput(name: "image_url", kind: "image", list: false, required: false, description: "A reference picture.",
                           xfal: ["max_file_size": 10_485_760, "min_width": 300, "min_height": 300,
                                  "min_aspect_ratio": 0.4, "max_aspect_ratio": 2.5]),
            ],
            parameters: [
                Parameter(name: "prompt", type: "string", required: true, description: "The scene."),
                Parameter(name: "image_size", type: "object", required: false, description: "The size to make.",
                          xfal: ["min_width": 256, "max_width": 2048, "min_height": 256, "max_height": 2048, "multiple_of": 16]),
            ],
            price: (0.4, "video")),
        LiveModel(
            id: "fal-sim/live/long-take-edit", displayName: "Sim live long-take edit", category: "video-to-video",
            description: "Takes any length and trims it itself (x-fal normalization).",
            media: [MediaInput(name: "video_url", kind: "video", list: false, required: true, description: "The take to edit.",
                               xfal: ["min_duration": 1.0, "max_file_size": 104_857_600, "normalization": ["max_duration": 5.0]])],
            parameters: [Parameter(name: "prompt", type: "string", required: true, description: "What to change.")],
            price: (0.1, "second")),
    ]

    /// The endpoint's queue OpenAPI document, shaped as fal serves it: the input schema under
    /// components.schemas, field order, optional fields as anyOf with null, and each media field's
    /// limits under `x-fal` beside `ui.field`.
    package var document: JSONValue {
        let schemaName = id.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Input"
        var properties: [String: JSONValue] = [:]
        var order: [String] = []
        var required: [String] = []
        for m in media {
            var prop: [String: JSONValue] = ["title": .string(m.name), "description": .string(m.description),
                                             "ui": ["field": .string(m.kind)], "x-fal": .object(m.xfal)]
            if m.list {
                prop["type"] = "array"
                prop["items"] = ["type": "string"]
                if let n = m.maxItems { prop["maxItems"] = .integer(n) }
            } else if m.required {
                prop["type"] = "string"
            } else {
                prop["anyOf"] = [["type": "string"], ["type": "null"]]
            }
            properties[m.name] = .object(prop)
            order.append(m.name)
            if m.required { required.append(m.name) }
        }
        for p in parameters {
            var prop: [String: JSONValue] = ["title": .string(p.name), "type": .string(p.type), "description": .string(p.description)]
            if let x = p.xfal { prop["x-fal"] = .object(x) }
            properties[p.name] = .object(prop)
            order.append(p.name)
            if p.required { required.append(p.name) }
        }
        let schema: JSONValue = ["type": "object", "title": .string(schemaName), "properties": .object(properties),
                                 "required": .array(required.map(JSONValue.string)), "x-fal-order-properties": .array(order.map(JSONValue.string))]
        return [
            "openapi": "3.0.4",
            "info": ["title": .string("Queue OpenAPI for \(id)"), "version": "1.0.0",
                     "x-fal-metadata": ["endpointId": .string(id), "category": .string(category)]],
            "components": ["schemas": .object([schemaName: schema])],
            "paths": .object(["/" + id: ["post": ["requestBody": ["content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schemaName)")]]]]]]]),
        ]
    }
}

/// fal-sim's own reading of x-fal, for judging uploads: written apart from preflight's importer
/// on purpose, so that an end-to-end test can catch the importer reading fal's keys wrong.
enum SimXFal {
    /// Limits on each file, as the simulator's judge takes them (bytes, pixels, seconds, fps).
    static func perFile(_ xfal: [String: JSONValue]) -> MediaRequirement {
        var r = MediaRequirement()
        func number(_ key: String) -> Double? { xfal[key]?.numberValue }
        func whole(_ key: String) -> Int? { number(key).flatMap { Int(exactly: $0) } }
        r.maxFileSize = number("max_file_size").flatMap { Int64(exactly: $0) }.map(ByteCount.init)
        r.minWidth = whole("min_width")
        r.maxWidth = whole("max_width")
        r.minHeight = whole("min_height")
        r.maxHeight = whole("max_height")
        r.minPixels = whole("min_area")
        r.maxPixels = whole("max_area")
        r.minDuration = number("min_duration")
        r.maxDuration = number("max_duration")
        r.minFPS = number("min_fps")
        r.maxFPS = number("max_fps")
        r.minAspectRatio = number("min_aspect_ratio")
        r.maxAspectRatio = number("max_aspect_ratio")
        return r
    }

    /// The list's totals (`combined`): seconds and bytes over every file.
    static func totals(_ xfal: [String: JSONValue]) -> (maxDuration: Double?, maxBytes: Int64?) {
        let c = xfal["combined"]
        return (c?["max_duration"]?.numberValue, c?["max_file_size"]?.numberValue.flatMap { Int64(exactly: $0) })
    }
}
