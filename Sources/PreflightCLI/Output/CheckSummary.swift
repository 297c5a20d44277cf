import ModelCatalog

/// Many files checked at once: one line per file, one column per model.
struct CheckSummary {
    let reports: [CheckReport]
    let models: [ModelSpec]

    func render() -> String {
        var table = Table(["FILE"] + models.map(\.name) + (models.count > 1 ? ["ONE OUTPUT"] : []) + ["COST"])
        for report in reports {
            var row = [report.file]
            for verdict in report.verdicts { row.append(cell(verdict)) }
            if let combined = report.combined {
                row.append(combined.allCompliant ? "as is" : combined.singleOutputPossible ? "yes" : "no")
            }
            row.append(Self.cost(report.cost))
            table.add(row)
        }
        return table.render()
    }

    /// A file's estimate over every model: "1.26 USD", "~0.50 USD + 1 unpriced", "?".
    static func cost(_ sheet: CostSheet?) -> String {
        guard let sheet else { return "?" }
        if !sheet.sendsAnything { return "-" }
        if sheet.unpriced.count == sheet.lines.filter(\.sent).count { return "?" }
        return CostSheet.money(sheet.total) + (sheet.unpriced.isEmpty ? "" : " + \(sheet.unpriced.count) unpriced")
    }

    /// The folder's total, for what each file would send (files no model can take cost nothing).
    static func costLine(_ reports: [CheckReport]) -> String {
        let sheets = reports.compactMap(\.cost)
        let total = sheets.map(\.total).reduce(0, +)
        let unpriced = Set(sheets.flatMap(\.unpriced)).sorted()
        return "estimated cost of sending all \(reports.count) file(s) (after the planned fixes): \(CostSheet.money(total))"
            + (unpriced.isEmpty ? "" : "; no price for " + unpriced.joined(separator: ", ") + " (not counted)")
    }

    /// "pass", "fix: scale, trim", or "no: <the first thing no fix can change>".
    private func cell(_ v: ModelVerdict) -> String {
        if v.compliant { return v.warnings.isEmpty ? "pass" : "pass (\(v.warnings.count) warning\(v.warnings.count == 1 ? "" : "s"))" }
        if let blocker = v.violations.first(where: { !$0.fixable && !$0.rule.isPayload }) {
            let reason = switch blocker.rule {
            case .limit(.minDuration): "too short"
            case .limit(.mediaKind): "wrong kind of media"
            case .limit(.audio): "no audio"
            default: blocker.rule.description.replacingOccurrences(of: "_", with: " ")
            }
            return "no: \(reason)"
        }
        let repairs = v.violations.compactMap(\.repair).map { $0.rawValue.replacingOccurrences(of: "_", with: " ") }
        var seen = Set<String>()
        let unique = repairs.filter { seen.insert($0).inserted }
        let payload = v.violations.filter { $0.rule.isPayload }.count
        return (unique.isEmpty ? "" : "fix: " + unique.joined(separator: ", ")) + (payload > 0 ? (unique.isEmpty ? "" : "; ") + "payload: \(payload)" : "")
    }
}
