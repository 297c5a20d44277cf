import Foundation
@testable import MediaAdapt
import MediaProbe
import ModelCatalog
import Testing
import TestSupport

/// Issue 8, items 4, 8 and 9 in the library: no plan names an absurd picture and nothing traps on
/// one; an output is checked against its plan; a source changed mid-run fails the fix; an output
/// path that is a device, a FIFO or the source is refused.
@Suite struct HostileFixTests {
    static let sides = [0, 1, 2, 3, 17, 720, 32_768, 32_769, 100_000, 53_687_091_400, Int.max / 2, Int.max]

    static let requirements: [MediaRequirement] = [
        requirement { $0.minShortSide = 720 },
        requirement { $0.maxLongSide = 1920; $0.minWidth = 300 },
        requirement { $0.aspectRatios = ["16:9", "9:16", "1:1"] },
        requirement { $0.resolutions = ["720p", "1080p"] },
        requirement { $0.minAspectRatio = 0.4; $0.maxAspectRatio = 2.5; $0.minPixels = 300_000 },
        requirement { $0.maxPixels = 1_000_000; $0.maxFileSize = ByteCount(1000) },
    ]

    /// Every pair of sides against every kind of size limit, padded and cropped, still and video:
    /// each plan either names a picture of 1 to 32,768 px a side or is refused, never a trap.
    @Test(arguments: ["still.jpg", "h264_aac.mp4"])
    func noPlanNamesAnAbsurdPicture(_ name: String) throws {
        let real = try Prober.probe(TestMedia.path(name))
        let kind: MediaFieldKind = real.kind == .image ? .image : .video
        var plannedCount = 0, refused = 0
        for w in Self.sides {
            for h in Self.sides {
                var info = real
                info.video[0].displayWidth = w
                info.video[0].displayHeight = h
                for r in Self.requirements {
                    for fit in Fit.allCases {
                        var options = MediaPolicy()
                        options.fit = fit
                        do {
                            let plan = try planned(info, policy: options, models: [model(r, kind: kind)])
                            for (pw, ph) in [plan.video.map { ($0.width, $0.height) }, plan.image.map { ($0.width, $0.height) }].compactMap({ $0 }) {
                                #expect((1...Prober.maxSide).contains(pw) && (1...Prober.maxSide).contains(ph), "\(w)x\(h) -> \(pw)x\(ph)")
                            }
                            plannedCount += 1
                        } catch {
                            refused += 1
                        }
                    }
                }
            }
        }
        #expect(plannedCount > 0 && refused > 0)
    }

    @Test func outputTargetsThatAreNotRegularFilesAreRefused() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("source.mp4").path
        try FileManager.default.copyItem(atPath: TestMedia.path("h264_aac.mp4"), toPath: source)
        let hard = dir.appendingPathComponent("hard.mp4").path, soft = dir.appendingPathComponent("soft.mp4").path
        let fifo = dir.appendingPathComponent("fifo.mp4").path, other = dir.appendingPathComponent("other.mp4").path
        #expect(link(source, hard) == 0)
        try FileManager.default.createSymbolicLink(atPath: soft, withDestinationPath: source)
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.copyItem(atPath: TestMedia.path("h264_aac.mp4"), toPath: other)

