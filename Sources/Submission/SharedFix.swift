import Foundation
import MediaAdapt
import ModelCatalog
import PreflightCore

/// In a dual run, one fixed file for both models when one fix satisfies both (half the encoding,
/// one upload); each model gets its own fix only when their limits conflict. Computed once per job,
/// whichever run asks first; the other waits for it.
actor SharedFix {
    private var results: [String: Task<String?, Never>] = [:]

    /// The path of a file that passes every model of the job, or nil when no single file can.
    /// `announce` hears the shared plan once, before anything is encoded (the first asker's run
    /// says and journals it).
    func path(job: JobContext, specs: [ModelSpec], field: String?, announce: @escaping @Sendable (FixPlan) -> Void = { _ in }) async -> String? {
        if let running = results[job.job.id] { return await running.value }
        let task = Task { () -> String? in
            let folder = URL(fileURLWithPath: job.job.outDir).appendingPathComponent(".prepared")
            let pipeline = MediaPipeline(models: specs, payload: job.payload, field: field, policy: job.settings.policy, checksPayload: false)
            guard let info = try? await pipeline.probe(job.job.source) else { return nil }
            let planned = await WorkerPool.cpu.run { () -> FixPlan? in try? pipeline.plan(pipeline.check(info)) }
            guard let plan = planned else { return nil }
            if plan.action == .none { return job.job.source }
            // Uploaded under the clip's own name (the file serves every model of the job), in the
            // plan's container: a .mov source planned as MOV is written as .mov, never as .mp4.
            let target = folder.appendingPathComponent("\(FileNames.stem(of: job.job.source)).\(plan.format)")
            announce(plan)
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard let result = try? await pipeline.conform(plan, source: info, output: target) else { return nil }
            return result.output ?? target.path
        }
        results[job.job.id] = task
        return await task.value
    }
}
