import Foundation
import ModelCatalog

/// fal's answer to a submit: the request id and the URLs to follow (never built by hand).
public struct QueueSubmission: Codable, Sendable, Equatable {
    public var requestID: String
    public var statusURL: URL
    public var responseURL: URL
    public var cancelURL: URL
    public var queuePosition: Int?

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", statusURL = "status_url", responseURL = "response_url", cancelURL = "cancel_url"
        case queuePosition = "queue_position"
    }
}

public struct QueueLog: Codable, Sendable, Equatable {
    public var message: String
    public var level: String?
    public var source: String?
    public var timestamp: String?
}

/// One status of a queued request. There is no FAILED: a failed request is COMPLETED with `error`.
public struct QueueStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case inQueue = "IN_QUEUE", inProgress = "IN_PROGRESS", completed = "COMPLETED"
    }

    public var status: State
    public var requestID: String?
    public var queuePosition: Int?
    public var logs: [QueueLog]?
    public var error: String?
    public var errorType: String?
    public var inferenceTime: Double?

    enum CodingKeys: String, CodingKey {
        case status, requestID = "request_id", queuePosition = "queue_position", logs, error, errorType = "error_type", metrics
    }

    struct Metrics: Codable { var inference_time: Double? }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(State.self, forKey: .status)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        queuePosition = try c.decodeIfPresent(Int.self, forKey: .queuePosition)
        logs = try c.decodeIfPresent([QueueLog].self, forKey: .logs)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        errorType = try c.decodeIfPresent(String.self, forKey: .errorType)
        inferenceTime = try c.decodeIfPresent(Metrics.self, forKey: .metrics)?.inference_time
    }

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

public enum CancelOutcome: String, Sendable {
    /// Asked; a running request may still complete.
    case requested = "CANCELLATION_REQUESTED"
    case alreadyCompleted = "ALREADY_COMPLETED"
    case notFound = "NOT_FOUND"
}

/// A finished request's output: the model's JSON and the media it points to.
public struct QueueResult: Sendable {
    public var requestID: String?
    public var body: JSONValue
    /// Every URL of a generated file in the body (`video.url`, `images[].url`, `audio.url`...).
    public var mediaURLs: [URL]
}
