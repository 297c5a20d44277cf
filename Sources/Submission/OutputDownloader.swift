import FalClient
import Foundation
import PreflightCore
import MediaAdapt
import ModelCatalog

extension SubmissionEngine {
    /// How an output fal no longer has is described (its expires_in passed before the download).
    static let goneAtFal = "it expired before it could be downloaded"

    /// Downloads every output the result names, all at once, each streamed to a temporary name
    /// in the run's folder and renamed when complete. An output already journaled is not fetched
    /// again, so a resumed job downloads each file exactly once. Each transfer fails when it
    /// stalls (`policy.stallTimeout`) and stops on Ctrl-C or when --timeout passes; the run then
    /// stays `completed` and `resume` downloads what is missing.
    func download(_ start: RunRecord, _ context: JobContext, _ cancel: CancelSignal, ignoringStop: Bool = false) async throws -> RunRecord {
        var run = start
        guard let runID = run.id, let urls = outputURLs(run) else {
            return try finish(run, .failed, category: "journal", "the result is missing from the journal")
        }
        let folder = resultsFolder(run, context)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // A result journaled before results were saved to disk (an older journal): write it now.
            if run.resultFile == nil, let text = run.resultJSON {
                try Data(text.utf8).write(to: folder.appendingPathComponent("result.json"), options: .atomic)
            }
        } catch {
            // The result is safe in the journal: the run stays `completed`, and resume downloads it
            // once the folder can be written.
            run.errorMessage = "cannot write the results to \(folder.path) (\((error as NSError).localizedDescription)); fix that, then `preflight resume \(run.jobID)`"
            try journal.update(run, event: "download", run.errorMessage ?? "")
            return run
        }
        // Partial files of a download that was killed (SIGKILL, a power cut) go first.
        OutputTarget.removeStalePartials(in: folder)
        let known = try journal.outputs(run: runID)
        var names = Set(known.map { ($0.path as NSString).lastPathComponent })
        let done = Set(known.map(\.url))
        let planned: [(URL, URL)] = urls.enumerated().compactMap { i, url in
            guard !done.contains(url.absoluteString) else { return nil }
            return (url, folder.appendingPathComponent(Self.safeName(url, index: i, taken: &names, base: Self.outputBase(run, context.job))))
        }
        let client = self.client, journal = self.journal, stall = policy.stallTimeout
        let stop = Self.stop(cancel, context.deadline, ignoring: ignoringStop)
        var failures: [String] = []
        var gone = 0
        await withTaskGroup(of: String?.self) { group in
            for (url, target) in planned {
                group.addTask {
                    let temporary = target.deletingLastPathComponent()
                        .appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
                    defer { try? FileManager.default.removeItem(at: temporary) }
                    do {
                        let bytes = try await client.download(url, to: temporary.path, stallTimeout: stall, shouldStop: stop)
                        guard rename(temporary.path, target.path) == 0 else { return "cannot write \(target.path)" }
                        let hash = (try? SHA256.file(target.path)) ?? ""
                        try journal.record(output: OutputRecord(id: nil, runID: runID, url: url.absoluteString, path: target.path, bytes: bytes, sha256: hash))
                        return nil
                    } catch let error as FalError where error.status == 404 || error.status == 410 {
                        return "\(FalEndpoints.redactedURL(url)): gone at fal (\(error.status ?? 404)): " + Self.goneAtFal
                    } catch {
                        return "\(FalEndpoints.redactedURL(url)): \(error)"
                    }
                }
            }
            for await failure in group {
                guard let failure else { continue }
                failures.append(failure)
                if failure.hasSuffix(Self.goneAtFal) { gone += 1 }
            }
        }
        // Every output still missing is gone at fal (404/410: its expires_in passed): no later run
        // can fetch it, so the run ends here instead of being resumed forever; sending it again is
        // a new paid attempt, only on request.
        if !failures.isEmpty, gone == failures.count, !stop() {
            run.state = .failed
            run.errorCategory = "output_expired"
            run.errorMessage = "completed, but " + failures.joined(separator: "; ")
                + "; it cannot be fetched again: `preflight retry \(run.jobID)` (or prepare --retry-failed) sends it again, a new paid attempt"
            try journal.update(run, event: "failed", run.errorMessage ?? "")
            return run
        }
        if !failures.isEmpty {
            // The result stays journaled: `preflight resume` downloads what is missing.
            let why = stop() ? (cancel.isRaised ? "stopped on request" : "--timeout passed") + " while downloading" : "some outputs could not be downloaded"
            run.errorMessage = "\(why): " + failures.joined(separator: "; ") + "; `preflight resume \(run.jobID)` downloads what is missing"
            try journal.update(run, event: "download", run.errorMessage ?? "")
            return run
        }
        run.state = .downloaded
        run.errorMessage = nil
        let count = try journal.outputs(run: runID).count
        try journal.update(run, event: "downloaded", "\(count) file(s) in \(folder.path)")
        return run
    }

    /// The outputs to download: the list saved with the result, or (an older journal) the URLs
    /// its journaled result names.
    func outputURLs(_ run: RunRecord) -> [URL]? {
        if let list = run.outputsJSON {
            return (try? JSONDecoder().decode([String].self, from: Data(list.utf8)))?.compactMap(URL.init(string:))
        }
        guard let text = run.resultJSON, let body = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        return FalClient.mediaURLs(in: body)
    }

    /// A file name from the URL's last component: no path separators, no leading dot, no control
    /// characters (C0, C1) or bidirectional overrides, at most 120 bytes, unique within the folder.
    /// `base`: the name to give it instead (`<clip>.<model>`), the URL's extension kept.
    static func safeName(_ url: URL, index: Int, taken: inout Set<String>, base: String? = nil) -> String {
        if let base {
            let ext = FileNames.safe(url.pathExtension, fallback: "")
            let name = ext.isEmpty || ext.count > 12 ? base : base + "." + ext
            var candidate = name
            var n = 2
            while taken.contains(candidate) || candidate == "result.json" {
                candidate = ext.isEmpty || ext.count > 12 ? "\(base)-\(n)" : "\(base)-\(n).\(ext)"
                n += 1
            }
            taken.insert(candidate)
            return candidate
        }
        var name = url.lastPathComponent.unicodeScalars.filter { s in
            let v = s.value
            return v >= 0x20 && v != 0x7F && !(0x80..<0xA0).contains(v) && !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v)
                && v != 0x200E && v != 0x200F && !"/\\:*?\"<>|".unicodeScalars.contains(s)
        }.map(String.init).joined()
        while name.hasPrefix(".") { name.removeFirst() }
        if name.isEmpty || name == "result.json" { name = "output-\(index + 1)" }
        // Bytes, not characters: a name of combining marks must still fit the file system's 255.
        while name.utf8.count > 120 { name.removeFirst() }
        var candidate = name
        var n = 2
        while taken.contains(candidate) {
            let ext = (name as NSString).pathExtension
            let stem = (name as NSString).deletingPathExtension
            candidate = ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)"
            n += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
