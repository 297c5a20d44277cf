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

        Every file is probed first, before anything is sent: what `preflight probe` refuses (not \
        media, a folder, a device, a pipe) is refused here too. Each step (token, upload, part, \
        complete) is retried with backoff on failures a retry can help, and any failure of fal's CDN \
        path falls back to a signed upload URL. A cached URL is reused only within the lifetime \
        that is known for it (--lifetime, or an hour when fal's retention is not known).

        Exit codes: 0 uploaded; 64 usage or key mistake; 65 not media; 66 missing file; 75 network; \
        77 key refused or account locked.
        """
    )

    @Argument(help: "Files to upload.", completion: .file())
    var files: [String]

    @Option(help: ArgumentHelp("Size in MiB from which files go up in parts.", valueName: "MiB"))
    var multipartThreshold: Int = 100

    @Option(help: ArgumentHelp("Part size in MiB.", valueName: "MiB"))
    var partSize: Int = 10

    @Option(help: "Parts in flight at once.")
    var parallel: Int = 4

    @Option(help: ArgumentHelp("Ask fal to keep the files this long (X-Fal-Object-Lifecycle-Preference).", valueName: "seconds"))
    var lifetime: Int?

    @Flag(help: "Print each exchange (never the key).")
    var verbose = false

    @OptionGroup var fal: FalOptions

    func validate() throws {
        if multipartThreshold < 1 || partSize < 1 || parallel < 1 { throw ValidationError("Sizes and --parallel must be at least 1.") }
        if multipartThreshold > 1 << 20 || partSize > 5 << 10 || parallel > 64 {
            throw ValidationError("--multipart-threshold at most 1048576 MiB, --part-size at most 5120 MiB, --parallel at most 64.")
        }
        if let lifetime, lifetime < 1 { throw ValidationError("--lifetime takes a number of seconds, at least 1 (e.g. 86400 for a day).") }
    }

    func run() async throws {
        var log: (@Sendable (String) -> Void)?
        if verbose { log = { @Sendable line in Terminal.err(line) } }
        let client: FalClient
        do throws(FalError) { client = try fal.client(log: log) } catch {
            Terminal.err(Terminal.red("error: ") + error.description)
            throw ExitCode(error.exitCode)
        }
        var options = UploadOptions()
        options.multipartThreshold = Int64(multipartThreshold) << 20
        options.partSize = Int64(partSize) << 20
        options.parallelParts = parallel
        options.lifetime = lifetime
        let cache = MemoryUploadCache()
        // Refuse what probe refuses before any network call (a folder, /dev/zero, a FIFO, not media).
        for file in files {
            do { _ = try Prober.probe(file) } catch {
                Terminal.err(Terminal.red("error: ") + error.description)
                throw ExitCode(error.exitCode)
            }
        }
        for file in files {
            do throws(FalError) {
                Terminal.out(try await client.upload(file: file, options: options, cache: cache).absoluteString)
            } catch {
                Terminal.err(Terminal.red("error: ") + "\(Redactor.printable(file)): " + error.description)
                throw ExitCode(error.exitCode)
            }
        }
    }
}
