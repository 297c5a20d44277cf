import FalClient
import FalSimulator
import Foundation
import PreflightCore
import Submission
import Testing
import TestSupport

/// The journal's folder on a small disk of its own (a tmpfs), filled at the worst moment: while
/// fal is answering a submit it has accepted. The request must be recorded (the reserve), or kept
/// in a rescue file and adopted by the next run, never lost and never paid twice.
@Suite(.serialized) struct FullStateDiskTests {
    /// Mounts a 24 MiB tmpfs at `folder`; false (and why, printed) where this machine allows no mounts.
    static func mountSmallDisk(_ folder: URL) async -> Bool {
        guard let mount = which("mount") else { return false }
        let result = try? await run(mount, ["-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", folder.path])
        if result?.status != 0 { print("FullStateDiskTests: cannot mount a tmpfs here (\(result?.stderr ?? "no mount")); not run") }
        return result?.status == 0
    }

    static func unmount(_ folder: URL) async {
        guard let umount = which("umount") else { return }
        _ = try? await run(umount, ["-l", folder.path])
    }

    /// Fills the disk holding `folder` to the last byte.
    static func fill(_ folder: URL) -> URL {
        let filler = folder.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: filler.path) else { return filler }
        defer { try? handle.close() }
        for size in [1 << 20, 4096, 512, 1] {
            let chunk = Data(count: size)
            while (try? handle.write(contentsOf: chunk)) != nil {}
        }
        return filler
    }

    /// A submit whose answer comes back 1.5 s after fal accepted it.
    static let slowSubmit = book(default: sim { $0.faults = [Fault(route: .submit, nth: 1, times: 1, behaviour: .slow).with(stallMs: 1500)] })

    @Test func theDiskFillsWhileTheSubmitIsOutAndTheReserveRecordsIt() async throws {
        var mounted = false
        try await Bench.with(Self.slowSubmit, prepareState: { mounted = await Self.mountSmallDisk($0) }, releaseState: { await Self.unmount($0) }) { bench in
            guard mounted else { return }
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let running = Task { try await engine.run(job: job.id) }
            try await bench.waitUntilAccepted()
            _ = Self.fill(bench.journal.path.deletingLastPathComponent())
            let outcome = try await running.value
            try await bench.expectPaidOnceAndHome(outcome, "full disk, reserve released")
            #expect(try bench.journal.events(job: job.id).contains { $0.kind == "submitted" && $0.detail.contains("reserve") })
        }
    }

    @Test func withoutTheReserveARescueFileKeepsTheRequestAndTheNextRunAdoptsIt() async throws {
        var mounted = false
        try await Bench.with(Self.slowSubmit, prepareState: { mounted = await Self.mountSmallDisk($0) }, releaseState: { await Self.unmount($0) }) { bench in
            guard mounted else { return }
            let alerts = Alerts()
            let engine = bench.engine(observe: { _, event in if case .alert(_, let text) = event { alerts.add(text) } })
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let running = Task { try await engine.run(job: job.id) }
            try await bench.waitUntilAccepted()
            let state = bench.journal.path.deletingLastPathComponent()
            try? FileManager.default.removeItem(at: state.appendingPathComponent("journal.reserve"))
            let filler = Self.fill(state)
            let first = try await running.value
            #expect(first.category == .localState)
            let id = try #require(await bench.server.acceptedRequests().first?.id)
            // The id was said, and kept beside the results.
            #expect(alerts.all.contains { $0.contains(id) })
            let rescue = URL(fileURLWithPath: job.outDir).appendingPathComponent("accepted-requests.ndjson")
            #expect((try? String(contentsOf: rescue, encoding: .utf8))?.contains(id) == true)
            // Space is freed; the next run adopts the request and brings it home, sending nothing.
            try FileManager.default.removeItem(at: filler)
            let second = try await bench.engine().run(job: job.id, resuming: true)
            try await bench.expectPaidOnceAndHome(second, "adopted from the rescue file")
            #expect(second.runs.first?.requestID == id)
            #expect(!FileManager.default.fileExists(atPath: rescue.path))
        }
    }

    @Test func aFullDiskBeforeTheSubmitSendsNothing() async throws {
        var mounted = false
        try await Bench.with(book(), prepareState: { mounted = await Self.mountSmallDisk($0) }, releaseState: { await Self.unmount($0) }) { bench in
            guard mounted else { return }
            let engine = bench.engine()
            let job = try engine.create(source: TestMedia.path("hd_1280x720_4s.mp4"), models: [wanEdit], payload: ["prompt": "x"],
                                        settings: SubmitSettings(), outRoot: bench.out)
            let filler = Self.fill(bench.journal.path.deletingLastPathComponent())
            let first = try await engine.run(job: job.id)
            #expect(first.category == .localState)
            #expect(first.runs.first?.requestID == nil)
            #expect(await bench.server.acceptedRequests().isEmpty)
            try FileManager.default.removeItem(at: filler)
            try await bench.expectPaidOnceAndHome(try await bench.engine().run(job: job.id), "after space was freed")
        }
    }
}

final class Alerts: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ text: String) { lock.lock(); list.append(text); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

extension Fault {
    func with(stallMs: Int) -> Fault {
        var f = self
        f.stallMs = stallMs
        return f
    }
}

extension Bench {
    func waitUntilAccepted(seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while await server.acceptedRequests().isEmpty, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
    }
}
