import Foundation
import ModelCatalog
import Testing
import Yams

/// A lint over the bundled catalog, so it stays right as it grows.
@Suite struct CatalogLintTests {
    let catalog = Catalog.bundled()

    @Test func everyMediaLimitHasASourceAndADate() {
        for spec in catalog.models.values {
            for field in spec.media {
                #expect(!spec.source.ref.isEmpty && spec.source.date != nil, "\(spec.id) \(field.name)")
                for key in field.requirement.keys {
                    let source = spec.source(of: key, in: field)
                    #expect(source.date.map { $0.hasPrefix("2026-") } == true, "\(spec.id) \(field.name) \(key)")
                    #expect(source.url?.hasPrefix("https://fal.ai/") ?? false || source.ref.contains("fal"), "\(spec.id) \(field.name) \(key)")
                }
                // A per-limit source or advice names a limit the field sets.
                for key in field.limitSources.keys { #expect(field.requirement.isSet(key), "\(spec.id) \(field.name): source for unset \(key)") }
                for key in field.advice.keys { #expect(field.requirement.isAdvisory(key), "\(spec.id) \(field.name): advice for non-advisory \(key)") }
            }
            for rule in spec.rules {
                #expect(rule.source?.date != nil, "\(spec.id) rule")
                for name in rule.fields + (rule.requiresAnyOf ?? []) { #expect(spec.field(named: name) != nil, "\(spec.id) rule names \(name)") }
            }
            if let p = spec.price { #expect(p.source.date != nil, "\(spec.id) price") }
        }
    }

    /// Reads the bundled text itself: keys a decoder would silently skip are caught here.
    @Test func everyKeyIsKnown() throws {
        let tree = try #require(try Yams.load(yaml: Catalog.bundledText) as? [String: Any])
        let models = try #require(tree["models"] as? [[String: Any]])
        let known = Set(LimitKey.requirementKeys.map(\.rawValue))
        let modelKeys: Set = ["id", "extends", "name", "provider", "category", "source", "notes", "media", "payload", "price", "rules"]
        let fieldKeys: Set = ["field", "kind", "required", "require", "when", "source", "sources", "advice"]
        for model in models {
            let id = model["id"] as? String ?? "?"
            #expect(Set(model.keys).isSubset(of: modelKeys), "\(id): \(Set(model.keys).subtracting(modelKeys))")
            for field in model["media"] as? [[String: Any]] ?? [] {
                #expect(Set(field.keys).isSubset(of: fieldKeys), "\(id): \(Set(field.keys).subtracting(fieldKeys))")
                let require = field["require"] as? [String: Any] ?? [:]
                #expect(Set(require.keys).subtracting(["advisory"]).isSubset(of: known), "\(id): \(require.keys)")
                for advisory in require["advisory"] as? [String] ?? [] { #expect(known.contains(advisory), "\(id): advisory \(advisory)") }
                for key in (field["sources"] as? [String: Any] ?? [:]).keys { #expect(known.contains(key), "\(id): sources.\(key)") }
                for key in (field["advice"] as? [String: Any] ?? [:]).keys { #expect(known.contains(key), "\(id): advice.\(key)") }
            }
        }
        #expect(models.count == catalog.models.count)
    }

    /// fal's schemas type these as strings ("5", "8s", "16:9"): a number here would make `check`
    /// demand the wrong JSON type.
    @Test func enumValuesAreStringsWhereTheSchemaSaysString() {
        for spec in catalog.models.values {
            for f in spec.payload.fields where f.type == .string {
                for v in f.enumValues ?? [] { #expect(v.stringValue != nil, "\(spec.id) \(f.name): \(v)") }
                if let d = f.defaultValue { #expect(d.stringValue != nil, "\(spec.id) \(f.name) default") }
            }
        }
    }

    /// `models show --json` output reads back as the same model (advice, rules, sources and all).
    @Test func everyModelRoundTripsThroughJSON() throws {
        for spec in catalog.models.values {
            let data = try JSONEncoder().encode(spec)
            #expect(try JSONDecoder().decode(ModelSpec.self, from: data) == spec, "\(spec.id)")
        }
    }

    @Test func theLimitTableIsTheOneList() throws {
        // Every key round-trips through the catalog form; an unknown key is refused with a guess.
        var r = MediaRequirement()
        for (i, key) in LimitKey.requirementKeys.enumerated() {
            switch key.slot {
            case .int: r.set(key, to: .integer(i + 1))
            case .number: r.set(key, to: .number(Double(i) + 0.5))
            case .strings: r.set(key, to: ["a", "b"])
            case .bytes: r.set(key, to: .integer(1024 * (i + 1)))
            case .presence: r.set(key, to: "forbidden")
            case .none: Issue.record("\(key) has no slot")
            }
        }
        #expect(r.keys == LimitKey.requirementKeys)
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(MediaRequirement.self, from: data) == r)
        #expect(MediaRequirement().overlaid(with: r) == r)
        for key in LimitKey.requirementKeys { #expect(r.value(key) != nil, "\(key)") }
        #expect(throws: CatalogError.self) { try CatalogFile.parse("models:\n  - id: a/b\n    media:\n      - {field: video_url, kind: video, require: {max_duraton: 3}}\n", name: "t") }
        do {
            _ = try CatalogFile.parse("models:\n  - id: a/b\n    media:\n      - {field: video_url, kind: video, require: {max_duraton: 3}}\n", name: "t")
        } catch {
            #expect(error.message.contains("did you mean 'max_duration'"))
        }
        // Hostile values set nothing rather than trap.
        var h = MediaRequirement()
        h.set(.maxWidth, to: .number(1e300))
        h.set(.maxFileSize, to: .number(.infinity))
        h.set(.maxDuration, to: .number(.nan))
        #expect(h.keys.isEmpty)
    }
}
