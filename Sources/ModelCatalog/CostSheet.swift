import Foundation
import MediaProbe

/// What a file would cost at each model, for what would be sent (after the plan's cut or resize),
/// and which models cannot be priced. The one answer every guard and every display reads: `check`,
/// `prepare` (summary, manifest, report), `submit --max-cost`, the batch budget and `jobs`.
public struct CostSheet: Codable, Sendable, Equatable {
    /// One model's estimate for the file, with where its price comes from.
    public struct Line: Codable, Sendable, Equatable {
        /// The model's endpoint id.
        public var model: String
        /// nil: the model cannot be priced (no price in any layer, or its unit needs a value the
        /// payload and the media do not give).
        public var estimate: CostEstimate?
        /// Where the price comes from and when it was seen ("a copy of fal's pricing data, 2026-11").
        public var priceSource: String?
        /// False when the model refuses the file whatever is done to it: nothing would be sent to
        /// it, so it costs nothing. (Whether it *was* sent is the submission's business.)
        public var wouldSend: Bool

        /// A line; a model that would not be sent the file gets no estimate, whatever `estimate` says.
        public init(model: String, estimate: CostEstimate?, priceSource: String?, wouldSend: Bool = true) {
            self.model = model
            self.estimate = wouldSend ? estimate : nil
            self.priceSource = priceSource
            self.wouldSend = wouldSend
        }

        enum CodingKeys: String, CodingKey { case model, estimate, priceSource, wouldSend, sent }

        /// Writes model, estimate, price source and `wouldSend` (never the old `sent`).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encodeIfPresent(estimate, forKey: .estimate)
            try c.encodeIfPresent(priceSource, forKey: .priceSource)
            try c.encode(wouldSend, forKey: .wouldSend)
        }

        /// Reads a line; an older manifest's `sent` stands for `wouldSend`.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            model = try c.decode(String.self, forKey: .model)
            estimate = try c.decodeIfPresent(CostEstimate.self, forKey: .estimate)
            priceSource = try c.decodeIfPresent(String.self, forKey: .priceSource)
            // "sent" in manifests written before the name said what it means.
            wouldSend = try c.decodeIfPresent(Bool.self, forKey: .wouldSend) ?? c.decodeIfPresent(Bool.self, forKey: .sent) ?? true
        }
    }

    /// One line per model, in the order the models were given.
    public var lines: [Line]
    /// True when the media priced is the planned output (a cut, a resize), not the source as it is.
    public var afterPlan: Bool

    /// A sheet of `lines`; `afterPlan` when they price the planned output rather than the source.
    public init(lines: [Line], afterPlan: Bool) {
        self.lines = lines
        self.afterPlan = afterPlan
    }

    /// Models the file would be sent to that cannot be priced: a budget cannot be kept for them.
    public var unpriced: [String] { lines.filter { $0.wouldSend && $0.estimate == nil }.map(\.model) }

    /// Whether anything would be sent at all.
    public var sendsAnything: Bool { lines.contains(where: \.wouldSend) }

    /// The sum over the priced models it would be sent to (fal bills in USD; another currency is
    /// left out of the sum).
    public var total: Double { Self.rounded(lines.compactMap { $0.wouldSend && $0.estimate?.currency == "USD" ? $0.estimate?.amount : nil }.reduce(0, +)) }

    /// To a millionth: a sum of binary fractions is not a price (3.7800000000000002).
    public static func rounded(_ amount: Double) -> Double { (amount * 1_000_000).rounded() / 1_000_000 }

    /// The currency every estimate is summed in: fal prices in USD.
    public var currency: String { "USD" }

    /// What `media` (as it will be sent) costs at each of `models`; `refusing`: the models that
    /// refuse the file whatever is done to it (nothing is sent to them).
    public static func price(_ media: MediaInfo, models: [ModelSpec], payload: [String: JSONValue], field: String?, afterPlan: Bool,
                             refusing: Set<String> = []) -> CostSheet {
        CostSheet(lines: models.map { spec in
            let fieldName = field ?? spec.field(accepting: media.kind == .video ? .video : media.kind == .audio ? .audio : .image)?.name
            let estimate = CostEstimator.estimate(spec, payload: payload, media: media, field: fieldName)
            let source = spec.price.map { p in [p.source.ref, p.source.date].compactMap { $0 }.joined(separator: ", ") }
            return Line(model: spec.id, estimate: estimate, priceSource: source, wouldSend: !refusing.contains(spec.id))
        }, afterPlan: afterPlan)
    }

    /// Money as people read it: two decimals, three below a cent.
    public static func money(_ amount: Double, _ currency: String = "USD") -> String {
        String(format: amount < 0.01 && amount > 0 ? "%.3f %@" : "%.2f %@", amount, currency)
    }
}
