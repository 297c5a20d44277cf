import Foundation
import MediaProbe
import PreflightCore
import Testing
import TestSupport

/// Issue 8: hostile pixel aspects, data-only files and credentials in text files.
@Suite struct HostileMediaTests {
    func failure(_ path: String) -> ProbeError? {
        do { _ = try Prober.probe(path); return nil } catch { return error }
    }

    @Test(arguments: TestMedia.hostileAspects)
    func absurdDisplaySizeIsInvalidDimensions(_ name: String) throws {
        let error = try #require(failure(TestMedia.path(name)), "\(name) was accepted")
        #expect(error.code == .invalidDimensions)
        #expect(error.category == .notMedia)
        #expect(error.message.contains("would be shown"), "\(error.message)")
    }

    /// Every pHYs pair over a grid from 0 to 2^31-1 on a 300x400 PNG: ffprobe says what aspect FFmpeg
    /// reads; the picture is accepted exactly when it is shown 1 to 32,768 px wide, at that width.
    @Test func everyPixelAspectOverTheWholeRange() async throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("still_rgba.png")))
        let values: [UInt32] = [0, 1, 45, 64, 65535, 1_000_000, 2_147_483_647]
        var refused = 0, accepted = 0
        for x in values {
            for y in values {
                let path = dir.appendingPathComponent("phys_\(x)_\(y).png").path
                try withPHYs(base, x, y).write(to: URL(fileURLWithPath: path))
                let report = try await FFprobeReport(path)
                let stream = report.stream(0)
                let sar = FFprobeReport.text(stream, "sample_aspect_ratio")?.split(separator: ":").compactMap { Double($0) }
                let width = Double(FFprobeReport.number(stream, "width") ?? 0)
                let shown = (sar.map { $0.count == 2 && $0[0] > 0 && $0[1] > 0 ? width * $0[0] / $0[1] : width } ?? width).rounded()
                if shown >= 1 && shown <= Double(Prober.maxSide) {
                    let info = try Prober.probe(path)
                    #expect(Double(info.video[0].displayWidth) == shown, "pHYs \(x):\(y)")
                    accepted += 1
                } else {
                    #expect(failure(path)?.code == .invalidDimensions, "pHYs \(x):\(y) shown \(shown) px wide was accepted")
                    refused += 1
                }
            }
        }
        #expect(refused > 10 && accepted > 10) // the grid covers both sides of the cap
    }

    private func withPHYs(_ png: Data, _ x: UInt32, _ y: UInt32) -> Data {
        var bytes = [UInt8](png)
        let tag = Array("pHYs".utf8)
        let at = (0..<(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == tag }!
        var body = tag
        for v in [x, y] { body += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        body.append(1)
        let crc = crc32(body)
        bytes.replaceSubrange(at..<at + 17, with: body + [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
        return Data(bytes)
    }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Every length of the EXIF segment (APP1) of a phone photo, including ones too short to hold
    /// its own header: the probe answers (a picture or a refusal), never traps.
    @Test func everyExifSegmentLength() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("exif_rotated_90.jpg"))))
        #expect(bytes[2] == 0xFF && bytes[3] == 0xE1)
        let path = dir.appendingPathComponent("photo.jpg").path
        var turned = 0
        for length in 0...64 {
            bytes[4] = 0
            bytes[5] = UInt8(length)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if let info = try? Prober.probe(path), info.video.first?.rotation == 90 { turned += 1 }
        }
        #expect(turned >= 1) // the real length (34) still reads the orientation
    }

    @Test func aDataStreamAloneIsNotMedia() throws {
        let error = try #require(failure(TestMedia.path("data_only_kind_audio.mp4")))
        #expect(error.code == .notMedia)
        #expect(error.category == .notMedia)
        #expect(error.message.contains("only data"))
    }

    /// Whatever a credential looks like, or whatever its file is called, no byte of it is quoted.
    @Test func credentialsAreNeverQuoted() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = "Zq9rT4kLm2Xw8Yv1"
        let contents = [
            "FAL_KEY=\(secret)", "fal_key = \(secret)", "PREFLIGHT_FAL_KEY=\(secret)", "export PREFLIGHT_FAL_QUEUE=\(secret)",
            "api_key: \(secret)", "{\"token\": \"\(secret)\"}", "SECRET=\(secret)", "password=\(secret)", "Authorization: Key \(secret)",
            "0c6a5f1e-1b2c-4d3e-9f00-aabbccddeeff:\(secret)\(secret)", "\(secret)\(secret)\(secret)", "deadbeefdeadbeefdeadbeef\(secret)",
            "# my settings\nname=demo\nkey=\(secret)", "a harmless first line\nPREFLIGHT_TOKEN=\(secret)",
        ]
        for (i, text) in contents.enumerated() {
            let path = dir.appendingPathComponent("clip\(i).mp4").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(failure(path))
            #expect(error.code == .notMedia)
            #expect(!error.description.contains(secret.prefix(6)), "quoted: \(error.description)")
            #expect(error.message.contains("not quoted"), "\(error.message)")
        }
        // A file named like credentials is not quoted even when its text looks harmless.
        for name in ["fal.key", ".env", "credentials.mp4", "secret_notes.mp4", "my-token.mp4", "id_rsa"] {
            let path = dir.appendingPathComponent(name).path
            try Data("Hello there, harmless words\n".utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(failure(path))
            #expect(!error.description.contains("Hello"), "\(name): \(error.description)")
        }
        // An ordinary page or text is still quoted: the user learns what the file is.
        let text = try #require(failure(TestMedia.path("not_media.mp4")))
        #expect(text.message.contains("beginning \"This is a text file"))
    }
}
