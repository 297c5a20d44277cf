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
    var submittedAt = Date()
    var cancelled = false
    var outcome: Outcome?

    /// Milliseconds since the submit.
    func elapsedMs(_ now: Date = Date()) -> Double { now.timeIntervalSince(submittedAt) * 1000 }

    /// Where the request is by the clock: IN_QUEUE for `queueMs`, IN_PROGRESS for `progressMs`,
    /// then COMPLETED. A cancelled request completes at once (unless it lost the race).
    var state: String {
        if outcome != nil || cancelled { return "COMPLETED" }
        let t = elapsedMs()
        if t < Double(scenario.queueMs) { return "IN_QUEUE" }
        return t < Double(scenario.queueMs + scenario.progressMs) ? "IN_PROGRESS" : "COMPLETED"
    }

    /// A queue position that falls as the queue time passes (one place per 100 ms left).
    var queuePosition: Int {
        let left = Double(scenario.queueMs) - elapsedMs()
        return max(0, Int((left / 100).rounded(.up)))
    }
}

/// One request to fal-sim's platform API, for tests that count calls and the ids each carried.
public struct PlatformRequest: Sendable {
    /// One query parameter as the request carried it.
    public struct Item: Sendable {
        /// The parameter's name.
        public var name: String
        /// The parameter's value, as sent (decoded).
        public var value: String
    }

    /// The request's path, e.g. "/v1/models".
    public var path: String
    /// The query parameters in the order sent.
    public var query: [Item]
    /// The HTTP status the simulator answered.
    public var status: Int

    /// Every value of one query parameter, comma-separated lists split.
    public func values(_ name: String) -> [String] {
        query.filter { $0.name == name }.flatMap { $0.value.split(separator: ",").map(String.init) }
    }
}

/// Everything the simulator remembers, behind one actor: requests, counters for scenarios that fail
/// a number of times, uploaded files and multipart uploads in progress.
actor SimulatorState {
    private(set) var requests: [String: SimRequest] = [:]
    /// Requests the request history no longer lists (`FalSimulatorServer.forget`).
    private(set) var forgotten: Set<String> = []
    func forget(_ id: String) { forgotten.insert(id) }
    private var submitFailures: [String: Int] = [:]
    private var partFailures: [String: Int] = [:]
    private var multipart: [String: (folder: URL, name: String)] = [:]
    let storage: URL
    /// Every exchange as "METHOD path -> status", for tests that assert on the wire.
    private(set) var exchanges: [String] = []
    /// Every `fal_webhook` a submit carried, decoded as a server reads the query.
    private(set) var webhooks: [String] = []
    /// Headers of interest each submit carried (X-Fal-*), for tests of platform options.
    private(set) var submitHeaders: [[String: String]] = []

    init(storage: URL) {
        self.storage = storage
    }

    func record(_ line: String) { exchanges.append(line) }

    /// Every platform API request (models, prices, documents): its path, query and answer.
    private(set) var platformRequests: [PlatformRequest] = []
    func recordPlatform(path: String, query: [(String, String)], status: Int) {
        platformRequests.append(PlatformRequest(path: path, query: query.map { PlatformRequest.Item(name: $0.0, value: $0.1) }, status: status))
    }

    private var chaosCounter: UInt64 = 0
    func nextChaosCounter() -> UInt64 { chaosCounter += 1; return chaosCounter }

    /// Headers of interest of every storage request (token, uploads, parts).
    private(set) var uploadHeaders: [[String: String]] = []
    func recordUpload(headers: [String: String]) { uploadHeaders.append(headers) }

    func recordSubmit(webhook: String?, headers: [String: String]) {
        if let webhook { webhooks.append(webhook) }
        submitHeaders.append(headers)
    }

    /// Every stored file gone (each sits in its own folder under `storage`), as after fal's storage
    /// dropped them: their URLs answer 404 from now on; requests and their history stay.
    func dropStoredFiles() {
        let fm = FileManager.default
        for item in (try? fm.contentsOfDirectory(at: storage, includingPropertiesForKeys: nil)) ?? [] { try? fm.removeItem(at: item) }
    }

    /// Stored files that answer 404 from a moment on (outputs under `outputs_expire_ms`), by file id.
    private var expiry: [String: Date] = [:]
    func expire(files ids: [String], at date: Date) { for id in ids { expiry[id] = date } }
    func isExpired(file id: String, now: Date = Date()) -> Bool { expiry[id].map { now >= $0 } ?? false }

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
        // Not the storage itself: a request still arriving while the simulator stops must not
        // make again the folder `stop()` has just removed.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
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
