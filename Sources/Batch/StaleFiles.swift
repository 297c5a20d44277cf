import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Temporary files a killed run left in the output folder: ours (".NAME.preflight-tmp-PID-N") and
/// the Conformer's (".NAME.partial-PID-N.EXT"). Removed unless their process is still alive (another
/// run writing to the same folder).
enum StaleFiles {
    static let markers = [FilePlacer.temporaryMarker, ".partial-"]

    @discardableResult
    static func remove(under folder: String) -> [String] {
        var removed: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return removed }
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard name.hasPrefix("."), let marker = markers.first(where: { name.contains($0) }),
                  let range = name.range(of: marker, options: .backwards) else { continue }
            let digits = name[range.upperBound...].prefix { $0.isNumber }
            if let pid = Int32(digits), pid != getpid(), kill(pid, 0) == 0 { continue }
            if let pid = Int32(digits), pid == getpid() { continue }
            if unlink(folder + "/" + relative) == 0 { removed.append(relative) }
        }
        return removed
    }
}
