import Foundation
import MediaIO
import MediaAdapt

/// A one-line progress bar on stderr for re-encodes: frames, speed, time left. Silent unless stderr
/// is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let started = Date()
    private let lock = NSLock()
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled && Terminal.stderrIsTTY }

    func update(_ p: FixProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(started)
        let fps = elapsed > 0 ? Double(p.frames) / elapsed : 0
        var line = "  \(p.frames) frames, \(Int(clampingRounded: fps, .down)) fps"
        if let total = p.totalFrames, total > 0 {
            let fraction = min(1, Double(p.frames) / Double(total))
            let width = 30, filled = Int(clampingRounded: fraction * Double(width), .down)
            let eta = fps > 0 ? Double(max(0, total - p.frames)) / fps : 0
            line = "  [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                + String(format: "%3d%%  %d/%d frames  %.0f fps  ETA %.0f s", Int(fraction * 100), p.frames, total, fps, eta)
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
