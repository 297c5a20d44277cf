import Foundation
import Testing
import TestSupport

/// `preflight probe` as a user runs it: the real executable, its exit codes and output streams.
@Suite struct ProbeCommandTests {
    func preflight(_ args: String...) async throws -> ProcessResult {
        try await run(preflightExecutable, args)
    }

    @Test func oneGoodFile() async throws {
        let r = try await preflight("probe", TestMedia.path("anamorphic_pal.mp4"))
        #expect(r.status == 0)
        #expect(r.stdout.contains("720x576 -> 1024x576"))
        #expect(r.stderr.isEmpty)
    }

    @Test func exitCodesForOneBadFile() async throws {
        #expect(try await preflight("probe", TestMedia.path("not_media.mp4")).status == 65)
        #expect(try await preflight("probe", TestMedia.path("empty.mp4")).status == 65)
        #expect(try await preflight("probe", "/nonexistent/clip.mp4").status == 66)
        let r = try await preflight("probe", "/nonexistent/clip.mp4")
        #expect(r.stderr.contains("/nonexistent/clip.mp4: no such file"))
        #expect(r.stdout.isEmpty)
    }

    /// `probe --decode`: 0 when every frame decodes, 65 when any does not (still reported, with the
    /// span, its time and FFmpeg's words, in the table's error lines and in --json).
    @Test func decodeFindsDamage() async throws {
        let healthy = try await preflight("probe", "--decode", TestMedia.path("h264_aac.mp4"))
        #expect(healthy.status == 0, "\(healthy.stderr)")
        #expect(healthy.stderr.isEmpty)
        let damaged = try await preflight("probe", "--decode", TestMedia.path("damaged_middle.mp4"))
        #expect(damaged.status == 65)
        #expect(damaged.stdout.contains("damaged_middle.mp4"))
        #expect(damaged.stderr.contains("damaged_middle.mp4: does not decode 1.") && damaged.stderr.contains("errors)"), "\(damaged.stderr)")
        let json = try await preflight("probe", "--decode", "--json", TestMedia.path("undecodable.mp4"), TestMedia.path("h264_aac.mp4"))
        #expect(json.status == 2)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let files = try #require(doc["files"] as? [[String: Any]])
        #expect((files[0]["decode_health"] as? [String: Any])?["verdict"] as? String == "undecodable")
        #expect((files[1]["decode_health"] as? [String: Any])?["verdict"] as? String == "healthy")
        // Without --decode nothing is decoded, and the key is left out.
        let plain = try await preflight("probe", "--json", TestMedia.path("damaged_middle.mp4"))
        #expect(plain.status == 0 && !plain.stdout.contains("decode_health"))
        // A cut-short file is 65 without decoding: its container says so.
        let cut = try await preflight("probe", TestMedia.path("cut_short_subs.mkv"))
        #expect(cut.status == 65)
        #expect(cut.stderr.contains("cut short: 1.") && cut.stderr.contains("File ended prematurely") == false, "\(cut.stderr)")
        #expect(try await preflight("probe", "--sample", TestMedia.path("h264_aac.mp4")).status == 64)
    }

    @Test func usageErrors() async throws {
        let both = try await preflight("probe", "--json", "--ndjson", TestMedia.path("h264_aac.mp4"))
        #expect(both.status == 64)
        #expect(both.stderr.contains("Choose one of --json and --ndjson"))
        #expect(try await preflight("probe", "-j", "0", TestMedia.path("h264_aac.mp4")).status == 64)
        #expect(try await preflight("probe").status == 64)
    }

    @Test func aFolderWithSomeBadFilesReportsTheRest() async throws {
        let r = try await preflight("probe", TestMedia.directory.path)
        #expect(r.status == 2)
        let media = TestMedia.valid + TestMedia.lyingHeader + TestMedia.codecShapes + TestMedia.realFootage + TestMedia.damaged
        for name in media { #expect(r.stdout.contains(name), "\(name) missing from the table") }
        // Refused files, and files cut short (probed, and said so): one error line each.
        for name in TestMedia.hostile + TestMedia.cutShort {
            let lines = r.stderr.split(separator: "\n").filter { $0.contains("/\(name):") }
            #expect(lines.count == 1, "\(name) should get exactly one error line")
        }
        #expect(r.stderr.contains("\(media.count) of \(media.count + TestMedia.hostile.count) files probed, \(TestMedia.hostile.count) failed, \(TestMedia.cutShort.count) cut short or damaged"))
    }

    @Test func ndjsonHasOneLinePerFile() async throws {
        let r = try await preflight("probe", "--ndjson", "-j", "3", TestMedia.directory.path)
        #expect(r.status == 2)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == TestMedia.valid.count + TestMedia.lyingHeader.count + TestMedia.hostile.count + TestMedia.codecShapes.count
                + TestMedia.realFootage.count + TestMedia.damaged.count)
        var failures = 0
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["path"] is String)
            if let error = object["error"] as? [String: Any] {
                failures += 1
                #expect(error["exit_code"] as? Int == 65)
                #expect(error["message"] is String)
            } else {
                #expect(object["container"] is [String: Any])
            }
        }
        #expect(failures == TestMedia.hostile.count)
    }

    @Test func jsonIsOneDocument() async throws {
        let r = try await preflight("probe", "--json", TestMedia.path("rotated_90.mov"), TestMedia.path("cover_art.mp3"))
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["schema_version"] as? Int == 1)
        let files = try #require(doc["files"] as? [[String: Any]])
        #expect(files.count == 2)
        let video = try #require((files[0]["video"] as? [[String: Any]])?.first)
        #expect(video["rotation"] as? Int == 90)
        #expect(video["display_width"] as? Int == 180)
        #expect((files[1]["attached_pictures"] as? [Any])?.count == 1)
    }

    @Test func aFolderWithoutMedia() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await preflight("probe", dir.path)
        #expect(r.status == 66)
        #expect(r.stderr.contains("no media files in this folder"))
    }
}
