import Batch
import FalClient
import Foundation
import Testing
import TestSupport

/// `preflight prepare` run as a user runs it, stopped midway by SIGTERM (Ctrl-C's twin) or SIGKILL,
/// then run again: the end state equals an uninterrupted run's.
@Suite struct InterruptTests {
    /// Four re-encodes one at a time, so a run is long enough to stop in the middle.
    static let layout: [(String, String)] = [
        ("a/one.mkv", "no_durations.mkv"), ("a/two.mkv", "no_durations.mkv"),
        ("b/three.mkv", "no_durations.mkv"), ("b/four.mkv", "no_durations.mkv"),
        ("b/keep.mp4", "hd_1280x720_4s.mp4"), ("corrupt.mp4", "truncated_no_index.mp4"),
    ]

    static func makeTree(_ root: URL, name: String) throws -> (URL, URL) {
        let source = root.appendingPathComponent(name), output = root.appendingPathComponent(name + "-out")
        for (path, media) in layout {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestMedia.path(media), toPath: url.path)
        }
        return (source, output)
    }

    static func arguments(_ source: URL, _ output: URL) -> [String] {
        ["prepare", source.path, "--model", lipsync, "--out", output.path, "-j", "1", "--encodes", "1", "-q"]
    }

    static func environment(_ home: URL) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PREFLIGHT_HOME"] = home.path
        return env
    }

    /// Starts a run and sends `signal` once the manifest shows some files done and some not.
    static func interrupted(_ source: URL, _ output: URL, home: URL, signal: Int32) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: preflightExecutable)
        process.arguments = arguments(source, output)
        process.environment = environment(home)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let manifestURL = output.appendingPathComponent(Manifest.fileName)
        while process.isRunning {
            if let manifest = try? Manifest.load(manifestURL),
               manifest.rows.contains(where: { $0.status == .fixed }), manifest.rows.contains(where: { $0.status == .pending }) {
                kill(process.processIdentifier, signal)
                break
            }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        await waitForExit(process)
        return process
    }

    /// Every row's output is on disk with the recorded hash.
    static func expectConsistent(_ manifest: Manifest, output: URL) throws {
        for row in manifest.rows {
            guard let path = row.output, row.status == .compliant || row.status == .fixed else { continue }
            #expect(try SHA256.file(output.appendingPathComponent(path).path) == row.outputHash, "\(path)")
        }
    }

    static func hiddenLeftovers(_ folder: URL) -> [String] {
        let walker = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let relative = walker?.nextObject() as? String {
            if (relative as NSString).lastPathComponent.hasPrefix(".") { found.append(relative) }
        }
        return found
    }

    @Test func killedOrStoppedRunsResumeToTheSameResult() async throws {
        let root = try TestMedia.temporaryFolder("preflight-prepare-kill")
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.appendingPathComponent("home")

        // The reference: one run, start to end.
        let (refSource, refOutput) = try Self.makeTree(root, name: "reference")
        let reference = try await run(preflightExecutable, Self.arguments(refSource, refOutput), environment: Self.environment(home))
        #expect(reference.status == 2, "a corrupt file makes exit 2: \(reference.stderr)")
        let expected = try #require(try Manifest.load(refOutput.appendingPathComponent(Manifest.fileName))).rows.map(RowEssence.init)
        #expect(expected.filter { $0.status == .fixed }.count == 4)

        for (signal, name) in [(SIGKILL, "killed"), (SIGTERM, "stopped")] {
            let (source, output) = try Self.makeTree(root, name: name)
            let process = try await Self.interrupted(source, output, home: home, signal: signal)
            let midway = try #require(try Manifest.load(output.appendingPathComponent(Manifest.fileName)))
            #expect(midway.rows.contains { $0.status == .pending }, "\(name): the run ended before it could be stopped")
            try Self.expectConsistent(midway, output: output)
            if signal == SIGKILL {
                #expect(process.terminationReason == .uncaughtSignal)
            } else {
                #expect(process.terminationStatus == 143, "SIGTERM: 128 + 15, as a shell reports it")
                #expect(Self.hiddenLeftovers(output).isEmpty, "a clean stop leaves no temporary file: \(Self.hiddenLeftovers(output))")
            }

            let resumed = try await run(preflightExecutable, Self.arguments(source, output), environment: Self.environment(home))
            #expect(resumed.status == 2)
            let final = try #require(try Manifest.load(output.appendingPathComponent(Manifest.fileName)))
            #expect(final.rows.map(RowEssence.init) == expected, "\(name) then resumed differs from one uninterrupted run")
            try Self.expectConsistent(final, output: output)
            #expect(Self.hiddenLeftovers(output).isEmpty)
            // What was finished before the stop was not done again.
            for row in midway.rows where row.status == .fixed {
                #expect(final.rows.first { $0.source == row.source } == row, "\(row.source) was redone")
            }
        }
    }

    @Test func usageMistakesAndMissingSources() async throws {
        let root = try TestMedia.temporaryFolder("preflight-prepare-usage")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = Self.environment(root)
        let out = root.appendingPathComponent("out").path
        #expect(try await run(preflightExecutable, ["prepare", "/nonexistent/footage", "--model", lipsync, "--out", out], environment: env).status == 66)
        #expect(try await run(preflightExecutable, ["prepare", root.path, "--model", lipsync, "--out", out, "--link", "soft"], environment: env).status == 64)
        #expect(try await run(preflightExecutable, ["prepare", root.path, "--out", out], environment: env).status == 64)
        #expect(try await run(preflightExecutable, ["prepare", root.path, "--model", lipsync, "--out", root.path], environment: env).status == 64)
        #expect(try await run(preflightExecutable, ["prepare", root.path, "--model", "no/such-model", "--out", out], environment: env).status == 64)
        // An all-compliant folder: exit 0.
        let ok = root.appendingPathComponent("ok")
        try FileManager.default.createDirectory(at: ok, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestMedia.path("hd_1280x720_4s.mp4"), toPath: ok.appendingPathComponent("a.mp4").path)
        let done = try await run(preflightExecutable, ["prepare", ok.path, "--model", lipsync, "--out", out], environment: env)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("compliant (copied)  1"))
        // Unfixable but nothing failed: exit 1.
        try FileManager.default.copyItem(atPath: TestMedia.path("sd_854x480.mp4"), toPath: ok.appendingPathComponent("short.mp4").path)
        #expect(try await run(preflightExecutable, ["prepare", ok.path, "--model", lipsync, "--out", out], environment: env).status == 1)
    }
}
