import FalClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one write that must not be lost is the one that records a request fal has accepted: after
/// it, fal bills, and without it nobody would fetch the result. So: space is checked before a
/// submit goes out; a reserve file keeps some space the journal can give back at that moment; and
/// when even that fails, the request is written to rescue files (one in the state folder, one in
/// the job's results folder, often another disk) that the next run of the job adopts, and its id
/// is said on stderr.
extension Journal {
    /// Free bytes the state folder must have before a submit goes out.
    public static let roomForSubmit: Int64 = 16 << 20
    /// Space held back for recording an accepted request when the disk fills meanwhile.
    static let reserveSize = 4 << 20
    static let rescueName = "accepted-requests.ndjson"

    var folder: URL { path.deletingLastPathComponent() }
    var reserveFile: URL { folder.appendingPathComponent("journal.reserve") }

    /// Free bytes where the journal lives, for an unprivileged writer.
    public func freeBytes() -> Int64? {
        var st = statvfs()
        guard statvfs(folder.path, &st) == 0 else { return nil }
        let free = Int64(clamping: UInt64(st.f_bavail)).multipliedReportingOverflow(by: Int64(clamping: UInt64(st.f_frsize)))
        return free.overflow ? Int64.max : free.partialValue
    }

    /// Refuses to send a submit when the journal could not record its answer, and keeps the
    /// reserve in place. Nothing has been sent when this throws.
    func ensureRoomForSubmit() throws(JournalError) {
        if let free = freeBytes(), free < Self.roomForSubmit {
            throw JournalError(.unwritable, message: "the state folder \(folder.path) has \(free >> 20) MiB free, less than the \(Self.roomForSubmit >> 20) MiB a submit needs to be recorded",
                               hint: "Free space there (or set PREFLIGHT_HOME elsewhere) and run again; nothing was sent")
        }
        var st = stat()
        if stat(reserveFile.path, &st) == 0, Int(st.st_size) >= Self.reserveSize { return }
        // Real blocks, not a sparse file: zeros written out, so deleting it gives space back.
        let zeros = Data(count: Self.reserveSize)
        try? zeros.write(to: reserveFile, options: .atomic)
    }

    /// How an accepted request was kept.
    enum Kept: Equatable {
        case journal
        /// Only in rescue files (paths): the next run of the job adopts it.
        case rescued([String])
        /// Nowhere on disk: the id is in the error and must be shown to a person.
        case lost(String)
    }

    /// Records `run` (just accepted: state submitted, its request id set) with its event,
    /// whatever it takes.
    func recordAccepted(_ run: RunRecord, event detail: String, resultsFolder: URL) -> Kept {
        if (try? update(run, event: "submitted", detail)) != nil { return .journal }
        // The disk filled since the check: give back the reserve and try once more.
        try? FileManager.default.removeItem(at: reserveFile)
        var failure = ""
        do { try update(run, event: "submitted", detail + " (recorded after releasing the journal's reserve space)"); return .journal } catch {
            failure = error.description
        }
        let record = RescuedRequest(job: run.jobID, run: run.id ?? -1, model: run.model, requestID: run.requestID ?? "",
                                    statusURL: run.statusURL, responseURL: run.responseURL, cancelURL: run.cancelURL, at: Date())
        var kept: [String] = []
        for file in [folder.appendingPathComponent(Self.rescueName), resultsFolder.appendingPathComponent(Self.rescueName)] {
            if Self.append(record, to: file) { kept.append(file.path) }
        }
        return kept.isEmpty ? .lost(failure) : .rescued(kept)
    }

    /// Requests of `job` kept in rescue files (the state folder's and `resultsFolder`'s) whose run
    /// the journal still has as not accepted: recorded now, so they are followed, not sent again.
    /// Returns how many were adopted.
    func adoptRescued(job: String, resultsFolder: URL) throws(JournalError) -> Int {
        var adopted = 0
        for file in [folder.appendingPathComponent(Self.rescueName), resultsFolder.appendingPathComponent(Self.rescueName)] {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            var others: [String] = []
            for line in text.split(separator: "\n") {
                guard let r = try? JSONDecoder.rescue.decode(RescuedRequest.self, from: Data(line.utf8)), r.job == job else {
                    others.append(String(line))
                    continue
                }
                guard var run = try self.run(r.run), run.jobID == job, run.requestID == nil || run.requestID == r.requestID,
                      [.pending, .submitting, .uncertain].contains(run.state) || (run.state == .submitted && run.requestID == r.requestID) else { continue }
                if run.state == .submitted { continue }
                run.state = .submitted
                run.requestID = r.requestID
                run.statusURL = r.statusURL
                run.responseURL = r.responseURL
                run.cancelURL = r.cancelURL
                run.errorCategory = nil
                run.errorMessage = nil
                try update(run, event: "submitted", "request \(r.requestID), adopted from \(file.path) (fal accepted it while the journal could not be written)")
                adopted += 1
            }
            // What concerned this job is in the journal now; the rest of the file stays.
            if others.isEmpty { try? FileManager.default.removeItem(at: file) } else {
                try? Data((others.joined(separator: "\n") + "\n").utf8).write(to: file, options: .atomic)
            }
        }
        return adopted
    }

    private static func append(_ record: RescuedRequest, to file: URL) -> Bool {
        guard let data = try? JSONEncoder.rescue.encode(record) else { return false }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do { try handle.write(contentsOf: data + Data("\n".utf8)) } catch { return false }
        return fsync(fd) == 0
    }
}

/// One accepted request, as a rescue file keeps it (a JSON line).
struct RescuedRequest: Codable, Equatable {
    var job: String
    var run: Int64
    var model: String
    var requestID: String
    var statusURL: String?
    var responseURL: String?
    var cancelURL: String?
    var at: Date
}

extension JSONEncoder {
    static var rescue: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }
}

extension JSONDecoder {
    static var rescue: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
