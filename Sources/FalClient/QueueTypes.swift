import Foundation
import PreflightCore

/// fal's answer to a submit: the request id and the URLs to follow (never built by hand).
public struct QueueSubmission: Codable, Sendable, Equatable {
    /// The id fal's queue gave the request: the key to follow, cancel or settle it.
    public var requestID: String
    /// Where to poll the request's status (fal's URL, followed as given).
    public var statusURL: URL
    /// Where to fetch the result once the request completed.
    public var responseURL: URL
    /// Where to ask fal to cancel the request.
    public var cancelURL: URL
    /// How many requests are ahead of this one when it was accepted; nil when fal did not say (or said
    /// something absurd).
    public var queuePosition: Int?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", statusURL = "status_url", responseURL = "response_url", cancelURL = "cancel_url"
        case queuePosition = "queue_position"
    }

    init(requestID: String, statusURL: URL, responseURL: URL, cancelURL: URL, queuePosition: Int?) {
        self.requestID = requestID
        self.statusURL = statusURL
        self.responseURL = responseURL
        self.cancelURL = cancelURL
        self.queuePosition = queuePosition
    }

    /// Reads fal's submit answer; every URL must be present, an unusable queue position is dropped.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try c.decode(String.self, forKey: .requestID)
        statusURL = try c.decode(URL.self, forKey: .statusURL)
        responseURL = try c.decode(URL.self, forKey: .responseURL)
        cancelURL = try c.decode(URL.self, forKey: .cancelURL)
        queuePosition = QueueStatus.position(c, .queuePosition)
    }
}

/// A log line of a running request, as fal streams it.
public struct QueueLog: Codable, Sendable, Equatable {
    /// The log line's text, as the model wrote it.
    public var message: String
    /// The level fal gives it ("INFO", "ERROR"...); nil when absent.
    public var level: String?
    /// Who wrote it ("user" for the model's own output...); nil when absent.
    public var source: String?
    /// When, as fal formats it (ISO 8601); nil when absent.
    public var timestamp: String?
}

/// One status of a queued request. There is no FAILED: a failed request is COMPLETED with `error`.
public struct QueueStatus: Codable, Sendable, Equatable {
    /// Where a request is in fal's queue.
    public enum State: String, Codable, Sendable {
        case inQueue = "IN_QUEUE", inProgress = "IN_PROGRESS", completed = "COMPLETED"
    }

    /// IN_QUEUE, IN_PROGRESS or COMPLETED (a failure is COMPLETED with `error`).
    public var status: State
    /// The request id, when fal repeats it in the status.
    public var requestID: String?
    /// How many requests are ahead of this one, while IN_QUEUE; nil otherwise or when unusable.
    public var queuePosition: Int?
    /// The request's log lines, when the status was asked with logs=1; nil when none were sent.
    public var logs: [QueueLog]?
    /// The model's error message, on a COMPLETED request that failed; nil otherwise.
    public var error: String?
    /// fal's machine name for the error, when it gives one; nil otherwise.
    public var errorType: String?
    /// Seconds the model ran (fal's metrics.inference_time); nil when absent or not a number >= 0.
    public var inferenceTime: Double?

    enum CodingKeys: String, CodingKey {
        case status, requestID = "request_id", queuePosition = "queue_position", logs, error, errorType = "error_type", metrics
    }

    struct Metrics: Codable { var inference_time: Double? }

    /// Reads a status; a log list or metrics of the wrong shape is dropped rather than failing the status.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(State.self, forKey: .status)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        queuePosition = Self.position(c, .queuePosition)
        logs = (try? c.decodeIfPresent([QueueLog].self, forKey: .logs)) ?? nil
        error = try c.decodeIfPresent(String.self, forKey: .error)
        errorType = try c.decodeIfPresent(String.self, forKey: .errorType)
        // Numbers from a server are hostile: an absurd one is no value at all, not a crash.
        inferenceTime = ((try? c.decodeIfPresent(Metrics.self, forKey: .metrics)) ?? nil)?.inference_time.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
    }

    /// A queue position, or nil when it is missing, not a whole number, negative or absurd.
    static func position<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) -> Int? {
        guard let n = (try? c.decodeIfPresent(Int.self, forKey: key)) ?? nil, (0...10_000_000).contains(n) else { return nil }
        return n
    }

    /// Writes the status back in fal's shape (metrics.inference_time included).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(requestID, forKey: .requestID)
        try c.encodeIfPresent(queuePosition, forKey: .queuePosition)
        try c.encodeIfPresent(logs, forKey: .logs)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(errorType, forKey: .errorType)
        if let inferenceTime { try c.encode(Metrics(inference_time: inferenceTime), forKey: .metrics) }
    }

    /// Completed, but with the model's error.
    public var failed: Bool { status == .completed && error != nil }
}

/// What fal answered to a cancel.
public enum CancelOutcome: String, Sendable {
    /// Asked; a running request may still complete.
    case requested = "CANCELLATION_REQUESTED"
    case alreadyCompleted = "ALREADY_COMPLETED"
    case notFound = "NOT_FOUND"
}

/// A finished request's output: the model's JSON and the media it points to.
public struct QueueResult: Sendable {
    /// The request id fal's response header gives (else the submit's), redacted; nil when unknown.
    public var requestID: String?
    /// The model's output JSON, with any key redacted.
    public var body: JSONValue
    /// Every URL of a generated file in the body (`video.url`, `images[].url`, `audio.url`...).
    public var mediaURLs: [URL]
}

extension QueueStatus {
    /// The same status without a key in its texts (a server may echo it into logs or errors).
    func redacted(by r: Redactor) -> QueueStatus {
        var copy = self
        copy.error = error.map(r.redact)
        copy.errorType = errorType.map(r.redact)
        copy.requestID = requestID.map(r.redact)
        copy.logs = logs?.map { QueueLog(message: r($0.message), level: $0.level.map(r.redact), source: $0.source.map(r.redact), timestamp: $0.timestamp) }
        return copy
    }
}
