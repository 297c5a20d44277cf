import Foundation
import PreflightCore

/// A completed request's result, saved to disk as it arrived (never held whole in memory).
package struct SavedResult: Sendable {
    package var requestID: String
    /// result.json: the model's answer with every secret removed.
    package var file: String
    package var outputs: ResultScanner.Outputs
    /// The answer itself when it is small (1 MiB or less): the journal keeps it.
    package var json: JSONValue?
}

extension FalClient {
    /// Results up to this size are also kept in the journal; larger ones only on disk.
    public static let resultKeptInJournal = 1 << 20

    /// `GET {response_url}`, streamed through `ResultScanner`: the redacted body to `file` (a
    /// temporary name beside it, renamed when whole), inlined outputs decoded into `inlineFolder`.
    /// An error answer is classified as `result(_:)` does. A transfer silent for `stallTimeout`
    /// seconds fails; `shouldStop` ends it early (Ctrl-C, a deadline).
    package func result(_ submission: QueueSubmission, saveTo file: URL, inlineFolder: URL,
                       inlineName: @escaping (_ index: Int, _ contentType: String) -> String,
                       stallTimeout: Double = 30, shouldStop: (@Sendable () -> Bool)? = nil) async throws(FalError) -> SavedResult {
        try await redacting { () async throws(FalError) -> SavedResult in
            let operation = "result of \(submission.requestID)"
            try FalEndpoints.requireSecure(submission.responseURL, name: operation)
            let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let handle = FileHandle(forWritingAtPath: temporary.path) else {
                throw FalError(kind: .usage, message: "\(operation): cannot write \(Redactor.printable(temporary.path))",
                               hint: "Check that the results folder is writable and has space; the result stays at fal.")
            }
            var scanner = ResultScanner(copyTo: handle, redactor: key.redactor, inlineFolder: inlineFolder, nameFor: inlineName)
            var closed = false
            defer {
                if !closed { try? handle.close() }
                try? FileManager.default.removeItem(at: temporary)
            }
            let request = HTTPRequest(method: "GET", url: submission.responseURL, headers: [("Authorization", key.authorization)], timeout: nil)
            do {
                for try await chunk in transport.stream(request, idleTimeout: stallTimeout, shouldStop: shouldStop) {
                    do throws(ResultScanError) { try scanner.feed(chunk) } catch {
                        scanner.abandon()
                        throw FalError(kind: .unexpectedOutput, message: "\(operation): \(error.message)",
                                       hint: "The request completed, so it is not sent again: the result is fetched again later.", status: 200)
                    }
                }
            } catch let e as FalError {
                throw e
            } catch let e as TransportError {
                scanner.abandon()
                log?("GET \(Self.redactedPath(submission.responseURL)) -> \(e)")
                throw FalError.network(e, operation: operation, isSubmit: false)
            } catch let e as HTTPStatusError {
                scanner.abandon()
                log?("GET \(Self.redactedPath(submission.responseURL)) -> \(e.response.status)")
                throw FalError.classify(e.response, operation: operation)
            } catch {
                scanner.abandon()
                throw FalError(kind: .network, message: "\(operation): \(error)", hint: "Fetch it again.", retryable: true)
            }
            let outputs: ResultScanner.Outputs
            do throws(ResultScanError) { outputs = try scanner.finish() } catch {
                throw FalError(kind: .unexpectedOutput, message: "\(operation): \(error.message)",
                               hint: "The request completed, so it is not sent again: the result is fetched again later.", status: 200)
            }
            do { try handle.synchronize() } catch {}
            try? handle.close()
            closed = true
            guard rename(temporary.path, file.path) == 0 else {
                for inline in outputs.inline { try? FileManager.default.removeItem(atPath: inline.path) }
                throw FalError(kind: .usage, message: "\(operation): cannot write \(Redactor.printable(file.path))",
                               hint: "Check that the results folder is writable and has space; the result stays at fal.")
            }
            log?("GET \(Self.redactedPath(submission.responseURL)) -> 200, \(outputs.bytes) bytes")
            var json: JSONValue?
            if outputs.bytes <= Self.resultKeptInJournal, let data = FileManager.default.contents(atPath: file.path) {
                json = try? JSONDecoder().decode(JSONValue.self, from: data)
            }
            return SavedResult(requestID: submission.requestID, file: file.path, outputs: outputs, json: json)
        }
    }
}
