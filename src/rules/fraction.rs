//! Exact rational arithmetic for decisions at thresholds.
//!
//! spec/README.md, "Exact" decisions: every threshold that decides a person's outcome is
//! computed in exact integer or rational arithmetic, never by comparing rounded floats.
//! `Ratio` is always reduced with a positive denominator, so derived `Eq`/`Hash` compare by
//! value; `Ord` is exact and cannot overflow. Arithmetic panics on `i128` overflow (values in
//! this project are percentiles and shares, many orders of magnitude below the limit).

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// An exact rational number `num / den`, reduced, with `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

/// Why a decimal text or float is not an exact `Ratio`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseRatioError {
    pub input: String,
    pub message: &'static str,
}

impl fmt::Display for ParseRatioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a decimal number: {}",
            self.input, self.message
        )
    }
}

impl std::error::Error for ParseRatioError {}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// The four values as i64 when each is at most 2^62 in magnitude (so that no quotient or
/// sign change of them overflows i64).
fn narrow(v: [i128; 4]) -> Option<[i64; 4]> {
    const SMALL: i128 = 1 << 62;
    v.iter()
        .all(|x| (-SMALL..SMALL).contains(x))
        .then(|| v.map(|x| x as i64))
}

fn gcd64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn overflow() -> ! {
    panic!("exact fraction arithmetic overflowed i128")
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`, reduced. Panics when `den == 0` (see [`Ratio::checked_new`]).
    pub fn new(num: i128, den: i128) -> Ratio {
        Ratio::checked_new(num, den).expect("Ratio with a zero denominator")
    }

    /// `num / den`, reduced; `None` when `den == 0`.
    pub fn checked_new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        // Percentiles and shares are small: reduced in 64-bit arithmetic (i128 division is
        // a slow library call), with the same result.
        const SMALL: i128 = 1 << 62;
        if (-SMALL..SMALL).contains(&num) && (-SMALL..SMALL).contains(&den) {
            let (n, d) = (num as i64, den as i64);
            let (mut a, mut b) = (n.unsigned_abs(), d.unsigned_abs());
            while b != 0 {
                (a, b) = (b, a % b);
            }
            let g = a as i64;
            let (n, d) = if d < 0 {
                (-n / g, -d / g)
            } else {
                (n / g, d / g)
            };
            return Some(Ratio {
                num: i128::from(n),
                den: i128::from(d),
            });
        }
        Some(Ratio::reduce_wide(num, den))
    }

    /// `num / den` (`den != 0`) reduced in i128 arithmetic.
    fn reduce_wide(num: i128, den: i128) -> Ratio {
        let g = gcd(num, den);
        let (mut n, mut d) = (num / g, den / g);
        if d < 0 {
            n = n.checked_neg().unwrap_or_else(|| overflow());
            d = d.checked_neg().unwrap_or_else(|| overflow());
        }
        Ratio { num: n, den: d }
    }

    pub fn from_int(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// Numerator of the reduced fraction (carries the sign).
    pub fn num(&self) -> i128 {
        self.num
    }

    /// Denominator of the reduced fraction (always > 0).
    pub fn den(&self) -> i128 {
        self.den
    }

    pub fn is_integer(&self) -> bool {
        self.den == 1
    }

    /// Largest integer ≤ self.
    pub fn floor(&self) -> i128 {
        self.num.div_euclid(self.den)
    }

    /// Smallest integer ≥ self.
    pub fn ceil(&self) -> i128 {
        let q = self.num.div_euclid(self.den);
        if self.num.rem_euclid(self.den) == 0 {
            q
        } else {
            q + 1
        }
    }

    /// For reading only (display columns); never compare the result at a threshold.
    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Parses a plain decimal exactly: `"97"`, `"96.5"`, `"0.15"`, `"-1.25"`, `".5"`, `"1e-3"`.
    /// Surrounding ASCII whitespace is ignored; anything else that is not a number is an error.
    pub fn parse_decimal(text: &str) -> Result<Ratio, ParseRatioError> {
        let err = |message| ParseRatioError {
            input: text.to_string(),
            message,
        };
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => {
                let e = &s[i + 1..];
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err("malformed exponent"));
                }
                let exp: i32 = e.parse().map_err(|_| err("exponent out of range"))?;
                (&s[..i], exp)
            }
            None => (s, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((a, b)) => (a, b),
            None => (mantissa, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err("no digits"));
        }
        if !all_digits(int_part) || !all_digits(frac_part) {
            return Err(err(
                "only digits, one '.', a sign and an exponent are allowed",
            ));
        }
        let mut num: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            num = num
                .checked_mul(10)
                .and_then(|n| n.checked_add(i128::from(b - b'0')))
                .ok_or_else(|| err("too many digits"))?;
        }
        let scale = exponent - frac_part.len() as i32;
        let pow = |k: i32| -> Result<i128, ParseRatioError> {
            u32::try_from(k)
                .ok()
                .and_then(|k| 10i128.checked_pow(k))
                .ok_or_else(|| err("too large or too precise"))
        };
        let (num, den) = if scale >= 0 {
            let n = num
                .checked_mul(pow(scale)?)
                .ok_or_else(|| err("too large"))?;
            (n, 1)
        } else {
            (num, pow(-scale)?)
        };
        Ok(Ratio::new(if negative { -num } else { num }, den))
    }

    /// Parses a decimal as a person writes a regulation parameter: digits with at most one
    /// `.` and at most `max_decimals` digits after it, no exponent (`92.5`, `0.15`, `-1`).
    /// A parameter written `9.25e1` or `0.1234567` (with 6 allowed) is refused rather than
    /// read as a value nobody meant to write.
    pub fn parse_plain_decimal(text: &str, max_decimals: usize) -> Result<Ratio, ParseRatioError> {
        let err = |message| ParseRatioError {
            input: text.to_string(),
            message,
        };
        if text.contains(['e', 'E']) {
            return Err(err("it has an exponent; write it as a plain decimal"));
        }
        let decimals = text.trim().split_once('.').map_or(0, |(_, f)| f.len());
        if decimals > max_decimals {
            return Err(err("it has more decimals than a parameter may have"));
        }
        Ratio::parse_decimal(text)
    }

    /// The exact value of the shortest decimal that round-trips to `x` (Rust's `Display` of
    /// f64), so a TOML `0.15` becomes exactly 15/100, not the binary double nearest to it.
    pub fn from_f64_decimal(x: f64) -> Result<Ratio, ParseRatioError> {
        if !x.is_finite() {
            return Err(ParseRatioError {
                input: format!("{x}"),
                message: "not a finite number",
            });
        }
        Ratio::parse_decimal(&format!("{x}"))
    }

    pub fn checked_add(self, o: Ratio) -> Option<Ratio> {
        if let Some([n1, d1, n2, d2]) = narrow([self.num, self.den, o.num, o.den]) {
            // The same steps in 64-bit division (i128 division is a slow library call); the
            // products of 64-bit values cannot overflow i128.
            let g = gcd64(d1.unsigned_abs(), d2.unsigned_abs()) as i64;
            let (a, b) = (d1 / g, d2 / g);
            let num = i128::from(n1) * i128::from(b) + i128::from(n2) * i128::from(a);
            return Ratio::checked_new(num, i128::from(d1) * i128::from(b));
        }
        self.add_wide(o)
    }

    /// [`Ratio::checked_add`] in i128 arithmetic.
    fn add_wide(self, o: Ratio) -> Option<Ratio> {
        let g = gcd(self.den, o.den);
        let (a, b) = (self.den / g, o.den / g);
        let num = self
            .num
            .checked_mul(b)?
            .checked_add(o.num.checked_mul(a)?)?;
        Ratio::checked_new(num, self.den.checked_mul(b)?)
    }

    pub fn checked_mul(self, o: Ratio) -> Option<Ratio> {
        if let Some([n1, d1, n2, d2]) = narrow([self.num, self.den, o.num, o.den]) {
            // As `checked_add`: 64-bit division, products in i128.
            let g1 = (gcd64(n1.unsigned_abs(), d2.unsigned_abs()) as i64).max(1);
            let g2 = (gcd64(n2.unsigned_abs(), d1.unsigned_abs()) as i64).max(1);
            let num = i128::from(n1 / g1) * i128::from(n2 / g2);
            return Ratio::checked_new(num, i128::from(d1 / g2) * i128::from(d2 / g1));
        }
        self.mul_wide(o)
    }

    /// [`Ratio::checked_mul`] in i128 arithmetic.
    fn mul_wide(self, o: Ratio) -> Option<Ratio> {
        let g1 = gcd(self.num, o.den).max(1);
        let g2 = gcd(o.num, self.den).max(1);
        let num = (self.num / g1).checked_mul(o.num / g2)?;
        let den = (self.den / g2).checked_mul(o.den / g1)?;
        Ratio::checked_new(num, den)
    }

    /// `None` on division by zero or overflow.
    pub fn checked_div(self, o: Ratio) -> Option<Ratio> {
        if o.num == 0 {
            return None;
        }
        self.checked_mul(Ratio::checked_new(o.den, o.num)?)
    }
}

impl From<i64> for Ratio {
    fn from(n: i64) -> Ratio {
        Ratio::from_int(i128::from(n))
    }
}

/// Exact comparison of a/b with c/d (b, d > 0) without overflow: compares integer parts, then
/// the reciprocals of the remainders (continued-fraction expansion).
fn cmp_fractions(mut a: i128, mut b: i128, mut c: i128, mut d: i128) -> Ordering {
    let mut flipped = false;
    loop {
        let (qa, ra) = (a.div_euclid(b), a.rem_euclid(b));
        let (qc, rc) = (c.div_euclid(d), c.rem_euclid(d));
        let ord = match qa.cmp(&qc) {
            Ordering::Equal => match (ra == 0, rc == 0) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => {
                    // ra/b vs rc/d  <=>  d/rc vs b/ra (reciprocals reverse the order).
                    (a, b, c, d) = (b, ra, d, rc);
                    flipped = !flipped;
                    continue;
                }
            },
            o => o,
        };
        return if flipped { ord.reverse() } else { ord };
    }
}

impl Ord for Ratio {
    fn cmp(&self, o: &Ratio) -> Ordering {
        cmp_fractions(self.num, self.den, o.num, o.den)
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, o: &Ratio) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Add for Ratio {
    type Output = Ratio;
    fn add(self, o: Ratio) -> Ratio {
        self.checked_add(o).unwrap_or_else(|| overflow())
    }
}

impl Neg for Ratio {
    type Output = Ratio;
    fn neg(self) -> Ratio {
        Ratio {
            num: self.num.checked_neg().unwrap_or_else(|| overflow()),
            den: self.den,
        }
    }
}

impl Sub for Ratio {
    type Output = Ratio;
    fn sub(self, o: Ratio) -> Ratio {
        self + (-o)
    }
}

impl Mul for Ratio {
    type Output = Ratio;
    fn mul(self, o: Ratio) -> Ratio {
        self.checked_mul(o).unwrap_or_else(|| overflow())
    }
}

impl Div for Ratio {
    type Output = Ratio;
    /// Panics on division by zero (see [`Ratio::checked_div`]).
    fn div(self, o: Ratio) -> Ratio {
        assert!(o.num != 0, "Ratio division by zero");
        self.checked_div(o).unwrap_or_else(|| overflow())
    }
}

impl std::iter::Sum for Ratio {
    fn sum<I: Iterator<Item = Ratio>>(iter: I) -> Ratio {
        iter.fold(Ratio::ZERO, |a, b| a + b)
    }
}

/// `7/2`, or `97` for integers.
impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The 64-bit reduction gives what the i128 one gives, signs and bounds included.
        #[test]
        fn small_reduction_is_the_wide_one(
            num in prop_oneof![-1000i128..1000, -(1i128 << 62)..(1i128 << 62), Just(-(1i128 << 62)), Just((1i128 << 62) - 1)],
            den in prop_oneof![-1000i128..1000, -(1i128 << 62)..(1i128 << 62), Just(-(1i128 << 62))],
        ) {
            prop_assume!(den != 0);
            prop_assert_eq!(Ratio::checked_new(num, den), Some(Ratio::reduce_wide(num, den)));
        }

        /// Sums and products of fractions of 64-bit terms, computed in 64-bit division, are
        /// those of the i128 arithmetic, up to the bounds of the fast path.
        #[test]
        fn small_sums_and_products_are_the_wide_ones(
            n1 in prop_oneof![-1000i128..1000, -(1i128 << 62)..(1i128 << 62), Just(-(1i128 << 62))],
            d1 in prop_oneof![1i128..1000, 1i128..(1i128 << 62), Just((1i128 << 62) - 1)],
            n2 in prop_oneof![-1000i128..1000, -(1i128 << 62)..(1i128 << 62), Just((1i128 << 62) - 1)],
            d2 in prop_oneof![1i128..1000, 1i128..(1i128 << 62)],
        ) {
            let (a, b) = (Ratio::new(n1, d1), Ratio::new(n2, d2));
            prop_assert_eq!(a.checked_add(b), a.add_wide(b));
            prop_assert_eq!(a.checked_mul(b), a.mul_wide(b));
            prop_assert_eq!(b.checked_mul(a), b.mul_wide(a));
        }
    }

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d)
    }

    #[test]
    fn fifteen_percent_of_twenty_is_exactly_three() {
        // Floats get such products wrong: 0.07 * 100.0 = 7.000000000000001, whose ceil is 8.
        assert_eq!((0.07f64 * 100.0).ceil(), 8.0);
        let seven = Ratio::from_f64_decimal(0.07).unwrap();
        assert_eq!((seven * Ratio::from_int(100)).ceil(), 7);
        let share = Ratio::from_f64_decimal(0.15).unwrap();
        assert_eq!(share, r(15, 100));
        assert_eq!((share * Ratio::from_int(20)).ceil(), 3);
        assert_eq!((share * Ratio::from_int(21)).ceil(), 4); // 3.15
        assert_eq!((share * Ratio::from_int(0)).ceil(), 0);
    }

    #[test]
    fn reduced_and_positive_denominator() {
        let x = r(10, -4);
        assert_eq!((x.num(), x.den()), (-5, 2));
        assert_eq!(r(0, -7), Ratio::ZERO);
        assert_eq!(r(6, 3), Ratio::from_int(2));
        assert!(Ratio::checked_new(1, 0).is_none());
    }

    #[test]
    fn floor_and_ceil_of_negatives() {
        assert_eq!(r(-5, 2).floor(), -3);
        assert_eq!(r(-5, 2).ceil(), -2);
        assert_eq!(r(5, 2).floor(), 2);
        assert_eq!(r(5, 2).ceil(), 3);
        assert_eq!(r(-4, 2).ceil(), -2);
        assert_eq!(r(-4, 2).floor(), -2);
    }

    #[test]
    fn parse_decimal_exactly() {
        assert_eq!(Ratio::parse_decimal("97").unwrap(), Ratio::from_int(97));
        assert_eq!(Ratio::parse_decimal("96.5").unwrap(), r(193, 2));
        assert_eq!(Ratio::parse_decimal("0.15").unwrap(), r(3, 20));
        assert_eq!(Ratio::parse_decimal("-1.25").unwrap(), r(-5, 4));
        assert_eq!(Ratio::parse_decimal("+.5").unwrap(), r(1, 2));
        assert_eq!(Ratio::parse_decimal("5.").unwrap(), Ratio::from_int(5));
        assert_eq!(Ratio::parse_decimal("1.5e2").unwrap(), Ratio::from_int(150));
        assert_eq!(Ratio::parse_decimal("15E-2").unwrap(), r(3, 20));
        assert_eq!(Ratio::parse_decimal(" 92 ").unwrap(), Ratio::from_int(92));
        for bad in [
            "", ".", "-", "abc", "1.2.3", "1,5", "9 7", "1e", "e5", "0x10", "NaN", "1e+",
        ] {
            assert!(Ratio::parse_decimal(bad).is_err(), "{bad:?} should fail");
        }
        assert!(Ratio::parse_decimal(&"9".repeat(60)).is_err());
    }

    #[test]
    fn plain_decimals_have_no_exponent_and_few_decimals() {
        assert_eq!(Ratio::parse_plain_decimal("92.5", 6).unwrap(), r(185, 2));
        assert_eq!(Ratio::parse_plain_decimal("0.15", 6).unwrap(), r(3, 20));
        assert_eq!(Ratio::parse_plain_decimal("100", 6).unwrap(), r(100, 1));
        assert_eq!(
            Ratio::parse_plain_decimal("0.000001", 6).unwrap(),
            r(1, 1_000_000)
        );
        assert!(Ratio::parse_plain_decimal("0.0000001", 6).is_err());
        for bad in ["9.25e1", "1E2", "abc", ""] {
            assert!(Ratio::parse_plain_decimal(bad, 6).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn from_f64_uses_the_shortest_decimal() {
        assert_eq!(Ratio::from_f64_decimal(0.1).unwrap(), r(1, 10));
        assert_eq!(Ratio::from_f64_decimal(97.0).unwrap(), Ratio::from_int(97));
        assert_eq!(Ratio::from_f64_decimal(96.99).unwrap(), r(9699, 100));
        assert_eq!(Ratio::from_f64_decimal(-0.5).unwrap(), r(-1, 2));
        assert!(Ratio::from_f64_decimal(f64::NAN).is_err());
        assert!(Ratio::from_f64_decimal(f64::INFINITY).is_err());
        assert!(Ratio::from_f64_decimal(1e300).is_err());
    }

    #[test]
    fn arithmetic() {
        assert_eq!(r(1, 3) + r(1, 6), r(1, 2));
        assert_eq!(r(1, 3) - r(1, 2), r(-1, 6));
        assert_eq!(r(2, 3) * r(9, 4), r(3, 2));
        assert_eq!(r(2, 3) / r(4, 9), r(3, 2));
        assert_eq!(r(1, 2).checked_div(Ratio::ZERO), None);
        let s: Ratio = [r(1, 2), r(1, 3), r(1, 6)].into_iter().sum();
        assert_eq!(s, Ratio::ONE);
        assert_eq!((r(1, 3) + r(1, 3) + r(1, 3)), Ratio::ONE); // 0.1+0.2 style bugs don't exist
        assert_eq!(r(7, 2).to_string(), "7/2");
        assert_eq!(r(-8, 2).to_string(), "-4");
        assert_eq!(r(1, 4).to_f64(), 0.25);
    }

    #[test]
    fn ordering_is_exact() {
        assert!(r(9699999, 100000) < Ratio::from_int(97));
        assert!(r(9700001, 100000) > Ratio::from_int(97));
        assert_eq!(
            r(9700000, 100000).cmp(&Ratio::from_int(97)),
            Ordering::Equal
        );
        assert!(r(-1, 2) < r(-1, 3));
        assert!(r(-1, 2) < Ratio::ZERO);
        // Cross-multiplication would overflow here; the continued-fraction compare does not.
        let big = i128::MAX / 3;
        assert!(r(big - 1, big) < r(big, big + 1));
        assert!(r(big, big - 1) > r(big + 1, big));
        let mut v = vec![r(1, 2), r(-3, 4), r(2, 3), Ratio::ZERO, r(1, 3)];
        v.sort();
        assert_eq!(v, vec![r(-3, 4), Ratio::ZERO, r(1, 3), r(1, 2), r(2, 3)]);
    }
}
