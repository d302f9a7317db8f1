//! Weekly hours, exact: every comparison and sum of the job is on [`Ratio`]s (special-ed-baskets.md
//! "Conventions": hours are exact decimals, never binary floats), and an hour is shown as its
//! exact decimal (`1.25 × 4.3 = 5.375`).
use crate::rules::fraction::Ratio;

/// The exact decimal text of `r` when it has one (a denominator of 2s and 5s, as every value of
/// the job has: inputs have at most 2 decimals and the rates are decimals), else `num/den`.
pub fn show(r: Ratio) -> String {
    let (num, den) = (r.num(), r.den());
    let mut rest = den;
    let (mut twos, mut fives) = (0u32, 0u32);
    while rest % 2 == 0 {
        rest /= 2;
        twos += 1;
    }
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    if rest != 1 {
        return r.to_string();
    }
    let places = twos.max(fives);
    let Some(scaled) = 10i128
        .checked_pow(places)
        .and_then(|p| num.checked_mul(p / den))
    else {
        return r.to_string();
    };
    if places == 0 {
        return scaled.to_string();
    }
    let sign = if scaled < 0 { "-" } else { "" };
    let digits = format!(
        "{:0>width$}",
        scaled.unsigned_abs(),
        width = places as usize + 1
    );
    let (int, frac) = digits.split_at(digits.len() - places as usize);
    format!("{sign}{int}.{frac}")
}

/// The nearest double, for an output column of hours: the shortest decimal that reads back as
/// it is the exact value (every value has far fewer than 15 significant digits), so the CSV
/// shows `5.375` and Parquet holds the double a reader of `5.375` gets.
pub fn to_f64(r: Ratio) -> f64 {
    r.to_f64()
}

/// Weekly hours read from a decimal column: exact, with at most 2 decimals (the shortest
/// decimal that round-trips to `x`, as [`Ratio::from_f64_decimal`] reads it).
///
/// Below a billion hours this needs no text: x has such a decimal n/100 exactly when x is the
/// double nearest to n/100 for the integer n nearest to 100·x (IEEE division of two exact
/// integers rounds to the nearest double, and decimals of 2 places lie 0.01 apart, much
/// farther than doubles there, so no other decimal of at most 2 places rounds to x).
pub fn read(x: f64) -> Option<Ratio> {
    if x.is_finite() && x.abs() < 1e9 {
        let n = (x * 100.0).round();
        return (n / 100.0 == x).then(|| Ratio::new(n as i128, 100));
    }
    let r = Ratio::from_f64_decimal(x).ok()?;
    // A value too large for exact hundredths (beyond ~10^36) is no number of hours either.
    (r.checked_mul(Ratio::from_int(100))?.is_integer()).then_some(r)
}

/// Whether `x` is beyond the exact hundredths [`read`] takes (so it is refused for its size,
/// not its decimals).
pub fn too_large(x: f64) -> bool {
    Ratio::from_f64_decimal(x).map_or(true, |r| r.checked_mul(Ratio::from_int(100)).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_show_as_exact_decimals() {
        assert_eq!(show(Ratio::new(5375, 1000)), "5.375");
        assert_eq!(show(Ratio::from_int(43)), "43");
        assert_eq!(show(Ratio::new(-1, 10)), "-0.1");
        assert_eq!(show(Ratio::new(7998, 1000)), "7.998");
        assert_eq!(show(Ratio::new(1, 3)), "1/3");
        assert_eq!(to_f64(Ratio::new(5375, 1000)).to_string(), "5.375");
    }

    #[test]
    fn hours_have_at_most_two_decimals() {
        assert_eq!(read(1.87), Some(Ratio::new(187, 100)));
        assert_eq!(read(10.0), Some(Ratio::from_int(10)));
        assert_eq!(read(0.25), Some(Ratio::new(1, 4)));
        assert_eq!(read(1.875), None);
        assert_eq!(read(0.001), None);
        assert_eq!(read(-0.5), Some(Ratio::new(-1, 2)));
        assert_eq!(read(0.1 + 0.2), None, "0.30000000000000004 has 17 decimals");
        assert_eq!(read(f64::NAN), None);
        assert_eq!(read(1e12 + 0.5), Some(Ratio::new(2_000_000_000_001, 2)));
        // Beyond exact hundredths in i128: not hours, and no panic (a reject, not a crash).
        assert_eq!(read(1e37), None);
        assert_eq!(read(-1e300), None);
        assert!(too_large(1e37) && !too_large(1e12 + 0.125) && !too_large(1.875));
    }

    /// The exact read of the text of `x`'s shortest decimal, as before the fast path.
    fn read_by_text(x: f64) -> Option<Ratio> {
        let r = Ratio::from_f64_decimal(x).ok()?;
        (r.checked_mul(Ratio::from_int(100))?.is_integer()).then_some(r)
    }

    proptest::proptest! {
        /// The fast path agrees with reading the shortest decimal's text: on every value of
        /// at most 2 decimals (and its neighbouring doubles), and on any double.
        #[test]
        fn hours_agree_with_the_shortest_decimal(
            n in -100_000_000_000i64..100_000_000_000,
            ulps in -2i64..=2,
            bits in proptest::num::u64::ANY,
        ) {
            let x = n as f64 / 100.0;
            let near = f64::from_bits((x.to_bits() as i64 + ulps) as u64);
            for v in [x, near, f64::from_bits(bits), f64::from_bits(bits) / 1e300] {
                proptest::prop_assert_eq!(read(v), read_by_text(v), "{}", v);
            }
        }
    }
}
