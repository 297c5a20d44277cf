import Foundation
import Testing
import TestSupport

/// `Examples/SendOneClip`, the README's "Use as a library": one import of PreflightKit probes,
/// checks, fixes and submits a clip to fal-sim. Run as built, against a 12 s clip Wan takes only
/// up to 10 s of: it must say so, cut it, and bring the result home.
@Suite struct LibraryExampleTests {
    @Test func theExampleProbesChecksFixesAndSubmits() async throws {
        let result = try await run(sendOneClipExecutable, [TestMedia.path("long_720p_12s.mp4")], environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("does not pass"))
        #expect(result.stdout.contains("takes at most 10 s; this clip is 12.00 s"))
        #expect(result.stdout.contains("plan: trim_copy"))
        #expect(result.stdout.contains("fal-ai/wan/v2.7/edit-video: downloaded, 1 file(s), request "), "\(result.stdout)")
    }
}
