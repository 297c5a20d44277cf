import FalClient
import Foundation

/// One upload per file at a time: two runs of a dual job that send the same bytes share one
/// transfer (and so one URL) instead of racing to upload them twice.
actor UploadGate {
    private var inFlight: [String: Task<Result<URL, FalError>, Never>] = [:]

    func upload(_ path: String, _ work: @escaping @Sendable () async throws(FalError) -> URL) async throws(FalError) -> URL {
        if let running = inFlight[path] { return try await running.value.get() }
        let task = Task { () -> Result<URL, FalError> in
            do throws(FalError) { return .success(try await work()) } catch { return .failure(error) }
        }
        inFlight[path] = task
        let result = await task.value
        inFlight[path] = nil
        return try result.get()
    }
}
