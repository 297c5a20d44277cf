import Foundation
import MediaProbe
import PreflightCore
import Testing
import TestSupport

/// The quick analysis (headers and first packets through FFmpeg's parsers) has one oracle besides
/// ffprobe: FFmpeg's full analysis on the same file. Every file in TestMedia, at every depth that uses
/// it, must come out the same key for key (only `field_source` may differ), or be refused the same way.
@Suite struct QuickAnalysisTests {
    static let files = TestMedia.valid + TestMedia.lyingHeader + TestMedia.codecShapes + TestMedia.realFootage + TestMedia.damaged

    @Test(arguments: files) func sameValuesAsTheFullAnalysis(_ name: String) throws {
        for depth in [ProbeOptions.Depth.auto, .fast] {
            let quick = try Prober.probe(TestMedia.path(name), options: ProbeOptions(depth: depth, analysis: .quick))
            let full = try Prober.probe(TestMedia.path(name), options: ProbeOptions(depth: depth, analysis: .full))
            let differences = try Self.differences(quick, full)
            #expect(differences.isEmpty, "\(name) (\(depth)): \(differences.joined(separator: "; "))")
            #expect(full.video.allSatisfy { $0.fieldSource == .streamInfo } && full.audio.allSatisfy { $0.fieldSource == .streamInfo })
        }
    }

