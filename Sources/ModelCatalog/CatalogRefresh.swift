import Foundation

/// One endpoint refreshed from fal: its OpenAPI document (and price, when one was fetched) turned
/// into a catalog entry, and what that changes against the catalog a user has without it.
package enum CatalogRefresh {
    /// What refreshing one model found: unchanged, changed (with the differences), or an error.
    package struct Outcome: Sendable {
        package var entry: CatalogFile.CatalogEntry
        package var changes: [CatalogChange]
        /// Things worth saying that are not changes ("price unit 'token' not understood: kept").
        package var notes: [String]
    }

    /// A price as fal's platform API gives it.
    package struct FetchedPrice: Sendable {
        package var amount: Double
        package var unit: String
        package var currency: String

        package init(amount: Double, unit: String, currency: String) {
            self.amount = amount
            self.unit = unit
            self.currency = currency
        }
    }

    /// - Parameters:
    ///   - base: the catalog without refreshed entries (bundled and user layers): what changes are told against.
    ///   - documentURL: where the document was read, for the source.
    ///   - paths: where the user's catalog files are, to tell changes they override from those in force.
    package static func refresh(id: String, document: Data, price: FetchedPrice?, base: Catalog, paths: PreflightPaths? = nil,
                               date: Date = Date(), documentURL: String? = nil, priceURL: String? = nil) throws(CatalogError) -> Outcome {
        let stamp = ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withFullDate])
        var entry = try OpenAPIImporter.entry(from: document, name: id, date: date, reference: "refreshed from fal")
        guard entry.id == id else {
            throw CatalogError(file: id, message: "fal's document is for '\(entry.id)', not '\(id)'",
                               hint: "The endpoint may have been renamed: refresh '\(entry.id)' instead.")
        }
        if let url = documentURL { entry.source?.url = url }
        var notes: [String] = []
        let old = base.models[id]
        if old != nil {
            // The bundled name and category read better than what a generated document carries.
            entry.name = nil
            if entry.category == "unknown" { entry.category = nil }
        }
        if let price {
            let source = Source(ref: "fal platform API (models/pricing)", url: priceURL, date: stamp)
            if let p = Price.refreshed(amount: price.amount, falUnit: price.unit, currency: price.currency, over: old?.price, source: source) {
                entry.price = p
            } else {
                notes.append("price: fal's unit '\(price.unit)' is not one the catalog knows; the last price is kept")
            }
        }
        var merged = base
        try merged.apply(CatalogFile(models: [entry]), origin: "refreshed")
        guard let now = merged.models[id] else { return Outcome(entry: entry, changes: [], notes: notes) }
        var changes = CatalogDiff.changes(from: old, to: now)
        // The refreshed layer sits under the user's files: a change a user file overrides is not in force.
        if let paths, let effective = try Catalog.load(paths: paths, refreshed: false, refreshing: [entry]).models[id] {
            let inForce = CatalogDiff.changes(from: old, to: effective)
            let masked = changes.filter { c in !inForce.contains { $0.subject == c.subject } }
            if !masked.isEmpty {
                notes.append("your catalog files override \(masked.map(\.subject).joined(separator: ", ")): those changes are not in force")
            }
            changes = inForce
        }
        return Outcome(entry: entry, changes: changes, notes: notes)
    }
}
