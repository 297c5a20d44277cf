import Foundation

/// ffprobe's view of a file: the reference our probe must agree with.
public struct FFprobeReport: @unchecked Sendable {
    public let format: [String: Any]
    public let streams: [[String: Any]]

    /// Runs `ffprobe -show_format -show_streams -of json` (with `-count_packets` when asked).
    public init(_ path: String, countPackets: Bool = false) async throws {
        guard let ffprobe = which("ffprobe") else { throw CocoaError(.executableNotLoadable) }
        var args = ["-v", "quiet", "-show_format", "-show_streams", "-of", "json"]
        if countPackets { args.insert("-count_packets", at: 0) }
        let result = try await run(ffprobe, args + [path])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        format = json["format"] as? [String: Any] ?? [:]
        streams = json["streams"] as? [[String: Any]] ?? []
    }

    /// The rotation ffprobe finds on the first decoded frame (JPEG EXIF orientation shows only there).
    public static func firstFrameRotation(_ path: String) async throws -> Int {
        guard let ffprobe = which("ffprobe") else { throw CocoaError(.executableNotLoadable) }
        let result = try await run(ffprobe, ["-v", "quiet", "-show_frames", "-read_intervals", "%+#1", "-of", "json", path])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let frame = (json["frames"] as? [[String: Any]])?.first ?? [:]
        return clockwiseRotation(frame)
    }

    /// The packets of one stream ffprobe reads, less those FFmpeg marks discarded (outside an MP4
    /// edit list): what a player presents.
    public static func presentedPackets(_ path: String, stream: Int) async throws -> Int64 {
        Int64(try await presentedTimestamps(path, stream: stream).count)
    }

    /// Those packets' presentation timestamps, in presentation order (in the stream's time base).
    public static func presentedTimestamps(_ path: String, stream: Int) async throws -> [Int64] {
        guard let ffprobe = which("ffprobe") else { throw CocoaError(.executableNotLoadable) }
        let result = try await run(ffprobe, ["-v", "quiet", "-select_streams", String(stream), "-show_entries", "packet=pts,flags", "-of", "csv=p=0", path])
        return result.stdout.split(separator: "\n").filter { !$0.contains("D") }
            .compactMap { Int64($0.split(separator: ",").first ?? "") }.sorted()
    }

    /// Where in the file ffprobe reads the first packet of the first stream of a kind ("a", "v").
    public static func firstPacketPosition(_ path: String, kind: String) async throws -> Int? {
        guard let ffprobe = which("ffprobe") else { throw CocoaError(.executableNotLoadable) }
        let result = try await run(ffprobe, ["-v", "quiet", "-select_streams", "\(kind):0", "-read_intervals", "%+#1",
                                             "-show_entries", "packet=pos", "-of", "csv=p=0", path])
        return result.stdout.split(separator: "\n").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    public func stream(_ index: Int) -> [String: Any] {
        streams.first { ($0["index"] as? Int) == index } ?? [:]
    }

    /// A field as text, or nil when ffprobe does not know it (absent, "N/A", "unknown", -99).
    public static func text(_ dict: [String: Any], _ key: String) -> String? {
        guard let value = dict[key] else { return nil }
        let text = "\(value)"
        return ["N/A", "unknown", "-99", "0/0", "0:1", ""].contains(text) ? nil : text
    }

    public static func number(_ dict: [String: Any], _ key: String) -> Double? {
        text(dict, key).flatMap(Double.init)
    }

    /// The display matrix rotation as the clockwise turn that shows the picture upright.
    public static func clockwiseRotation(_ stream: [String: Any]) -> Int {
        for side in stream["side_data_list"] as? [[String: Any]] ?? [] {
            if let r = side["rotation"] as? Int { return ((-r % 360) + 360) % 360 }
        }
        return 0
    }
}
