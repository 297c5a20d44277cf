import Foundation
import PreflightCore

/// The models preflight knows, in layers: the bundled catalog, then what was fetched from fal (the
/// refreshed layer and fal's prices), then requirements learned from rejections (against the fal
/// base URL in use), then the user's catalog files (add or correct a model without rebuilding).
/// A later layer wins, limit by limit, and each limit keeps the source of the layer that set it.
public struct Catalog: Sendable {
    public private(set) var models: [String: ModelSpec] = [:]

    /// An empty catalog (layers are applied to it; `Catalog.bundled()` is the usual start).
    public init() {}

    /// Every model id the catalog knows, sorted.
    public var ids: [String] { models.keys.sorted() }

    /// The bundled catalog's text, as shipped (for lints and `models show --bundled`-like tools).
    public static var bundledText: String { BundledCatalog.yaml }

    /// The catalog that ships with preflight (parsed once per process: a command that loads the
    /// catalog again after fetching from fal does not parse the YAML again).
    public static func bundled() -> Catalog { parsedBundle }

    private static let parsedBundle: Catalog = {
        var catalog = Catalog()
        do {
            try catalog.apply(try CatalogFile.parse(BundledCatalog.yaml, name: "bundled catalog"), origin: "bundled")
        } catch {
            // The bundled catalog is tested; failing here is a build defect, not a user error.
            fatalError("bundled catalog: \(error)")
        }
        return catalog
    }()

    /// Bundled, then what was fetched from fal (`models refresh`, first-use lookups, the price
    /// book), then every user catalog file, with the learned requirements applied between the two
    /// so that a user's own file has the last word.
    /// - Parameters:
    ///   - learned: lessons for the fal base URL in use (a store gives only those).
    ///   - refreshed: whether to read the refreshed layer's files and fetched prices.
    ///   - refreshing: entries to put in the refreshed layer as well (what a refresh is about to save).
    ///   - only: the models a command will use: of the refreshed layer, only their entries (and those
    ///     the user's files name or extend) are read, so a layer that grows with every model ever
    ///     used does not slow every command. Nil reads the whole layer (`models list`).
    public static func load(paths: PreflightPaths, learned: [LearnedRequirement] = [], refreshed: Bool = true,
                            refreshing: [CatalogFile.CatalogEntry] = [], only: Set<String>? = nil) throws(CatalogError) -> Catalog {
        var catalog = bundled()
        // The user's files are read first (they are applied last): what they name is needed below.
        var userFiles: [(file: CatalogFile, origin: String)] = []
        for file in userCatalogFiles(in: paths.userCatalogs) {
            let text: String
            do { text = try String(contentsOf: file, encoding: .utf8) } catch {
                throw CatalogError(file: file.path, message: "cannot be read: \(error.localizedDescription)")
            }
            userFiles.append((try CatalogFile.parse(text, name: file.path), "user:\(file.lastPathComponent)"))
        }
        if refreshed {
            let layer = RefreshedLayer(paths: paths)
            let entries = only.map { ids in
                layer.entries(for: ids.union(userFiles.flatMap { $0.file.models.flatMap { [$0.id] + [$0.extends].compactMap { $0 } } }))
            } ?? layer.entries()
            try catalog.apply(CatalogFile(models: entries), origin: "refreshed")
        }
        if !refreshing.isEmpty { try catalog.apply(CatalogFile(models: refreshing), origin: "refreshed") }
        if refreshed { catalog.apply(prices: PriceBook(paths: paths).all()) }
        catalog.apply(learned: learned)
        for (file, origin) in userFiles { try catalog.apply(file, origin: origin) }
        return catalog
    }

    /// Puts prices fetched from fal on the models they price (a unit the catalog does not
    /// understand leaves the model's price as it was).
    package mutating func apply(prices: [DatedPrice]) {
        for p in prices {
            guard var spec = models[p.endpointID], var price = p.price(over: spec.price) else { continue }
            // An older fetch does not replace a newer refresh's price.
            if let seen = spec.price?.source.date, let new = price.source.date, seen > new { continue }
            // A model the catalog had no price for, charged by the second with no duration to ask
            // for: an edit of a clip, whose output is as long as its input.
            if spec.price == nil, price.unit == .secondOfOutput, spec.payload.field("duration") == nil,
               spec.media.contains(where: { $0.kind.element == .video }) {
                price.durationFrom = "input"
            }
            spec.price = price
            models[p.endpointID] = spec
        }
    }

