/// `Int(someDouble)` traps on NaN, infinities and values beyond the type's range, and a hostile file
/// or a user's flag can supply any of them (a pixel aspect of 1:2147483647, `--timeout 1e300`). Every
/// Double from outside becomes an integer through these, and the caller decides what nil means.
extension FixedWidthInteger {
    /// `value` rounded by `rule`, or nil when it is NaN, infinite or out of this type's range.
    @inlinable
    public init?(rounding value: Double, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
        guard value.isFinite else { return nil }
        self.init(exactly: value.rounded(rule))
    }

    /// `value` rounded and held to this type's range: for counts and figures shown to a person,
    /// where a clamped number is better than none. NaN gives 0.
    @inlinable
    public init(clampingRounded value: Double, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
        if value.isNaN { self = 0; return }
        let r = value.rounded(rule)
        if r >= Double(Self.max) { self = .max; return }
        if r <= Double(Self.min) { self = .min; return }
        self.init(r)
    }
}
