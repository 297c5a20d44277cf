import PreflightCore

extension Shard {
    /// The shard a job runner gave this process (`--shard auto`, `--shard auto/N`), from its
    /// environment: a Slurm job array (`SLURM_ARRAY_TASK_ID` with `_COUNT`, `_MIN`, and `_MAX`,
    /// `_STEP` when set), a Kubernetes indexed Job (`JOB_COMPLETION_INDEX`, 0-based) or an AWS Batch
    /// array job (`AWS_BATCH_JOB_ARRAY_INDEX`, 0-based). The last two do not say how many tasks
    /// there are, so they need `count` (the N of `auto/N`); Slurm does, and a `count` given there
    /// must agree with it.
    ///
    /// Every value is checked (plain decimal digits, in range, consistent with the others): a
    /// wrong shard would process some files twice and others never, so anything that cannot be
    /// mapped to exactly one K of N is a usage error that says what to submit instead.
    /// - Returns: the shard, and where it came from in words for the job's log.
    public static func fromRunner(_ environment: [String: String], count: Int?) throws(BatchError) -> (shard: Shard, origin: String) {
        let runners = Runner.allCases.filter { environment[$0.indexVariable] != nil }
        guard let runner = runners.first else { throw noRunner(environment) }
        guard runners.count == 1 else {
            let names = runners.map { "\($0.indexVariable) (\($0.name))" }.joined(separator: " and ")
            throw BatchError(.usage, "--shard auto: both \(names) are set, so the shard is ambiguous",
                             hint: "Name the shard yourself: --shard K/N.")
        }
        let index = try RunnerNumber.read(runner.indexVariable, environment)
        switch runner {
        case .slurm:
            return try slurm(taskID: index, environment, count: count)
        case .kubernetes, .awsBatch:
            guard let count else {
                throw BatchError(.usage, "--shard auto: \(runner.indexVariable)=\(index) gives this task's index but not how many tasks there are",
                                 hint: "Give the count: --shard auto/N, with N \(runner.countSource).")
            }
            guard index < count else {
                throw BatchError(.usage, "--shard auto/\(count): \(runner.indexVariable)=\(index) is outside 0...\(count - 1)",
                                 hint: "N must be \(runner.countSource).")
            }
            return (try Shard(index: index + 1, count: count), "\(runner.name) \(runner.kind): \(runner.indexVariable)=\(index) (0-based) of \(count)")
        }
    }

    /// Slurm numbers an array's tasks as the user typed them (`--array=0-3`, `1-4`, `0-15:4`, or a
    /// list `1,3,8`), and says the lowest id, the highest, the step and how many. An evenly spaced
    /// array maps onto K/N by its position; a list with uneven gaps does not (its step describes no
    /// single spacing), and is refused rather than guessed.
    private static func slurm(taskID id: Int, _ environment: [String: String], count n: Int?) throws(BatchError) -> (shard: Shard, origin: String) {
        guard let count = try RunnerNumber.readIfSet("SLURM_ARRAY_TASK_COUNT", environment),
              let first = try RunnerNumber.readIfSet("SLURM_ARRAY_TASK_MIN", environment) else {
            throw BatchError(.usage, "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN is not",
                             hint: "Run it as a task of sbatch --array=0-N (Slurm sets all three), or name the shard: --shard K/N.")
        }
        let last = try RunnerNumber.readIfSet("SLURM_ARRAY_TASK_MAX", environment)
        let step = try RunnerNumber.readIfSet("SLURM_ARRAY_TASK_STEP", environment)
        let described = "SLURM_ARRAY_TASK_ID=\(id), _MIN=\(first)" + (last.map { ", _MAX=\($0)" } ?? "")
            + (step.map { ", _STEP=\($0)" } ?? "") + ", _COUNT=\(count)"
        let uneven = BatchError(.usage, "--shard auto: this Slurm array's task ids are not evenly spaced (\(described)), so a task's share cannot be told from its id",
                                hint: "Submit a range: sbatch --array=0-3 (or 1-4, or 0-15:4); or name the shard: --shard K/N.")
        guard count >= 1 else { throw uneven }
        // The spacing: Slurm's own, else (older releases) the one the range implies.
        let spacing: Int
        if count == 1 {
            spacing = 1
        } else if let step {
            spacing = step
        } else if let last {
            guard last > first, (last - first) % (count - 1) == 0 else { throw uneven }
            spacing = (last - first) / (count - 1)
        } else {
            spacing = 1
        }
        // Numbers are at most 9 digits each, so spacing * (count - 1) cannot overflow.
        guard spacing >= 1 else { throw uneven }
        if let last, last != first + spacing * (count - 1) { throw uneven }
        let offset = id - first
        guard offset >= 0, offset % spacing == 0, offset / spacing < count else { throw uneven }
        if let n, n != count {
            throw BatchError(.usage, "--shard auto/\(n): this Slurm array has \(count) task(s) (SLURM_ARRAY_TASK_COUNT=\(count))",
                             hint: "Use --shard auto (Slurm says how many), or submit \(n) tasks: sbatch --array=1-\(n).")
        }
        let range = "\(first)-\(first + spacing * (count - 1))" + (spacing > 1 ? ":\(spacing)" : "")
        return (try Shard(index: offset / spacing + 1, count: count), "Slurm array task \(id) of --array=\(range)")
    }

