//! §3 "Totals": the entitlements counted and summed per implementation year and unit (an
//! institution, or the referral's authority), exactly; and the public table's suppression of
//! small counts, with a complementary cell so that no suppressed level can be recovered from
//! the others.
use super::entitlements::Entitlement;
use crate::rules::fraction::Ratio;
use foldhash::HashMap as FastMap;

/// One unit's entitlements of one implementation year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub implementation_year: i64,
    pub unit: String,
    pub n_students: i64,
    /// Students at levels 1–4, any setting.
    pub n_level: [i64; 4],
    pub n_integration: i64,
    pub basket_hours: Ratio,
    pub aide_hours_equivalent: Ratio,
    pub guidance_hours: Ratio,
}

/// An exact sum of hours, kept over one common denominator and reduced once at the end: the
/// hours of a year share a few denominators (hundredths, and thousandths once multiplied by a
/// rate of one decimal), so adding is a multiplication and an addition, not a gcd each time.
#[derive(Debug, Clone, Copy)]
struct Sum {
    num: i128,
    den: i128,
}

impl Sum {
    const ZERO: Sum = Sum { num: 0, den: 1 };

    fn add(&mut self, r: Ratio) {
        let (n, d) = (r.num(), r.den());
        if quot(self.den, d).1 != 0 {
            // A new denominator: the sum's becomes a common multiple of both.
            let wider = quot(d, gcd(self.den, d)).0;
            self.num = self.num.checked_mul(wider).unwrap_or_else(|| overflow());
            self.den = self.den.checked_mul(wider).unwrap_or_else(|| overflow());
        }
        let scale = if d == self.den {
            1
        } else {
            quot(self.den, d).0
        };
        self.num = (n.checked_mul(scale))
            .and_then(|n| n.checked_add(self.num))
            .unwrap_or_else(|| overflow());
    }

    fn value(self) -> Ratio {
        Ratio::new(self.num, self.den)
    }
}

/// As [`Ratio`]'s arithmetic does (hours are many orders of magnitude below the limit).
fn overflow() -> ! {
    panic!("exact fraction arithmetic overflowed i128")
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, quot(a, b).1);
    }
    a.abs()
}

/// a / b and a % b (b > 0), in 64-bit division when both fit (i128 division is a slow
/// library call, and denominators of hours are small).
fn quot(a: i128, b: i128) -> (i128, i128) {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) if y > 0 => (i128::from(x / y), i128::from(x % y)),
        _ => (a / b, a % b),
    }
}

/// One unit's running totals: its (implementation_year, unit), the counts (students, levels
/// 1–4, integrated) and the sums (basket, aide-hour equivalent, guidance).
type Group<'a> = ((i64, &'a str), [i64; 6], [Sum; 3]);

/// The totals per (implementation_year, unit), in that order, of the units with at least one
/// entitlement.
pub fn totals(entitlements: &[Entitlement], unit: impl Fn(&Entitlement) -> &str) -> Vec<Totals> {
    let mut at: FastMap<(i64, &str), usize> = FastMap::default();
    let mut rows: Vec<Group> = Vec::new();
    for e in entitlements {
        let key = (e.implementation_year, unit(e));
        let k = *at.entry(key).or_insert_with(|| {
            rows.push((key, [0; 6], [Sum::ZERO; 3]));
            rows.len() - 1
        });
        let (_, counts, sums) = &mut rows[k];
        counts[0] += 1;
        if (1..=4).contains(&e.functioning_level) {
            counts[usize::from(e.functioning_level)] += 1;
        }
        if e.setting.is_integration() {
            counts[5] += 1;
        }
        sums[0].add(e.basket_hours);
        sums[1].add(e.aide_hours_equivalent);
        sums[2].add(e.guidance_hours);
    }
    // (implementation_year, unit) is the key of `at`: no two rows are equal.
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter()
        .map(|((implementation_year, unit), c, s)| Totals {
            implementation_year,
            unit: unit.to_string(),
            n_students: c[0],
            n_level: [c[1], c[2], c[3], c[4]],
            n_integration: c[5],
            basket_hours: s[0].value(),
            aide_hours_equivalent: s[1].value(),
            guidance_hours: s[2].value(),
        })
        .collect()
}

/// A row of the public `totals`: a suppressed count (or guidance sum) is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub implementation_year: i64,
    pub unit: String,
    pub n_students: Option<i64>,
    pub n_level: [Option<i64>; 4],
    pub n_integration: Option<i64>,
    pub basket_hours: Ratio,
    pub aide_hours_equivalent: Ratio,
    pub guidance_hours: Option<Ratio>,
}

