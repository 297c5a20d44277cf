import Foundation
@testable import MediaIO
import Testing
import TestSupport

/// The SPS reader behind the probe's quick analysis, against ffprobe on every H.264 MP4 in TestMedia,
/// and against hostile bytes (every truncation and bit flip of a real SPS): a value or nil, never a trap.
@Suite struct H264SequenceHeaderTests {
    static let files = (TestMedia.valid + TestMedia.codecShapes + TestMedia.lyingHeader)
        .filter { ($0.hasSuffix(".mp4") || $0.hasSuffix(".mov")) && !TestMedia.quickPathTraps.contains($0) }

    /// The avcC of the file's first video stream, when it is H.264.
    static func avcC(_ path: String) throws -> [UInt8]? {
        let demuxer = try Demuxer(path: path)
        guard let index = demuxer.streams.first(where: { $0.mediaType == .video && $0.codecName == "h264" })?.index,
              let par = demuxer.stream(index).pointee.codecpar?.pointee, let data = par.extradata else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(par.extradata_size)))
    }

    @Test(arguments: files) func agreesWithFFprobe(_ name: String) async throws {
        guard let record = try Self.avcC(TestMedia.path(name)) else { return }
        let sps = try #require(H264SequenceHeader.fromAVCConfiguration(record), "\(name): avcC not read").header
        let ref = try await FFprobeReport(TestMedia.path(name))
        let s = try #require(ref.streams.first { ($0["codec_name"] as? String) == "h264" })
        #expect(String(sps.levelIDC) == FFprobeReport.text(s, "level"))
        #expect(sps.codedWidth - sps.cropLeft - sps.cropRight == s["width"] as? Int)
        #expect(sps.codedHeight - sps.cropTop - sps.cropBottom == s["height"] as? Int)
        #expect(String(sps.bitDepthLuma) == FFprobeReport.text(s, "bits_per_raw_sample"))
        let pixfmt = try #require(FFprobeReport.text(s, "pix_fmt"))
        #expect(sps.chromaFormatIDC == (pixfmt.contains("444") || pixfmt.hasPrefix("gbr") ? 3 : pixfmt.contains("422") ? 2 : 1), "\(name): \(pixfmt)")
        if sps.fullRange == true { #expect(FFprobeReport.text(s, "color_range") == "pc") }
    }

    @Test func everyTruncationAndBitFlipIsAValueOrNil() throws {
        let record = try #require(try Self.avcC(TestMedia.path("h264_bt709_full.mp4")))
        let (header, _, nal) = try #require(H264SequenceHeader.fromAVCConfiguration(record))
        #expect(header.colourPrimaries == 1 && header.fullRange == true)
        var read = 0
        for length in 0...nal.count where H264SequenceHeader.parse(nal: Array(nal.prefix(length))) != nil { read += 1 }
        #expect(read >= 1 && read < nal.count) // the whole SPS reads; most cuts do not
        for bit in 8..<(nal.count * 8) {
            var flipped = nal
            flipped[bit / 8] ^= 0x80 >> UInt8(bit % 8)
            _ = H264SequenceHeader.parse(nal: flipped) // must return, whatever it returns
        }
        // Long runs of zero bits are not Exp-Golomb codes H.264 allows.
        #expect(H264SequenceHeader.parse(nal: [0x67, 100, 0, 30] + Array(repeating: 0, count: 16)) == nil)
        #expect(H264SequenceHeader.fromAVCConfiguration([1, 100, 0, 30, 0xFF, 0xE2]) == nil)
    }

    @Test func seiPayloadTypes() {
        func types(_ bytes: [UInt8]) -> [Int] {
            bytes.withUnsafeBufferPointer { H264Reading.seiPayloadTypes($0[...]) }
        }
        #expect(types([5, 2, 0xAA, 0xBB, 0x80]) == [5])
        #expect(types([147, 1, 18, 1, 1, 0, 0x80]) == [147, 1])
        #expect(types([0xFF, 0x01, 1, 0, 0x80]) == [256])
        #expect(types([5, 9, 0xAA]) == [147]) // a size past the end: unreadable, treated as one that matters
        // Emulation prevention inside a payload is not a message boundary.
        #expect(types([5, 3, 0, 0, 3, 1, 0x80]) == [5])
    }
}
