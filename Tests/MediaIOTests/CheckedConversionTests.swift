import Testing
import MediaIO

/// The checked Double -> integer conversions every outside number goes through: nil (or a clamp)
/// where `Int(_:)` would trap, the exact value everywhere else.
@Suite struct CheckedConversionTests {
    static let hostile: [Double] = [.nan, -.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                    1e300, -1e300, 9.3e18, -9.3e18, 9_223_372_036_854_775_808.0]

    @Test func refusesWhatNoIntHolds() {
        for value in Self.hostile {
            #expect(Int(rounding: value) == nil, "\(value)")
            #expect(Int64(rounding: value) == nil, "\(value)")
        }
        for value in [2_147_483_648.0, -2_147_483_649.0, 1e10, .nan, .infinity] {
            #expect(Int32(rounding: value) == nil, "\(value)")
        }
    }

    @Test func keepsEveryOrdinaryValue() {
        // Every whole number and half in a wide band, and the edges of the types.
        for n in stride(from: -5000.0, through: 5000.0, by: 0.5) {
            #expect(Int(rounding: n) == Int(n.rounded()))
            #expect(Int(rounding: n, .down) == Int(n.rounded(.down)))
            #expect(Int(rounding: n, .up) == Int(n.rounded(.up)))
        }
        #expect(Int32(rounding: 2_147_483_647.0) == .max)
        #expect(Int32(rounding: -2_147_483_648.0) == .min)
        #expect(Int(rounding: 9_223_372_036_854_774_784.0) == 9_223_372_036_854_774_784)
    }

    @Test func clampsForDisplay() {
        #expect(Int(clampingRounded: .nan) == 0)
        #expect(Int(clampingRounded: .infinity) == .max)
        #expect(Int(clampingRounded: -.infinity) == .min)
        #expect(Int32(clampingRounded: 1e12) == .max)
        #expect(Int64(clampingRounded: -1e300) == .min)
        for n in stride(from: -100.0, through: 100.0, by: 0.25) { #expect(Int(clampingRounded: n) == Int(n.rounded())) }
    }
}
