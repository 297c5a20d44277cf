/// A fal endpoint id as the catalog stores it ("fal-ai/kling-video/o1/image-to-video"): names it
/// files after and matches `--model` against. An id from an imported document is outside text; one
/// that is not of this shape ("../x", "/etc/x", a control character) would be saved under a name no
/// lookup finds, or somewhere else entirely.
package enum EndpointID {
    package static let maxLength = 200

    /// Why `id` is not a usable endpoint id, or nil when it is.
    package static func problem(_ id: String) -> String? {
        if id.isEmpty { return "the endpoint id is empty" }
        if id.count > maxLength { return "the endpoint id is longer than \(maxLength) characters" }
        if id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "the endpoint id holds control characters" }
        if id.hasPrefix("/") { return "the endpoint id is an absolute path, not an id like fal-ai/flux/dev" }
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0 == ".." || $0 == "." }) { return "the endpoint id has '.' or '..' segments, not an id like fal-ai/flux/dev" }
        if segments.contains(where: \.isEmpty) { return "the endpoint id has an empty segment (//, or a / at the end)" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")
        if let bad = id.first(where: { !allowed.contains($0) }) {
            return "the endpoint id holds '\(bad.unicodeScalars.map { $0.value < 0x80 ? String($0) : "U+" + String($0.value, radix: 16, uppercase: true) }.joined())'; ids use letters, digits, '.', '_', '-' and '/'"
        }
        return nil
    }
}