/// The public row of `t`: (1) every count below `min_cell`, 0 included, is empty; (2) the
/// levels add up to n_students, so when exactly one level is empty after (1), the smallest
/// other level is emptied too (ties: the lowest level); (3) guidance_hours is empty when
/// n_integration is (it is n_integration × the guidance hours).
pub fn suppress(t: &Totals, min_cell: i64) -> Published {
    let keep = |n: i64| (n >= min_cell).then_some(n);
    let mut n_level = t.n_level.map(keep);
    if n_level.iter().filter(|n| n.is_none()).count() == 1 {
        let smallest = (0..4)
            .filter(|&i| n_level[i].is_some())
            .min_by_key(|&i| (t.n_level[i], i));
        if let Some(i) = smallest {
            n_level[i] = None;
        }
    }
    let n_integration = keep(t.n_integration);
    Published {
        implementation_year: t.implementation_year,
        unit: t.unit.clone(),
        n_students: keep(t.n_students),
        n_level,
        n_integration,
        basket_hours: t.basket_hours,
        aide_hours_equivalent: t.aide_hours_equivalent,
        guidance_hours: n_integration.map(|_| t.guidance_hours),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(levels: [i64; 4], n_integration: i64) -> Totals {
        Totals {
            implementation_year: 2028,
            unit: "a".into(),
            n_students: levels.iter().sum(),
            n_level: levels,
            n_integration,
            basket_hours: Ratio::from_int(100),
            aide_hours_equivalent: Ratio::from_int(430),
            guidance_hours: Ratio::new(n_integration as i128, 2),
        }
    }

    #[test]
    fn one_small_level_is_suppressed_with_its_complement() {
        // The spec's example: levels 10/12/11/2 of 35 → level 4 (2 < 10) and, as its
        // complement, the smallest other level (level 1, 10) are empty.
        let p = suppress(&row([10, 12, 11, 2], 20), 10);
        assert_eq!(p.n_level, [None, Some(12), Some(11), None]);
        assert_eq!(p.n_students, Some(35));
        assert_eq!(p.guidance_hours, Some(Ratio::from_int(10)));
    }

    #[test]
    fn a_count_exactly_at_min_cell_is_published_and_one_below_is_not() {
        let p = suppress(&row([10, 10, 10, 10], 9), 10);
        assert_eq!(p.n_level, [Some(10); 4]);
        // 9 integrated: the count and the guidance hours (9 × 0.5) are empty; the basket
        // sums are not counts and stay.
        assert_eq!(p.n_integration, None);
        assert_eq!(p.guidance_hours, None);
        assert_eq!(p.basket_hours, Ratio::from_int(100));
    }

    #[test]
    fn complement_ties_take_the_lowest_level_and_zero_counts_are_small() {
        // Level 1 is 0 (below 10): levels 2 and 4 tie at 11, so level 2 is emptied.
        let p = suppress(&row([0, 11, 12, 11], 10), 10);
        assert_eq!(p.n_level, [None, None, Some(12), Some(11)]);
        // Two small levels already protect each other: nothing more is emptied.
        let p = suppress(&row([3, 4, 12, 11], 10), 10);
        assert_eq!(p.n_level, [None, None, Some(12), Some(11)]);
        assert_eq!(p.n_integration, Some(10));
    }

    #[test]
    fn sums_over_a_common_denominator_are_exact() {
        // 1.25 × 4.3 = 5.375 (thousandths), 0.5, 1/3 (not a decimal: the denominator grows),
        // 2.62 (hundredths): 5.375 + 0.5 + 1/3 + 2.62 = 8.828333… = 26485/3000.
        let mut s = Sum::ZERO;
        for r in [
            Ratio::new(125, 100) * Ratio::new(43, 10),
            Ratio::new(1, 2),
            Ratio::new(1, 3),
            Ratio::new(262, 100),
        ] {
            s.add(r);
        }
        assert_eq!(s.value(), Ratio::new(26485, 3000));
        // Negative parts and a sum back to a whole number reduce.
        let mut s = Sum::ZERO;
        s.add(Ratio::new(-1, 4));
        s.add(Ratio::new(5, 4));
        assert_eq!(s.value(), Ratio::ONE);
        assert_eq!(Sum::ZERO.value(), Ratio::ZERO);
    }

    #[test]
    fn a_small_unit_has_every_count_empty() {
        let p = suppress(&row([2, 3, 1, 0], 4), 10);
        assert_eq!(p.n_students, None);
        assert_eq!(p.n_level, [None; 4]);
    }
}
