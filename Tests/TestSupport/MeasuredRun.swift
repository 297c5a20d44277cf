import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A finished child and the most memory it held (its peak resident set, from wait4's rusage).
public struct MeasuredResult: Sendable {
    public var result: ProcessResult
    public var peakResidentBytes: Int64
    public var seconds: Double
}

/// Runs a program to completion, as `run` does, and measures its peak memory and its time.
public func runMeasured(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> MeasuredResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runMeasuredBlocking(executable, arguments, environment: environment) }) }.start()
    }
}

private func runMeasuredBlocking(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> MeasuredResult {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("measured-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outPath = folder.appendingPathComponent("out").path, errPath = folder.appendingPathComponent("err").path
    #if canImport(Glibc)
    var actions = posix_spawn_file_actions_t()
    #else
    var actions: posix_spawn_file_actions_t?
    #endif
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid = pid_t()
    let started = Date()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    var usage = rusage()
    #if os(Linux)
    // The child's own high-water mark, read while it runs. wait4's ru_maxrss cannot be used on
    // Linux: posix_spawn shares this process's memory until exec (vfork), and exec records that
    // memory's peak as the child's, so in a busy test process a 20 MiB child "peaks" at 800 MiB.
    var polled: Int64 = 0
    while true {
        let reaped = wait4(pid, &status, WNOHANG, &usage)
        if reaped == pid { break }
        if reaped < 0 {
            guard errno == EINTR else { throw POSIXError(.ECHILD) }
            continue
        }
        polled = max(polled, highWaterMark(pid))
        usleep(10_000)
    }
    #else
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw POSIXError(.ECHILD) }
    }
    #endif
    let seconds = Date().timeIntervalSince(started)
    // Exited: its code; killed: 128 + the signal, as a shell reports it.
    let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    #if os(Linux)
    let peak = polled
    #else
    let peak = Int64(usage.ru_maxrss) // bytes on Darwin
    #endif
    return MeasuredResult(result: ProcessResult(status: code, stdout: out, stderr: err), peakResidentBytes: peak, seconds: seconds)
}

#if os(Linux)
/// VmHWM from /proc/PID/status, in bytes (0 once the process has gone).
private func highWaterMark(_ pid: pid_t) -> Int64 {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    let kilobytes = line.split(separator: " ").compactMap { Int64($0) }.first ?? 0
    return kilobytes * 1024
}
#endif
