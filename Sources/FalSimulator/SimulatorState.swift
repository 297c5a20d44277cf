import Foundation
import ModelCatalog

/// A queued request as the simulator tracks it.
struct SimRequest: Sendable {
    enum Outcome: Sendable {
        case success(JSONValue)
        /// The model's error: HTTP status, fal's body, its error_type.
        case failure(status: Int, body: JSONValue, type: String)
    }

    let id: String
    let model: String
    let app: String
    let input: [String: JSONValue]
    let scenario: Scenario
    var polls = 0
    var cancelled = false
    var outcome: Outcome?

    /// Where the request is after `polls` status polls: the first `queuePolls` polls answer
    /// IN_QUEUE, the next `progressPolls` IN_PROGRESS, then COMPLETED.
    var state: String {
        if outcome != nil || cancelled { return "COMPLETED" }
        if polls <= scenario.queuePolls { return "IN_QUEUE" }
        return polls <= scenario.queuePolls + scenario.progressPolls ? "IN_PROGRESS" : "COMPLETED"
    }
}

/// Everything the simulator remembers, behind one actor: requests, counters for scenarios that fail
/// a number of times, uploaded files and multipart uploads in progress.
actor SimulatorState {
    private(set) var requests: [String: SimRequest] = [:]
    private var submitFailures: [String: Int] = [:]
    private var partFailures: [String: Int] = [:]
    private var multipart: [String: (folder: URL, name: String)] = [:]
    let storage: URL
    /// Every exchange as "METHOD path -> status", for tests that assert on the wire.
    private(set) var exchanges: [String] = []

    init(storage: URL) {
        self.storage = storage
    }

    func record(_ line: String) { exchanges.append(line) }

    func add(_ request: SimRequest) { requests[request.id] = request }

    func request(_ id: String) -> SimRequest? { requests[id] }

    func update(_ id: String, _ change: (inout SimRequest) -> Void) -> SimRequest? {
        guard var r = requests[id] else { return nil }
        change(&r)
        requests[id] = r
        return r
    }

    /// True while the scenario still wants submits under `key` to fail.
    func shouldFailSubmit(key: String, times: Int) -> Bool {
        let n = submitFailures[key, default: 0]
        guard n < times else { return false }
        submitFailures[key] = n + 1
        return true
    }

    func shouldFailPart(upload: String, part: Int, times: Int) -> Bool {
        let key = "\(upload)/\(part)"
        let n = partFailures[key, default: 0]
        guard n < times else { return false }
        partFailures[key] = n + 1
        return true
    }

    /// A new stored file's folder: files/<id>/<name>.
    func newFileFolder() throws -> (id: String, folder: URL) {
        let id = UUID().uuidString.lowercased()
        let folder = storage.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (id, folder)
    }

    func startMultipart(id: String, folder: URL, name: String) -> String {
        let upload = UUID().uuidString.lowercased()
        multipart[upload] = (folder, name)
        return upload
    }

    func multipartUpload(_ id: String) -> (folder: URL, name: String)? { multipart[id] }

    func finishMultipart(_ id: String) { multipart[id] = nil }
}
