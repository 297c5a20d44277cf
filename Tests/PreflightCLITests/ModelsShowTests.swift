import Foundation
import Testing
import TestSupport

/// `preflight models show`: every limit with where and when it was read.
@Suite struct ModelsShowTests {
    @Test func aCorrectedModelNamesTheSourceAndDateOfEachLimit() async throws {
        let home = try TestMedia.temporaryFolder("pf-show")
        defer { try? FileManager.default.removeItem(at: home) }
        for id in ["fal-ai/kling-video/o3/pro/video-to-video/edit", "wan/v2.6/reference-to-video/flash", "fal-ai/bytedance/dreamactor/v2"] {
            let r = try await preflight(["models", "show", id], home: home)
            #expect(r.status == 0)
            let limits = r.stdout.split(separator: "\n").filter { $0.hasPrefix("    ") && !$0.contains(": string") && !$0.contains("advisory (warn only)") }
            #expect(!limits.isEmpty)
            for line in limits { #expect(line.range(of: #"\[.+, seen 2026-11(-\d\d)?\]$"#, options: .regularExpression) != nil, "\(id): \(line)") }
        }
        let o3 = try await preflight(["models", "show", "fal-ai/kling-video/o3/pro/video-to-video/edit"], home: home).stdout
        #expect(o3.contains("duration <= 10 s   [fal model page and input schema, compared field by field, seen 2026-11-22]"))
        #expect(o3.contains("price: 0.336 USD per second of output   [fal model page (llms.txt), price, seen 2026-11]"))
        let wan = try await preflight(["models", "show", "wan/v2.6/reference-to-video/flash"], home: home).stdout
        #expect(wan.contains("alpha channel: forbidden   [fal model page and input schema, compared field by field, seen 2026-11-22]"))
        #expect(wan.contains("at most 5 files in video_urls, image_urls together"))
    }

    @Test func limitsReadFromProseSaySo() async throws {
        let home = try TestMedia.temporaryFolder("pf-show")
        defer { try? FileManager.default.removeItem(at: home) }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelCatalogTests/Fixtures/fal-openapi-happy-horse-reference.json").path
        #expect(try await preflight(["models", "import", fixture], home: home).status == 0)
        let r = try await preflight(["models", "show", "alibaba/happy-horse/reference-to-video"], home: home)
        #expect(r.stdout.hasPrefix("Happy horse reference to video  (alibaba/happy-horse/reference-to-video)"))
        #expect(r.stdout.contains("short side >= 400 px   [fal OpenAPI document (fal-openapi-happy-horse-reference.json), image_urls description, seen "))
        #expect(r.stdout.contains("read from prose]"))
        #expect(r.stdout.contains("prompt: string, required, at most 2500 characters (read from prose)"))
    }
}
