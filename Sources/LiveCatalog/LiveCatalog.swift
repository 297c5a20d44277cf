import FalClient
import Foundation
import ModelCatalog
import PreflightCore

/// The catalog a command works with: every layer on disk (bundled, refreshed, fetched prices,
/// learned, the user's files), with fal asked about what those lack. An id no layer knows is
/// looked up at fal on first use (`GET {platform}/v1/models?endpoint_id=ID&expand=openapi-3.0`,
/// else the endpoint's own OpenAPI document), imported and kept in the refreshed layer with its
/// date; a refreshed entry older than `maxAge` is asked about again; the prices of the models used
/// are kept fresh in the price book (50 ids a call). Nothing here fails for want of a network:
/// what could not be asked is said in `notes`, or in `unknown` for an id that stays unknown.
public struct LiveCatalog: Sendable {
    /// How the live catalog asks fal: when to look up, how old an entry may grow, offline or not.
    public struct Settings: Sendable {
        /// How old (seconds) a refreshed entry or a fetched price may be before fal is asked again.
        public var maxAge: TimeInterval
        /// Why fal must not be asked at all (PREFLIGHT_OFFLINE, a broken base URL); nil: ask when needed.
        public var offline: String?
        /// Seconds one call to fal may take.
        public var timeout: Double
        /// The time entries' ages are measured against (a test can set it).
        public var now: Date

        /// Seven days: how old a refreshed entry or price grows before fal is asked again, by default.
        public static let defaultMaxAge: TimeInterval = 7 * 86_400

        /// `maxAge`: how old a kept entry may grow before fal is asked again; `offline`: why fal must not be asked (then unknown ids are errors).
        public init(maxAge: TimeInterval = Settings.defaultMaxAge, offline: String? = nil, timeout: Double = 30, now: Date = Date()) {
            self.maxAge = maxAge
            self.offline = offline
            self.timeout = timeout
            self.now = now
        }

        /// PREFLIGHT_OFFLINE (any value but "" and "0") and PREFLIGHT_CATALOG_MAX_AGE ("3600", "90m",
        /// "12h", "7d") from an environment; a max age that cannot be read is named in `problem`.
        public static func from(environment: [String: String]) -> (Settings, problem: String?) {
            var s = Settings()
            if let o = environment["PREFLIGHT_OFFLINE"], !o.isEmpty, o != "0" { s.offline = "PREFLIGHT_OFFLINE is set" }
            guard let text = environment["PREFLIGHT_CATALOG_MAX_AGE"], !text.isEmpty else { return (s, nil) }
            guard let age = parseAge(text) else {
                return (s, "PREFLIGHT_CATALOG_MAX_AGE '\(Printable.escape(String(text.prefix(40))))' is not an age (write 3600, 90m, 12h or 7d); the default of 7 days is used")
            }
            s.maxAge = age
            return (s, nil)
        }

        /// Seconds from "3600", "90m", "12h", "7d"; nil for anything else (negative, not finite, absurd).
        public static func parseAge(_ text: String) -> TimeInterval? {
            let t = text.trimmingCharacters(in: .whitespaces).lowercased()
            let scale: Double = switch t.last {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86_400
            default: 1
            }
            let digits = t.last.map { $0.isLetter ? String(t.dropLast()) : t } ?? t
            guard let n = Double(digits), n.isFinite, n >= 0, n * scale <= 3650 * 86_400 else { return nil }
            return n * scale
        }
    }

    /// What a command gets: the catalog, and what happened on the way.
    public struct Outcome: Sendable {
        /// Every layer, with what fal was asked about applied.
        public var catalog: Catalog
        /// Lines for the user: what was fetched, re-checked, or kept because fal could not be asked.
        public var notes: [String]
        /// Ids no layer knows and fal could not tell about, with why ("fal does not list it").
        public var unknown: [String: String]
        /// Ids imported from fal by this call.
        public var fetched: [String]
    }

    /// Where the catalog's layers (refreshed entries, prices, learned limits, user files) live.
    public let paths: PreflightPaths
    /// How fal's platform API is asked about unknown ids and prices.
    public let client: FalClient
    /// When to ask fal, how old an entry may grow, and how long a call may take.
    public var settings: Settings

    /// The catalog kept under `paths`, asking fal through `client`.
    public init(paths: PreflightPaths, client: FalClient, settings: Settings = Settings()) {
        self.paths = paths
        self.client = client
        self.settings = settings
    }

