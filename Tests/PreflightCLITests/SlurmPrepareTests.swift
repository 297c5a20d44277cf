import Foundation
import Testing
import TestSupport

/// Who may start Slurm's daemons here: root, or anyone with password-less sudo.
enum SlurmHost {
    static let isRoot = getuid() == 0

    static let canSudo: Bool = {
        guard !isRoot, let sudo = which("sudo") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sudo)
        process.arguments = ["-n", "true"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static var privileged: Bool { isRoot || canSudo }

    /// The command line that runs `arguments` with the privileges slurmd needs.
    static func command(_ arguments: [String]) -> (String, [String]) {
        isRoot ? (arguments[0], Array(arguments.dropFirst())) : ("/usr/bin/sudo", ["-n", "--preserve-env=TMPDIR"] + arguments)
    }

    /// Installs slurm-wlm and munge from Debian when missing (scripts/setup slurm); false when
    /// that cannot be done here.
    static func installed() async -> Bool {
        guard privileged else { return false }
        let (program, arguments) = command([repositoryRoot.path + "/scripts/setup", "slurm", "jq"])
        guard let result = try? await run(program, arguments) else { return false }
        return result.status == 0 && ["slurmctld", "slurmd", "sbatch", "munged"].allSatisfy { which($0) != nil || FileManager.default.isExecutableFile(atPath: "/usr/sbin/" + $0) }
    }
}

/// `prepare --shard auto` as a real Slurm job array: scripts/slurm-prepare starts a one-node
/// cluster, submits scripts/slurm/prepare.sbatch with --array=0-3, merges the 4 manifests and
/// compares them with a single run, then sees --array=1,3,8 refused by every task; here its account
/// is checked (4 tasks, each its own shard, the merge identical) and so is what it leaves (no
/// folder, no daemon).
@Suite struct SlurmPrepareTests {
    @Test(.enabled(if: SlurmHost.privileged, "Slurm needs root or password-less sudo (slurmd starts each job as its user); skipped as an unprivileged user"),
          .enabled("scripts/setup slurm could not install slurm-wlm and munge from Debian's packages here") { await SlurmHost.installed() })
    func aJobArrayOfFourMergesToTheSingleRun() async throws {
        let (program, arguments) = SlurmHost.command([repositoryRoot.path + "/scripts/slurm-prepare", preflightExecutable])
        let result = try await run(program, arguments)
        print(result.stdout)
        try #require(result.status == 0, "scripts/slurm-prepare: \(result.stderr)\(result.stdout)")

        // Four tasks, ids 0...3, each its own shard of 4: together 1...4 once each.
        let tasks = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  task ") }
        #expect(tasks.count == 4, "\(tasks)")
        let shards = tasks.compactMap { line in line.split(separator: " ").firstIndex(of: "shard").map { line.split(separator: " ")[$0 + 1] } }
        #expect(Set(shards.map { $0.trimmingCharacters(in: [","]) }) == ["1/4", "2/4", "3/4", "4/4"], "\(tasks)")
        let files = tasks.compactMap { line -> Int? in
            let words = line.split(separator: " ")
            return words.firstIndex(of: "file(s),").flatMap { Int(words[$0 - 1]) }
        }
        #expect(files.reduce(0, +) == 8, "every file in exactly one task: \(tasks)")
        #expect(result.stdout.contains("4 array tasks merged: 8 rows, identical to a single run"))
        #expect(result.stdout.contains("--array=1,3,8 refused by each of its 3 tasks"))

        // Nothing left: its folder is gone and no process still runs from it.
        // "  merged 4 manifests, 8 rows: FOLDER/sharded/preflight-manifest.json"
        let mergeLine = try #require(result.stdout.split(separator: "\n").first { $0.contains("merged 4 manifests") })
        let merged = try #require(mergeLine.components(separatedBy: ": ").last)
        let folder = try #require(merged.components(separatedBy: "/sharded/").first)
        #expect(folder.contains("preflight-slurm-"))
        #expect(!FileManager.default.fileExists(atPath: folder), "\(folder) is left")
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let survivors = processes.filter { Int($0) != nil }.compactMap { pid -> String? in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(folder) ? "\(pid): \(line)" : nil
        }
        #expect(survivors.isEmpty, "still running: \(survivors)")
    }
}