    static func userCatalogFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { ["yaml", "yml", "json"].contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }
            .sorted().map { folder.appendingPathComponent($0) }
    }

    /// Adds or corrects models from one catalog file.
    public mutating func apply(_ file: CatalogFile, origin: String) throws(CatalogError) {
        for entry in file.models {
            if let existing = models[entry.id] {
                models[entry.id] = try merge(entry, into: existing, origin: origin)
            } else if let baseID = entry.extends {
                guard var base = models[baseID] else {
                    throw CatalogError(file: origin, message: "model '\(entry.id)' extends '\(baseID)', which is not defined before it")
                }
                base.id = entry.id
                base.price = nil // a price belongs to one endpoint
                models[entry.id] = try merge(entry, into: base, origin: origin)
            } else {
                let blank = ModelSpec(id: entry.id, name: entry.id, provider: "fal", category: "unknown", media: [],
                                      payload: PayloadSchema(), price: nil, source: Source(ref: origin), notes: nil, origin: origin)
                models[entry.id] = try merge(entry, into: blank, origin: origin)
            }
        }
    }

    private func merge(_ entry: CatalogFile.CatalogEntry, into spec: ModelSpec, origin: String) throws(CatalogError) -> ModelSpec {
        var spec = spec
        let entrySource = entry.source ?? (origin == "bundled" || origin == "refreshed" ? spec.source : Source(ref: "user catalog \(origin.dropFirst(5))"))
        if let name = entry.name { spec.name = name }
        if let provider = entry.provider { spec.provider = provider }
        if let category = entry.category { spec.category = category }
        if let notes = entry.notes { spec.notes = notes }
        if let price = entry.price { spec.price = price }
        if let rules = entry.rules { spec.rules = rules.map { r in var r = r; r.source = r.source ?? entrySource; return r } }
        if let source = entry.source, spec.media.isEmpty || entry.extends != nil { spec.source = source }
        spec.origin = origin

        for fieldEntry in entry.media ?? [] {
            let limitSource = fieldEntry.source ?? entrySource
            if let i = spec.media.firstIndex(where: { $0.name == fieldEntry.field }) {
                var field = spec.media[i]
                if let kind = fieldEntry.kind { field.kind = kind }
                if let required = fieldEntry.required { field.required = required }
                if let require = fieldEntry.require {
                    field.requirement = field.requirement.overlaid(with: require)
                    for key in require.keys {
                        let source = fieldEntry.sources?[key] ?? limitSource
                        field.limitSources[key] = source != spec.source ? source : nil
                    }
                }
                if let when = fieldEntry.when { field.conditional = when }
                field.advice.merge(fieldEntry.advice ?? [:]) { _, new in new }
                if let n = fieldEntry.normalization { field.normalization = n }
                spec.media[i] = field
            } else {
                guard let kind = fieldEntry.kind else {
                    throw CatalogError(file: origin, message: "model '\(entry.id)', media field '\(fieldEntry.field)': say its kind (video, image, audio, video_list, image_list, audio_list)")
                }
                var field = MediaField(name: fieldEntry.field, kind: kind, required: fieldEntry.required ?? true,
                                       requirement: fieldEntry.require ?? MediaRequirement(), conditional: fieldEntry.when ?? [])
                field.advice = fieldEntry.advice ?? [:]
                field.normalization = fieldEntry.normalization
                for key in field.requirement.keys {
                    let source = fieldEntry.sources?[key] ?? limitSource
                    if source != spec.source { field.limitSources[key] = source }
                }
                spec.media.append(field)
            }
        }
        if let payload = entry.payload {
            if let complete = payload.complete { spec.payload.complete = complete }
            for field in payload.fields ?? [] {
                if let i = spec.payload.fields.firstIndex(where: { $0.name == field.name }) {
                    spec.payload.fields[i] = field
                } else {
                    spec.payload.fields.append(field)
                }
            }
        }
        return spec
    }

    /// Puts learned limits on top. A lesson for a model or field the catalog lacks creates it, so a
    /// rejection from an uncatalogued model still protects the next attempt.
    public mutating func apply(learned: [LearnedRequirement]) {
        for lesson in learned {
            var spec = models[lesson.modelID] ?? ModelSpec(
                id: lesson.modelID, name: lesson.modelID, provider: "fal", category: "unknown", media: [],
                payload: PayloadSchema(), price: nil, source: lesson.source, notes: "known only from rejections", origin: "learned")
            if spec.field(named: lesson.field) == nil {
                spec.media.append(MediaField(name: lesson.field, kind: MediaFieldKind.guess(fromFieldName: lesson.field)))
            }
            guard let i = spec.media.firstIndex(where: { $0.name == lesson.field }) else { continue }
            spec.media[i].requirement.set(lesson.key, to: lesson.value)
            spec.media[i].limitSources[lesson.key] = lesson.source
            models[lesson.modelID] = spec
        }
    }

    /// The model with this id, or an error that names the closest known ids.
    public func model(_ id: String) throws(UnknownModelError) -> ModelSpec {
        if let spec = models[id] { return spec }
        throw UnknownModelError(id: id, suggestions: suggestions(for: id))
    }

    /// Known ids closest to what was typed: containing every word of it first, then by edit distance.
    public func suggestions(for typed: String, limit: Int = 3) -> [String] {
        let query = typed.lowercased()
        let separators: Set<Character> = ["/", " ", "-", "_", "."]
        let words = query.split(whereSeparator: { separators.contains($0) }).map(String.init)
        func score(_ id: String) -> Int {
            let lower = id.lowercased()
            let missing = words.filter { !lower.contains($0) }.count
            return missing * 1000 + Suggest.distance(query, lower)
        }
        let scored: [(id: String, score: Int)] = ids.map { ($0, score($0)) }
        let ranked = scored.sorted { a, b in a.score != b.score ? a.score < b.score : a.id < b.id }
        return ranked.prefix(limit).map { $0.id }
    }
}

