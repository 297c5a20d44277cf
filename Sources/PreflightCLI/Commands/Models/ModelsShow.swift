import ArgumentParser
import ModelCatalog

struct ModelsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One model's limits, payload schema and price, each with its source."
    )

    @Argument(help: "The model's endpoint id, e.g. fal-ai/kling-video/o1/video-to-video/edit.")
    var id: String

    @Flag(help: "The catalog entry as JSON.")
    var json = false

    func run() async throws {
        let context = try await CatalogContext.load(using: [id])
        let m = try context.model(id)
        if json {
            Terminal.out(try CLIJSON.string(m))
            return
        }
        var lines = ["\(m.name)  (\(m.id))", "  category: \(m.category)    provider: \(m.provider)    layer: \(m.origin)",
                     "  source: \(m.source)" + (m.source.url.map { "  \($0)" } ?? "")]
        if let notes = m.notes { lines.append("  notes: \(notes)") }
        for field in m.media {
            lines.append("")
            lines.append("  \(field.name): \(field.kind.rawValue)\(field.required ? "" : " (optional)")")
            let limits = ModelText.limits(field.requirement)
            if limits.isEmpty { lines.append("    no published limits (learned from rejections as they happen)") }
            // Every limit names where and when it was read: its own source, else the model's.
            for (key, text) in limits {
                let source = key.map { m.source(of: $0, in: field) }.map { "   [\(ModelText.source($0))]" } ?? ""
                let advice = key.flatMap { k in field.requirement.isAdvisory(k) ? field.advice[k] : nil }.map { " (advisory: \($0))" } ?? ""
                lines.append("    \(text)\(advice)\(source)")
            }
            // What fal reshapes beyond the advisory limits already shown above.
            if let n = field.normalization {
                let beyond = n.keys.filter { !(field.requirement.isAdvisory($0) && field.requirement.value($0) == n.value($0)) }
                let said = beyond.compactMap { Normalization.advice($0, in: n) }.uniqued()
                if !said.isEmpty { lines.append("    fal reshapes instead of refusing: " + said.joined(separator: "; ")) }
            }
            for c in field.conditional {
                lines.append("    when \(c.when.field) = \(c.when.equals): " + ModelText.limits(c.requirement).map(\.1).joined(separator: ", "))
            }
        }
        if !m.rules.isEmpty {
            lines.append("")
            lines.append("  across fields:")
            for rule in m.rules {
                lines.append("    " + ModelText.rule(rule) + (rule.source.map { "   [\(ModelText.source($0))]" } ?? ""))
            }
        }
        if !m.payload.fields.isEmpty {
            lines.append("")
            lines.append("  payload\(m.payload.complete ? "" : " (known fields; others may exist)"):")
            for f in m.payload.fields {
                var parts = ["\(f.name): \(f.type.rawValue)"]
                if f.required { parts.append("required") }
                if let e = f.enumValues { parts.append("one of " + e.map(\.description).joined(separator: ", ")) }
                if let lo = f.minimum { parts.append(">= \(ModelText.number(lo))") }
                if let hi = f.maximum { parts.append("<= \(ModelText.number(hi))") }
                if let n = f.maxLength { parts.append("at most \(n) characters" + (f.readFromProse?.contains("max_length") == true ? " (read from prose)" : "")) }
                if let d = f.defaultValue { parts.append("default \(d)") }
                lines.append("    " + parts.joined(separator: ", "))
            }
        }
        lines.append("")
        if let p = m.price {
            lines.append("  price: \(p.summary)   [\(ModelText.source(p.source))]")
        } else {
            lines.append("  price: not in the catalog (add one in a user catalog)")
        }
        Terminal.out(lines.map { Terminal.printable($0) }.joined(separator: "\n"))
    }
}
