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
