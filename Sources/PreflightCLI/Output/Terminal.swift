import FalClient
import Foundation
import ModelCatalog

/// Where the CLI writes. Lines go out unbuffered so `--ndjson` consumers see each file as it finishes.
/// Every line passes through the redactor first: whatever its source (a server's error body, a
/// probed file, a report), no fal key configured on this machine reaches the terminal.
enum Terminal {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((redactor(line) + "\n").utf8))
    }

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((redactor(line) + "\n").utf8))
    }

    /// The keys of the environment and of the credentials file, read once.
    static let redactor: Redactor = {
        let environment = ProcessInfo.processInfo.environment
        let file = PreflightPaths(environment: environment).config.appendingPathComponent("credentials")
        var text: String?
        if let handle = try? FileHandle(forReadingFrom: file) {
            text = (try? handle.read(upToCount: 64 << 10)).map { String(decoding: $0, as: UTF8.self) }
            try? handle.close()
        }
        return Redactor.fromEnvironment(environment, credentialsText: text)
    }()

    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) != 0 }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) != 0 }

    /// Red text on a terminal that wants colour (NO_COLOR respected), plain otherwise.
    static func red(_ s: String) -> String {
        guard stderrIsTTY, ProcessInfo.processInfo.environment["NO_COLOR"] == nil else { return s }
        return "\u{1B}[31m\(s)\u{1B}[0m"
    }
}

/// Left-aligned columns sized to their widest cell.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) { self.header = header }
    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        // Cells hold file names and catalog text: escaped before their widths are measured.
        let all = ([header] + rows).map { $0.map { Terminal.printable($0) } }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

enum Format {
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f s", s) }

    static func rate(_ r: Double) -> String {
        r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(format: "%.3f", r)
    }
}
