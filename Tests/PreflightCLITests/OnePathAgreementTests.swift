import FalSimulator
import Foundation
import Testing
import TestSupport

/// One path from a file to a verdict and a fix: over every TestMedia clip (and a still and an
/// audio file) for two models, `check`'s verdict, `fix --dry-run`'s plan, what `prepare` writes
/// and what `submit` uploads to fal-sim must tell the same story: refused everywhere or nowhere,
/// unchanged everywhere or nowhere, and when changed, the same length, geometry and colour.
@Suite struct OnePathAgreementTests {
    static let models = ["fal-ai/kling-video/o1/video-to-video/edit", "fal-ai/wan/v2.7/edit-video"]
    static let files = TestMedia.valid.filter { $0.hasSuffix(".mp4") || $0.hasSuffix(".mov") || $0.hasSuffix(".mkv") || $0.hasSuffix(".webm") }
        + TestMedia.lyingHeader + TestMedia.realFootage.filter { !$0.hasSuffix(".jpg") } + ["still.jpg", "audio_only.m4a"]
        // What cameras and editors write beside phones: LPCM sound, an editor's ProRes with 24-bit PCM, Motion JPEG.
        + ["h264_pcm_s16.mov", "prores_pcm_s24.mov", "mjpeg.mov"]

    /// What each path did with one file for one model.
    struct Story: CustomStringConvertible {
        var checkRefuses = false
        var checkPasses = false
        var fixRefuses = false
        var fixChanges = false
        var prepared = ""
        var preparedFile: String?
        var uploaded: String?
        /// What a full decode found (`probe --decode`): prepare and submit decode before money or
        /// an encode is spent, check and fix --dry-run judge limits only (README: Decode health).
        var damaged = false
        var description: String {
            (damaged ? "damaged: " : "") + "check \(checkPasses ? "pass" : checkRefuses ? "refuse" : "fixable"), fix \(fixRefuses ? "refuse" : fixChanges ? "change" : "none"), "
                + "prepare \(prepared), submit \(uploaded == nil ? "nothing" : "uploaded")"
        }
    }

    @Test func checkFixPrepareAndSubmitAgreeOnEveryFile() async throws {
        let folder = try TestMedia.temporaryFolder("preflight-one-path")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = folder.appendingPathComponent("sim-storage")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        var book = ScenarioBook()
        book.defaultScenario.queueMs = 50
        book.defaultScenario.progressMs = 50
        let server = try FalSimulatorServer(.init(scenarios: book, storage: storage))
        let base = try await server.start()
        defer { Task { await server.stop() } }
        let source = folder.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        for name in Self.files { try FileManager.default.copyItem(atPath: TestMedia.path(name), toPath: source.appendingPathComponent(name).path) }
        let home = folder.appendingPathComponent("home")
        let env = ["PREFLIGHT_FAL_URL": base.absoluteString, "FAL_KEY": FalSimulatorServer.testKey]

        for (m, model) in Self.models.enumerated() {
            var stories: [String: Story] = [:]
            for name in Self.files {
                let file = source.appendingPathComponent(name).path
                var story = Story()
                let check = try await preflight(["check", file, "--model", model, "--json"], home: home)
                let report = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
                let verdict = (report?["verdicts"] as? [[String: Any]])?.first
                story.checkPasses = check.status == 0 && (verdict?["compliant"] as? Bool) == true
                // No verdict at all (not a kind the model takes... or not media): refused.
                let violations = verdict?["violations"] as? [[String: Any]] ?? []
                story.checkRefuses = verdict == nil || violations.contains { $0["repair"] == nil || $0["repair"] is NSNull }
                let fix = try await preflight(["fix", file, "--model", model, "--dry-run", "--json"], home: home)
                story.fixRefuses = fix.status != 0
                if !story.fixRefuses {
                    let plan = try JSONSerialization.jsonObject(with: Data(fix.stdout.utf8)) as? [String: Any]
                    story.fixChanges = (plan?["action"] as? String) != "none"
                }
                let decode = try await preflight(["probe", file, "--decode", "--json"], home: home)
                let probed = try? JSONSerialization.jsonObject(with: Data(decode.stdout.utf8)) as? [String: Any]
                let first = (probed?["files"] as? [[String: Any]])?.first
                let health = first?["decode_health"] as? [String: Any]
                let decoded = health?["verdict"] as? String
                // A file cut short is no damage inside: it is converted up to its last whole frame.
                let inside = (health?["spans"] as? [[String: Any]] ?? []).contains { ($0["cut_short"] as? Bool) != true }
                story.damaged = decoded == "undecodable" || (decoded == "damaged" && inside)
                stories[name] = story
            }

            // prepare, the whole folder.
            let dest = folder.appendingPathComponent("dest-\(m)")
            let prepare = try await preflight(["prepare", source.path, "--model", model, "--out", dest.path, "--quiet", "--health", "full"], home: home)
            #expect([0, 1, 2].contains(prepare.status), "\(prepare.stderr)")
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dest.appendingPathComponent("preflight-manifest.json"))) as? [String: Any]
            for row in manifest?["rows"] as? [[String: Any]] ?? [] {
                guard let name = row["source"] as? String else { continue }
                stories[name]?.prepared = row["status"] as? String ?? "?"
                stories[name]?.preparedFile = (row["output"] as? String).map { dest.appendingPathComponent($0).path }
                if stories[name]?.damaged == true {
                    #expect((row["error"] as? String ?? "").contains("do not decode"), "\(name): \(row["error"] ?? "no error")")
                }
            }

