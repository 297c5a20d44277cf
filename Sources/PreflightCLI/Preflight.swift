import ArgumentParser

@main
struct Preflight: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Make media acceptable to generative-model APIs before money is spent.",
        discussion: """
        preflight probes video, audio and images through FFmpeg's libraries, checks them against each \
        model's published input requirements, fixes what can be fixed, and submits compliant media to \
        fal.ai's queue without losing a paid result.

        Exit codes: 0 success; 1 media does not comply or a job failed; 2 some items of a batch failed; \
        3 uncertain (fal may have accepted a submit whose answer was lost: never retried blindly); \
        64 usage; 65 input is not valid media; 66 input missing or unreadable; 69 service unavailable; \
        74 local state (the journal or its folder cannot be read or written); 75 temporary failure, \
        try again; 77 not permitted.
        """,
        version: version,
        subcommands: [Probe.self, Check.self, Fix.self, Prepare.self, ManifestCommand.self, Submit.self, Jobs.self, Status.self, Resume.self, Retry.self, Cancel.self, Report.self, Models.self, Upload.self, DoctorCommand.self]
    )
}
