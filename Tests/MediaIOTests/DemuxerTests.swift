import Foundation
import MediaIO
import Testing
import TestSupport

@Suite struct DemuxerTests {
    @Test func packetsMatchFFprobeCounts() async throws {
        let path = TestMedia.path("h264_aac.mp4")
        let demuxer = try Demuxer(path: path)
        var counts: [Int: Int] = [:]
        var bytes = 0
        while let packet = try demuxer.readPacketInfo() {
            counts[packet.streamIndex, default: 0] += 1
            bytes += packet.size
        }
        let ref = try await FFprobeReport(path, countPackets: true)
        for (index, count) in counts {
            #expect(String(count) == FFprobeReport.text(ref.stream(index), "nb_read_packets"))
        }
        #expect(bytes > 0 && bytes < 48_876)
    }

    @Test func openFailuresCarryTheirCause() async throws {
        do {
            _ = try Demuxer(path: "/nonexistent/clip.mp4")
            Issue.record("opened a missing file")
        } catch {
            #expect(error.posixError == ENOENT)
        }
        do {
            _ = try Demuxer(path: TestMedia.path("truncated_no_index.mp4"))
            Issue.record("opened a file without an index")
        } catch {
            #expect(error.isInvalidData)
            #expect(error.detail == "moov atom not found")
            #expect(error.description.contains("moov atom not found"))
        }
    }

    @Test func indexEndRevealsTruncation() async throws {
        let whole = try Demuxer(path: TestMedia.path("h264_aac.mp4"))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: TestMedia.path("h264_aac.mp4"))[.size] as? Int)
        #expect(try #require(whole.indexedDataEnd) <= Int64(size))
        let cut = try Demuxer(path: TestMedia.path("truncated.mp4"))
        #expect(try #require(cut.indexedDataEnd) > 24_438)
    }

    @Test func streamDescriptionsBeforeAndAfterAnalysis() async throws {
        let demuxer = try Demuxer(path: TestMedia.path("rotated_90.mov"))
        try demuxer.findStreamInfo()
        let video = try #require(demuxer.streams.first)
        #expect(video.mediaType == .video)
        #expect(video.displayMatrixRotation == -90)
        #expect(video.pixelFormat == "yuv420p")
        #expect(demuxer.format.headerHadDuration)
    }
}
