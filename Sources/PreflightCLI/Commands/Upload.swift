import ArgumentParser
import FalClient
import Foundation
import ModelCatalog

struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload local files to fal storage and print their URLs.",
        discussion: """
        Files are streamed from disk (memory does not grow with their size): one request below \
        --multipart-threshold, parts in parallel above it (each part retried). A file already \
        uploaded in this run is not sent twice.

        Exit codes: 0 uploaded; 64 usage or key mistake; 66 missing file; 75 network; 77 key refused \
        or account locked.
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

    @Flag(help: "Print each exchange (never the key).")
    var verbose = false

    @OptionGroup var fal: FalOptions

    func validate() throws {
        if multipartThreshold < 1 || partSize < 1 || parallel < 1 { throw ValidationError("Sizes and --parallel must be at least 1.") }
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
        let cache = MemoryUploadCache()
        for file in files {
            guard FileManager.default.isReadableFile(atPath: file) else {
                Terminal.err(Terminal.red("error: ") + "\(file): no such file or not readable")
                throw Exit.inputMissing
            }
            do throws(FalError) {
                Terminal.out(try await client.upload(file: file, options: options, cache: cache).absoluteString)
            } catch {
                Terminal.err(Terminal.red("error: ") + "\(file): " + error.description)
                throw ExitCode(error.exitCode)
            }
        }
    }
}
