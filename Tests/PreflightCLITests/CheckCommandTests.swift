import Foundation
import Testing
import TestSupport

/// `preflight check` and `preflight models` as a user runs them, each test in its own PREFLIGHT_HOME.
@Suite struct CheckCommandTests {
    func withHome<T>(_ body: (URL) async throws -> T) async throws -> T {
        let home = try TestMedia.temporaryFolder("preflight-cli-home")
        defer { try? FileManager.default.removeItem(at: home) }
        return try await body(home)
    }

    @Test func compliantAndNot() async throws {
        try await withHome { home in
            let pass = try await preflight(["check", TestMedia.path("hd_1280x720_4s.mp4"), "--model", kling, "--set", "prompt=snow"], home: home)
            #expect(pass.status == 0)
            #expect(pass.stdout.contains("PASS  Kling O1 video edit"))
            let fail = try await preflight(["check", TestMedia.path("sd_854x480.mp4"), "--model", kling, "--set", "prompt=snow"], home: home)
            #expect(fail.status == 1)
            #expect(fail.stdout.contains("needs at least 720 px on each side; this clip is 854x480"))
            #expect(fail.stdout.contains("fix: scale up to 1282x720"))
            #expect(fail.stdout.contains("too short to lengthen"))
        }
    }

    @Test func usageAndMediaErrors() async throws {
        try await withHome { home in
            let unknown = try await preflight(["check", TestMedia.path("h264_aac.mp4"), "--model", "kling o1 edit"], home: home)
            #expect(unknown.status == 64)
            #expect(unknown.stderr.contains("did you mean '\(kling)'"))
            #expect(try await preflight(["check", TestMedia.path("h264_aac.mp4")], home: home).status == 64)
            #expect(try await preflight(["check", TestMedia.path("not_media.mp4"), "--model", kling], home: home).status == 65)
            #expect(try await preflight(["check", "/nonexistent.mp4", "--model", kling], home: home).status == 66)
            let badSet = try await preflight(["check", TestMedia.path("h264_aac.mp4"), "--model", kling, "--set", "novalue"], home: home)
            #expect(badSet.status == 64)
        }
    }

