import FalClient
import ModelCatalog
import Foundation
import PreflightCore

/// One prepared file a batch sends: its name in the batch, the file, its bytes' hash, its payload.
public struct BatchItem: Sendable {
    /// The source's path relative to the batch's folder (a manifest row's `source`).
    public var name: String
    /// The path of the file to send (the prepared output, or the source placed as it is).
    public var file: String
    /// SHA-256 of the file: part of the job's batch key, so the same bytes are not sent twice.
    public var fileHash: String
    /// The payload this file is sent with (the run's, with the sheet's cells over it).
    public var payload: [String: JSONValue]
    /// What sending it would cost at each model (nil: not priced, e.g. a manifest row from an
    /// older version): what a batch budget adds up.
    public var cost: CostSheet?
    /// The models this file goes to, when not every model of the batch (a dual run whose models
    /// each got their own file); nil: all of them.
    public var models: [String]?

    /// An item; `models` nil sends it to every model of the batch.
    public init(name: String, file: String, fileHash: String, payload: [String: JSONValue], cost: CostSheet? = nil, models: [String]? = nil) {
        self.name = name
        self.file = file
        self.fileHash = fileHash
        self.payload = payload
        self.cost = cost
        self.models = models
    }
}

/// `prepare --submit --max-cost USD`: a budget for the whole batch. Files are admitted in the
/// batch's order (the manifest's, by source path) while the running estimate, counting every job
/// the batch already has, stays within it; a model that cannot be priced admits nothing unless
/// the user accepts unpriced models.
public struct BatchBudget: Sendable {
    /// The most the batch may cost in all, in USD (the catalog's estimates).
    public var limit: Double
    /// Whether a model without a price may still be sent files (its cost cannot be bounded).
    public var allowUnpriced: Bool

    /// A budget of `limit` USD.
    public init(limit: Double, allowUnpriced: Bool) {
        self.limit = limit
        self.allowUnpriced = allowUnpriced
    }

    /// Why `item` is held back when `committed` is already spent, or nil to send it.
    func holds(_ item: BatchItem, committed: Double) -> String? {
        guard let cost = item.cost else {
            return allowUnpriced ? nil : "ready, not sent: no estimate (prepare it again with this version to price it)"
        }
        if !cost.unpriced.isEmpty && !allowUnpriced {
            return "ready, not sent: no price for \(cost.unpriced.joined(separator: ", ")) (--allow-unpriced sends it anyway)"
        }
        guard committed + cost.total <= limit + 1e-9 else {
            return "ready, not sent: budget (\(CostSheet.money(cost.total)) more would bring the batch to \(CostSheet.money(committed + cost.total)), over --max-cost \(CostSheet.money(limit)))"
        }
        return nil
    }
}

/// What a batch found for one item in the journal, and what it will do with it.
package struct BatchEntry: Sendable {
    /// What a batch does with one item.
    package enum Action: Sendable, Equatable {
        /// Done by a run that used another journal (another machine, pod or user): DEST's
        /// manifest records it done with its results on disk. Not sent again; no job here.
        case doneElsewhere
        /// A new job was journaled: it will be submitted.
        case submit
        /// Journaled by an earlier run and not finished: it is taken up where it stopped (a request
        /// already at fal is followed, never sent again).
        case resume
        /// Finished by an earlier run (done, or failed and not asked to retry): left alone.
        case keep
        /// Ready, not sent: the batch budget (or an unpriced model under it) holds it back; no job
        /// is journaled, so nothing sends it later but a run whose budget admits it.
        case held(String)
    }
    package var item: BatchItem
    /// This journal's job (none for `.doneElsewhere`).
    package var job: JobRecord?
    package var action: Action
    /// The item's batch key (what it sends).
    package var key: String
}