            // submit, every file in one command; what fal-sim received, by job.
            let before = Set(await server.acceptedInputs().keys)
            let out = folder.appendingPathComponent("results-\(m)")
            _ = try await preflight(["submit"] + Self.files.map { source.appendingPathComponent($0).path }
                                    + ["--model", model, "--set", "prompt=x", "--out", out.path, "--quiet", "-j", "4"], home: home, environment: env)
            let jobs = try JSONSerialization.jsonObject(with: Data(try await preflight(["jobs", "--json", "--limit", "1000"], home: home).stdout.utf8)) as? [[String: Any]] ?? []
            let inputs = await server.acceptedInputs()
            for entry in jobs {
                guard let job = entry["job"] as? [String: Any], let path = job["source"] as? String, path.hasPrefix(source.path),
                      let run = (entry["runs"] as? [[String: Any]])?.first, run["model"] as? String == model,
                      let id = run["request_id"] as? String, !before.contains(id),
                      let url = inputs[id]?["video_url"]?.stringValue, let u = URL(string: url) else { continue }
                stories[(path as NSString).lastPathComponent]?.uploaded = storage.appendingPathComponent(u.pathComponents.suffix(2).joined(separator: "/")).path
            }

            for (name, story) in stories.sorted(by: { $0.key < $1.key }) {
                let label = "\(name) for \(model): \(story)"
                // Refused everywhere or nowhere.
                #expect(story.checkRefuses == story.fixRefuses, "\(label)")
                // Damage the limits cannot see: both paths that decode first refuse it, nothing is paid.
                if story.damaged {
                    #expect(story.prepared == "unfixable" && story.uploaded == nil, "\(label)")
                    continue
                }
                #expect(story.fixRefuses == (story.prepared == "unfixable" || story.prepared == "failed" || story.prepared == "not_media"), "\(label)")
                #expect(story.fixRefuses == (story.uploaded == nil), "\(label)")
                guard !story.fixRefuses, let uploaded = story.uploaded, let prepared = story.preparedFile else { continue }
                // Unchanged everywhere or nowhere: what check fails, the plan changes.
                if !story.checkPasses { #expect(story.fixChanges, "\(label)") }
                let sourceHash = try SHA256Hex.file(source.appendingPathComponent(name).path)
                #expect(story.fixChanges == (story.prepared == "fixed"), "\(label)")
                #expect(story.fixChanges == (try SHA256Hex.file(uploaded) != sourceHash), "\(label)")
                guard story.fixChanges else { continue }
                // Changed: prepare's file and submit's upload are the same media.
                let a = try await Probed(prepared), b = try await Probed(uploaded)
                #expect(abs(a.duration - b.duration) <= 0.1, "\(label): \(a.duration) s against \(b.duration) s")
                #expect(a.width == b.width && a.height == b.height, "\(label): \(a.width)x\(a.height) against \(b.width)x\(b.height)")
                #expect(a.rotation == 0 && b.rotation == 0, "\(label): rotation \(a.rotation), \(b.rotation)")
                #expect(a.transfer == b.transfer && !["smpte2084", "arib-std-b67"].contains(a.transfer), "\(label): transfer \(a.transfer) against \(b.transfer)")
                #expect(a.fieldOrder == b.fieldOrder, "\(label): field order \(a.fieldOrder) against \(b.fieldOrder)")
            }
            // The lying header (4 s said, a 34.3 s packet hidden by the edit list) is read as FFmpeg
            // presents it by every path, and its sound does not decode: refused before any upload.
            if let lying = stories["header4s_packets34s.mp4"] {
                #expect(lying.damaged && lying.prepared == "unfixable" && lying.uploaded == nil, "\(lying)")
            }
        }
    }
}

/// What ffprobe says of a file's first video stream (the oracle, not preflight's probe).
struct Probed {
    var duration: Double
    var width: Int
    var height: Int
    var rotation: Int
    var transfer: String
    var fieldOrder: String

    init(_ path: String) async throws {
        let report = try await FFprobeReport(path)
        let v = try #require(report.streams.first { $0["codec_type"] as? String == "video" })
        duration = FFprobeReport.number(report.format, "duration") ?? 0
        width = Int(FFprobeReport.text(v, "width") ?? "") ?? 0
        height = Int(FFprobeReport.text(v, "height") ?? "") ?? 0
        rotation = FFprobeReport.clockwiseRotation(v)
        transfer = FFprobeReport.text(v, "color_transfer") ?? "unknown"
        fieldOrder = FFprobeReport.text(v, "field_order") ?? "unknown"
    }
}

enum SHA256Hex {
    static func file(_ path: String) throws -> String {
        let result = Process()
        result.executableURL = URL(fileURLWithPath: which("sha256sum") ?? "/usr/bin/sha256sum")
        result.arguments = [path]
        let pipe = Pipe()
        result.standardOutput = pipe
        try result.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        result.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
