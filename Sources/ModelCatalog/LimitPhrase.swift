import Foundation

extension LimitKey {
    /// The limit in a few words ("width >= 720 px"), nil when the requirement does not set it. An
    /// exhaustive switch: a new key does not compile until it can be shown.
    public func phrase(in r: MediaRequirement) -> String? {
        guard r.isSet(self) else { return nil }
        func n(_ d: Double?) -> String { d.map(Price.number) ?? "?" }
        func list(_ a: [String]?, _ sep: String = ", ") -> String { (a ?? []).joined(separator: sep) }
        return switch self {
        case .mediaKind: nil
        case .formats: "formats: " + (r.formats ?? []).map { ".\($0)" }.joined(separator: ", ")
        case .videoCodecs: "video codecs: " + list(r.videoCodecs)
        case .audioCodecs: "audio codecs: " + list(r.audioCodecs)
        case .minWidth: "width >= \(r.minWidth ?? 0) px"
        case .maxWidth: "width <= \(r.maxWidth ?? 0) px"
        case .minHeight: "height >= \(r.minHeight ?? 0) px"
        case .maxHeight: "height <= \(r.maxHeight ?? 0) px"
        case .minShortSide: "short side >= \(r.minShortSide ?? 0) px"
        case .maxLongSide: "long side <= \(r.maxLongSide ?? 0) px"
        case .minPixels: "pixels >= \(r.minPixels ?? 0)"
        case .maxPixels: "pixels <= \(r.maxPixels ?? 0)"
        case .minAspectRatio: "width/height >= \(n(r.minAspectRatio))"
        case .maxAspectRatio: "width/height <= \(n(r.maxAspectRatio))"
        case .aspectRatios: "aspect: " + list(r.aspectRatios, " or ")
        case .resolutions: "resolution: " + list(r.resolutions, " or ")
        case .minDuration: "duration >= \(n(r.minDuration)) s"
        case .maxDuration: "duration <= \(n(r.maxDuration)) s"
        case .minFPS: "frame rate >= \(n(r.minFPS)) fps"
        case .maxFPS: "frame rate <= \(n(r.maxFPS)) fps"
        case .minFrames: "frames >= \(r.minFrames ?? 0)"
        case .maxFrames: "frames <= \(r.maxFrames ?? 0)"
        case .maxFileSize: "file size <= \(r.maxFileSize.map(\.description) ?? "?")"
        case .audio: "audio: \(r.audio?.rawValue ?? "?")"
        case .alpha: "alpha channel: \(r.alpha?.rawValue ?? "?")"
        case .minCount: "at least \(r.minCount ?? 0) files"
        case .maxCount: "at most \(r.maxCount ?? 0) files"
        case .minTotalDuration: "all files together >= \(n(r.minTotalDuration)) s"
        case .maxTotalDuration: "all files together <= \(n(r.maxTotalDuration)) s"
        case .maxTotalFileSize: "all files together <= \(r.maxTotalFileSize.map(\.description) ?? "?")"
        case .downloadTimeout: "download timeout: \(n(r.downloadTimeout)) s"
        }
    }
}