        let refused: [(String, String)] = [("/dev/null", "a device"), (fifo, "a FIFO"), (dir.path, "a folder"),
                                           (source, "the source"), (hard, "the source"), (soft, "the source"),
                                           ("\(dir.path)/./source.mp4", "the source")]
        for (path, words) in refused {
            let problem = try #require(OutputTarget.problem(output: path, source: source), "\(path) accepted")
            #expect(problem.contains(words), "\(problem)")
        }
        #expect(OutputTarget.problem(output: other, source: source) == nil)
        #expect(OutputTarget.problem(output: dir.appendingPathComponent("new.mp4").path, source: source) == nil)
    }

    @Test func partialsOfDeadProcessesAreRemovedAndLiveOnesKept() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out.mp4")
        // A pid that is certainly gone: a child that has exited and been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let names = [".out.mp4.partial-\(dead)-123.mp4", ".out.mp4.partial-\(dead)", ".out.mp4.partial-\(getpid())-9.mp4",
                     ".out.mp4.partial-1-5.mp4", ".other.mp4.partial-\(dead)-1.mp4", "out.mp4.partial-\(dead)"]
        for name in names { try Data("x".utf8).write(to: dir.appendingPathComponent(name)) }
        let removed = OutputTarget.removeStalePartials(beside: target).map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(Set(removed) == [".out.mp4.partial-\(dead)-123.mp4", ".out.mp4.partial-\(dead)"])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left == Set(names).subtracting(removed)) // this process's, pid 1's (alive) and other targets' stay
    }

    @Test func aSourceChangedDuringTheRunIsNoticed() throws {
        let dir = try TestMedia.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("source.mp4").path
        let original = try Data(contentsOf: URL(fileURLWithPath: TestMedia.path("h264_aac.mp4")))
        let changes: [(String, (FileHandle) throws -> Void)] = [
            ("truncated", { try $0.truncate(atOffset: UInt64(original.count / 3)) }),
            ("grown", { try $0.seekToEnd(); try $0.write(contentsOf: Data([0])) }),
            ("rewritten in place", { try $0.seek(toOffset: 100); try $0.write(contentsOf: Data([1, 2, 3])) }),
        ]
        for (what, change) in changes {
            try original.write(to: URL(fileURLWithPath: path))
            let guardian = try SourceGuard(path: path, expectedSize: Int64(original.count))
            try guardian.verifyUnchanged()
            // A modification time in the same clock tick as the write is still a different one only
            // when time has moved: make sure it has.
            var past = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, path, &past, 0) == 0)
            let moved = try SourceGuard(path: path)
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            try change(handle)
            try handle.close()
            #expect(throws: FixError.self, "\(what) not noticed") { try moved.verifyUnchanged() }
        }
        // The size it was probed at differs from the file's: refused before anything is written.
        try original.write(to: URL(fileURLWithPath: path))
        #expect(throws: FixError.self) { try SourceGuard(path: path, expectedSize: Int64(original.count) + 1) }
    }

    @Test func anOutputUnlikeItsPlanIsCaught() throws {
        let source = try Prober.probe(TestMedia.path("long_720p_12s.mp4"))
        let short = try Prober.probe(TestMedia.path("hd_1280x720_4s.mp4"))
        let plan = FixPlan(source: source.path, action: .trimCopy, format: "mp4", trim: TrimPlan(start: 0, duration: 10, streamCopy: true),
                           video: nil, audio: .copy, image: nil, steps: [], notes: [])
        // A 4 s file for a 10 s plan: the source was cut short under the conversion.
        #expect(PlanAudit.mismatches(short, plan: plan, source: source).contains { $0.contains("runs 4.00 s but the plan was 10.00 s") })
        // Within the stated tolerance it matches; past it, it does not.
        var near = short
        for (duration, ok) in [(10.0, true), (10.45, true), (9.55, true), (10.6, false), (9.3, false), (0, false)] {
            near.container.duration = duration
            #expect(PlanAudit.mismatches(near, plan: plan, source: source).isEmpty == ok, "\(duration)")
        }
        // Sound the plan keeps must be there; a picture must be the planned size.
        var silent = short
        silent.container.duration = 10
        silent.audio = []
        #expect(PlanAudit.mismatches(silent, plan: plan, source: source).contains { $0.contains("no sound") })
        var reencode = plan
        reencode.action = .reencode
        reencode.video = VideoPlan(width: 640, height: 360, content: Rect(x: 0, y: 0, width: 640, height: 360),
                                   sourceCrop: Rect(x: 0, y: 0, width: 1280, height: 720), rotation: 0, frameRate: nil, crf: 18,
                                   preset: "fast", bitRate: nil, padColor: [16, 128, 128])
        near.container.duration = 10
        #expect(PlanAudit.mismatches(near, plan: reencode, source: source).contains { $0.contains("not the planned 640x360") })
    }
}
