import Foundation
@testable import ModelCatalog
import Testing

/// One table of limit keys: every place that lists limits (keys set, layering, learned values, the
/// intersection of several models) reads it, so none can forget a key.
@Suite struct LimitTableTests {
    /// A value of the right shape for each key.
    func sample(_ key: LimitKey) -> JSONValue {
        switch key.slot {
        case .strings: key == .aspectRatios ? .array([.string("16:9")]) : .array([.string("mp4")])
        case .presence: .string("forbidden")
        default: .number(7)
        }
    }

    @Test func everyKeyIsSetLayeredAndIntersected() {
        for key in LimitKey.allCases where key != .mediaKind {
            var r = MediaRequirement()
            r.set(key, to: sample(key))
            #expect(r.keys == [key], "\(key.rawValue) set: \(r.keys)")
            #expect(MediaRequirement().overlaid(with: r).keys == [key], "\(key.rawValue) lost in layering")
            let (combined, conflicts) = Intersection.combine([.init(name: "a", requirement: r), .init(name: "b", requirement: MediaRequirement())])
            #expect(conflicts.isEmpty)
            #expect(combined?.keys == [key], "\(key.rawValue) lost in the intersection")
        }
    }

    /// The tightest of each bound, the common part of each set (audio codecs included, which were
    /// skipped before), and conflicts named.
    @Test func intersectionTakesTheTightest() {
        var a = MediaRequirement(), b = MediaRequirement()
        a.audioCodecs = ["aac", "mp3"]; b.audioCodecs = ["MP3", "opus"]
        a.maxDuration = 10; b.maxDuration = 8
        a.minFPS = 24; b.minFPS = 30
        a.maxFileSize = ByteCount(100); b.maxFileSize = ByteCount(50)
        a.maxTotalDuration = 20; b.maxTotalDuration = 15
        let (c, conflicts) = Intersection.combine([.init(name: "A", requirement: a), .init(name: "B", requirement: b)])
        #expect(conflicts.isEmpty)
        #expect(c?.audioCodecs == ["mp3"])
        #expect(c?.maxDuration == 8 && c?.minFPS == 30 && c?.maxFileSize == ByteCount(50) && c?.maxTotalDuration == 15)
        b.audioCodecs = ["opus"]
        b.minDuration = 12
        let (none, clash) = Intersection.combine([.init(name: "A", requirement: a), .init(name: "B", requirement: b)])
        #expect(none == nil)
        #expect(clash.contains { $0.contains("no audio codec suits all") })
        #expect(clash.contains { $0 == "B needs a duration of at least 12 s; B takes at most 8 s" })
    }
}
