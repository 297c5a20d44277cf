// PreflightKit: everything a Swift app needs to take a file to a fal model, in one import.
//
//   import PreflightKit
//
// brings the stages of the flow, each its own module:
// - MediaProbe: `Prober`, `MediaInfo` (what a file presents: streams, length, rotation, HDR...).
// - ModelCatalog: `Catalog`, `ModelSpec`, `Checker`, `CheckReport` (verdicts against published limits),
//   `CostSheet` (what sending it would cost).
// - MediaAdapt: `MediaPipeline` (the one path from a file to a verdict, a plan and a verified copy),
//   `MediaPolicy`, `FixPlan`.
// - FalClient: `FalClient`, `FalKey`, `FalEndpoints` (fal's queue, storage and platform API over libcurl).
// - LiveCatalog: the catalog with fal asked about the models it does not know.
// - Submission: `SubmissionEngine` and its `Journal` (upload, submit, follow, download; paid once).
// - Batch: `PrepareRun` (whole folders) and `PrepareSubmission` (and their manifest).
// - PreflightCore: the shared value types (`JSONValue`, `ErrorCategory`, `PreflightError`).
//
// Tests of an app can add the `FalSimulator` product: a fal-compatible server on loopback.
@_exported import Batch
@_exported import FalClient
@_exported import LiveCatalog
@_exported import MediaAdapt
@_exported import MediaProbe
@_exported import ModelCatalog
@_exported import PreflightCore
@_exported import Submission
