import Batch
import Testing

/// `--shard auto`: every task of every job array a runner can start maps to one K of N, the N
/// tasks of an array to 1...N exactly once, and anything else is refused as a usage error.
@Suite struct ShardFromRunnerTests {
    /// The variables Slurm sets in each task of `sbatch --array=FIRST-LAST:STEP`.
    static func slurm(_ id: Int, first: Int, step: Int, count: Int) -> [String: String] {
        ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(first)", "SLURM_ARRAY_TASK_MAX": "\(first + step * (count - 1))",
         "SLURM_ARRAY_TASK_STEP": "\(step)", "SLURM_ARRAY_TASK_COUNT": "\(count)", "SLURM_ARRAY_JOB_ID": "77", "SLURM_JOB_ID": "\(78 + id)"]
    }

    @Test func everySlurmRangeMapsItsTasksOntoOneToN() throws {
        for first in [0, 1, 2, 5, 100] {
            for step in 1...4 {
                for count in 1...7 {
                    let ids = (0..<count).map { first + $0 * step }
                    let shards = try ids.map { try Shard.fromRunner(Self.slurm($0, first: first, step: step, count: count), count: nil).shard }
                    #expect(shards.map(\.index) == Array(1...count), "--array=\(first)-\(ids.last ?? first):\(step)")
                    #expect(shards.allSatisfy { $0.count == count })
                    // auto/N agrees when N is the array's size, and is refused otherwise.
                    #expect(try Shard.fromRunner(Self.slurm(ids[0], first: first, step: step, count: count), count: count).shard == shards[0])
                    #expect(throws: BatchError.self) { try Shard.fromRunner(Self.slurm(ids[0], first: first, step: step, count: count), count: count + 1) }
                    // An id the array does not have (between two, before the first, after the last) is refused.
                    var strangers = [first + step * count, first + step * (count + 3)]
                    if first > 0 { strangers.append(first - 1) }
                    if step > 1 { strangers.append(first + 1) }
                    for id in strangers {
                        #expect(throws: BatchError.self, "id \(id) of --array=\(first)-\(ids.last ?? first):\(step)") {
                            try Shard.fromRunner(Self.slurm(id, first: first, step: step, count: count), count: nil)
                        }
                    }
                }
            }
        }
    }

    /// The forms the issue names: ids from 0 (the common --array=0-3) and a stepped range.
    @Test func commonSlurmArrays() throws {
        let zeroBased = try (0...3).map { try Shard.fromRunner(Self.slurm($0, first: 0, step: 1, count: 4), count: nil).shard.description }
        #expect(zeroBased == ["1/4", "2/4", "3/4", "4/4"])
        let stepped = try [0, 4, 8, 12].map { try Shard.fromRunner(Self.slurm($0, first: 0, step: 4, count: 4), count: nil).shard.description }
        #expect(stepped == ["1/4", "2/4", "3/4", "4/4"])
        // Without _STEP (older Slurm), the spacing comes from the range.
        var old = Self.slurm(8, first: 0, step: 4, count: 4)
        old["SLURM_ARRAY_TASK_STEP"] = nil
        #expect(try Shard.fromRunner(old, count: nil).shard.description == "3/4")
        let (_, origin) = try Shard.resolve("auto", environment: Self.slurm(4, first: 0, step: 4, count: 4))
        #expect(origin?.contains("--array=0-12:4") == true)
    }

    /// A list with uneven gaps (--array=1,3,8) has no position to read from the environment (it
    /// does not hold the list). Whatever step Slurm reports for it, no two tasks take one share,
    /// none takes a share outside 1...N, and at least one task refuses, so the array fails loudly
    /// instead of leaving a share undone in silence. Every such list of ids 0...9, 2 to 5 tasks.
    @Test func unevenSlurmListsNeverShareAShareAndFailLoudly() {
        for mask in 1..<(1 << 10) where (2...5).contains(mask.nonzeroBitCount) {
            let list = (0..<10).filter { mask & (1 << $0) != 0 }
            let gaps = Set(zip(list.dropFirst(), list).map { $0 - $1 })
            guard gaps.count > 1, let first = list.first, let last = list.last else { continue }
            for step in [nil, "1", "2", "3", "4", "9"] as [String?] {
                var taken: [Int] = []
                for id in list {
                    var env = ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(first)", "SLURM_ARRAY_TASK_MAX": "\(last)",
                               "SLURM_ARRAY_TASK_COUNT": "\(list.count)"]
                    env["SLURM_ARRAY_TASK_STEP"] = step
                    if let shard = try? Shard.fromRunner(env, count: nil).shard {
                        #expect(shard.count == list.count && (1...list.count).contains(shard.index))
                        taken.append(shard.index)
                    }
                }
                #expect(Set(taken).count == taken.count, "--array=\(list) (step \(step ?? "unset")): two tasks took one share")
                #expect(taken.count < list.count, "--array=\(list) (step \(step ?? "unset")): every task ran, as if evenly spaced")
                // Slurm (22.05, seen by scripts/slurm-prepare's cluster) reports step 1 for a list:
                // then its highest id gives it away, and no task starts at all.
                if step == "1" { #expect(taken.isEmpty, "--array=\(list): tasks \(taken) started") }
            }
        }
    }

    @Test func kubernetesAndAWSBatchIndexesAreZeroBasedAndNeedN() throws {
        for variable in ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"] {
            for n in 1...9 {
                let shards = try (0..<n).map { try Shard.fromRunner([variable: "\($0)"], count: n).shard }
                #expect(shards == (1...n).map { try! Shard(index: $0, count: n) })
                #expect(throws: BatchError.self) { try Shard.fromRunner([variable: "\(n)"], count: n) }
            }
            let refused = try #require(throwing(try Shard.fromRunner([variable: "2"], count: nil)))
            #expect(refused.code == .usage && refused.description.contains("auto/N"))
            #expect(try Shard.resolve("auto/8", environment: [variable: "7"]).shard.description == "8/8")
        }
    }

    @Test func hostileOrMissingEnvironmentIsAUsageErrorThatSaysWhatToDo() throws {
        let none = try #require(throwing(try Shard.resolve("auto", environment: ["PATH": "/bin"])))
        #expect(none.code == .usage && none.description.contains("SLURM_ARRAY_TASK_ID") && none.description.contains("--shard K/N"))
        let notArray = try #require(throwing(try Shard.resolve("auto", environment: ["SLURM_JOB_ID": "12"])))
        #expect(notArray.description.contains("--array"))
        let notIndexed = try #require(throwing(try Shard.resolve("auto/4", environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"])))
        #expect(notIndexed.description.contains("Indexed"))

        let values = ["", " 1", "1 ", "+1", "-1", "01", "1.0", "1e2", "0x1", "１", "٣", "1\n", "99999999999", "1/2", "\u{1B}[2K1"]
        for value in values {
            for variable in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP"] {
                var env = Self.slurm(1, first: 0, step: 1, count: 4)
                env[variable] = value
                let error = try #require(throwing(try Shard.fromRunner(env, count: nil)), "\(variable)=\(value)")
                #expect(error.code == .usage)
                #expect(!error.description.contains("\u{1B}"), "a control character from the environment reaches the terminal")
            }
            for variable in ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"] {
                #expect(throws: BatchError.self, "\(variable)=\(value)") { try Shard.fromRunner([variable: value], count: 4) }
            }
            #expect(throws: BatchError.self) { try Shard.resolve("auto/" + value, environment: ["JOB_COMPLETION_INDEX": "0"]) }
            #expect(throws: BatchError.self) { try Shard.resolve(value + "/4", environment: [:]) }
        }
        // A Slurm task missing its count or first id, and a zero count.
        for dropped in ["SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN"] {
            var env = Self.slurm(1, first: 0, step: 1, count: 4)
            env[dropped] = nil
            #expect(throws: BatchError.self) { try Shard.fromRunner(env, count: nil) }
        }
        var zero = Self.slurm(0, first: 0, step: 1, count: 1)
        zero["SLURM_ARRAY_TASK_COUNT"] = "0"
        #expect(throws: BatchError.self) { try Shard.fromRunner(zero, count: nil) }
        #expect(throws: BatchError.self) { try Shard.resolve("auto/0", environment: ["JOB_COMPLETION_INDEX": "0"]) }
        // Two runners at once: ambiguous, refused.
        var both = Self.slurm(0, first: 0, step: 1, count: 2)
        both["JOB_COMPLETION_INDEX"] = "1"
        let ambiguous = try #require(throwing(try Shard.fromRunner(both, count: 2)))
        #expect(ambiguous.description.contains("ambiguous"))
        // K/N is not read from the environment at all.
        let explicit = try Shard.resolve("3/4", environment: both)
        #expect(explicit.shard == (try Shard(index: 3, count: 4)) && explicit.origin == nil)
    }

    private func throwing<T>(_ body: @autoclosure () throws(BatchError) -> T) -> BatchError? {
        do { _ = try body(); return nil } catch { return error }
    }
}