    @Test func payloadFromAFileAndTheJSONReport() async throws {
        try await withHome { home in
            let payload = home.appendingPathComponent("payload.json")
            try Data(#"{"prompt": "x", "duration": 5, "aspect_ratio": "4:3"}"#.utf8).write(to: payload)
            let r = try await preflight(["check", TestMedia.path("still.jpg"), "--model", "fal-ai/kling-video/v1.6/pro/image-to-video",
                                   "--input", payload.path, "--json"], home: home)
            #expect(r.status == 1)
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let verdict = try #require((doc["verdicts"] as? [[String: Any]])?.first)
            let rules = (verdict["violations"] as? [[String: Any]])?.compactMap { $0["rule"] as? String }
            #expect(rules == ["payload.enum", "payload.type"])
            #expect((doc["media"] as? [String: Any])?["kind"] as? String == "image")
        }
    }

    /// Passing every limit is not "sent as it is": an HLG clip Wan takes is still tone-mapped by the
    /// policy, and check says so, as fix, prepare and submit will do it.
    @Test func checkSaysWhatThePolicyStillChanges() async throws {
        try await withHome { home in
            let wan = "fal-ai/wan/v2.7/edit-video"
            let r = try await preflight(["check", TestMedia.path("hlg_iphone.mov"), TestMedia.path("hd_1280x720_4s.mp4"), "--model", wan], home: home)
            #expect(r.status == 0, "\(r.stderr)")
            let rows = r.stdout.split(separator: "\n").map(String.init)
            #expect(rows.first?.contains("SENT AS") == true, "\(r.stdout)")
            #expect(rows.first { $0.contains("hlg_iphone.mov") }?.contains("converted") == true, "\(r.stdout)")
            #expect(rows.first { $0.contains("hd_1280x720_4s.mp4") }?.contains("as is") == true, "\(r.stdout)")
            #expect(r.stderr.contains("2 compliant (1 of them still converted by the policy"), "\(r.stderr)")
            // And fix agrees: a plan that re-encodes, for the tone-map.
            let fix = try await preflight(["fix", TestMedia.path("hlg_iphone.mov"), "--model", wan, "--dry-run"], home: home)
            #expect(fix.stdout.contains("plan (reencode)") && fix.stdout.contains("tone-map"), "\(fix.stdout)")
            let kept = try await preflight(["check", TestMedia.path("hlg_iphone.mov"), TestMedia.path("hd_1280x720_4s.mp4"), "--model", wan,
                                            "--tonemap", "off", "--keep-rotation"], home: home)
            #expect(kept.stdout.split(separator: "\n").first { $0.contains("hlg_iphone.mov") }?.contains("as is") == true, "\(kept.stdout)\n\(kept.stderr)")
        }
    }

    @Test func aFolderAtOnce() async throws {
        try await withHome { home in
            let r = try await preflight(["check", "--ndjson", TestMedia.directory.path, "--model", kling, "--set", "prompt=x"], home: home)
            #expect(r.status == 2) // the hostile files cannot be read
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == TestMedia.valid.count + TestMedia.hostile.count + TestMedia.lyingHeader.count + TestMedia.codecShapes.count
                    + TestMedia.realFootage.count + TestMedia.damaged.count)
            let compliant = try lines.compactMap { line -> String? in
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                // A header-only probe believes the lying header's 4 s (fix reads every packet and does not).
                if TestMedia.lyingHeader.contains(where: { (o?["file"] as? String)?.hasSuffix($0) == true }) { return nil }
                guard (o?["verdicts"] as? [[String: Any]])?.first?["compliant"] as? Bool == true else { return nil }
                return (o?["file"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent }
            }
            // Only the 4 s HD clips (one of them with a hostile H.264 aspect that FFmpeg rightly ignores).
            #expect(Set(compliant) == ["hd_1280x720_4s.mp4", "h264sar_1_65535.mp4"])
        }
    }

    @Test func modelsListShowImportLearn() async throws {
        try await withHome { home in
            let list = try await preflight(["models", "list"], home: home)
            #expect(list.status == 0)
            #expect(list.stdout.split(separator: "\n").count >= 16)
            let show = try await preflight(["models", "show", kling], home: home)
            #expect(show.stdout.contains("duration <= 10.05 s"))
            #expect(show.stdout.contains("fal OpenAPI input schema"))

            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("ModelCatalogTests/Fixtures/fal-openapi-kling-o1-edit.json")
            let imported = try await preflight(["models", "import", fixture.path], home: home)
            #expect(imported.status == 0)
            #expect(imported.stdout.contains("imported fal-ai/example/o1/video-to-video/edit: 2 media fields"))
            let saved = home.appendingPathComponent("config/models/fal-ai__example__o1__video-to-video__edit.json")
            #expect(FileManager.default.fileExists(atPath: saved.path))
            let importedShow = try await preflight(["models", "show", "fal-ai/example/o1/video-to-video/edit"], home: home)
            #expect(importedShow.stdout.contains("layer: user:fal-ai__example__o1__video-to-video__edit.json"))

            let body = home.appendingPathComponent("422.json")
            try Data(#"{"detail":[{"loc":["body","video_url"],"msg":"Video duration exceeds the maximum of 3 seconds","type":"video_duration_too_long","ctx":{"max_duration":3.0,"provided_duration":4.0}}]}"#.utf8).write(to: body)
            let learn = try await preflight(["models", "learn", kling, "--rejection", body.path], home: home)
            #expect(learn.stdout.contains("learned \(kling) video_url max_duration = 3 (video_duration_too_long)"))
            let learned = try await preflight(["models", "learned"], home: home)
            #expect(learned.stdout.contains("video_duration_too_long: Video duration exceeds the maximum of 3 seconds"))
            // The lesson now fails a clip the published limits accept.
            let check = try await preflight(["check", TestMedia.path("hd_1280x720_4s.mp4"), "--model", kling, "--set", "prompt=x"], home: home)
            #expect(check.status == 1)
            #expect(check.stdout.contains("takes at most 3 s"))
            #expect(check.stdout.contains("(learned from a rejection on "))
            #expect(check.stdout.contains("limit: learned from a rejection on ") && check.stdout.contains(" (video_duration_too_long)"))
        }
    }
}
