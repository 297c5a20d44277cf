import Foundation
import MediaAdapt
import MediaIO
import PreflightCore

/// `prepare --report FILE.html`: one self-contained page from a manifest, a row per file with before and
/// after pictures, what was wrong, what was changed and the verdict per model. Made from the manifest
/// at the end of a run, so a resumed run's report covers every row, not only this run's.
public struct PrepareReport: Sendable {
    /// The manifest the page is made from (every row, not only this run's).
    public var manifest: Manifest
    /// The run's source folder: rows' sources are read from it for the "before" pictures.
    public var sourceFolder: String
    /// The run's output folder: rows' outputs are read from it for the "after" pictures.
    public var outputFolder: String
    /// Models' display names by id; an id without one is shown as it is.
    public var modelNames: [String: String]
    /// The time printed in the page's head as when it was made.
    public var generated: Date
    /// The size and place in a clip of each picture (192x108, a third in, by default).
    public var thumbnail: ThumbnailRequest
    /// Rows whose pictures are made at once (the pictures themselves run on the CPU pool); bounds memory.
    public var width: Int
    /// Called as rows are written: (rows written, rows in all), for a progress line.
    public var progress: @Sendable (Int, Int) -> Void = { _, _ in }
    /// `prepare --submit`'s results folder: a row's results are shown (a picture of the first) only
    /// from inside it (the manifest is a file anyone may edit).
    public var resultsFolder: String?

    /// A report of `manifest`; `width` rows at once, by default as many as the CPU pool runs.
    public init(manifest: Manifest, sourceFolder: String, outputFolder: String, modelNames: [String: String] = [:],
                generated: Date = Date(), width: Int? = nil) {
        self.manifest = manifest
        self.sourceFolder = sourceFolder
        self.outputFolder = outputFolder
        self.modelNames = modelNames
        self.generated = generated
        self.thumbnail = ThumbnailRequest()
        // Rows at once: as many as the CPU pool runs pictures (nil), or what the caller says.
        self.width = max(1, width ?? WorkerPool.cpu.width)
    }

    /// What writing the page took.
    public struct Summary: Sendable {
        /// Rows written to the page (every row of the manifest).
        public var rows: Int
        /// Pictures embedded, and rows or outputs that got a placeholder instead.
        public var pictures: Int
        /// Pictures that could not be made (unreadable or missing file) and show a placeholder.
        public var placeholders: Int
        /// Size of the page in bytes.
        public var bytes: Int
        /// Seconds the page took to write.
        public var seconds: Double
    }

