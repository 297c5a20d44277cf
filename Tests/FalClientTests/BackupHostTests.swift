import FalClient
import FalSimulator
import Foundation
import Testing

/// fal's backup hosts (fal-protocol.md): a call whose host cannot be reached at all is replayed
/// once on the backup; nothing reached fal, so nothing can be paid twice. An answer, even an error,
/// is never replayed.
@Suite struct BackupHostTests {
    /// A loopback port nothing listens on (bound, then closed).
    static func deadPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func anUnreachableQueueIsReplayedOnceOnItsBackup() async throws {
        let server = try FalSimulatorServer()
        let base = try await server.start()
        let dead = try Self.deadPort()
        var endpoints = FalEndpoints(local: try #require(URL(string: "http://127.0.0.1:\(dead)")))
        endpoints.backups = ["127.0.0.1:\(dead)": base]
        let lines = LockedLines()
        let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: endpoints, log: { lines.add($0) })
        let submission = try await client.submit(model: "fal-ai/wan/v2.7/edit-video", input: ["prompt": "x", "video_url": "https://example.invalid/a.mp4"])
        #expect(await server.acceptedRequests().map(\.id) == [submission.requestID])
        #expect(lines.all.contains { $0.contains("replayed on fal's backup host") })

        // Without a backup for the host: the failure is said, nothing replayed.
        endpoints.backups = [:]
        let plain = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: endpoints)
        await #expect(throws: FalError.self) {
            _ = try await plain.submit(model: "fal-ai/wan/v2.7/edit-video", input: ["prompt": "x", "video_url": "https://example.invalid/a.mp4"])
        }
        #expect(await server.acceptedRequests().count == 1)
        await server.stop()
    }

    @Test func falsBackupHostsAreTheOnesItsClientsUse() {
        let fal = FalEndpoints.fal
        #expect(fal.backup(for: URL(string: "https://queue.fal.run/fal-ai/x/requests/1/status")!)?.absoluteString == "https://queue.falrun.com/fal-ai/x/requests/1/status")
        #expect(fal.backup(for: URL(string: "https://fal.run/fal-ai/x")!)?.absoluteString == "https://falrun.com/fal-ai/x")
        #expect(fal.backup(for: URL(string: "https://rest.fal.ai/storage/upload/initiate")!) == nil)
    }
}
