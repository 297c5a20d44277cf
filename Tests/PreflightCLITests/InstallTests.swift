import Foundation
import Testing
import TestSupport

/// The repository's root (scripts/, Package.swift), above TestMedia/.
let repositoryRoot = TestMedia.directory.deletingLastPathComponent()

/// A script of the repository run as a user runs it, from the repository's root.
func script(_ name: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env.merge(extra) { _, new in new }
    return try await run("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", repositoryRoot.path, "scripts/" + name] + arguments, environment: env)
}

/// scripts/install into a temporary prefix, as a user would: the programs run, bash completes
/// every subcommand from its first letters, man renders both pages, a second install changes
/// nothing, and --uninstall leaves nothing behind (a file changed since, or not ours, is kept).
/// One release build (under .build-release) serves every step.
@Suite(.serialized) struct InstallTests {
    @Test func installCompleteRenderAndUninstallLeavingNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let prefix = folder.appendingPathComponent("prefix with space").path

        let installed = try await script("install", ["--prefix", prefix])
        try #require(installed.status == 0, "scripts/install failed: \(installed.stderr)")
        #expect(installed.stdout.contains("install: preflight "))

        // The installed program is this checkout's (its version agrees with the debug build's).
        let version = try await run(prefix + "/bin/preflight", ["--version"])
        let expected = try await run(preflightExecutable, ["--version"])
        #expect(version.status == 0 && version.stdout == expected.stdout && !version.stdout.isEmpty)
        let simulator = try await run(prefix + "/bin/fal-sim", ["--help"])
        #expect(simulator.status == 0 && simulator.stdout.contains("fal-sim"))

        try await expectBashCompletes(prefix: prefix)
        try await expectManPagesRender(prefix: prefix)

        // Idempotent: nothing to write the second time.
        let again = try await script("install", ["--prefix", prefix])
        #expect(again.status == 0 && again.stdout.contains("up to date"), "\(again.stdout)\(again.stderr)")

        let removed = try await script("install", ["--uninstall", "--prefix", prefix])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: prefix), "left: \(files(under: prefix))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// Install replaces nothing it did not put there; --uninstall removes only what it installed and
    /// is unchanged: a file put beside it, or one of its files edited since, stays and is named.
    @Test func uninstallKeepsWhatIsNotItsOwn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let prefix = folder.path + "/prefix"
        // Another tool's `preflight` in the way: refused before building, nothing written beside it.
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try Data("#!/bin/sh\necho another tool\n".utf8).write(to: URL(fileURLWithPath: prefix + "/bin/preflight"))
        let refused = try await script("install", ["--prefix", prefix])
        #expect(refused.status == 73 && refused.stderr.contains(prefix + "/bin/preflight"), "\(refused.stderr)")
        #expect(files(under: prefix) == ["bin/preflight"])
        #expect(try String(contentsOfFile: prefix + "/bin/preflight", encoding: .utf8).contains("another tool"))
        try FileManager.default.removeItem(atPath: prefix + "/bin/preflight")

        let installed = try await script("install", ["--prefix", prefix])
        try #require(installed.status == 0, "scripts/install failed: \(installed.stderr)")
        let record = try String(contentsOfFile: prefix + "/share/preflight/installed-files", encoding: .utf8)
        let recorded = record.split(separator: "\n").filter { $0.hasPrefix("file ") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(Set(recorded) == Set(files(under: prefix)).subtracting(["share/preflight/installed-files"]))

        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: prefix + "/bin/someone-elses-tool"))
        let edited = prefix + "/share/fish/vendor_completions.d/preflight.fish"
        try Data("# mine now\n".utf8).write(to: URL(fileURLWithPath: edited))
        let removed = try await script("install", ["--uninstall", "--prefix", prefix])
        #expect(removed.status == 0 && removed.stdout.contains("kept 1") && removed.stdout.contains(edited), "\(removed.stdout)")
        #expect(files(under: prefix) == ["bin/someone-elses-tool", "share/fish/vendor_completions.d/preflight.fish"])
    }

    /// Every subcommand from its first letters (at most three), and `preflight pre` to `prepare` alone, through
    /// the function bash's `complete -p` names, as bash calls it on Tab.
    private func expectBashCompletes(prefix: String) async throws {
        let dump = try await run(prefix + "/bin/preflight", ["--experimental-dump-help"])
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        let command = json?["command"] as? [String: Any]
        let subcommands = (command?["subcommands"] as? [[String: Any]] ?? []).compactMap { $0["commandName"] as? String }
        #expect(subcommands.contains("prepare") && subcommands.count > 10, "\(subcommands)")
        let completion = prefix + "/share/bash-completion/completions/preflight"
        func complete(_ words: [String]) async throws -> [String] {
            let line = words.joined(separator: " ")
            let program = """
            source "$1" || exit 3
            spec=$(complete -p preflight) || exit 4
            function=${spec##*-F }; function=${function%% *}
            shift
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            "$function" preflight "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = prefix + "/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
            let result = try await run("/bin/bash", ["-c", program, "bash", completion] + words, environment: env)
            #expect(result.status == 0, "\(line): \(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try await complete(["preflight", "pre"]) == ["prepare"])
        for name in subcommands {
            // A proper prefix: a whole name is taken as that subcommand already, and gets nothing more.
            let start = String(name.prefix(min(3, name.count - 1)))
            let offered = try await complete(["preflight", start])
            #expect(offered.contains(name), "preflight \(start)<Tab> offers \(offered)")
            #expect(offered.allSatisfy { $0.hasPrefix(start) }, "preflight \(start)<Tab> offers \(offered)")
        }
        #expect(try await complete(["preflight", "prepare", "--sha"]) == ["--shard"])
        // Values too: the tone-map curves, and model ids from the bundled catalog (asked of the installed program).
        #expect(try await complete(["preflight", "fix", "--tonemap", "mo"]) == ["mobius"])
        #expect(try await complete(["preflight", "check", "--model", "fal-ai/wan/v2.7/ed"]) == ["fal-ai/wan/v2.7/edit-video"])
    }

    /// Both pages through man-db as a user opens them: by path, and by name from the prefix's
    /// man folder. No warning either (groff's mdoc checks the page as it renders it).
    private func expectManPagesRender(prefix: String) async throws {
        if which("man") == nil {
            let setup = try await script("setup", ["man-db"])
            try #require(setup.status == 0, "scripts/setup man-db: \(setup.stderr)")
        }
        let man = try #require(which("man"))
        var env = ProcessInfo.processInfo.environment
        env["MANPAGER"] = "cat"
        env["PAGER"] = "cat"
        env["MANWIDTH"] = "100"
        env["LANG"] = "C.UTF-8"
        for (page, mentions) in [("preflight", ["prepare", "--shard", "Exit codes"]), ("fal-sim", ["127.0.0.1"])] {
            let byPath = try await run(man, ["\(prefix)/share/man/man1/\(page).1"], environment: env)
            #expect(byPath.status == 0 && byPath.stderr.isEmpty, "man \(page).1: \(byPath.stderr)")
            #expect(byPath.stdout.contains("NAME") && byPath.stdout.contains("SYNOPSIS"), "\(byPath.stdout.prefix(400))")
            for word in mentions { #expect(byPath.stdout.contains(word), "man \(page) lacks \(word)") }
            env["MANPATH"] = prefix + "/share/man"
            let byName = try await run(man, [page], environment: env)
            #expect(byName.status == 0 && byName.stdout == byPath.stdout, "man \(page) by name: \(byName.stderr)")
            env["MANPATH"] = nil
        }
    }

    private func files(under root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted()
    }
}
