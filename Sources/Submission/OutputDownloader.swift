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
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: folder.appendingPathComponent("result.json"), options: .atomic)
        } catch {
            // The result is safe in the journal: the run stays `completed`, and resume downloads it
            // once the folder can be written.
            run.errorMessage = "cannot write the results to \(folder.path) (\((error as NSError).localizedDescription)); fix that, then `preflight resume \(run.jobID)`"
            try journal.update(run, event: "download", run.errorMessage ?? "")
            return run
        }
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
                    let temporary = target.deletingLastPathComponent()
                        .appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
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
    /// characters (C0, C1) or bidirectional overrides, at most 120 bytes, unique within the folder.
    static func safeName(_ url: URL, index: Int, taken: inout Set<String>) -> String {
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
