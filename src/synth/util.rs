//! Small helpers: seeded RNG streams, normal draws, ID permutations, dates.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(super) type SynthRng = ChaCha8Rng;

/// Independent RNG streams, so that a change in one table does not shift another's draws.
pub(super) mod stream {
    pub(crate) const PLAN: u64 = 1;
    pub(crate) const STUDENTS: u64 = 2;
    pub(crate) const FAMILIES: u64 = 3;
    pub(crate) const SCORES: u64 = 4;
    pub(crate) const OWNERS: u64 = 5;
    pub(crate) const IDS: u64 = 6;
    pub(crate) const TRACKS: u64 = 7;
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A ChaCha RNG for (seed, stream, index): the same triple always gives the same draws,
/// whatever the number of threads.
pub(super) fn rng_for(seed: u64, stream: u64, index: u64) -> SynthRng {
    let k = splitmix(splitmix(splitmix(seed) ^ stream.wrapping_mul(0xA24B_AED4_963E_E407)) ^ index);
    ChaCha8Rng::seed_from_u64(k)
}

/// Standard normal draw (Box–Muller).
pub(super) fn normal(rng: &mut SynthRng) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(1e-12);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Index drawn with the given (unnormalised) weights.
pub(super) fn weighted(rng: &mut SynthRng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, &wi) in w.iter().enumerate() {
        if x < wi {
            return i;
        }
        x -= wi;
    }
    w.len() - 1
}

pub(super) fn pick<T: Copy>(rng: &mut SynthRng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// A bijection of 0..m (x ↦ a·x + b mod m with gcd(a, m) = 1): distinct counters give distinct,
/// random-looking numbers.
#[derive(Clone, Copy, Debug)]
pub(super) struct Perm {
    a: u64,
    b: u64,
    m: u64,
}

impl Perm {
    pub(super) fn new(rng: &mut SynthRng, m: u64) -> Perm {
        let mut a = rng.gen_range(m / 3..m - m / 3) | 1;
        while gcd(a, m) != 1 {
            a += 2;
        }
        Perm {
            a,
            b: rng.gen_range(0..m),
            m,
        }
    }
    pub(super) fn apply(&self, x: u64) -> u64 {
        debug_assert!(x < self.m);
        (self.a * x + self.b) % self.m
    }
}

/// Israeli ID numbers of the nation. Students get bodies 30,000,000–39,999,999 (IDs starting
/// with 3), adults 0–29,999,999; both through a permutation, so they are unique.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ids {
    student: Perm,
    adult: Perm,
}

pub(super) const MAX_STUDENTS: u64 = 10_000_000;
pub(super) const MAX_ADULTS: u64 = 30_000_000;

impl Ids {
    pub(super) fn new(seed: u64) -> Ids {
        let mut rng = rng_for(seed, stream::IDS, 0);
        Ids {
            student: Perm::new(&mut rng, MAX_STUDENTS),
            adult: Perm::new(&mut rng, MAX_ADULTS),
        }
    }
    pub(super) fn student(&self, counter: u32) -> String {
        crate::rules::israeli_id::with_check_digit(
            (30_000_000 + self.student.apply(u64::from(counter))) as u32,
        )
    }
    pub(super) fn adult(&self, counter: u32) -> String {
        crate::rules::israeli_id::with_check_digit(self.adult.apply(u64::from(counter)) as u32)
    }
}

/// Days since 1970-01-01 (the physical value of a Polars `Date`).
pub(super) fn days(y: i32, m: u32, d: u32) -> i32 {
    let date = NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}
