import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion and captures its output. The wait happens on a thread of its own:
/// a test never blocks the Swift concurrency pool, which in-process servers (the fal simulator)
/// need to answer.
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runBlocking(executable, arguments, environment: environment) }) }.start()
    }
}

/// Waits for `process` to exit without holding a concurrency thread.
public func waitForExit(_ process: Process) async {
    await withCheckedContinuation { continuation in
        Thread { process.waitUntilExit(); continuation.resume() }.start()
    }
}

/// Both pipes drained concurrently, so a chatty child cannot block on a full pipe.
private func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]?) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = offlineUnlessLocal(environment ?? ProcessInfo.processInfo.environment, arguments: arguments)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A test never reaches fal itself: a `preflight` not pointed at a local fal-sim (by the
/// environment or --fal-url) is told it is offline, so an id no catalog layer knows is not looked
/// up at api.fal.ai.
public func offlineUnlessLocal(_ environment: [String: String], arguments: [String] = []) -> [String: String] {
    var env = environment
    let local = env["PREFLIGHT_FAL_URL"] != nil || env["PREFLIGHT_FAL_PLATFORM_URL"] != nil || arguments.contains("--fal-url")
    if !local, env["PREFLIGHT_OFFLINE"] == nil { env["PREFLIGHT_OFFLINE"] = "1" }
    return env
}

/// Finds a program on PATH.
public func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// The `preflight` executable built beside the test bundle.
public var preflightExecutable: String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // Swift Testing may run from inside the .xctest bundle's folder.
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("preflight").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir.deleteLastPathComponent()
    }
    fatalError("preflight executable not found near \(CommandLine.arguments[0])")
}

/// The built `fal-sim`, next to `preflight`.
public var falSimExecutable: String {
    (preflightExecutable as NSString).deletingLastPathComponent + "/fal-sim"
}

/// The library example (`Examples/SendOneClip`), next to `preflight`.
public var sendOneClipExecutable: String {
    (preflightExecutable as NSString).deletingLastPathComponent + "/send-one-clip"
}
