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
}
