import Foundation
import MediaIO
import MediaProbe
import ModelCatalog

/// The pictures shown for one row: nil where none could be made (the page shows why instead).
struct RowPictures: Sendable {
    var before: Thumbnail?
    var after: Thumbnail?
    /// The first result `prepare --submit` brought home for the row.
    var result: Thumbnail?
}

/// The report's HTML, in pieces so that it can be written row by row: the head (with the summary and
/// the filters), one table row per manifest row, the tail. Everything from outside goes through
/// `HTMLText.escape`; pictures are `data:` URIs; nothing refers to anything beyond the page.
struct ReportPage {
    let report: PrepareReport

    // MARK: - Head and tail

    func head() -> String {
        let rows = report.manifest.rows
        let count = { (status: RowStatus) in rows.filter { $0.status == status }.count }
        let attention = rows.filter(\.needsAttention).count
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <meta name="generator" content="\(PrepareReport.generatorMark)">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
        <title>preflight report: \(rows.count) \(rows.count == 1 ? "file" : "files")</title>
        <style>
        \(ReportStyle.css)</style></head>
        <body>

        """
        // The filters' anchors come first, as siblings of what they filter (see ReportStyle).
        html += ReportStyle.filters.map { "<i class=\"anchor\" id=\"\($0.id)\"></i>" }.joined() + "\n"
        html += "<header><h1>Preflight report<small>\(HTMLText.escape(Self.dateText(report.generated))) · \(HTMLText.escape(report.manifest.tool))</small></h1>\n"
        html += "<dl class=\"run\"><dt>source</dt><dd>\(HTMLText.escape(report.sourceFolder))</dd>"
        html += "<dt>output</dt><dd>\(HTMLText.escape(report.outputFolder))</dd><dt>models</dt><dd>"
        html += report.manifest.models.map { "<span class=\"model-chip\" title=\"\(HTMLText.escape($0))\">\(HTMLText.escape(modelName($0)))</span>" }.joined()
        html += "</dd></dl></header>\n<nav>"
        html += "<a href=\"#all\"><b>\(rows.count)</b><em>\(rows.count == 1 ? "file" : "files")</em></a>"
        if attention > 0 {
            html += "<a class=\"attention\" href=\"#needs-attention\"><b>\(attention)</b><em>need attention</em></a>"
        } else {
            html += "<span class=\"calm\"><b>✓</b><em>nothing needs attention</em></span>"
        }
        for status in [RowStatus.compliant, .fixed, .partial, .unfixable, .failed, .notMedia, .pending] {
            let n = count(status)
            // The four outcomes always show (a zero is news); the others only when they occur.
            guard n > 0 || [.compliant, .fixed, .unfixable, .failed].contains(status) else { continue }
            let label = "<b>\(n)</b><em>\(Self.label(status))</em>"
            html += n > 0 ? "<a class=\"k-\(status.rawValue)\" href=\"#\(Self.filterID(status))\">\(label)</a>"
                          : "<span class=\"k-\(status.rawValue)\">\(label)</span>"
        }
        html += "</nav>\n<p class=\"hint\">Click a count to show only those files (the address, e.g. <code>report.html#needs-attention</code>, keeps the filter).</p>\n"
        html += "<table><thead><tr><th class=\"c-pics\">Before → after</th><th class=\"c-file\">File, and what was done</th><th class=\"c-models\">Per model</th></tr></thead>\n<tbody>\n"
        return html
    }

    func tail(pictures: Int, seconds: Double) -> String {
        "</tbody></table>\n<footer>\(report.manifest.rows.count) rows from \(HTMLText.escape(Manifest.fileName)); "
            + String(format: "%d pictures made in %.1f s", pictures, seconds) + ". Sources were not modified.</footer>\n</body></html>\n"
    }

    // MARK: - One row

    func row(_ row: ManifestRow, pictures: RowPictures) -> String {
        var classes = ["s-" + row.status.rawValue]
        if row.needsAttention { classes.append("attention") }
        var html = "<tr class=\"\(classes.joined(separator: " "))\">"
        html += "<td>\(previews(row, pictures))</td>"
        html += "<td>\(file(row))\(changes(row))</td>"
        html += "<td>\(verdicts(row))</td>"
        return html + "</tr>\n"
    }

    private func previews(_ row: ManifestRow, _ pictures: RowPictures) -> String {
        let before: String
        if row.status == .notMedia {
            before = placeholder("not media")
        } else if let picture = pictures.before {
            before = image(picture, alt: "before")
        } else {
            before = placeholder(row.probe?.kind == "audio" ? "♪ sound only" : "no preview")
        }
        let after: String
        switch row.status {
        case .compliant: after = "<div class=\"frame same\"><b>=</b>\(Self.placing(row.method))</div>"
        case .fixed, .partial:
            if PrepareReport.shown(row)?.output != nil {
                after = pictures.after.map { image($0, alt: "after") } ?? placeholder("no preview")
            } else {
                after = "<div class=\"frame same\"><b>=</b>as it is</div>"
            }
        case .unfixable, .failed: after = placeholder("not made")
        case .pending: after = placeholder("not done yet")
        case .notMedia: after = placeholder("passed over")
        }
        let caption = { (label: String, picture: Thumbnail?) in
            // The first frame needs no time; a frame further in says where it is.
            label + (picture?.seconds.flatMap { $0 >= 0.05 ? String(format: " · at %.1f s", $0) : nil } ?? "")
        }
        // What came back, on a line of its own under the pair (the column is two pictures wide).
        let result = pictures.result.map { picture in
            "<div class=\"pair back\"><span class=\"arrow\">↳</span><figure>\(image(picture, alt: "result"))<figcaption>\(caption("result from fal", picture))</figcaption></figure></div>"
        } ?? ""
        return "<div class=\"pair\"><figure>\(before)<figcaption>\(caption("before", pictures.before))</figcaption></figure>"
            + "<span class=\"arrow\">→</span>"
            + "<figure>\(after)<figcaption>\(caption("after", pictures.after))</figcaption></figure></div>\(result)"
    }

    private func image(_ picture: Thumbnail, alt: String) -> String {
        "<div class=\"frame\"><img alt=\"\(alt)\" width=\"\(picture.width)\" height=\"\(picture.height)\" src=\"data:image/jpeg;base64,"
            + Data(picture.jpeg).base64EncodedString() + "\"></div>"
    }

    private func placeholder(_ text: String) -> String { "<div class=\"frame ph\">\(HTMLText.escape(text))</div>" }

    private func file(_ row: ManifestRow) -> String {
        let slash = row.source.lastIndex(of: "/")
        let folder = slash.map { String(row.source[...$0]) } ?? ""
        let name = slash.map { String(row.source[row.source.index(after: $0)...]) } ?? row.source
        var html = "<div class=\"path\"><span class=\"badge b-\(row.status.rawValue)\">\(Self.label(row.status))</span>"
        html += "<span class=\"dir\">\(HTMLText.escape(folder))</span>\(HTMLText.escape(name))</div>"
        if let probe = row.probe {
            var facts = [probe.kind]
            if let w = probe.width, let h = probe.height { facts.append("\(w)×\(h)") }
            if let rate = probe.frameRate, probe.kind == "video" { facts.append(String(format: rate.rounded() == rate ? "%.0f fps" : "%.2f fps", rate)) }
            if let duration = probe.duration, probe.kind != "image" { facts.append(Self.durationText(duration)) }
            let codecs = [probe.videoCodec, probe.audioCodec].compactMap { $0 }
            if !codecs.isEmpty { facts.append(codecs.joined(separator: " + ")) }
            let container = Self.containerText(probe.container, file: row.source)
            if !codecs.contains(container) { facts.append(container) }
            // What the policy acts on, stated as a fact of the file (what was done is under the steps).
            if let hdr = probe.hdr { facts.append("HDR " + hdr.uppercased()) }
            if let depth = probe.bitDepth, depth > 8 { facts.append("\(depth)-bit") }
            if let rotation = probe.rotation { facts.append("rotated \(rotation)° by a flag") }
            if probe.interlaced == true { facts.append("interlaced") }
            html += "<div class=\"facts\">" + facts.filter { !$0.isEmpty }.map { "<span>\(HTMLText.escape($0))</span>" }.joined() + "</div>"
        }
        if let health = row.health { html += Self.health(health) }
        return html
    }

    /// What decoding the frames found: one line when all decoded, each damaged span otherwise.
    static func health(_ health: DecodeHealth) -> String {
        let scope = health.scope == .sample ? String(format: "samples, %.1f s", health.checkedSeconds ?? 0) : "every frame"
        switch health.verdict {
        case .healthy:
            return "<div class=\"health h-healthy\">✓ decodes (\(HTMLText.escape(scope)))</div>"
        case .undecodable:
            return "<div class=\"health h-damaged\">✗ \(HTMLText.escape(health.problemText))</div>"
        case .damaged:
            let items = health.spans.prefix(8).map { span in
                "<li>\(span.cutShort ? "cut short " : "")\(HTMLText.escape(span.description))" + (span.errorCount > 1 ? " (\(span.errorCount) errors)" : "") + "</li>"
            }.joined()
            let more = health.spans.count > 8 ? "<li>and \(health.spans.count - 8) more</li>" : ""
            let head = health.damage.isEmpty ? "ends cut short" : "frames do not decode"
            return "<div class=\"health h-damaged\">✗ \(head) (\(HTMLText.escape(scope))):<ul>\(items)\(more)</ul></div>"
        }
    }

    private func verdicts(_ row: ManifestRow) -> String {
        guard !row.verdicts.isEmpty else { return "<span class=\"muted\">not checked</span>" }
        var html = "<ul class=\"verdicts\">"
        for verdict in row.verdicts {
            let name = modelName(verdict.model)
            html += "<li class=\"\(verdict.sourcePasses ? "pass" : "fail")\"><span class=\"mark\">\(verdict.sourcePasses ? "✓" : "✗")</span>"
            html += "<span class=\"model\" title=\"\(HTMLText.escape(verdict.model))\">\(HTMLText.escape(name))</span>"
            if row.status != .unfixable, let own = row.perModel?.first(where: { $0.model == verdict.model }) {
                // The models got their own files: each says what it got.
                switch own.status {
                case .fixed: html += "<span class=\"now\">✓ its own file</span>"
                case .compliant where !verdict.sourcePasses: html += "<span class=\"now\">✓ as it is</span>"
                case .unfixable, .failed: html += "<span class=\"tag\">gets nothing</span>"
                default: break
                }
            } else if !verdict.sourcePasses && row.status == .fixed {
                html += "<span class=\"now\">✓ after the fix</span>"
            }
            if let problems = verdict.problems, !problems.isEmpty {
                // Structured: the checker said which violations no change can repair.
                html += "<ul class=\"violations\">"
                for problem in problems {
                    // A limit fal never published, taught by a rejection: say so, with its day.
                    let learned = problem.learnedOn.map { " <span class=\"tag\" title=\"not published by fal: learned from a rejection\">learned \(HTMLText.escape($0))</span>" } ?? ""
                    let text = HTMLText.escape(Self.dropping(name, from: problem.message)) + learned
                    html += problem.fixable ? "<li>\(text)</li>" : "<li class=\"blocker\">\(text) <span class=\"tag\">cannot fix</span></li>"
                }
                html += "</ul>"
            } else if !verdict.violations.isEmpty {
                // A manifest written before violations were kept structured: only their words.
                html += "<ul class=\"violations\">"
                for violation in verdict.violations {
                    let text = HTMLText.escape(Self.dropping(name, from: violation))
                    html += Self.isBlocker(violation, of: row) ? "<li class=\"blocker\">\(text) <span class=\"tag\">cannot fix</span></li>" : "<li>\(text)</li>"
                }
                html += "</ul>"
            }
            if let advice = verdict.advice, !advice.isEmpty {
                html += "<ul class=\"advice\">" + advice.map { a in
                    "<li>\(HTMLText.escape(Self.dropping(name, from: a.message)))" + (a.remedy.isEmpty ? "" : " <span class=\"muted\">\(HTMLText.escape(a.remedy))</span>") + "</li>"
                }.joined() + "</ul>"
            }
            html += "</li>"
        }
        return html + "</ul>"
    }

    private func changes(_ row: ManifestRow) -> String {
        // Per model only when some model got a file: a clip no model takes reads as any refusal.
        if let perModel = row.perModel, row.status != .unfixable { return perModelChanges(row, perModel) }
        var html = "<div class=\"outcome\">"
        switch row.status {
        case .compliant:
            html += "<b>Nothing to change:</b> \(HTMLText.escape(Self.placing(row.method))) to the output folder."
        case .fixed:
            html += "<b>\(Self.action(row.method ?? row.plan?.action))</b>"
            if report.manifest.models.count > 1 { html += " <span class=\"muted\">(one file for every model)</span>" }
            if let steps = row.plan?.steps, !steps.isEmpty {
                html += "<ul class=\"steps\">" + steps.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>"
            }
            if let output = row.output, output != row.source {
                html += "<div class=\"output\">written as <code>\(HTMLText.escape(output))</code></div>"
            }
        case .unfixable:
            // The reasons are the models' own violations, marked where they are listed; say only what they do not.
            let rest = Self.unlisted(row)
            html += "<b>Not changed:</b> " + (rest.isEmpty ? "no conversion can fix what is marked <span class=\"tag\">cannot fix</span>." : HTMLText.escape(rest))
        case .failed:
            html += "<b>Could not be read or converted:</b> <span class=\"why\">\(HTMLText.escape(row.error ?? "no reason recorded"))</span>"
        case .notMedia:
            html += "<b>Passed over:</b> \(HTMLText.escape(row.error ?? "not media"))"
        case .pending, .partial:
            html += "<b>Not reached:</b> the run stopped first; run the same command again to finish."
        }
        html += sent(row.submission, notSent: row.notSent, cost: row.status == .compliant || row.status == .fixed ? row.cost : nil)
        return html + "</div>"
    }

    /// A dual run whose models got their own files: what each model got, and what was sent to it.
    private func perModelChanges(_ row: ManifestRow, _ perModel: [ModelFile]) -> String {
        var html = "<div class=\"outcome\"><b>Each model its own file</b> (one file cannot serve both):<ul class=\"steps\">"
        for m in perModel {
            html += "<li><b>\(HTMLText.escape(modelName(m.model)))</b>: "
            switch m.status {
            case .compliant: html += HTMLText.escape(Self.placing(m.method))
            case .fixed: html += HTMLText.escape(Self.action(m.method ?? m.plan?.action)) + (m.plan?.steps.isEmpty == false ? ": " + HTMLText.escape(m.plan?.steps.joined(separator: "; ") ?? "") : "")
            case .pending: html += "not done yet"
            default: html += "gets nothing: <span class=\"why\">\(HTMLText.escape(m.error ?? "no reason recorded"))</span>"
            }
            if let output = m.output, m.status == .compliant || m.status == .fixed {
                html += "<div class=\"output\">written as <code>\(HTMLText.escape(output))</code></div>"
            }
            html += sent(m.submission, notSent: m.notSent, cost: m.status == .compliant || m.status == .fixed ? m.cost : nil)
            html += "</li>"
        }
        return html + "</ul></div>"
    }

    /// What `--submit` did with a file (the page is written again once the jobs end), or what
    /// sending it would cost.
    private func sent(_ note: SubmissionNote?, notSent: String?, cost: CostSheet?) -> String {
        var html = ""
        if let note {
            let results = note.results.count == 1 ? "1 result" : "\(note.results.count) results"
            html += "<div class=\"output\">sent: job <code>\(HTMLText.escape(note.job))</code>, \(HTMLText.escape(note.state)), \(results)"
            if let cost, cost.total > 0 { html += ", estimated \(HTMLText.escape(CostSheet.money(cost.total)))" }
            html += "</div>"
            if !note.results.isEmpty {
                html += "<ul class=\"steps\">" + note.results.prefix(4).map { "<li><code>\(HTMLText.escape($0))</code></li>" }.joined() + "</ul>"
            }
        } else if let why = notSent {
            html += "<div class=\"output\">\(HTMLText.escape(why))</div>"
        } else if let cost, cost.total > 0 {
            html += "<div class=\"output\">estimated cost to send: \(HTMLText.escape(CostSheet.money(cost.total)))"
                + (cost.unpriced.isEmpty ? "" : " (no price for " + HTMLText.escape(cost.unpriced.joined(separator: ", ")) + ")") + "</div>"
        }
        return html
    }

    /// A violation the planner gave as a reason it cannot fix the file (FixError.impossible quotes them).
    static func isBlocker(_ violation: String, of row: ManifestRow) -> Bool {
        row.status == .unfixable && (row.error?.contains(violation) ?? false)
    }

    /// What the unfixable reason says beyond the violations listed under the models.
    static func unlisted(_ row: ManifestRow) -> String {
        var rest = dropping("cannot be fixed:", from: row.error ?? "")
        // The planner's reason quotes the unfixable violations; what remains is said on its own.
        for violation in row.verdicts.flatMap(\.violations) where !violation.isEmpty {
            rest = rest.replacingOccurrences(of: violation, with: "")
        }
        return rest.trimmingCharacters(in: CharacterSet(charactersIn: "; .").union(.whitespaces)).isEmpty ? "" : dropping("cannot be fixed:", from: row.error ?? "")
    }

    // MARK: - Words

    private func modelName(_ id: String) -> String { report.modelNames[id] ?? id }

    static func label(_ status: RowStatus) -> String {
        switch status {
        case .compliant: "compliant"
        case .fixed: "fixed"
        case .partial: "some models only"
        case .unfixable: "cannot be fixed"
        case .failed: "failed"
        case .notMedia: "not media"
        case .pending: "not done"
        }
    }

    static func filterID(_ status: RowStatus) -> String {
        status == .notMedia ? "not-media" : status.rawValue
    }

    /// How a compliant file reached the output (FilePlacer's methods).
    static func placing(_ method: String?) -> String {
        switch method {
        case "clone": "cloned (copy-on-write)"
        case "symlink": "linked (symlink)"
        case "hardlink": "hard-linked"
        default: "copied as is"
        }
    }

    /// What a fix did, by FixPlan.Action.
    static func action(_ action: String?) -> String {
        switch action {
        case "rewrap": "Re-wrapped (streams copied)"
        case "trim_copy": "Cut at a keyframe (no re-encode)"
        case "reencode": "Re-encoded"
        case "image": "Picture converted"
        default: "Fixed"
        }
    }

    /// Messages name their model first ("Kling O1 video edit needs …"); under that model's name the rest says it.
    static func dropping(_ prefix: String, from text: String) -> String {
        guard text.hasPrefix(prefix) else { return text }
        let rest = text.dropFirst(prefix.count).drop { $0 == " " }
        return rest.isEmpty ? text : String(rest)
    }

    /// FFmpeg names demuxers by every extension they read ("mov,mp4,m4a,..."): the first says enough.
    /// Still-picture demuxers ("image2", "png_pipe") say nothing the codec does not.
    /// FFmpeg names a demuxer by its family ("mov,mp4,m4a,3gp,3g2,mj2"): the member the file's
    /// extension names is what people call it (an .mp4 is not shown as "mov").
    static func containerText(_ name: String, file: String = "") -> String {
        let members = name.split(separator: ",").map(String.init)
        let ext = URL(fileURLWithPath: file).pathExtension.lowercased()
        let first = members.contains(ext) ? ext : members.first ?? ""
        return first == "image2" || first.hasSuffix("_pipe") ? "" : first
    }

    static func durationText(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(clampingRounded: seconds)
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60) : String(format: "%d:%02d", whole / 60, whole % 60)
    }

    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