/// A shard's manifest name says which shard it is, so a merge can tell a shard that never ran.
@Suite struct ShardManifestNameTests {
    @Test func everyShardIsReadBackFromItsManifestNameAndAMissingOneIsNamed() throws {
        for n in 2...9 {
            let shards = try (1...n).map { try Shard(index: $0, count: n) }
            #expect(shards.map { Shard(manifestName: $0.manifestName) } == shards)
            #expect(Shard.missing(from: shards.map(\.manifestName)).isEmpty)
            for gone in shards {
                #expect(Shard.missing(from: shards.filter { $0 != gone }.map(\.manifestName)) == [gone])
            }
        }
        for name in ["preflight-manifest.json", "preflight-manifest.shard-0-of-4.json", "preflight-manifest.shard-5-of-4.json",
                     "preflight-manifest.shard-01-of-4.json", "preflight-manifest.shard-1-of-4.json.bak", "preflight-manifest.shard--1-of-4.json",
                     "preflight-manifest.shard-1-of-1.json", "x.json"] {
            #expect(Shard(manifestName: name) == nil, "\(name)")
        }
        // Names that are not all shards of one N say nothing about what is missing.
        #expect(Shard.missing(from: ["preflight-manifest.shard-1-of-4.json", "renamed.json"]).isEmpty)
    }
}
