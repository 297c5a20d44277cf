import Foundation
import ModelCatalog

/// `--max-cost`: fails closed. A run is refused when its estimate (of what would be sent) is above
/// the limit, and also when it cannot be priced at all, unless the user said unpriced models may go.
package enum CostGuard {
    /// Why the run must not be sent, or nil when it may.
    package static func refusal(_ estimate: CostEstimate?, model: String, maxCost: Double?, allowUnpriced: Bool) -> String? {
        guard let maxCost else { return nil }
        guard let estimate else {
            if allowUnpriced { return nil }
            return "--max-cost \(CostSheet.money(maxCost)): \(model) cannot be priced (no price in the bundled catalog, in fal's pricing data "
                + "fetched here, or a unit the payload and media do not give), so its cost cannot be kept under the limit; nothing was sent. "
                + "`preflight models refresh \(model)` with FAL_KEY set fetches fal's price, or --allow-unpriced sends it anyway"
        }
        guard estimate.amount > maxCost else { return nil }
        return "the estimate is \(CostSheet.money(estimate.amount, estimate.currency)) (\(estimate.basis)), above --max-cost \(CostSheet.money(maxCost)); nothing was sent (submit it again with a larger --max-cost, or cut it: --to SECONDS)"
    }
}
