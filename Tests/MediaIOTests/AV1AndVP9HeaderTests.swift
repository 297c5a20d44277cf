import Foundation
@testable import MediaIO
import Testing
import TestSupport

/// The byte readers behind the quick analysis of AV1 and VP9: the av1C's sequence header against
/// ffprobe on every AV1 file in TestMedia and against every truncation and bit flip (a value or nil,
/// never a trap); the VP9 superframe index as FFmpeg's splitter reads it.
@Suite struct AV1AndVP9HeaderTests {
    static let av1Files = TestMedia.codecShapes.filter { $0.hasPrefix("av1") }

    static func av1C(_ path: String) throws -> [UInt8] {
        let demuxer = try Demuxer(path: path)
        let index = try #require(demuxer.streams.first { $0.codecName == "av1" }?.index)
        let par = try #require(demuxer.stream(index).pointee.codecpar?.pointee)
        let data = try #require(par.extradata)
        return Array(UnsafeBufferPointer(start: data, count: Int(par.extradata_size)))
    }

    @Test(arguments: av1Files) func sequenceHeaderAgreesWithFFprobe(_ name: String) async throws {
        let header = try #require(AV1SequenceHeader.fromAV1Configuration(try Self.av1C(TestMedia.path(name))), "\(name): av1C not read")
        let ref = try await FFprobeReport(TestMedia.path(name))
        let s = try #require(ref.streams.first { ($0["codec_name"] as? String) == "av1" })
        #expect(["Main", "High", "Professional"][header.profile] == FFprobeReport.text(s, "profile"))
        #expect(String(header.levelIndex) == FFprobeReport.text(s, "level"))
        #expect(header.maxWidth == s["width"] as? Int && header.maxHeight == s["height"] as? Int)
        let pixfmt = try #require(FFprobeReport.text(s, "pix_fmt"))
        #expect((header.bitDepth == 8) == !pixfmt.contains("p1"), "\(name): \(pixfmt)")
        #expect(!header.subsamplingX == pixfmt.contains("444"), "\(name): \(pixfmt)")
        #expect(header.fullRange == (FFprobeReport.text(s, "color_range") == "pc"))
    }

    @Test func everyTruncationAndBitFlipIsAValueOrNil() throws {
        let record = try Self.av1C(TestMedia.path("av1_10bit_hlg.mp4"))
        let header = try #require(AV1SequenceHeader.fromAV1Configuration(record))
        #expect(header.bitDepth == 10 && header.transferCharacteristics == 18 && header.colourPrimaries == 9)
        // A cut record never reads: the OBU's size runs past its end.
        for length in 0..<record.count { #expect(AV1SequenceHeader.fromAV1Configuration(Array(record.prefix(length))) == nil) }
        var read = 0
        for bit in 0..<(record.count * 8) {
            var flipped = record
            flipped[bit / 8] ^= 0x80 >> UInt8(bit % 8)
            if AV1SequenceHeader.fromAV1Configuration(flipped) != nil { read += 1 }
        }
        #expect(read < record.count * 8) // most flips break the record or its agreement with the header
        // An OBU without a size field, or a forbidden bit, is not read.
        #expect(AV1SequenceHeader.obu(in: [0x08, 0], at: 0) == nil)
        #expect(AV1SequenceHeader.obu(in: [0x8A, 0], at: 0) == nil)
        #expect(AV1SequenceHeader.obu(in: [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], at: 0) == nil)
    }

    @Test func superframeIndex() {
        func first(_ bytes: [UInt8]) -> Int? { bytes.withUnsafeBufferPointer { VP9Reading.firstFrameSize($0) } }
        #expect(first([0x82, 0x49, 0x83, 0x42, 0x00]) == 5) // no index: the whole packet
        // Two frames of 3 and 2 bytes, one-byte sizes: marker 0b11000_001.
        let frames: [UInt8] = [1, 2, 3, 4, 5]
        #expect(first(frames + [0xC1, 3, 2, 0xC1]) == 3)
        #expect(first(frames + [0xC1, 4, 2, 0xC1]) == nil) // sizes past the frames: the splitter refuses
        #expect(first(frames + [0xC1, 3, 2, 0xC0]) == 9) // the index's two markers differ: no index
    }
}