/// A model id no catalog layer knows (and fal could not be asked about).
public struct UnknownModelError: PreflightError {
    /// The id as the user wrote it.
    public var id: String
    /// Up to three known ids that share its words or spelling, nearest first (may be empty).
    public var suggestions: [String]
    /// Why fal was not asked, or what it said ("fal does not list it", "fal could not be reached").
    public var reason: String?

    /// `suggestions`: ids close to the one asked for; `reason`: why fal could not be asked.
    public init(id: String, suggestions: [String], reason: String? = nil) {
        self.id = id
        self.suggestions = suggestions
        self.reason = reason
    }

    /// A usage error: the id the user gave is the thing to change.
    public var category: ErrorCategory { .usage }
    /// The machine code scripts match on.
    public var errorCode: String { "catalog.unknown_model" }

    /// "unknown model 'ID'", with why fal could not tell about it, and the nearest known ids.
    public var message: String {
        var text = "unknown model '\(id)'"
        if let reason { text += ": \(reason)" }
        if !suggestions.isEmpty { text += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?" }
        return text
    }

    /// Where to look for the id, how to fetch it, or how to describe it in a user catalog.
    public var hint: String {
        "`preflight models search TEXT` looks for it at fal, `preflight models refresh ID` fetches its limits, "
            + "`preflight models list` shows the known ones; a user catalog can describe it: docs/catalog-format.md"
    }

    /// The message and the hint together, as one line.
    public var description: String { "\(message) (\(hint))" }
}

extension MediaFieldKind {
    /// fal names media fields after what they take: video_url, image_urls, audio_url...
    static func guess(fromFieldName name: String) -> MediaFieldKind {
        let n = name.lowercased()
        let list = n.hasSuffix("urls") || n.hasSuffix("s")
        if n.contains("video") { return list ? .videoList : .video }
        if n.contains("audio") { return list ? .audioList : .audio }
        return list ? .imageList : .image
    }
}
