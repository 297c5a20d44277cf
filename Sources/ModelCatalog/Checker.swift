import MediaProbe

/// Checks a probed file and a payload against one or more models, reporting every violation at
/// once, each with its reason, its limit's source and how `fix` could repair it.
public struct Checker: Sendable {
    /// False when the user gave no payload at all: most people ask "is this clip OK for X" before
    /// writing a request, so only the media is judged and the report says the payload was not checked.
    public var checksPayload: Bool

    /// `checksPayload`: false judges the media alone (a payload not given yet).
    public init(checksPayload: Bool = true) { self.checksPayload = checksPayload }

    /// - Parameters:
    ///   - field: the media field the file goes to; by default the first that takes its kind.
    ///   - targets: limits to judge against instead of the catalog's, by model id (a plan's
    ///     targets: what a stored plan aimed at, whatever the catalog says today).
    public func check(_ info: MediaInfo, models: [ModelSpec], payload: [String: JSONValue] = [:], field: String? = nil,
                      targets: [String: MediaRequirement]? = nil) -> CheckReport {
        var parties: [Intersection.Party] = []
        let verdicts = models.map { spec -> ModelVerdict in
            let (verdict, requirement) = check(info, spec, payload: payload, fieldName: field, target: targets?[spec.id])
            if let requirement { parties.append(.init(name: spec.name, requirement: requirement)) }
            return verdict
        }
        var combined: CombinedVerdict?
        if models.count > 1 {
            let (intersection, conflicts) = Intersection.combine(parties)
            let unsatisfiable = verdicts.flatMap { v in
                // The payload's mistakes are the user's to fix, not the file's: they do not split outputs.
                v.violations.filter { !$0.fixable && !$0.rule.isPayload }.map(\.message)
            }
            combined = CombinedVerdict(allCompliant: verdicts.allSatisfy(\.compliant),
                                       singleOutputPossible: conflicts.isEmpty && unsatisfiable.isEmpty,
                                       conflicts: conflicts, unsatisfiable: unsatisfiable, intersection: intersection)
        }
        return CheckReport(file: info.path, media: info, verdicts: verdicts, combined: combined, payloadChecked: checksPayload)
    }

    /// List fields (several reference videos or images): the file plus the URLs the payload already
    /// lists must stay within the model's count.
    private func countFindings(_ spec: ModelSpec, _ field: MediaField, _ r: MediaRequirement, _ payload: [String: JSONValue]) -> [Violation] {
        guard field.kind.isList else { return [] }
        let count = (payload[field.name]?.arrayValue?.count ?? 0) + 1
        var out: [Violation] = []
        if let most = r.maxCount, count > most {
            out.append(Violation(rule: .limit(.maxCount), severity: .error, field: field.name, actual: "\(count) files",
                                 required: "<= \(most)", message: "\(spec.name) takes at most \(most) files in '\(field.name)'; this file and the payload's make \(count)",
                                 repair: nil, remedy: "cannot be fixed by changing the file: send fewer files", source: spec.source(of: .maxCount, in: field)))
        }
        if let least = r.minCount, count < least {
            out.append(Violation(rule: .limit(.minCount), severity: .error, field: field.name, actual: "\(count) files",
                                 required: ">= \(least)", message: "\(spec.name) needs at least \(least) files in '\(field.name)'; there are \(count)",
                                 repair: nil, remedy: "cannot be fixed by changing the file: add files to the payload", source: spec.source(of: .minCount, in: field)))
        }
        return out
    }

    /// The limits every model places on this file together (the tightest of each), and the pairs
    /// of limits that leave nothing in between. Models without a field for the file are skipped.
    public func combinedRequirement(for info: MediaInfo, models: [ModelSpec], payload: [String: JSONValue] = [:],
                                    field: String? = nil) -> (MediaRequirement?, [String]) {
        let kind: MediaFieldKind = info.kind == .video ? .video : info.kind == .audio ? .audio : .image
        let parties = models.compactMap { spec -> Intersection.Party? in
            guard let f = field.flatMap(spec.field(named:)) ?? spec.field(accepting: kind) else { return nil }
            return .init(name: spec.name, requirement: f.requirement(for: payload))
        }
        if parties.count == 1 { return (parties[0].requirement, []) }
        return Intersection.combine(parties)
    }

    private func check(_ info: MediaInfo, _ spec: ModelSpec, payload: [String: JSONValue], fieldName: String?,
                       target: MediaRequirement? = nil) -> (ModelVerdict, MediaRequirement?) {
        var findings: [Violation] = []
        let kind: MediaFieldKind = switch info.kind {
        case .video: .video
        case .audio: .audio
        case .image, .animatedImage: .image
        }
        let field = fieldName.flatMap(spec.field(named:)) ?? (fieldName == nil ? spec.field(accepting: kind) : nil)
        var requirement: MediaRequirement?
        if let field {
            let r = target ?? field.requirement(for: payload)
            requirement = r
            let peers = field.kind.isList ? (payload[field.name]?.arrayValue?.count ?? 0) : 0
            findings += MediaChecker(spec: spec, field: field, requirement: r, info: info, listPeers: peers).check()
            findings += countFindings(spec, field, r, payload)
        } else {
            let takes = spec.media.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")
            let message = fieldName.map { "\(spec.name) has no media field '\($0)'; it takes \(takes.isEmpty ? "no media" : takes)" }
                ?? "\(spec.name) takes no \(kind.rawValue) input; it takes \(takes.isEmpty ? "no media" : takes)"
            findings.append(Violation(rule: .limit(.mediaKind), severity: .error, field: fieldName, actual: info.kind.rawValue,
                                      required: takes, message: message, repair: nil,
                                      remedy: "cannot be fixed: choose another model or file", source: spec.source))
        }
        if checksPayload {
            findings += FieldGroupChecker(spec: spec, suppliedField: field?.name).check(payload)
            findings += PayloadChecker(spec: spec, suppliedFields: Set([field?.name].compactMap { $0 })).check(payload)
        }
        let errors = findings.filter { $0.severity == .error }
        let warnings = findings.filter { $0.severity == .warning }
        let verdict = ModelVerdict(model: spec.id, modelName: spec.name, field: field?.name, compliant: errors.isEmpty,
                                   violations: errors, warnings: warnings,
                                   cost: CostEstimator.estimate(spec, payload: payload, media: info, field: field?.name), requirement: requirement)
        return (verdict, requirement)
    }
}
