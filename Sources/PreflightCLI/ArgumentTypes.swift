import ArgumentParser
import Foundation
import MediaAdapt
import MediaProbe
import ModelCatalog

// Numbers and names from the command line, checked where they are parsed: a value that is not one
// of these is a usage error (64) naming the option, never a trap further in (`Int(.infinity)`) nor a
// silent clamp (`--from=-5` read as 0).

/// A number as people write one: digits with at most one point ("12", "2.5", ".5"). Swift's
/// `Double("0x10")` is 16 and `Double("1e3")` 1000: a flag value is never read that way.
func decimalNumber(_ text: String) -> Double? {
    guard text.range(of: #"^\+?([0-9]+\.?[0-9]*|\.[0-9]+)$"#, options: .regularExpression) != nil else { return nil }
    return Double(text)
}

/// An amount of US dollars: decimal, finite, 0 or more (`--max-cost`).
struct Money: ExpressibleByArgument, Sendable, Equatable {
    let value: Double

    init?(argument: String) {
        guard let value = decimalNumber(argument), value.isFinite, value >= 0 else { return nil }
        self.value = value
    }
}

/// A number of seconds: finite, not negative, at most `Seconds.limit` (116 days: no real clip or
/// wait is longer, and larger values overflow the nanosecond clocks below).
struct Seconds: ExpressibleByArgument, Sendable, Equatable {
    static let limit = 10_000_000.0
    let value: Double

    init(_ value: Double) { self.value = value }

    init?(argument: String) {
        guard let value = decimalNumber(argument), value.isFinite, value >= 0, value <= Self.limit else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { String(format: "%g", value) }
}

/// How many things run at once: a whole number from 1 to 1024.
struct Count: ExpressibleByArgument, Sendable, Equatable {
    static let limit = 1024
    let value: Int

    init(_ value: Int) { self.value = min(max(value, 1), Self.limit) }

    init?(argument: String) {
        guard let value = Int(argument), (1...Self.limit).contains(value) else { return nil }
        self.value = value
    }

    static var processors: Count { Count(ProcessInfo.processInfo.activeProcessorCount) }

    /// Shown by --help as "(default: 2, the number of cores)", once.
    var defaultValueDescription: String { self == .processors ? "\(value), the number of cores" : String(value) }
}

/// libx264's constant rate factor: 0 (lossless) to 51.
struct ConstantRateFactor: ExpressibleByArgument, Sendable, Equatable {
    let value: Double

    init(_ value: Double) { self.value = value }

    init?(argument: String) {
        guard let value = Double(argument), value.isFinite, (0...51).contains(value) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { String(format: "%g", value) }
}

enum X264Preset: String, CaseIterable, ExpressibleByArgument, Sendable {
    case ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow
}

enum PadColor: String, CaseIterable, ExpressibleByArgument, Sendable {
    case black, white, gray, grey

    static var allValueStrings: [String] { ["black", "white", "gray"] }

    /// Y, U, V in limited range.
    var yuv: [UInt8] {
        switch self {
        case .black: [16, 128, 128]
        case .white: [235, 128, 128]
        case .gray, .grey: [126, 128, 128]
        }
    }
}

extension Fit: ExpressibleByArgument {}
extension MediaPolicy.TrimAnchor: ExpressibleByArgument {}

/// How much of a file's frames `prepare` and `submit` decode before anything is planned or paid
/// for (`--health`): every frame, a few seconds at several points, or none.
enum HealthMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case full, sample, off

    var scope: DecodeHealth.Scope? {
        switch self {
        case .full: .full
        case .sample: .sample
        case .off: nil
        }
    }
}

/// Shell completion of `--model`: the bundled catalog's ids that start with what was typed.
enum ModelCompletion {
    static let kind = CompletionKind.custom { _, _, prefix in
        ((try? Catalog.bundled())?.models.keys.sorted() ?? []).filter { $0.hasPrefix(prefix) }
    }
}
