// Probe, check, fix and submit one file with PreflightKit, against fal-sim on loopback (no key,
// no network): `swift run send-one-clip TestMedia/long_720p_12s.mp4`. Against fal, build the client
// from FAL_KEY with FalEndpoints() instead of the simulator's.
import FalSimulator
import Foundation
import PreflightKit

let path = CommandLine.arguments.dropFirst().first ?? "TestMedia/long_720p_12s.mp4"
let model = try Catalog.bundled().model("fal-ai/wan/v2.7/edit-video")
let work = FileManager.default.temporaryDirectory.appendingPathComponent("send-one-clip-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

// 1. Probe and check: what the file is, and what the model says of it.
let pipeline = MediaPipeline(models: [model], payload: ["prompt": "make it snow"])
let info = try await pipeline.probe(path)
let report = pipeline.check(info)
print("\(path): \(info.kind), \(String(format: "%.2f", info.duration ?? 0)) s; \(model.id): \(report.compliant ? "passes" : "does not pass")")
for violation in report.verdicts.flatMap(\.violations) { print("  - \(violation.message)") }

// 2. Fix: the plan, then a verified copy when the plan changes anything.
let plan = try pipeline.plan(report)
print("plan: \(plan.action.rawValue)" + plan.steps.map { "\n  - \($0)" }.joined())
print("estimated cost: \(CostSheet.money(pipeline.cost(report, plan: plan).total))")
let fixed = work.appendingPathComponent("fixed." + plan.format)
let ready = plan.action == .none ? path : (try await pipeline.conform(plan, source: info, output: fixed).output ?? path)

// 3. Submit through the engine: journaled, followed, downloaded; a request is paid for once.
let server = try FalSimulatorServer(.init(storage: work.appendingPathComponent("sim")))
let base = try await server.start()
let client = FalClient(key: try FalKey(FalSimulatorServer.testKey), endpoints: FalEndpoints(local: base))
let engine = SubmissionEngine(client: client, journal: try Journal(path: work.appendingPathComponent("journal.sqlite")), catalog: Catalog.bundled())
let job = try engine.create(source: ready, models: [model.id], payload: ["prompt": "make it snow"], settings: SubmitSettings(),
                            outRoot: work.appendingPathComponent("results"))
let outcome = try await engine.run(job: job.id)
for run in outcome.runs {
    let files = run.id.flatMap { outcome.outputs[$0] } ?? []
    print("\(run.model): \(run.state.rawValue), \(files.count) file(s), request \(run.requestID ?? "none")")
}
await server.stop()
