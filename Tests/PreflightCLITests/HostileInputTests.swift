import Foundation
import Testing
import TestSupport

/// Issue 8 through the built binary: hostile media, numbers, output paths, signals, a source that
/// changes under `fix`, control characters in names, and ids that are paths.
@Suite struct HostileInputTests {
    static let imageModel = "fal-ai/kling-video/o1/image-to-video"

    /// Hostile aspects and a data-only file: 65 from probe, check and fix, with the reason, for
    /// image and video models alike (never a pass, never a crash).
    @Test(arguments: TestMedia.hostileAspects + ["data_only_kind_audio.mp4"])
    func hostileMediaIsInvalidEverywhere(_ name: String) async throws {
        let home = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: home) }
        let path = TestMedia.path(name)
        let code = name.hasPrefix("data_only") ? "not_media" : "invalid_dimensions"
        let probe = try await preflight(["probe", "--json", path], home: home)
        #expect(probe.status == 65)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any])
        let record = try #require((doc["files"] as? [[String: Any]])?.first)
        #expect((record["error"] as? [String: Any])?["code"] as? String == code)
        for models in [[Self.imageModel], [kling], [Self.imageModel, kling], ["fal-ai/sync-lipsync/v2"]] {
            let args = models.flatMap { ["--model", $0] } + ["--set", "prompt=x"]
            let check = try await preflight(["check", path] + args, home: home)
            #expect(check.status == 65, "check \(models): \(check.stdout)")
            let fix = try await preflight(["fix", path, "-o", home.appendingPathComponent("out" + (path as NSString).pathExtension).path] + args, home: home)
            #expect(fix.status == 65, "fix \(models): \(fix.stdout)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).allSatisfy { !$0.hasPrefix("out") })
    }

    /// Every non-finite, negative, huge or unknown value of every numeric or named option: 64, with
    /// the option named.
    @Test func numbersFromTheUserAreUsageErrors() async throws {
        let home = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: home) }
        let still = TestMedia.path("still.jpg"), clip = TestMedia.path("long_720p_12s.mp4")
        let bad = ["inf", "-inf", "nan", "1e300", "1e999", "-5", "abc", ""]
        var cases: [([String], String)] = []
        for value in bad {
            cases.append((["probe", still, "--timeout", value], "--timeout"))
            cases.append((["probe", still, "--timeout=\(value)"], "--timeout"))
            cases.append((["fix", clip, "--model", kling, "--dry-run", "--from", value], "--from"))
            cases.append((["fix", clip, "--model", kling, "--dry-run", "--from=\(value)"], "--from"))
            cases.append((["fix", clip, "--model", kling, "--dry-run", "--to", value], "--to"))
            cases.append((["fix", clip, "--model", kling, "--dry-run", "--crf", value], "--crf"))
        }
        for value in ["-1", "0", "1e9", "abc", "99999999999999999999", "2.5"] {
            cases.append((["probe", still, "--jobs", value], "--jobs"))
            cases.append((["probe", still, "-j", value], "-j"))
            cases.append((["check", still, "--model", Self.imageModel, "-j", value], "-j"))
        }
        for value in ["1e999", "-1e999", "nan", "inf"] {
            cases.append((["check", still, "--model", "fal-ai/kling-video/v1.6/pro/image-to-video", "--set", "prompt=x", "--set", "cfg_scale=\(value)"], "cfg_scale"))
            cases.append((["fix", still, "--model", "fal-ai/kling-video/v1.6/pro/image-to-video", "--dry-run", "--set", "cfg_scale=\(value)"], "cfg_scale"))
        }
        for value in ["-1", "0", "1e9", "99999999999999", "nan"] {
            cases.append((["upload", still, "--parallel", value], "--parallel"))
            cases.append((["upload", still, "--part-size", value], "--part-size"))
            cases.append((["upload", still, "--multipart-threshold", value], "--multipart-threshold"))
        }
        cases += [
            (["fix", clip, "--model", kling, "--dry-run", "--fit", "stretch"], "--fit"),
            (["fix", clip, "--model", kling, "--dry-run", "--trim", "middle"], "--trim"),
            (["fix", clip, "--model", kling, "--dry-run", "--preset", "ludicrous"], "--preset"),
            (["fix", clip, "--model", kling, "--dry-run", "--pad-color", "red"], "--pad-color"),
            (["fix", clip, "--model", kling, "--dry-run", "--crf", "52"], "--crf"),
            (["fix", clip, "--model", kling, "--dry-run", "--to", "0"], "--to"),
            (["fix", clip, "--model", kling, "--dry-run", "--from", "5", "--to", "4"], "--to"),
        ]
        for (args, option) in cases {
            let r = try await preflight(args, home: home)
            #expect(r.status == 64, "\(args): exit \(r.status)")
            #expect(r.stderr.contains(option), "\(args): \(r.stderr)")
        }
        // In range for the option, past the end of this clip: nothing to keep, said as such.
        for from in ["12.5", "100", "9999999"] {
            let past = try await preflight(["fix", clip, "--model", kling, "--dry-run", "--from", from], home: home)
            #expect(past.status == 1)
            #expect(past.stderr.contains("past the end of this 12."), "\(past.stderr)")
        }
        // The edges of the ranges are still accepted.
        #expect(try await preflight(["probe", still, "--timeout", "0", "-j", "1"], home: home).status == 0)
        #expect(try await preflight(["fix", clip, "--model", kling, "--dry-run", "--from", "0", "--to", "10", "--crf", "51"], home: home).status == 0)
    }

    /// A device, a FIFO, the source, a hard link or a symlink to it as -o: 64, and each is left as
    /// it was.
    @Test func outputsThatAreNotNewOrRegularFilesAreRefused() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("source.mp4").path
        try FileManager.default.copyItem(atPath: TestMedia.path("long_720p_12s.mp4"), toPath: source)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let fifo = dir.appendingPathComponent("fifo.mp4").path, hard = dir.appendingPathComponent("hard.mp4").path
        let soft = dir.appendingPathComponent("soft.mp4").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(link(source, hard) == 0)
        try FileManager.default.createSymbolicLink(atPath: soft, withDestinationPath: source)
        for (output, words) in [("/dev/null", "is a device"), (fifo, "is a FIFO"), (source, "is the source"), (hard, "is the source"),
                                (soft, "is the source"), (dir.path, "is a folder")] {
            let r = try await preflight(["fix", source, "--model", kling, "-o", output], home: dir)
            #expect(r.status == 64, "\(output)")
            #expect(r.stderr.contains(words), "\(output): \(r.stderr)")
        }
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains("partial") })
    }

    /// SIGINT, SIGTERM and SIGHUP during an encode: no partial file, the source untouched, exit
    /// 128 + the signal. A partial left by a killed process (SIGKILL cannot be handled) is removed by
    /// the next run.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalsLeaveNoPartialFile(_ signalNumber: Int32) async throws {
        let expected: Int32 = [SIGINT: 130, SIGTERM: 143, SIGHUP: 129][signalNumber] ?? 0
        let dir = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try await longClip(in: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        // What a run killed with SIGKILL left: a partial named with a pid that no longer runs.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let stale = dir.appendingPathComponent(".out.mp4.partial-\(gone.processIdentifier)-7.mp4")
        try Data("left by a killed run".utf8).write(to: stale)

        let process = try slowFix(source, output: dir.appendingPathComponent("out.mp4").path, home: dir)
        #expect(try await encodeStarted(process, in: dir), "the encode finished before it could be interrupted")
        kill(process.processIdentifier, signalNumber)
        await waitForExit(process)
        #expect(process.terminationStatus == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("out") }.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
    }

    /// The source cut short while `fix` reads it: the fix fails and writes nothing.
    @Test func aSourceChangedDuringFixFailsIt() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try await longClip(in: dir)
        let output = dir.appendingPathComponent("out.mp4").path
        let errors = Pipe()
        let process = try slowFix(source, output: output, home: dir, stderr: errors)
        #expect(try await encodeStarted(process, in: dir), "the encode finished before the source could be changed")
        let handle = try #require(FileHandle(forUpdatingAtPath: source))
        try handle.truncate(atOffset: 30_000)
        try handle.close()
        await waitForExit(process)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(stderr.contains("the source changed"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("out") }.isEmpty)
    }

    /// Control characters and escape sequences in a file name are shown escaped in tables, error
    /// lines and reports; the raw bytes never reach the terminal.
    @Test func controlCharactersInNamesAreEscaped() async throws {
        let dir = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, trick) in ["\u{1B}[2K", "\u{1B}]0;owned\u{07}", "\n", "\r", "\u{9B}31m", "\u{202E}", "\t", "\u{7F}"].enumerated() {
            let clip = dir.appendingPathComponent("clip\(i)\(trick)x.mp4").path
            let text = dir.appendingPathComponent("text\(i)\(trick)x.mp4").path
            try FileManager.default.copyItem(atPath: TestMedia.path("h264_aac.mp4"), toPath: clip)
            try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: text))
            let runs = [
                try await preflight(["probe", clip, text], home: dir),
                try await preflight(["check", clip, "--model", kling, "--set", "prompt=x"], home: dir),
                try await preflight(["check", clip, text, "--model", kling, "--set", "prompt=x"], home: dir),
                try await preflight(["fix", clip, "--model", kling, "--dry-run"], home: dir),
                try await preflight(["fix", text, "--model", kling], home: dir),
            ]
            for r in runs {
                let all = r.stdout + r.stderr
                #expect(!all.contains("\(i)\(trick)x"), "raw \(trick.unicodeScalars.map { $0.value }) printed")
                if trick != "\n" { #expect(!all.contains(trick), "raw \(trick.unicodeScalars.map { $0.value }) printed") }
                #expect(all.contains("clip\(i)") || all.contains("text\(i)"))
            }
        }
    }

    /// An imported document whose endpoint id is a path or holds control characters: refused,
    /// nothing saved; a proper id still imports.
    @Test func importedIdsThatArePathsAreRefused() async throws {
        let home = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: home) }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelCatalogTests/Fixtures/fal-openapi-kling-o1-edit.json")
        let original = try String(contentsOf: fixture, encoding: .utf8)
        let id = "fal-ai/example/o1/video-to-video/edit"
        for bad in ["../evil", "../../etc/passwd", "fal-ai/../../x", "/etc/x", "fal-ai//x", "fal-ai/./x", "fal-ai/x/", "fal\\u001b[2Kai/x", "fal ai/x", ""] {
            let doc = home.appendingPathComponent("doc.json")
            try original.replacingOccurrences(of: id, with: bad).write(to: doc, atomically: true, encoding: .utf8)
            let r = try await preflight(["models", "import", doc.path], home: home)
            #expect(r.status == 65, "\(bad): \(r.stdout)")
            #expect(r.stderr.contains("nothing was saved") || r.stderr.contains("endpointId"), "\(bad): \(r.stderr)")
            #expect(!r.stdout.contains("saved"), "\(bad)")
            #expect(!(r.stdout + r.stderr).contains("\u{1B}"))
        }
        let models = home.appendingPathComponent("config/models").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: models)) ?? []).isEmpty)
        let good = try await preflight(["models", "import", fixture.path], home: home)
        #expect(good.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: models).count == 1)
    }

    /// Limit lines and schema numbers no Int holds ("Min width: 1e999px", maxItems 1e300): the import
    /// finishes (dropping what is not a number) instead of trapping.
    @Test func importedHugeNumbersDoNotTrap() async throws {
        let home = try TestMedia.temporaryFolder("preflight-hostile")
        defer { try? FileManager.default.removeItem(at: home) }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelCatalogTests/Fixtures/fal-openapi-kling-o1-edit.json")
        let original = try String(contentsOf: fixture, encoding: .utf8)
        for number in ["1e999", "1e300", "-1e300", "9223372036854775808", "nan"] {
            let text = original.replacingOccurrences(of: "Min width: 720px", with: "Min width: \(number)px")
                .replacingOccurrences(of: "Max file size: 200.0MB", with: "Max file size: \(number)MB")
                .replacingOccurrences(of: "\"type\": \"array\"", with: "\"type\": \"array\", \"maxItems\": 1e300, \"minItems\": -1e300")
            let doc = home.appendingPathComponent("doc.json")
            try text.write(to: doc, atomically: true, encoding: .utf8)
            let r = try await preflight(["models", "import", doc.path, "--print"], home: home)
            #expect(r.status == 0 || r.status == 65, "\(number): exit \(r.status)")
        }
    }

    /// A 20 s 720p clip: long enough that a veryslow encode is still running after a second.
    private func longClip(in dir: URL) async throws -> String {
        let source = dir.appendingPathComponent("big.mp4").path
        let ffmpeg = try #require(which("ffmpeg"))
        _ = try await run(ffmpeg, ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=20",
                                   "-c:v", "libx264", "-preset", "ultrafast", source])
        return source
    }

    private func slowFix(_ source: String, output: String, home: URL, stderr: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: preflightExecutable)
        process.arguments = ["fix", source, "--model", "fal-ai/kling-video/o3/pro/video-to-video/edit", "--reencode",
                             "--preset", "veryslow", "-q", "-o", output]
        var env = ProcessInfo.processInfo.environment
        env["PREFLIGHT_HOME"] = home.path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Waits until `process` has begun writing its partial output in `dir` (probing and planning are
/// over, the handlers are installed); false when it ended first. Polls, so it holds under any load.
func encodeStarted(_ process: Process, in dir: URL) async throws -> Bool {
    let marker = ".partial-\(process.processIdentifier)-"
    while process.isRunning {
        if try FileManager.default.contentsOfDirectory(atPath: dir.path).contains(where: { $0.contains(marker) }) { return process.isRunning }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    return false
}
