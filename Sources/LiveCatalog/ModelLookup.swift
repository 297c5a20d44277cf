import FalClient
import Foundation
import ModelCatalog
import PreflightCore

/// Looks endpoints up at fal and turns what it says into catalog entries: the platform listing
/// with each OpenAPI document inlined (50 ids a call), and for an id the listing does not carry
/// (or a listing that failed for another reason than the network), the endpoint's own OpenAPI
/// document. Every failure is an answer for its id, never a thrown error.
struct ModelLookup: Sendable {
    enum Answer: Sendable {
        case found(CatalogFile.CatalogEntry)
        /// Why there is no entry, in words for the user.
        case problem(String)
    }

    let client: FalClient
    let timeout: Double

    func look(up ids: [String]) async -> [String: Answer] {
        var answers: [String: Answer] = [:]
        let date = Date()
        for start in stride(from: 0, to: ids.count, by: FalClient.idsPerCall) {
            let batch = Array(ids[start..<min(start + FalClient.idsPerCall, ids.count)])
            var listed: [String: FalModel] = [:]
            var unreachable: FalError?
            do {
                for m in try await client.models(batch, openAPI: true, timeout: timeout) where listed[m.endpointID] == nil { listed[m.endpointID] = m }
            } catch where error.kind == .network || error.kind == .capacity {
                unreachable = error
            } catch {
                // Another answer (an older platform without the listing, a refusal): the documents may still be there.
            }
            for id in batch {
                if let model = listed[id], let document = model.openAPI {
                    answers[id] = importing(document, id: id, model: model, date: date, reference: "fetched from fal's model listing")
                    continue
                }
                answers[id] = await document(for: id, model: listed[id], date: date, listingFailure: unreachable)
            }
        }
        return answers
    }

    /// The endpoint's own OpenAPI document, the lookup's fallback.
    private func document(for id: String, model: FalModel?, date: Date, listingFailure: FalError?) async -> Answer {
        do {
            let data = try await client.openAPIDocument(for: id)
            guard let root = try? JSONDecoder().decode(JSONValue.self, from: data).objectValue else {
                return .problem("fal's OpenAPI document for it is not JSON")
            }
            return importing(root, id: id, model: model, date: date, reference: "fetched from fal")
        } catch where error.kind == .notFound {
            return .problem(model == nil ? "fal does not list it" : "fal lists it but publishes no input schema for it")
        } catch where error.kind == .network || error.kind == .capacity {
            let cause = listingFailure ?? error
            return .problem("fal could not be reached (\(cause.message))")
        } catch {
            return .problem("fal's answer about it could not be used (\(error.message))")
        }
    }

    private func importing(_ document: [String: JSONValue], id: String, model: FalModel?, date: Date, reference: String) -> Answer {
        var entry: CatalogFile.CatalogEntry
        do {
            entry = try OpenAPIImporter.entry(from: document, name: id, date: date, reference: reference, endpointID: id)
        } catch {
            return .problem("fal's schema for it cannot be read (\(error.message))")
        }
        guard entry.id == id else {
            return .problem("fal's schema is for '\(Printable.escape(String(entry.id.prefix(200))))': the endpoint may have been renamed")
        }
        if let name = model?.displayName, !name.isEmpty { entry.name = Printable.escape(name) }
        if let category = model?.category, !category.isEmpty { entry.category = Printable.escape(category) }
        if model?.status == "deprecated" { entry.notes = "fal marks this endpoint deprecated" }
        return .found(entry)
    }
}
