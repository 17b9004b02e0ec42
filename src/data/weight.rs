//! Survey weights as count tables store them: scaled by a power of two so that their
//! sums and sums of squares neither overflow nor underflow.
//!
//! Every weighted quantity invitestat reports (shares, standard errors, design effects,
//! tests) is unchanged when all weights are multiplied by one constant, but the sums of
//! squared weights behind them overflow at weights near `1e155` and underflow below
//! `1e-155`. A file's weights are therefore divided by the power of two nearest below
//! its first non-zero weight (exact in binary floating point: weights near 1 are left
//! bit for bit as they are), so weights of `1e300` or `1e-310` give the same shares as
//! weights near 1. Weights more than [`MAX_SPREAD_LOG2`] binary orders of magnitude
//! (about `1e120`) away from the first one are refused: their squares could not be
//! summed.

/// How far (as a power of two) a weight may be from the first non-zero weight of its
/// file: `2^400` is about `2.6e120`. Squares then stay within `2^800`, and their sum
/// over any number of rows a `u64` can count stays finite.
pub const MAX_SPREAD_LOG2: i32 = 400;

/// The power of two `2^exponent` that stored weights are multiplied by to give the
/// weights as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WeightScale {
    /// Stored weight = weight as read * 2^-exponent.
    pub exponent: i32,
}

/// A weight too far from the first non-zero weight of its file.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error(
    "it is more than 2^{MAX_SPREAD_LOG2} (about 1e120) times larger or smaller than the first non-zero weight, {first:e}; sums of squared weights this far apart cannot be computed"
)]
pub struct OutOfRange {
    /// The first non-zero weight.
    pub first: f64,
}

/// The binary exponent `e` with `2^e <= x < 2^(e + 1)`, for positive finite `x`
/// (subnormal numbers included).
pub fn binary_exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: the value is mantissa * 2^-1074.
        let mantissa = bits & ((1u64 << 52) - 1);
        63 - mantissa.leading_zeros() as i32 - 1074
    } else {
        biased - 1023
    }
}

/// `x * 2^n`, exact unless the result overflows or falls below the normal range.
pub fn times_power_of_two(x: f64, n: i32) -> f64 {
    if n > 2046 {
        return x * f64::INFINITY;
    }
    if n < -2044 {
        return x * 0.0;
    }
    // Two steps, so that neither factor overflows (2^-1074 .. 2^1023 needs up to 2^1074).
    let half = n / 2;
    let factor = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    x * factor(half) * factor(n - half)
}

impl WeightScale {
    /// The scale set by the first non-zero weight of a file.
    pub fn from_first(weight: f64) -> Self {
        WeightScale { exponent: binary_exponent(weight) }
    }

    /// A weight as stored: `weight * 2^-exponent`.
    ///
    /// # Errors
    /// [`OutOfRange`] when the stored weight would be beyond `2^±MAX_SPREAD_LOG2`.
    pub fn store(self, weight: f64) -> Result<f64, OutOfRange> {
        if weight == 0.0 {
            return Ok(0.0);
        }
        let e = binary_exponent(weight) - self.exponent;
        if e.abs() > MAX_SPREAD_LOG2 {
            return Err(OutOfRange { first: times_power_of_two(1.0, self.exponent) });
        }
        Ok(times_power_of_two(weight, -self.exponent))
    }

    /// A sum stored under `self` re-expressed under `to` (`power` 1 for sums of
    /// weights, 2 for sums of squared weights); `None` if it would overflow or lose a
    /// non-zero value.
    pub fn convert(self, value: f64, to: WeightScale, power: i32) -> Option<f64> {
        let shift = (self.exponent - to.exponent).checked_mul(power)?;
        let v = if value == 0.0 { 0.0 } else { times_power_of_two(value, shift) };
        (v.is_finite() && (value == 0.0 || v.is_normal())).then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_and_exact_scaling() {
        assert_eq!(binary_exponent(1.0), 0);
        assert_eq!(binary_exponent(1.5), 0);
        assert_eq!(binary_exponent(0.75), -1);
        assert_eq!(binary_exponent(f64::MIN_POSITIVE), -1022);
        assert_eq!(binary_exponent(5e-324), -1074);
        assert_eq!(binary_exponent(1e-310), -1030);
        assert_eq!(times_power_of_two(3.0, 10), 3072.0);
        assert_eq!(times_power_of_two(5e-324, 1074), 1.0);
        // Weights near 1 are stored unchanged.
        let s = WeightScale::from_first(1.3);
        assert_eq!(s.store(0.4).unwrap(), 0.4);
        assert_eq!(s.store(0.0).unwrap(), 0.0);
        // Huge and tiny weights come out near 1, with their ratios exact.
        let s = WeightScale::from_first(1e300);
        let (a, b) = (s.store(1e300).unwrap(), s.store(3e300).unwrap());
        assert!((1.0..2.0).contains(&a));
        assert_eq!(b / a, 3e300 / 1e300);
        let s = WeightScale::from_first(1e-310);
        assert!((1.0..2.0).contains(&s.store(1e-310).unwrap()));
        assert!(WeightScale::from_first(1.0).store(1e308).is_err());
        assert!(WeightScale::from_first(1.0).store(1e100).is_ok());
        // Converting between scales.
        let (a, b) = (WeightScale { exponent: 3 }, WeightScale { exponent: 1 });
        assert_eq!(a.convert(1.0, b, 1), Some(4.0));
        assert_eq!(a.convert(1.0, b, 2), Some(16.0));
        assert_eq!(
            WeightScale { exponent: 0 }.convert(1.0, WeightScale { exponent: 1100 }, 1),
            None
        );
    }
}
