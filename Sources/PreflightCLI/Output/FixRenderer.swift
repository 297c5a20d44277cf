import Foundation
import MediaAdapt
import ModelCatalog

/// The plan before, and the proof after.
enum FixRenderer {
    static func plan(_ plan: FixPlan) -> String {
        let source = Terminal.printable(plan.source)
        guard plan.changesAnything else { return "\(source): already compliant; nothing to change" }
        var lines = ["\(source): plan (\(plan.action.rawValue.replacingOccurrences(of: "_", with: " ")))"]
        lines += plan.steps.map { "  - \(Terminal.printable($0))" }
        lines += plan.notes.map { "  note: \(Terminal.printable($0))" }
        return lines.joined(separator: "\n")
    }

    static func result(_ result: FixResult) -> String {
        guard let report = result.report else { return result.notes.joined(separator: "\n") }
        var lines: [String] = []
        if let output = result.output {
            let m = report.media
            var parts: [String] = []
            if let v = m.primaryVideo { parts.append("\(v.codec ?? "?") \(v.displayWidth)x\(v.displayHeight)") }
            if let d = m.duration { parts.append(String(format: "%.3f s", d)) }
            if let a = m.primaryAudio { parts.append("audio \(a.codec ?? "?")") }
            parts.append(Format.bytes(m.fileSize))
            lines.append(Terminal.printable("wrote \(output): " + parts.joined(separator: ", ")))
        }
        lines += result.notes.map { "  note: \(Terminal.printable($0))" }
        lines.append(verdict(report))
        return lines.joined(separator: "\n")
    }

    /// The verdict of `check` on the file kept (the same `Checker.check(file:)` path), in one line.
    static func verdict(_ report: CheckReport) -> String {
        let failing = report.verdicts.filter { !$0.compliant }
        guard failing.isEmpty else {
            return "NOT verified: fails " + failing.map { "\($0.modelName): " + $0.violations.map(\.message).joined(separator: "; ") }.joined(separator: "; ")
        }
        let names = report.verdicts.map(\.modelName).joined(separator: ", ")
        return "verified: probed again (every packet read), passes \(names)" + (report.payloadChecked ? "" : " (media only: no payload given)")
    }
}
