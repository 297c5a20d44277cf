import Foundation
import MediaProbe
import ModelCatalog

/// `preflight check` for a person: the file as models see it, then a verdict per model with every
/// violation, its fix and its source.
struct CheckRenderer {
    let report: CheckReport

    func render() -> String {
        var lines = [header]
        for verdict in report.verdicts {
            lines.append("")
            lines += render(verdict)
        }
        if !report.payloadChecked {
            lines.append("")
            lines.append("payload not checked: none was given (--set key=value or --input payload.json checks it too)")
        }
        if let combined = report.combined {
            lines.append("")
            let n = report.verdicts.count
            if combined.allCompliant {
                lines.append("\(Self.allOf(n)): this file already satisfies them all.")
            } else if combined.singleOutputPossible {
                lines.append("\(Self.allOf(n)): their limits overlap, so one fixed file can satisfy them all.")
            } else {
                if !combined.conflicts.isEmpty {
                    lines.append("\(Self.allOf(n)): their limits do not overlap; they need separate outputs:")
                    lines += combined.conflicts.map { "  - \($0)" }
                }
                if !combined.unsatisfiable.isEmpty {
                    lines.append("No fix of this file can satisfy:")
                    lines += combined.unsatisfiable.map { "  - \($0)" }
                }
            }
        }
        return lines.map { Terminal.printable($0) }.joined(separator: "\n")
    }

    private var header: String {
        let m = report.media
        var parts = [m.kind.rawValue, ProbeRow(m).format]
        if let v = m.primaryVideo {
            parts.append("\(v.codec ?? "?") \(v.displayWidth)x\(v.displayHeight)" + (v.rotation != 0 ? " (rotated \(v.rotation))" : ""))
            if m.kind == .video, let fps = (v.averageFrameRate ?? v.realFrameRate)?.value { parts.append(Format.rate(fps) + " fps") }
        }
        if let d = m.duration { parts.append((m.container.durationExact == false ? "~" : "") + String(format: "%.2f s", d)) }
        if let a = m.primaryAudio { parts.append("audio \(a.codec ?? "?")") } else if m.kind == .video { parts.append("no audio") }
        parts.append(Format.bytes(m.fileSize))
        return Terminal.printable("\(report.file): " + parts.joined(separator: ", "))
    }

    private func render(_ v: ModelVerdict) -> [String] {
        let mark = v.compliant ? "PASS" : "FAIL"
        var lines = ["\(mark)  \(v.modelName)  (\(v.model))" + (v.field.map { " -> \($0)" } ?? "")]
        for x in v.violations { lines += item("x", x) }
        for x in v.warnings { lines += item("!", x) }
        if v.compliant && v.warnings.isEmpty { lines.append("  every published limit is met") }
        if let cost = v.cost {
            let what = report.cost?.afterPlan == true ? "; for the fixed file, after the planned changes" : ""
            lines.append("  estimated cost: \(CostSheet.money(cost.amount, cost.currency)) (\(cost.basis)\(what); price seen \(cost.priceSeenOn ?? "on an unknown date"), an estimate)")
        } else if report.cost?.lines.first(where: { $0.model == v.model })?.wouldSend == true {
            lines.append("  estimated cost: unknown (no price known for this model; fal's pricing API may have one: `preflight models refresh \(v.model)` with FAL_KEY; "
                         + "when it has none either, --max-cost refuses the model unless --allow-unpriced)")
        }
        return lines
    }

    private func item(_ mark: String, _ x: Violation) -> [String] {
        var lines = ["  \(mark) \(x.message)"]
        if !x.remedy.isEmpty { lines.append("      " + (x.fixable ? "fix: \(x.remedy)" : x.remedy)) }
        if x.severity == .error, let source = x.source { lines.append("      limit: \(source)") }
        return lines
    }
}

extension CheckRenderer {
    /// "Both models" for two, "All 3 models" for more.
    static func allOf(_ n: Int) -> String { n == 2 ? "Both models" : "All \(n) models" }
}
