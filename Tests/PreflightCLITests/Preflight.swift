import Foundation
import TestSupport

/// The built `preflight`, run as a user runs it, with its state in `home` and extra environment.
func preflight(_ args: [String], home: URL, environment extra: [String: String] = [:]) async throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env["PREFLIGHT_HOME"] = home.path
    env.merge(extra) { _, new in new }
    return try await run(preflightExecutable, args, environment: env)
}

let kling = "fal-ai/kling-video/o1/video-to-video/edit"

/// The built `preflight` started in the background, its output discarded: for signals, kills and
/// races, where the test acts while it runs.
func startPreflight(_ args: [String], home: URL, environment extra: [String: String]) throws -> Process {
    var env = ProcessInfo.processInfo.environment
    env["PREFLIGHT_HOME"] = home.path
    env.merge(extra) { _, new in new }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: preflightExecutable)
    process.arguments = args
    process.environment = env
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}