/// `prepare --submit`: one job per prepared file, named in the journal by a digest of what it
/// sends (file bytes, name, models, payload, media field). Running the batch again therefore finds
/// its own jobs: finished ones are kept, unfinished ones resumed, and nothing already paid for is
/// submitted twice. A changed file or prompt is a different job; a changed budget, fallback or
/// other setting of the run is not (what is sent is the same).
package enum BatchJobs {
    /// The models sorted: a dual run of A and B is the same job whichever was named first.
    package static func key(_ item: BatchItem, models: [String], settings: SubmitSettings) -> String {
        let models = models.sorted()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var hasher = ContentHash.Hasher()
        hasher.update(Data("preflight-batch-job-v2\n\(item.name)\n\(item.fileHash)\n\(models.joined(separator: "\n"))\n\(settings.field ?? "")\n".utf8))
        hasher.update((try? encoder.encode(item.payload)) ?? Data())
        return hasher.finish()
    }

    /// Journals a job for every item that has none; `retryFailed` reopens failed runs of earlier
    /// ones (the same inputs, a new paid attempt, so only when asked).
    /// `doneElsewhere`: the batch keys DEST's manifest records as done with their results on disk.
    package static func plan(_ items: [BatchItem], engine: SubmissionEngine, models: [String], settings: SubmitSettings,
                            outRoot: URL, retryFailed: Bool, doneElsewhere: Set<String> = [],
                            budget: BatchBudget? = nil) throws(SubmissionError) -> [BatchEntry] {
        var entries: [BatchEntry] = []
        let began = Date()
        // What the batch already has (here or in DEST's manifest) counts against the budget first,
        // whatever its place in the order: a re-run with a larger budget sends only what is new.
        var found: [(item: BatchItem, key: String, job: JobRecord?)] = []
        for item in items {
            let models = item.models ?? models
            let key = key(item, models: models, settings: settings)
            do {
                let existing = try engine.journal.job(batchKey: key)
                    // A job an earlier version named differently: the same bytes, payload and models.
                    ?? engine.journal.job(sending: item.fileHash, payloadJSON: engine.payloadJSON(item.payload), models: models, before: began)
                found.append((item, key, existing))
            } catch { throw SubmissionError(error) }
        }
        var committed = found.filter { $0.job != nil || doneElsewhere.contains($0.key) }.reduce(0.0) { $0 + ($1.item.cost?.total ?? 0) }
        for (item, key, existing) in found {
            if existing == nil, doneElsewhere.contains(key) {
                entries.append(BatchEntry(item: item, job: nil, action: .doneElsewhere, key: key))
                continue
            }
            guard let job = existing else {
                if let budget {
                    if let reason = budget.holds(item, committed: committed) {
                        entries.append(BatchEntry(item: item, job: nil, action: .held(reason), key: key))
                        continue
                    }
                    committed += item.cost?.total ?? 0
                }
                do {
                    let job = try engine.create(source: item.file, models: item.models ?? models, payload: item.payload, settings: settings, outRoot: outRoot,
                                                batchKey: key, name: item.name)
                    entries.append(BatchEntry(item: item, job: job, action: .submit, key: key))
                } catch {
                    // Another run of the same batch journaled it a moment ago: take it up as its
                    // own (the lease decides who drives it), never make a second job.
                    guard let theirs = try? engine.journal.job(batchKey: key) else { throw error }
                    entries.append(BatchEntry(item: item, job: theirs, action: .resume, key: key))
                }
                continue
            }
            let state = try engine.outcome(job: job.id).job.state
            switch state {
            case .open, .detached:
                entries.append(BatchEntry(item: item, job: job, action: .resume, key: key))
            case .failed, .partial, .cancelled:
                // Runs fal never accepted cost nothing: running the batch again sends them. Runs it
                // did accept and that failed were paid for: sent again only when asked.
                do {
                    let reopened = try engine.reopen(job: job.id, model: nil, includeUncertain: false, onlyUnsent: !retryFailed, skipUnchangeable: true)
                    entries.append(BatchEntry(item: item, job: job, action: reopened > 0 ? .resume : .keep, key: key))
                } catch where error.isBusy {
                    entries.append(BatchEntry(item: item, job: job, action: .resume, key: key)) // driven elsewhere: reported as such
                }
            case .done:
                entries.append(BatchEntry(item: item, job: job, action: .keep, key: key))
            }
        }
        return entries
    }
}
