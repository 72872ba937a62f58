/// Instant arithmetic that cannot trap: codes carry any unsigned iat/exp up to 2^63−1 and a
/// caller may pass any verification time, so sums and differences saturate instead of overflowing.
extension Int64 {
    /// `self + other`, clamped to the Int64 range.
    package func saturatingAdding(_ other: Int64) -> Int64 {
        let (value, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : value
    }

    /// `self - other`, clamped to the Int64 range.
    package func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (value, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : value
    }
}
