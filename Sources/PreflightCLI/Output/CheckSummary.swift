import ModelCatalog

/// Many files checked at once: one line per file, one column per model.
struct CheckSummary {
    let reports: [CheckReport]
    let models: [ModelSpec]

    func render() -> String {
        var table = Table(["FILE"] + models.map(\.name) + ["SENT AS"] + ["COST"])
        for report in reports {
            var row = [report.file]
            for verdict in report.verdicts { row.append(cell(verdict)) }
            row.append(Self.sentAs(report))
            row.append(Self.cost(report.cost))
            table.add(row)
        }
        return table.render()
    }

    /// What fix, prepare and submit would send: the file as it is, one converted file, a file per
    /// model, or nothing. The policy's own changes (tone-map, deinterlace, upright) show here even
    /// when every model passes the file.
    static func sentAs(_ report: CheckReport) -> String {
        switch report.conversion {
        case "none"?: "as is"
        case "per_model"?: "a file per model"
        case "some_models"?: "to some models"
        case "rewrap"?: "re-wrapped"
        case "trim_copy"?: "cut (copy)"
        case "reencode"?, "image"?: "converted"
        case let other?: other
        case nil: "nothing"
        }
    }

    /// A file's estimate over every model: "1.26 USD", "~0.50 USD + 1 unpriced", "?".
    static func cost(_ sheet: CostSheet?) -> String {
        guard let sheet else { return "?" }
        if !sheet.sendsAnything { return "-" }
        if sheet.unpriced.count == sheet.lines.filter(\.wouldSend).count { return "?" }
        return CostSheet.money(sheet.total) + (sheet.unpriced.isEmpty ? "" : " + \(sheet.unpriced.count) unpriced")
    }

    /// The folder's total, for what each file would send (files no model can take cost nothing).
    static func costLine(_ reports: [CheckReport]) -> String {
        // Only what would be sent: a file no model can take costs nothing and is not counted.
        let sheets = reports.compactMap(\.cost).filter(\.sendsAnything)
        let total = CostSheet.rounded(sheets.map(\.total).reduce(0, +))
        let unpriced = Set(sheets.flatMap(\.unpriced)).sorted()
        let refused = reports.count - sheets.count
        return "estimated cost of sending the \(sheets.count) file(s) that can be sent (after the planned fixes): \(CostSheet.money(total))"
            + (refused > 0 ? "; \(refused) cannot be sent to any model (not counted)" : "")
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
