import Foundation
import MediaIO
import Testing
import TestSupport

/// The decode check owns FFmpeg's decoders and their log: every complaint arrives with the stream
/// and time it belongs to, from whichever frame thread made it, and never in another file's check.
@Suite struct DecodeCheckTests {
    static func streams(_ path: String) throws -> [Int] {
        let demuxer = try Demuxer(path: path)
        try demuxer.findStreamInfo()
        return demuxer.streams.filter { ($0.mediaType == .video && !$0.isAttachedPicture) || $0.mediaType == .audio }.map(\.index)
    }

    /// Frame threads on: the decoders' lines still reach the check (they are logged on FFmpeg's
    /// worker threads, which a thread-local capture never sees), with their stream and codec name.
    @Test func frameThreadedDecodersReportTheirLines() throws {
        let path = TestMedia.path("damaged_middle.mp4")
        let report = try DecodeCheck(streams: try Self.streams(path), threads: 4).run(path: path)
        #expect(report.problemCount > 0)
        let video = report.problems.filter { $0.stream == 0 }
        #expect(!video.isEmpty, "\(report.problems)")
        #expect(report.problems.contains { $0.message.hasPrefix("h264: ") || $0.message.hasPrefix("aac: ") })
        #expect(report.problems.compactMap(\.time).allSatisfy { $0 > 1 && $0 < 3.5 }, "\(report.problems.map(\.time))")
        #expect((report.streams[0]?.frames ?? 0) > 90) // 100 frames, a few lost to the damage
    }

    /// A healthy file, decoded at the same time as a damaged one on another thread, hears nothing of it.
    @Test func oneChecksLinesStayItsOwn() async throws {
        let healthy = TestMedia.path("long_720p_12s.mp4"), damaged = TestMedia.path("damaged_middle.mp4")
        let (s1, s2) = (try Self.streams(healthy), try Self.streams(damaged))
        async let a = Task.detached { try DecodeCheck(streams: s1, threads: 2).run(path: healthy) }.value
        async let b = Task.detached { try DecodeCheck(streams: s2, threads: 2).run(path: damaged) }.value
        let (clean, broken) = try await (a, b)
        #expect(clean.problemCount == 0, "\(clean.problems)")
        #expect(clean.streams[0]?.frames == 360)
        #expect(broken.problemCount > 0)
        // And the thread's own capture is over: an error logged afterwards goes back to FFmpegLog's slot.
        do {
            _ = try Demuxer(path: TestMedia.path("truncated_no_index.mp4"))
            Issue.record("a file without its index opened")
        } catch {
            #expect(error.detail?.contains("moov atom not found") == true, "\(error)")
        }
    }

    /// Windows decode only around their points: a 12 s clip sampled for 1 s at 6 s decodes about a
    /// GOP (a keyframe every second) and the second asked for, not the clip.
    @Test func windowsDecodeAroundTheirPoints() throws {
        let path = TestMedia.path("long_720p_12s.mp4")
        let report = try DecodeCheck(streams: [0], threads: 1).run(path: path, windows: [6...7])
        let frames = try #require(report.streams[0]?.frames)
        #expect(frames >= 30 && frames <= 75, "\(frames)")
        #expect((report.streams[0]?.firstTime ?? 0) >= 5 - 0.001)
        #expect(report.problemCount == 0)
    }

    /// Bounded: an endless stream of complaints keeps a few and counts the rest.
    @Test func complaintsAreBounded() throws {
        let path = TestMedia.path("undecodable.mp4")
        var check = DecodeCheck(streams: [0], threads: 1)
        check.problemLimit = 5
        let report = try check.run(path: path)
        #expect(report.problems.count == 5)
        #expect(report.problemCount > 5)
        #expect(report.streams[0]?.frames == 0)
    }
}
