import FalSimulator
import Foundation
import Testing
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
    process.environment = offlineUnlessLocal(env, arguments: args)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// What a command sent to fal-sim besides reading fal's platform API (model listing, prices,
/// documents): uploads, submits, anything that costs or changes something.
func sentBeyondPlatformReads(_ server: FalSimulatorServer) async -> [String] {
    await server.exchanges().filter { !($0.hasPrefix("GET /v1/models") || $0.hasPrefix("GET /api/openapi/")) }
}

/// Waits until fal-sim has accepted `count` requests (at most `seconds`): the moment a test
/// kills, interrupts or races a running preflight.
func waitUntilAccepted(_ server: FalSimulatorServer, count: Int = 1, seconds: Double = 60) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while await server.acceptedRequests().count < count, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
}

/// Waits for a background preflight to end; one that is still running after `seconds` is a
/// failure (and is killed), never a hung suite.
func waitForExit(_ process: Process, within seconds: Double, _ what: String) async {
    let watchdog = Task {
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
        if process.isRunning { Issue.record("\(what): still running after \(Int(seconds)) s"); kill(process.processIdentifier, SIGKILL) }
    }
    await waitForExit(process)
    watchdog.cancel()
}
