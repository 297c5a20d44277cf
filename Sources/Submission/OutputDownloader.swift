import FalClient
import Foundation
import ModelCatalog

extension SubmissionEngine {
    /// Downloads every output the result names, all at once, each streamed to a temporary name
    /// in the job's folder and renamed when complete; `result.json` beside them. An output already
    /// journaled is not fetched again, so a resumed job downloads each file exactly once.
    func download(_ start: RunRecord, _ context: JobContext) async throws -> RunRecord {
        var run = start
        guard let runID = run.id, let text = run.resultJSON, let body = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            return try finish(run, .failed, category: "journal", "the result is missing from the journal")
        }
        let folder = URL(fileURLWithPath: context.job.outDir).appendingPathComponent(Self.slug(run.model))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: folder.appendingPathComponent("result.json"), options: .atomic)
        let urls = FalClient.mediaURLs(in: body)
        let known = Set(try journal.outputs(run: runID).map(\.url))
        var names = Set<String>()
        let planned: [(URL, URL)] = urls.enumerated().map { i, url in
            let name = Self.safeName(url, index: i, taken: &names)
            return (url, folder.appendingPathComponent(name))
        }
        let client = self.client
        let journal = self.journal
        var failures: [String] = []
        await withTaskGroup(of: String?.self) { group in
            for (url, target) in planned where !known.contains(url.absoluteString) {
                group.addTask {
                    let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
                    defer { try? FileManager.default.removeItem(at: temporary) }
                    do {
                        let bytes = try await client.download(url, to: temporary.path)
                        guard rename(temporary.path, target.path) == 0 else { return "cannot write \(target.path)" }
                        let hash = (try? SHA256.file(target.path)) ?? ""
                        try journal.record(output: OutputRecord(id: nil, runID: runID, url: url.absoluteString, path: target.path, bytes: bytes, sha256: hash))
                        return nil
                    } catch {
                        return "\(FalEndpoints.redactedURL(url)): \(error)"
                    }
                }
            }
            for await failure in group { if let failure { failures.append(failure) } }
        }
        if !failures.isEmpty {
            // The result stays journaled: `preflight resume` downloads what is missing.
            run.errorMessage = "some outputs could not be downloaded: " + failures.joined(separator: "; ")
            try journal.update(run, event: "download", run.errorMessage ?? "")
            return run
        }
        run.state = .downloaded
        run.errorMessage = nil
        try journal.update(run, event: "downloaded", "\(urls.count) file(s) in \(folder.path)")
        return run
    }

    /// A file name from the URL's last component: no path separators, no leading dot, no control
    /// characters, at most 120 characters, unique within the folder.
    static func safeName(_ url: URL, index: Int, taken: inout Set<String>) -> String {
        var name = url.lastPathComponent.unicodeScalars.filter { s in
            s.value >= 0x20 && s.value != 0x7F && !"/\\:*?\"<>|".unicodeScalars.contains(s)
        }.map(String.init).joined()
        while name.hasPrefix(".") { name.removeFirst() }
        if name.isEmpty || name == "result.json" { name = "output-\(index + 1)" }
        if name.count > 120 { name = String(name.suffix(120)) }
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