    /// The catalog for a command that uses `ids`: every layer, plus what fal says about the ids
    /// the layers lack (or hold from too long ago), plus fresh prices for them. Of the refreshed
    /// layer only these ids' entries are read; with no ids, all of it and nothing is asked.
    /// - Parameter learned: lessons for the fal base URL in use.
    public func catalog(using ids: [String], learned: [LearnedRequirement] = []) async throws(CatalogError) -> Outcome {
        // Of the refreshed layer, the ids used (all of it when none is named: `models list`).
        let only: Set<String>? = ids.isEmpty ? nil : Set(ids)
        let catalog = try Catalog.load(paths: paths, learned: learned, only: only)
        var outcome = Outcome(catalog: catalog, notes: [], unknown: [:], fetched: [])
        var wanted: [String] = []
        for id in ids where !wanted.contains(id) && EndpointID.problem(id) == nil { wanted.append(id) }
        let layer = RefreshedLayer(paths: paths)
        // Known from a layer of its own (a lesson alone does not describe a model).
        let missing = wanted.filter { catalog.models[$0].map { $0.origin == "learned" } ?? true }
        let stale = wanted.filter { id in
            !missing.contains(id) && (layer.refreshedAt(id).map { settings.now.timeIntervalSince($0) > settings.maxAge } ?? false)
        }
        var changed = false
        // Fetched but not written (a read-only state folder): used for this run all the same.
        var unsaved: [CatalogFile.CatalogEntry] = []
        if let reason = settings.offline {
            for id in missing { outcome.unknown[id] = "no catalog layer knows it, and fal was not asked (\(reason))" }
        } else if !(missing + stale).isEmpty {
            let answers = await ModelLookup(client: client, timeout: settings.timeout).look(up: missing + stale)
            var saved = false
            for id in missing + stale {
                switch answers[id] {
                case .found(let entry)?:
                    do {
                        try layer.save(entry, at: settings.now, from: LearnedRequirement.scope(of: client.endpoints.platform))
                        saved = true
                        outcome.fetched.append(id)
                        outcome.notes.append(stale.contains(id) ? "\(id): limits checked again at fal (the saved ones were older than \(Self.days(settings.maxAge)))"
                                                                 : "\(id): limits fetched from fal and kept in \(layer.folder.path)")
                    } catch {
                        outcome.notes.append("\(id): fetched from fal but not kept (\(error.localizedDescription)); it is asked for again next time")
                        unsaved.append(entry)
                        outcome.fetched.append(id)
                    }
                case .problem(let why)?:
                    if stale.contains(id) {
                        let day = layer.refreshedAt(id).map { ISO8601DateFormatter.string(from: $0, timeZone: .gmt, formatOptions: [.withFullDate]) } ?? "?"
                        outcome.notes.append("\(id): using the limits fetched on \(day); fal could not be asked again (\(why))")
                    } else {
                        outcome.unknown[id] = why
                    }
                case nil:
                    outcome.unknown[id] = outcome.unknown[id] ?? "fal was not asked"
                }
            }
            changed = saved || !unsaved.isEmpty
        }
        if settings.offline == nil, client.hasKey {
            let book = PriceBook(paths: paths)
            let known = wanted.filter { catalog.models[$0] != nil || outcome.fetched.contains($0) }
            let priced = known.filter { book.isStale($0, now: settings.now, maxAge: settings.maxAge) }
            if !priced.isEmpty {
                if let note = await refreshPrices(priced) { outcome.notes.append(note) }
                changed = true
            }
        }
        // One reload for everything fetched (entries and prices), in the layers' order.
        outcome.catalog = changed ? try Catalog.load(paths: paths, learned: learned, refreshing: unsaved, only: only) : catalog
        return outcome
    }

    /// Asks fal for these ids' prices (50 a call) and keeps the answers, dated, in the price book.
    /// Nil when it went well, else a line saying what could not be done.
    @discardableResult
    public func refreshPrices(_ ids: [String], onCall: (@Sendable (Int) -> Void)? = nil) async -> String? {
        guard client.hasKey else { return "prices not fetched: no fal key (set FAL_KEY)" }
        do {
            let prices = try await client.prices(for: ids, timeout: settings.timeout, onCall: onCall)
            let dated = prices.map { DatedPrice(endpointID: $0.endpointID, amount: $0.unitPrice, unit: $0.unit, currency: $0.currency, seenAt: settings.now) }
            do { try PriceBook(paths: paths).record(dated, asked: ids, at: settings.now) } catch {
                return "prices fetched but not kept (\(error.localizedDescription))"
            }
            return nil
        } catch {
            return "prices not refreshed: \(error.message)"
        }
    }

    static func days(_ seconds: TimeInterval) -> String {
        seconds >= 86_400 ? String(format: "%g days", seconds / 86_400) : String(format: "%g s", seconds)
    }
}
