import GRDB
import Foundation
import ModelCatalog

/// What a job's runs were estimated to cost when they were sent: the spend view of `jobs`. A run
/// counts once fal accepted it (a request id, or an uncertain submit fal may bill); its estimate is
/// the one journaled before sending (`RunRecord.estimateJSON`).
package struct Spend: Sendable, Equatable {
    package var amount = 0.0
    package var currency = "USD"
    /// Runs sent whose price was unknown: the amount is a floor.
    package var unpriced = 0
    /// Runs fal accepted (or may have).
    package var requests = 0

    package init() {}

    /// `events`: the job's history; an uncertain submit resent knowingly (`maybe-billed`) counts too.
    package init(runs: [RunRecord], events: [EventRecord] = []) {
        let maybe = events.filter { $0.kind == "maybe-billed" }.map { $0.detail.isEmpty ? nil : $0.detail }
        for estimate in runs.filter({ $0.requestID != nil || $0.state == .uncertain }).map(\.estimateJSON) + maybe {
            requests += 1
            guard let text = estimate, let estimate = try? JSONDecoder().decode(CostEstimate.self, from: Data(text.utf8)),
                  estimate.currency == currency, estimate.amount.isFinite, estimate.amount >= 0 else {
                unpriced += 1
                continue
            }
            amount += estimate.amount
        }
    }

    package static func + (a: Spend, b: Spend) -> Spend {
        var s = a
        s.amount += b.amount
        s.unpriced += b.unpriced
        s.requests += b.requests
        return s
    }

    /// "1.26 USD", "1.26 USD + 1 unpriced", "-" when nothing was sent.
    package var text: String {
        guard requests > 0 else { return "-" }
        if requests == unpriced { return "unpriced" }
        return CostSheet.money(amount, currency) + (unpriced > 0 ? " + \(unpriced) unpriced" : "")
    }
}

extension Journal {
    /// Which of `ids` some run of the journal already holds as its request.
    public func knownRequestIDs(_ ids: [String]) throws(JournalError) -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try read { db in Set(try String.fetchAll(db, RunRecord.select(Column("request_id")).filter(ids.contains(Column("request_id"))))) }
    }

    /// Jobs made at or after `since`, newest first.
    public func jobs(since: Date, limit: Int) throws(JournalError) -> [JobRecord] {
        try read { try JobRecord.filter(Column("created_at") >= since).order(Column("created_at").desc).limit(limit).fetchAll($0) }
    }
}