    /// A test of the two paths proves nothing if the quick one is never taken: these files must take it,
    /// video through the parser (H.264, HEVC, AV1) or its first frame header (ProRes, VP9, Motion JPEG),
    /// and audio through its first frame (PCM: its headers).
    @Test(arguments: TestMedia.quickPath) func quickPathIsTaken(_ name: String) throws {
        let info = try Prober.probe(TestMedia.path(name))
        #expect(!info.video.isEmpty || !info.audio.isEmpty)
        for v in info.video {
            #expect(v.fieldSource == (["prores", "vp9", "mjpeg"].contains(v.codec) ? .frameHeader : .parser), "\(name): \(v.codec ?? "?") \(String(describing: v.fieldSource))")
        }
        // PCM's decoder says everything when it opens; FFmpeg's analysis decodes nothing of it either.
        #expect(info.audio.allSatisfy { $0.fieldSource == (($0.codec ?? "").hasPrefix("pcm_") ? .headers : .firstFrame) },
                "\(name): \(info.audio.map(\.fieldSource))")
    }

    /// Files the parsers cannot vouch for go through the full analysis: other codecs and containers, a
    /// variable frame rate (FFmpeg measures r_frame_rate from timestamps), pictures, cover art.
    @Test(arguments: (TestMedia.valid + TestMedia.codecShapes).filter { !TestMedia.quickPath.contains($0) })
    func otherFilesTakeTheFullAnalysis(_ name: String) throws {
        let info = try Prober.probe(TestMedia.path(name))
        let sources = info.video.map(\.fieldSource) + info.audio.map(\.fieldSource)
        #expect(sources.allSatisfy { $0 == .streamInfo }, "\(name): \(sources)")
    }

    /// A file either path refuses is refused the same way by the other.
    @Test(arguments: TestMedia.hostile) func sameRefusals(_ name: String) {
        func code(_ analysis: ProbeOptions.Analysis) -> String {
            do { return "probed: \(try Prober.probe(TestMedia.path(name), options: ProbeOptions(analysis: analysis)).kind)" } catch { return error.code.rawValue }
        }
        #expect(code(.quick) == code(.full), "\(name)")
    }

    /// The shapes added for the quick analysis, against ffprobe on what they were made to exercise
    /// (the agreement suite covers `TestMedia.valid` field by field).
    @Test(arguments: TestMedia.codecShapes) func codecShapesAgreeWithFFprobe(_ name: String) async throws {
        let info = try Prober.probe(TestMedia.path(name))
        let ref = try await FFprobeReport(TestMedia.path(name))
        for v in info.video {
            let s = ref.stream(v.index)
            #expect(v.codec == FFprobeReport.text(s, "codec_name"))
            #expect(v.profile == FFprobeReport.text(s, "profile"))
            #expect(v.level.map(String.init) == FFprobeReport.text(s, "level"))
            #expect(v.pixelFormat == FFprobeReport.text(s, "pix_fmt"))
            #expect(v.fieldOrder?.rawValue == FFprobeReport.text(s, "field_order"))
            #expect(v.color.range == FFprobeReport.text(s, "color_range"))
            #expect(v.color.primaries == FFprobeReport.text(s, "color_primaries"))
            #expect(v.color.transfer == FFprobeReport.text(s, "color_transfer"))
            #expect(v.color.space == FFprobeReport.text(s, "color_space"))
            #expect(v.sampleAspectRatio?.description == FFprobeReport.text(s, "sample_aspect_ratio"))
            #expect(v.realFrameRate.map { "\($0.num)/\($0.den)" } == FFprobeReport.text(s, "r_frame_rate"))
        }
        for a in info.audio {
            let s = ref.stream(a.index)
            #expect(a.profile == FFprobeReport.text(s, "profile"))
            #expect(a.sampleRate.map(String.init) == FFprobeReport.text(s, "sample_rate"))
            #expect(a.channelLayout == FFprobeReport.text(s, "channel_layout"))
            #expect(a.sampleFormat == FFprobeReport.text(s, "sample_fmt"))
            #expect(a.bitRate.map(String.init) == FFprobeReport.text(s, "bit_rate"))
        }
        if let theirs = FFprobeReport.number(ref.format, "bit_rate") { #expect(info.container.bitRate.map(Double.init) == theirs) }
        if let theirs = FFprobeReport.number(ref.format, "start_time") { #expect(abs((info.container.startTime ?? .nan) - theirs) < 0.0015) }
    }

    @Test func fieldSourceIsInTheJSON() throws {
        let info = try Prober.probe(TestMedia.path("h264_aac.mp4"))
        let json = String(decoding: try ProbeJSON.encoder().encode(info), as: UTF8.self)
        #expect(json.contains(#""field_source":"parser""#))
        #expect(json.contains(#""field_source":"first_frame""#))
        let back = try ProbeJSON.decoder().decode(MediaInfo.self, from: Data(json.utf8))
        #expect(back == info)
    }

    /// The JSON's keys are Foundation's snake_case, byte for byte, on every file and on a failure record.
    @Test func jsonKeysAreFoundationsSnakeCase() throws {
        let reference = JSONEncoder()
        reference.keyEncodingStrategy = .convertToSnakeCase
        reference.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var records: [ProbeJSON.Record] = []
        for name in Self.files + TestMedia.hostile {
            records.append(ProbeJSON.Record(Result { () throws(ProbeError) in try Prober.probe(TestMedia.path(name)) }) { _ in 65 })
        }
        let document = ProbeJSON.Document(tool: "test", files: records)
        #expect(try ProbeJSON.encoder().encode(document) == reference.encode(document))
        // The --ndjson lines, written by the compact encoder: Foundation's bytes, record by record.
        for record in records {
            #expect(try ProbeJSON.line(record) == String(decoding: try reference.encode(record), as: UTF8.self))
        }
        // Strings from outside (paths, tags, messages) with every escape, and numbers of every shape.
        var info = try Prober.probe(TestMedia.path("h264_aac.mp4"))
        info.path = "a\"quote\\back/slash\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é 𝄞 \u{202E}"
        info.container.creationTime = ""
        info.warnings = ["", "x"]
        for d in [0.0, -0.0, 1.0, 0.1, 1e-7, 123456789.125, 1e300, 2.5e-300, 1.0 / 3.0] {
            info.container.duration = d
            #expect(try ProbeJSON.line(.media(info)) == String(decoding: try reference.encode(ProbeJSON.Record.media(info)), as: UTF8.self), "\(d)")
        }
        info.container.duration = .nan
        #expect(throws: (any Error).self) { try ProbeJSON.line(.media(info)) }
    }

    /// Hostile headers: each of the codec configuration's first 200 bytes (hvcC, av1C, vpcC; for ProRes,
    /// whose configuration is the codec tag, the sample description around it) and of the first
    /// packet's first 128 (where ProRes and VP9 keep their frame header; 640 for Motion JPEG's markers),
    /// and of the first audio packet's, with a bit flipped, one at a
    /// time, and the file cut short. The quick analysis never crashes and never disagrees with the full
    /// one: it gives the same values, or falls back, or both refuse the file.
    @Test(arguments: [("hevc.mp4", "hvcC"), ("hlg_iphone.mov", "hvcC"), ("hevc_1080_cropped.mp4", "hvcC"), ("hevc_full_range.mp4", "hvcC"),
                      ("hevc_422_10bit.mov", "hvcC"), ("prores_4444_alpha.mov", "ap4h"), ("prores_hq_tff.mov", "apch"), ("prores_xq_709.mov", "ap4x"),
                      ("vp9_444_full.mp4", "vpcC"), ("vp9_colr_709.mp4", "vpcC"), ("vp9_10bit_pq.mp4", "vpcC"),
                      ("av1_10bit_hlg.mp4", "av1C"), ("av1_444_full.mp4", "av1C"), ("av1_colr_709.mp4", "av1C"),
                      ("mjpeg_itu601_422.mov", "jpeg"), ("mjpeg_colr_709.mov", "jpeg"),
                      ("h264_pcm_s16.mov", "sowt"), ("prores_pcm_s24.mov", "in24"), ("h264_alac.mov", "alac"), ("vp9_opus.mp4", "dOps")])
    func mutatedHeadersNeverDisagree(_ name: String, _ configuration: String) async throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestMedia.path(name))))
        let folder = try TestMedia.temporaryFolder("preflight-quick-mutated")
        defer { try? FileManager.default.removeItem(at: folder) }
        func offset(of tag: String) -> Int? {
            let t = Array(tag.utf8)
            return original.indices.dropLast(4).first { original[$0..<($0 + 4)].elementsEqual(t) }
        }
        let config = try #require(offset(of: configuration)), mdat = try #require(offset(of: "mdat"))
        // The quick path must be taken on the original, or the flips below test nothing of it.
        #expect(try Prober.probe(TestMedia.path(name), options: ProbeOptions(depth: .fast)).video.allSatisfy { $0.fieldSource != .streamInfo })
        var copies: [(String, [UInt8])] = []
        // The record's header and what follows (an hvcC's SPS sits within ~100 bytes), and the first
        // packet (a JPEG's markers up to its frame header and Huffman tables take ~600 bytes).
        var spans = [(config + 4, 200), (mdat + 4, configuration == "jpeg" ? 640 : 128)]
        // The first audio packet too, which the analysis decodes for most codecs (AC-3's says its channels).
        if let audio = try await FFprobeReport.firstPacketPosition(TestMedia.path(name), kind: "a"), audio != mdat + 8 {
            spans.append((audio, 128))
        }
        for (start, span) in spans {
            for byte in start..<min(start + span, original.count) {
                var copy = original
                copy[byte] ^= UInt8(1 << (byte % 8))
                copies.append(("flip \(byte)", copy))
            }
        }
        for fraction in [0.3, 0.6, 0.9] { copies.append(("cut at \(fraction)", Array(original.prefix(Int(Double(original.count) * fraction))))) }
        let path = folder.appendingPathComponent(name).path
        for (what, bytes) in copies {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let quick = Result { try Prober.probe(path, options: ProbeOptions(depth: .fast, analysis: .quick)) }
            let full = Result { try Prober.probe(path, options: ProbeOptions(depth: .fast, analysis: .full)) }
            switch (quick, full) {
            case (.success(let q), .success(let f)):
                let d = try Self.differences(q, f)
                #expect(d.isEmpty, "\(name), \(what): \(d.prefix(4).joined(separator: "; "))")
            case (.failure, .failure): break
            default:
                Issue.record("\(name), \(what): one path refused, the other did not (quick \(quick.map(\.kind)), full \(full.map(\.kind)))")
            }
        }
    }

    /// Every key path whose JSON value differs, field_source aside.
    static func differences(_ a: MediaInfo, _ b: MediaInfo) throws -> [String] {
        func flatten(_ value: Any, _ path: String, into out: inout [String: String]) {
            if let dict = value as? [String: Any] {
                for (k, v) in dict where k != "field_source" { flatten(v, path.isEmpty ? k : "\(path).\(k)", into: &out) }
            } else if let array = value as? [Any] {
                for (i, v) in array.enumerated() { flatten(v, "\(path)[\(i)]", into: &out) }
            } else {
                out[path] = "\(value)"
            }
        }
        var fa: [String: String] = [:], fb: [String: String] = [:]
        flatten(try JSONSerialization.jsonObject(with: ProbeJSON.encoder().encode(a)), "", into: &fa)
        flatten(try JSONSerialization.jsonObject(with: ProbeJSON.encoder().encode(b)), "", into: &fb)
        return Set(fa.keys).union(fb.keys).sorted().compactMap { key in
            fa[key] == fb[key] ? nil : "\(key): quick \(fa[key] ?? "absent"), full \(fb[key] ?? "absent")"
        }
    }
}
