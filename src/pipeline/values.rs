//! The value types of pipeline parameters that decide outcomes: percentiles and shares, kept as
//! exact fractions of their decimal text (`92.5` is exactly 185/2, `0.15` is 3/20; spec
//! README, "Exact" decisions). Each type checks itself as it is deserialized, so a settings
//! value that exists is a valid one; a refused value's message is the reason of an
//! [`Error::Config`](crate::error::Error::Config), which adds the key.
use crate::rules::fraction::Ratio;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Decimals a parameter may be written with: more is a typo, not a regulation's number.
pub const MAX_DECIMALS: usize = 6;

/// A TOML number as its exact decimal value. A float arrives as the nearest double; the
/// shortest decimal that reads back as that double is the text the file or `--set` wrote
/// (any decimal of up to 15 significant digits survives the round trip, and a parameter has
/// at most 3 + [`MAX_DECIMALS`]), so the value is exact. An exponent is refused earlier, where
/// the text is still at hand (`pipeline::source`).
pub(crate) fn decimal<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> Result<Ratio, D::Error> {
    struct DecimalVisitor(&'static str);
    impl DecimalVisitor {
        fn text<E: de::Error>(&self, text: &str) -> Result<Ratio, E> {
            Ratio::parse_plain_decimal(text, MAX_DECIMALS).map_err(|_| {
                E::custom(format!(
                    "must be {} with at most {MAX_DECIMALS} decimals",
                    self.0
                ))
            })
        }
    }
    impl Visitor<'_> for DecimalVisitor {
        type Value = Ratio;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Ratio, E> {
            Ok(Ratio::from(n))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Ratio, E> {
            self.text(&n.to_string())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Ratio, E> {
            Err(E::custom(format!("takes a decimal number: {}", self.0)))
        }
        fn visit_f64<E: de::Error>(self, x: f64) -> Result<Ratio, E> {
            if !x.is_finite() {
                return Err(E::custom(format!("must be {}, not {x}", self.0)));
            }
            // `Display` of f64 never uses an exponent: 1e-7 prints as 0.0000001.
            self.text(&x.to_string())
        }
    }
    d.deserialize_any(DecimalVisitor(expecting))
}

/// A percentile threshold (0207 §1.8, §1.10, §2.6.א): a number from 0 to 100 with at most
/// [`MAX_DECIMALS`] decimals, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percentile(Ratio);

impl Percentile {
    pub fn ratio(self) -> Ratio {
        self.0
    }
}

impl<'de> Deserialize<'de> for Percentile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const WHAT: &str = "a percentile from 0 to 100";
        let r = decimal(d, WHAT)?;
        if r < Ratio::ZERO || r > Ratio::from_int(100) {
            return Err(de::Error::custom(format!("must be {WHAT}")));
        }
        Ok(Percentile(r))
    }
}

/// A share (`referral_share`, `max_share_of_grade`, `max_reject_share`): a number from 0 to 1
/// with at most [`MAX_DECIMALS`] decimals, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Share(Ratio);

impl Share {
    pub fn ratio(self) -> Ratio {
        self.0
    }

    /// The nearest double, as the TOML file's number was read (division of two integers below
    /// 2⁵³ rounds correctly): for display only (the reject-share check compares exactly).
    pub fn to_f64(self) -> f64 {
        self.0.to_f64()
    }
}

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const WHAT: &str = "a share from 0 to 1";
        let r = decimal(d, WHAT)?;
        if r < Ratio::ZERO || r > Ratio::ONE {
            return Err(de::Error::custom(format!("must be {WHAT}")));
        }
        Ok(Share(r))
    }
}

/// Both are recorded in the manifest as the number the file wrote (a float, as before they
/// were exact), never compared in that form.
fn as_float<S: Serializer>(r: Ratio, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(r.to_f64())
}

impl Serialize for Percentile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_float(self.0, s)
    }
}

impl Serialize for Share {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        as_float(self.0, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: for<'de> Deserialize<'de>>(toml_value: &str) -> Result<T, String> {
        let t: toml::Table = toml::from_str(&format!("v = {toml_value}")).unwrap();
        T::deserialize(t["v"].clone()).map_err(|e| e.message().to_string())
    }

    #[test]
    fn percentiles_are_exact_and_bounded() {
        let p = |v| read::<Percentile>(v).map(Percentile::ratio);
        assert_eq!(p("92.5").unwrap(), Ratio::new(185, 2));
        assert_eq!(p("97").unwrap(), Ratio::from_int(97));
        assert_eq!(p("100").unwrap(), Ratio::from_int(100));
        assert_eq!(p("100.0").unwrap(), Ratio::from_int(100));
        assert_eq!(p("0").unwrap(), Ratio::ZERO);
        assert_eq!(p("96.000001").unwrap(), Ratio::new(96_000_001, 1_000_000));
        let e = p("100.0001").unwrap_err();
        assert!(e.contains("from 0 to 100"), "{e}");
        assert!(p("-1").is_err());
        let e = p("92.1234567").unwrap_err();
        assert!(e.contains("at most 6 decimals"), "{e}");
        assert!(p("\"92.5\"").is_err(), "text is not a number");
        assert!(p("inf").is_err());
    }

    #[test]
    fn shares_are_exact_and_bounded() {
        let s = |v| read::<Share>(v).map(Share::ratio);
        assert_eq!(s("0.15").unwrap(), Ratio::new(3, 20));
        assert_eq!(s("0").unwrap(), Ratio::ZERO);
        assert_eq!(s("1").unwrap(), Ratio::ONE);
        assert_eq!(s("1.0").unwrap(), Ratio::ONE);
        assert!(s("1.000001").unwrap_err().contains("from 0 to 1"));
        assert!(s("-0.1").is_err());
    }

    #[test]
    fn recorded_as_the_float_the_file_wrote() {
        let s: Share = read("0.15").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "0.15");
        let p: Percentile = read("97").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "97.0");
        assert_eq!(s.to_f64(), 0.15);
    }
}
