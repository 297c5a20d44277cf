import ArgumentParser
import FalClient
import Foundation
import MediaProbe
import ModelCatalog

struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload local files to fal storage and print their URLs.",
        discussion: """
        Files are streamed from disk (memory does not grow with their size): one request below \
        --multipart-threshold, parts in parallel above it (each part retried). A file already \
        uploaded in this run is not sent twice.

        Any regular file goes up (fal's storage takes any file: a LoRA, a zip of training images, \
        subtitles); media is probed first only to say what it is, and a file that is not media is \
        said so and sent as it is. Folders, devices and pipes are refused before anything is sent. \
        Each step (token, upload, part, \
        complete) is retried with backoff on failures a retry can help, and any failure of fal's CDN \
        path falls back to a signed upload URL. A cached URL is reused only within the lifetime \
        that is known for it (--lifetime, or an hour when fal's retention is not known).

        Exit codes: 0 uploaded; 64 usage or key mistake; 66 missing, or not a regular file; 75 network; \
        77 key refused or account locked.
        """
    )

    @Argument(help: "Files to upload.", completion: .file())
    var files: [String]

    @Option(parsing: .unconditional, help: ArgumentHelp("Size in MiB from which files go up in parts (1 to 1048576).", valueName: "MiB"))
    var multipartThreshold: Int = 100

    @Option(parsing: .unconditional, help: ArgumentHelp("Part size in MiB (1 to 5120).", valueName: "MiB"))
    var partSize: Int = 10

    @Option(parsing: .unconditional, help: "Parts in flight at once (1 to 1024).")
    var parallel: Count = Count(4)

    @Option(help: ArgumentHelp("Ask fal to keep the files this long (X-Fal-Object-Lifecycle-Preference).", valueName: "seconds"))
    var lifetime: Int?

    @Flag(help: "Print each exchange (never the key).")
    var verbose = false

    @OptionGroup var fal: FalOptions

    func validate() throws {
        // Bounded above too: MiB << 20 past Int64 wraps to a negative or zero part size.
        if !(1...1_048_576).contains(multipartThreshold) { throw ValidationError("--multipart-threshold takes 1 to 1048576 (MiB).") }
        if !(1...5120).contains(partSize) { throw ValidationError("--part-size takes 1 to 5120 (MiB).") }
        if let lifetime, lifetime < 1 { throw ValidationError("--lifetime takes a number of seconds, at least 1 (e.g. 86400 for a day).") }
    }

    func run() async throws {
        var log: (@Sendable (String) -> Void)?
        if verbose { log = { @Sendable line in Terminal.err(line) } }
        let client: FalClient
        do throws(FalError) { client = try fal.client(log: log) } catch {
            throw Terminal.report(error)
        }
        var options = UploadOptions()
        options.multipartThreshold = Int64(multipartThreshold) << 20
        options.partSize = Int64(partSize) << 20
        options.parallelParts = parallel.value
        options.lifetime = lifetime
        let cache = MemoryUploadCache()
        // Before any network call: every path must be a regular file (a folder, /dev/zero or a FIFO
        // is refused, and then nothing is sent). Media is probed only to say what it is.
        for file in files {
            var st = stat()
            guard stat(file, &st) == 0 else {
                throw Terminal.report(CLIFailure(.inputMissing, message: "\(Redactor.printable(file)): \(String(cString: strerror(errno))); nothing was uploaded"))
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw Terminal.report(CLIFailure(.inputMissing, message: "\(Redactor.printable(file)) is not a regular file (a folder, device or pipe); nothing was uploaded"))
            }
        }
        for file in files {
            if case .failure(let error) = Result(catching: { () throws(ProbeError) in try Prober.probe(file) }), error.code == .notMedia {
                Terminal.err("\(Redactor.printable(file)): not media; uploaded as a plain file")
            }
        }
        for file in files {
            do throws(FalError) {
                Terminal.out(try await client.upload(file: file, options: options, cache: cache).absoluteString)
            } catch {
                throw Terminal.report(error, about: Redactor.printable(file))
            }
        }
    }
}