    /// No index anywhere: say what this looks like, so the fix is one line of the job's spec.
    private static func noRunner(_ environment: [String: String]) -> BatchError {
        let looked = Runner.allCases.map { "\($0.indexVariable) (\($0.name))" }.joined(separator: ", ")
        let hint = if environment["SLURM_JOB_ID"] != nil {
            "This is a Slurm job but not an array: submit it with sbatch --array=1-N, or name the shard: --shard K/N."
        } else if environment["KUBERNETES_SERVICE_HOST"] != nil {
            "This looks like a Kubernetes pod without an index: give the Job completionMode: Indexed, or name the shard: --shard K/N."
        } else if environment["AWS_BATCH_JOB_ID"] != nil {
            "This is an AWS Batch job but not an array job: give it arrayProperties {size: N}, or name the shard: --shard K/N."
        } else {
            "Run it as a task of a job array, or name the shard: --shard K/N (e.g. --shard 2/4)."
        }
        return BatchError(.usage, "--shard auto: no job runner's task index is set (looked for \(looked))", hint: hint)
    }

    private enum Runner: CaseIterable {
        case slurm, kubernetes, awsBatch

        var indexVariable: String {
            switch self {
            case .slurm: "SLURM_ARRAY_TASK_ID"
            case .kubernetes: "JOB_COMPLETION_INDEX"
            case .awsBatch: "AWS_BATCH_JOB_ARRAY_INDEX"
            }
        }
        var name: String {
            switch self {
            case .slurm: "Slurm"
            case .kubernetes: "Kubernetes"
            case .awsBatch: "AWS Batch"
            }
        }
        var kind: String {
            switch self {
            case .slurm: "job array"
            case .kubernetes: "indexed Job"
            case .awsBatch: "array job"
            }
        }
        var countSource: String {
            switch self {
            case .slurm: "the array's task count"
            case .kubernetes: "the Job's completions"
            case .awsBatch: "the array job's size (arrayProperties.size)"
            }
        }
    }
}

/// A count or index as a job runner writes it: plain ASCII decimal digits, no sign, space or
/// leading zero, at most 9 digits (no runner numbers its tasks past a billion). Anything else in
/// the environment is refused, never read "leniently" into another shard.
enum RunnerNumber {
    static func parse(_ text: Substring) -> Int? {
        let digits = text.utf8
        guard (1...9).contains(digits.count), digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits.count == 1 || digits.first != UInt8(ascii: "0") else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    static func readIfSet(_ name: String, _ environment: [String: String]) throws(BatchError) -> Int? {
        guard let raw = environment[name] else { return nil }
        guard let value = parse(Substring(raw)) else {
            throw BatchError(.usage, "--shard auto: \(name)=\"\(Printable.escape(String(raw.prefix(40))))\" is not a task number",
                             hint: "The job runner sets it; if a script of yours sets it, give it plain digits, or name the shard: --shard K/N.")
        }
        return value
    }

    static func read(_ name: String, _ environment: [String: String]) throws(BatchError) -> Int {
        guard let value = try readIfSet(name, environment) else {
            throw BatchError(.usage, "--shard auto: \(name) is not set")
        }
        return value
    }
}
