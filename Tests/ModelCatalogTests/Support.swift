import Foundation
import MediaProbe
import ModelCatalog
import TestSupport

/// A real probe of a TestMedia file, to be bent into hand-made values by the tests.
func probed(_ name: String) throws -> MediaInfo { try Prober.probe(TestMedia.path(name)) }

/// A 1280x720, 30 fps, 4 s clip with sound, with the values a test wants instead.
func clip(width: Int = 1280, height: Int = 720, duration: Double = 4, fps: Int = 30, bytes: Int64? = nil,
          audio: Bool = true, path: String? = nil) throws -> MediaInfo {
    var info = try probed("hd_1280x720_4s.mp4")
    info.video[0].displayWidth = width
    info.video[0].displayHeight = height
    info.video[0].width = width
    info.video[0].height = height
    // A clip of this length: its streams run as long as its container (the presented length).
    info.container.duration = duration
    for i in info.video.indices { info.video[i].duration = duration }
    for i in info.audio.indices { info.audio[i].duration = duration }
    info.video[0].averageFrameRate = Ratio(num: fps, den: 1)
    if let bytes { info.fileSize = bytes }
    if !audio { info.audio = [] }
    if let path { info.path = path }
    return info
}

/// A one-field model with exactly this requirement.
func model(_ requirement: MediaRequirement, kind: MediaFieldKind = .video, payload: [PayloadField] = [], complete: Bool = false,
           id: String = "test/model") -> ModelSpec {
    ModelSpec(id: id, name: "Test model", provider: "fal", category: "video-to-video",
              media: [MediaField(name: kind == .image ? "image_url" : "video_url", kind: kind, requirement: requirement)],
              payload: PayloadSchema(fields: payload, complete: complete), price: nil,
              source: Source(ref: "test", date: "2026-11"), notes: nil, origin: "test")
}

func rules(_ info: MediaInfo, _ spec: ModelSpec, payload: [String: JSONValue] = [:]) -> [String] {
    Checker().check(info, models: [spec], payload: payload).verdicts[0].violations.map(\.rule.description)
}

func temporaryHome() throws -> (PreflightPaths, URL) {
    let dir = try TestMedia.temporaryFolder("preflight-home")
    return (PreflightPaths(environment: ["PREFLIGHT_HOME": dir.path]), dir)
}

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
