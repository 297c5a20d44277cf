import Foundation
import MediaProbe
import PreflightCore
import Testing
import TestSupport

/// Every hostile input gets its own plain reason and the documented exit code; none crashes or hangs.
@Suite struct BadInputTests {
    func failure(_ path: String, options: ProbeOptions = ProbeOptions()) -> ProbeError? {
        do {
            _ = try Prober.probe(path, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func hostileFiles() throws {
        let expected: [(String, ProbeError.Code, ErrorCategory, String)] = [
            ("empty.mp4", .empty, .notMedia, "empty"),
            ("not_media.mp4", .notMedia, .notMedia, "text"),
            ("truncated_no_index.mp4", .truncated, .notMedia, "moov"),
            ("absurd_dimensions.png", .invalidDimensions, .notMedia, "100000x100000"),
        ]
        for (name, code, exit, words) in expected {
            let error = try #require(failure(TestMedia.path(name)), "\(name) was accepted")
            #expect(error.code == code, "\(name)")
            #expect(error.category == exit, "\(name)")
            #expect(error.message.contains(words), "\(name): \(error.message)")
            #expect(error.path == TestMedia.path(name))
            #expect(!error.hint.isEmpty, "\(name) says nothing about what to do")
        }
    }

    /// A file cut short is still media up to its last whole frame: probed, with what is missing said.
    @Test func aCutShortFileIsProbedWithWhatIsMissing() throws {
        let info = try Prober.probe(TestMedia.path("truncated.mp4"))
        let cut = try #require(info.truncation)
        #expect(cut.evidence.contains("24438 bytes"), "\(cut.evidence)")
        #expect(cut.declaredDuration == 2)
        // Half of a 2 s clip is left: its last whole video frame ends at 1 s.
        #expect(abs((cut.presentDuration ?? 0) - 1.0) < 0.05)
        #expect(info.warnings.contains { $0.hasPrefix("cut short:") })
        // Only --fast leaves the present part unmeasured; it still says the file is cut short.
        #expect(try Prober.probe(TestMedia.path("truncated.mp4"), options: ProbeOptions(depth: .fast)).truncation?.presentDuration == nil)
    }

    @Test func missingAndUnreadable() throws {
        let missing = try #require(failure("/nonexistent/clip.mp4"))
        #expect(missing.code == .missing)
        #expect(missing.category == .inputMissing)

        let folder = try #require(failure(TestMedia.directory.path))
        #expect(folder.code == .notAFile)
        #expect(folder.category == .inputMissing)
    }

    @Test func aWebPageSavedAsVideoIsNamed() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("download.mp4")
        try Data("<!DOCTYPE html><html><body>Access Denied</body></html>".utf8).write(to: page)
        let error = try #require(failure(page.path))
        #expect(error.code == .notMedia)
        #expect(error.message.contains("HTML page"))
    }

    @Test func randomBytesAreNotMedia() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let noise = dir.appendingPathComponent("noise.mov")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: noise)
        let error = try #require(failure(noise.path))
        #expect([.notMedia, .corrupt].contains(error.code))
        #expect(error.category == .notMedia)
    }

    @Test func aDeadlineStopsTheProbe() throws {
        // A deadline that has already passed: the very first read is interrupted.
        let error = try #require(failure(TestMedia.path("h264_aac.mp4"), options: ProbeOptions(timeout: 1e-9)))
        #expect(error.code == .timeout)
        #expect(error.category == .temporary)
    }

    @Test func sourceFilesAreNotTouched() throws {
        let path = TestMedia.path("h264_aac.mp4")
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try Prober.probe(path, options: ProbeOptions(depth: .accurate))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == before)
    }
}
