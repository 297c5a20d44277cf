import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog
import PreflightCore

/// What one model of a dual run gets when the models cannot share one file.
struct ModelPlan: Sendable {
    var model: ModelSpec
    /// nil: the source as it is suits this model (placed under the model's own name).
    var plan: FixPlan?
    /// Relative to DEST.
    var output: String
}

extension PrepareRun {
    /// A dual run's clip that no single file can serve: each model is judged and planned on its
    /// own through the same pipeline (a clip too short for one model still goes to the other; two
    /// models whose limits do not overlap each get their own file). Sets the row's per-model
    /// outcomes, its cost (what goes to the models that can take it) and, when no model can take
    /// it, leaves it unfixable with every model's reason. Blocking: stage 1 runs on the CPU pool.
    func splitByModel(_ info: MediaInfo, row: inout ManifestRow, names: OutputNames) -> [ModelPlan] {
        var plans: [ModelPlan] = []
        var files: [ModelFile] = []
        var lines: [CostSheet.Line] = []
        var afterPlan = false
        let sourceFormat = URL(fileURLWithPath: row.source).pathExtension.lowercased()
        for route in pipeline.planEach(info) {
            var file = ModelFile(model: route.model.id, status: .pending)
            lines += route.cost.lines
            switch route.plan {
            case .success(let plan):
                file.cost = route.cost
                afterPlan = afterPlan || route.cost.afterPlan
                let changes = plan.action != .none
                file.plan = PlanSummary(plan)
                let output = names.modelOutput(for: row.source, model: route.model.id, format: changes ? plan.format : sourceFormat)
                file.output = output
                plans.append(ModelPlan(model: route.model, plan: changes ? plan : nil, output: output))
            case .failure(let error):
                file.status = .unfixable
                file.error = error.description
            }
            files.append(file)
        }
        row.perModel = files
        // No model takes it: the row stays refused with the joint plan's reason (the per-model
        // outcomes are kept, so a run again knows it was planned model by model).
        if plans.isEmpty { return [] }
        row.status = .pending
        row.error = nil
        row.cost = CostSheet(lines: lines, afterPlan: afterPlan)
        return plans
    }

    /// Makes each model's own file (its fix, or the source placed under the model's name) and
    /// settles the row: fixed when every model got its file, partial when some did. Interrupted,
    /// the files this run made for the row are removed and the row is as the earlier run left it.
    func performPerModel(_ job: Job, stats: EncodeStats) async -> ManifestRow {
        var row = job.row
        let clock = Date()
        var files = row.perModel ?? []
        var madeHere: [String] = []
        for modelPlan in job.modelPlans {
            guard let i = files.firstIndex(where: { $0.model == modelPlan.model.id }) else { continue }
            var single = pipeline
            single.models = [modelPlan.model]
            switch await make(modelPlan.output, plan: modelPlan.plan, job: job, pipeline: single) {
            case .made(let made):
                files[i].status = modelPlan.plan == nil ? .compliant : .fixed
                files[i].method = made.method
                if let steps = made.steps { files[i].plan = PlanSummary(action: made.method, steps: steps, kept: files[i].plan?.kept) }
                files[i].outputHash = made.hash
                files[i].outputStamp = made.stamp
                madeHere.append(modelPlan.output)
            case .stopped:
                for output in madeHere { unlink(options.output + "/" + output) }
                return job.previous ?? notReached(row)
            case .refused(let status, let error):
                files[i].status = status
                files[i].error = error
                files[i].output = nil
                files[i].cost = nil
            }
        }
        row.perModel = files
        let ready = files.filter { $0.status == .compliant || $0.status == .fixed }
        switch ready.count {
        case files.count: row.status = .fixed
        case 0:
            row.status = files.contains { $0.status == .failed } ? .failed : .unfixable
            row.error = files.compactMap { f in f.error.map { "\(ModelName.short(f.model)): \($0)" } }.joined(separator: "; ")
        default: row.status = .partial
        }
        // Only what goes out is priced: a model whose file could not be made is sent nothing.
        if let cost = row.cost {
            let sent = Set(ready.map(\.model))
            row.cost = CostSheet(lines: cost.lines.map { line in
                var line = line
                line.wouldSend = line.wouldSend && sent.contains(line.model)
                return line
            }, afterPlan: cost.afterPlan)
        }
        row.timings.work = Date().timeIntervalSince(clock)
        if let previous = job.previous { removeOutputs(of: previous, keeping: Set(ready.compactMap(\.output))) }
        let encoded = job.modelPlans.contains { $0.plan?.action == .reencode } && !ready.isEmpty
        await stats.add(row, encoded: encoded ? (job.info?.duration ?? 0) : 0)
        return row
    }
}
