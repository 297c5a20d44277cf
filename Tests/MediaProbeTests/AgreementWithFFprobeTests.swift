import Foundation
import MediaProbe
import Testing
import TestSupport

/// Our probe against ffprobe, the reference, on every valid TestMedia file: one test per family of
/// fields. A value ffprobe does not know is not compared; one we measured by reading packets (where
/// ffprobe read a header) is compared in the semantic tests instead.
@Suite struct AgreementWithFFprobeTests {
    static let files = TestMedia.valid

    func probe(_ name: String) async throws -> (MediaInfo, FFprobeReport) {
        (try Prober.probe(TestMedia.path(name)), try await FFprobeReport(TestMedia.path(name)))
    }

    @Test(arguments: files) func container(_ name: String) async throws {
        let (info, ref) = try await probe(name)
        #expect(info.container.format == FFprobeReport.text(ref.format, "format_name"))
        #expect(info.container.streamCount == Int(FFprobeReport.text(ref.format, "nb_streams") ?? ""))
        if let theirs = FFprobeReport.number(ref.format, "bit_rate") {
            #expect(info.container.bitRate.map(Double.init) == theirs)
        }
        if let theirs = FFprobeReport.number(ref.format, "start_time") {
            #expect(abs((info.container.startTime ?? .nan) - theirs) < 0.0015)
        }
        if info.kind != .image, info.container.durationSource != .packets, let theirs = FFprobeReport.number(ref.format, "duration") {
            #expect(abs((info.container.duration ?? .nan) - theirs) < 0.0015)
        }
    }

    @Test(arguments: files) func videoGeometry(_ name: String) async throws {
        let (info, ref) = try await probe(name)
        for v in info.video {
            let s = ref.stream(v.index)
            #expect(v.codec == FFprobeReport.text(s, "codec_name"))
            #expect(v.profile == FFprobeReport.text(s, "profile"))
            #expect(v.level.map(String.init) == FFprobeReport.text(s, "level"))
            #expect(v.pixelFormat == FFprobeReport.text(s, "pix_fmt"))
            #expect(v.width == s["width"] as? Int)
            #expect(v.height == s["height"] as? Int)
            #expect(v.sampleAspectRatio?.description == FFprobeReport.text(s, "sample_aspect_ratio"))
            #expect(v.displayAspectRatio?.description == FFprobeReport.text(s, "display_aspect_ratio"))
            let theirs = info.kind == .image ? try await FFprobeReport.firstFrameRotation(info.path) : FFprobeReport.clockwiseRotation(s)
            #expect(v.rotation == theirs)
        }
    }

    @Test(arguments: files) func frameRatesAndCounts(_ name: String) async throws {
        let (info, ref) = try await probe(name)
        for v in info.video {
            let s = ref.stream(v.index)
            #expect(v.averageFrameRate.map { "\($0.num)/\($0.den)" } == FFprobeReport.text(s, "avg_frame_rate"))
            #expect(v.realFrameRate.map { "\($0.num)/\($0.den)" } == FFprobeReport.text(s, "r_frame_rate"))
            if v.frameCountSource == .header {
                #expect(v.frameCount.map(String.init) == FFprobeReport.text(s, "nb_frames"))
            }
            if info.probeMode == .fast, let theirs = FFprobeReport.number(s, "duration") {
                #expect(abs((v.duration ?? .nan) - theirs) < 0.0015)
            }
        }
    }

    @Test(arguments: files) func colourAndFields(_ name: String) async throws {
        let (info, ref) = try await probe(name)
        for v in info.video {
            let s = ref.stream(v.index)
            #expect(v.fieldOrder?.rawValue == FFprobeReport.text(s, "field_order"))
            #expect(v.color.range == FFprobeReport.text(s, "color_range"))
            #expect(v.color.primaries == FFprobeReport.text(s, "color_primaries"))
            #expect(v.color.transfer == FFprobeReport.text(s, "color_transfer"))
            #expect(v.color.space == FFprobeReport.text(s, "color_space"))
        }
    }

    @Test(arguments: files) func audio(_ name: String) async throws {
        let (info, ref) = try await probe(name)
        for a in info.audio {
            let s = ref.stream(a.index)
            #expect(a.codec == FFprobeReport.text(s, "codec_name"))
            #expect(a.profile == FFprobeReport.text(s, "profile"))
            #expect(a.sampleRate.map(String.init) == FFprobeReport.text(s, "sample_rate"))
            #expect(a.channels == s["channels"] as? Int)
            #expect(a.channelLayout == FFprobeReport.text(s, "channel_layout"))
            #expect(a.sampleFormat == FFprobeReport.text(s, "sample_fmt"))
            #expect(a.bitRate.map(String.init) == FFprobeReport.text(s, "bit_rate"))
        }
    }

    @Test(arguments: files) func attachedPictures(_ name: String) async throws {
        let (info, ref) = try await probe(name)
        let theirs = ref.streams.filter { (($0["disposition"] as? [String: Any])?["attached_pic"] as? Int) == 1 }
            .compactMap { $0["index"] as? Int }
        #expect(info.attachedPictures.map(\.index) == theirs)
    }
}