    /// Writes the page to `path` under a temporary name and renames it into place, rows streamed as
    /// their pictures are made, so memory stays a few chunks of pictures however many files there are.
    /// A cancelled run leaves no page and no temporary file.
    public func write(to path: String, cancel: CancellationFlag = CancellationFlag()) async throws(BatchError) -> Summary {
        let clock = Date()
        let target = URL(fileURLWithPath: path).standardizedFileURL
        if let row = manifest.rows.first(where: { $0.output.map { URL(fileURLWithPath: outputFolder + "/" + $0).standardizedFileURL == target } ?? false }) {
            throw BatchError(.report, "the report \(path) would replace the output of \(row.source)", hint: "Choose another --report path")
        }
        // A folder inside the output folder may not exist before the run (checkDestination allows it).
        try? FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = FilePlacer.temporaryPath(for: target.path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw BatchError(.report, "cannot write the report \(path): \(String(cString: strerror(errno)))",
                             hint: "Choose a --report path in a folder you can write to")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var finished = false
        defer {
            try? handle.close()
            if !finished { unlink(temporary) }
        }
        let page = ReportPage(report: self)
        var summary = Summary(rows: manifest.rows.count, pictures: 0, placeholders: 0, bytes: 0, seconds: 0)
        func append(_ text: String) throws(BatchError) {
            let data = Data(text.utf8)
            do { try handle.write(contentsOf: data) } catch { throw BatchError(.report, "cannot write the report \(path): \(error.localizedDescription)") }
            summary.bytes += data.count
        }

        try append(page.head())
        let chunk = width * 4
        var start = 0
        while start < manifest.rows.count {
            if cancel.isCancelled { throw BatchError(.report, "the report was not written: stopped") }
            let rows = Array(manifest.rows[start..<min(start + chunk, manifest.rows.count)])
            let pictures = await self.pictures(for: rows)
            for (row, picture) in zip(rows, pictures) {
                let (made, missing) = count(picture, for: row)
                summary.pictures += made
                summary.placeholders += missing
                try append(page.row(row, pictures: picture))
            }
            start += chunk
            progress(min(start, manifest.rows.count), manifest.rows.count)
        }
        summary.seconds = Date().timeIntervalSince(clock)
        try append(page.tail(pictures: summary.pictures, seconds: summary.seconds))
        do { try handle.synchronize() } catch { throw BatchError(.report, "cannot write the report \(path): \(error.localizedDescription)") }
        guard rename(temporary, target.path) == 0 else {
            throw BatchError(.report, "cannot write the report \(path): \(String(cString: strerror(errno)))")
        }
        finished = true
        return summary
    }

    /// The pictures of `rows`, in their order, made `width` rows at a time on the CPU pool.
    func pictures(for rows: [ManifestRow]) async -> [RowPictures] {
        let indexed = Array(rows.enumerated())
        let collected = PictureCollector(count: rows.count)
        await forEachBounded(indexed, width: width) { [self] item in
            let pictures = await WorkerPool.cpu.run { [self] in self.pictures(for: item.element) }
            await collected.set(item.offset, pictures)
        }
        return await collected.pictures
    }

    /// Blocking: decodes up to two frames.
    func pictures(for row: ManifestRow) -> RowPictures {
        var pictures = RowPictures()
        guard row.status != .notMedia else { return pictures }
        // The manifest is a file anyone may edit: never follow it out of its folders.
        if OutputNames.staysInside(row.source) {
            // A cut clip is shown by the part it keeps, not by what was cut away.
            var request = thumbnail
            if let kept = Self.shown(row)?.kept { request.part = (kept.start, kept.seconds) }
            pictures.before = try? Thumbnailer.make(sourceFolder + "/" + row.source, request)
        }
        if let output = Self.shown(row)?.output, OutputNames.staysInside(output) {
            pictures.after = try? Thumbnailer.make(outputFolder + "/" + output, thumbnail)
        }
        let notes = [row.submission] + (row.perModel ?? []).map(\.submission)
        if let folder = resultsFolder,
           let first = notes.compactMap({ $0 }).flatMap(\.results).first(where: { Self.isInside($0, folder) && !$0.hasSuffix(".json") }) {
            pictures.result = try? Thumbnailer.make(first, thumbnail)
        }
        return pictures
    }

    /// The converted output a row's "after" picture shows (its own, or the first model's that was
    /// converted when the models got their own files), and the part of the source it keeps.
    static func shown(_ row: ManifestRow) -> (output: String?, kept: PlanSummary.KeptPart?)? {
        if let perModel = row.perModel {
            guard let made = perModel.first(where: { $0.status == .fixed }) else { return nil }
            return (made.output, made.plan?.kept)
        }
        guard row.status == .fixed else { return nil }
        return (row.output, row.plan?.kept)
    }

    /// Whether `path` (standardized, links resolved) lies inside `folder`.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        let resolved = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        let root = resolved(folder)
        return resolved(path).hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// In every page's head: what marks a file as a report `--report` may replace.
    static let generatorMark = "preflight prepare report"

    /// Refuses, before a run spends any time, a report path that cannot or should not be written: a
    /// folder, a missing or read-only folder, the manifest itself, or a place inside the source folder
    /// (sources are never modified, and the next run would find the page among them), unless that place
    /// is inside the output folder.
    public static func checkDestination(_ path: String, source: String, output: String) throws(BatchError) {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let folder = target.deletingLastPathComponent()
        // Compared after resolving links, so neither a link to the source nor `..` slips past.
        let resolved = folder.resolvingSymlinksInPath().appendingPathComponent(target.lastPathComponent).path
        let inside = { (root: String) -> Bool in
            let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            return resolved == base || resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw BatchError(.usage, "--report \(path) is a folder", hint: "Name the page to write, e.g. --report \(path)/report.html")
        }
        if inside(source) && !inside(output) {
            throw BatchError(.usage, "--report \(path) is inside the source folder",
                             hint: "Sources are never modified: write it to the output folder or elsewhere, e.g. --report \(output)/report.html")
        }
        // Only a new file, or an earlier report, is replaced: the rename would otherwise destroy
        // whatever is there (a device node as root, the journal, a downloaded result, a link).
        var st = stat()
        if lstat(target.path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw BatchError(.usage, "--report \(path) exists and is not a regular file (a device, pipe or link)",
                                 hint: "Name a new file, e.g. --report \(output)/report.html")
            }
            let head = FileHandle(forReadingAtPath: target.path).flatMap { try? $0.read(upToCount: 1024) } ?? Data()
            guard String(decoding: head, as: UTF8.self).contains(generatorMark) else {
                throw BatchError(.usage, "--report \(path) exists and is not a preflight report; it is not replaced",
                                 hint: "Name a new file, or move that one away first")
            }
        }
        if target.lastPathComponent.hasPrefix("preflight-manifest.") && inside(output) {
            throw BatchError(.usage, "--report \(path) would replace the run's manifest", hint: "Choose another name, e.g. report.html")
        }
        // The output folder is created by the run; any other folder must exist and be writable now.
        if !inside(output) {
            guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw BatchError(.usage, "--report \(path): the folder \(folder.path) does not exist", hint: "Create it first, or write the report to the output folder")
            }
            guard access(folder.path, W_OK) == 0 else {
                throw BatchError(.usage, "--report \(path): the folder \(folder.path) is not writable", hint: "Choose a folder you can write to")
            }
        }
    }

    /// Pictures embedded and pictures the page shows a placeholder for, in one row.
    private func count(_ pictures: RowPictures, for row: ManifestRow) -> (Int, Int) {
        var made = 0, missing = 0
        if row.status != .notMedia { pictures.before == nil ? (missing += 1) : (made += 1) }
        if Self.shown(row)?.output != nil { pictures.after == nil ? (missing += 1) : (made += 1) }
        if pictures.result != nil { made += 1 }
        return (made, missing)
    }
}

/// Pictures arriving from many tasks, kept in row order.
actor PictureCollector {
    private(set) var pictures: [RowPictures]
    init(count: Int) { pictures = Array(repeating: RowPictures(), count: count) }
    func set(_ index: Int, _ value: RowPictures) { pictures[index] = value }
}
