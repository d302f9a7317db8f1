//! The structure of the nation: authorities, institutions, classes (with their sizes) and gifted
//! tracks. Drawn sequentially from one RNG stream; cheap (tens of thousands of objects).

use rand::seq::SliceRandom;
use rand::Rng;

use super::names::{self, AR_REGION_W, AR_TOWN_REGION, HE_REGION_W, HE_TOWN_REGION};
use super::util::{normal, weighted, Perm, SynthRng};

/// The sector and supervision kinds of the data contract, as the jobs read them.
pub(super) use crate::jobs::gifted::participation::Supervision;
pub(super) use crate::jobs::gifted::Sector;

impl Sector {
    /// Grade that sits stage A (pipeline `tested_grades`).
    pub fn tested_grade(self) -> u8 {
        match self {
            Sector::Hebrew => 2,
            Sector::Arabic => 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    Elementary,
    Secondary,
    Both,
}

impl Stage {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Stage::Elementary => "elementary",
            Stage::Secondary => "secondary",
            Stage::Both => "both",
        }
    }
    pub(super) fn grades(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Stage::Elementary => 1..=6,
            Stage::Secondary => 7..=12,
            Stage::Both => 1..=12,
        }
    }
    pub(super) fn has_elementary(self) -> bool {
        self != Stage::Secondary
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ClassKind {
    Regular,
    SpecialEd,
    Gifted,
}

#[derive(Clone, Debug)]
pub(super) struct ClassPlan {
    pub grade: u8,
    pub no: u16,
    pub kind: ClassKind,
    pub size: u32,
}

#[derive(Clone, Debug)]
pub(super) struct Authority {
    pub id: String,
    pub sector: Sector,
    pub region: usize,
    /// Name in Hebrew script (owner names) and in the sector's script (postal addresses).
    pub name_he: String,
    pub city: String,
    pub zip_prefix: u32,
    pub students: f64,
    /// Rank by size within its sector (0 = largest).
    pub rank: usize,
    pub neighbours: Vec<u32>,
    /// Number of registration zones (0 = none; set when the authority has tracks in two schools).
    pub zones: u8,
}

#[derive(Clone, Debug)]
pub(super) struct Institution {
    pub id: String,
    pub name: String,
    pub authority: u32,
    pub sector: Sector,
    pub stage: Stage,
    pub supervision: Supervision,
    pub opt_in: bool,
    pub opt_out: bool,
    pub owner: u32,
    pub classes: Vec<ClassPlan>,
    /// Global counter of the institution's first student (students are numbered in order).
    pub first_student: u32,
    pub n_students: u32,
}

impl Institution {
    /// Takes part in identification (gifted.md §1).
    pub(super) fn participates(&self) -> bool {
        match self.supervision {
            Supervision::Official => !self.opt_out,
            Supervision::RecognizedUnofficial => self.opt_in,
            _ => false,
        }
    }
    pub(super) fn regular_in_grade(&self, g: u8) -> usize {
        self.classes
            .iter()
            .filter(|c| c.grade == g && c.kind == ClassKind::Regular)
            .count()
    }
    pub(super) fn class_id(&self, c: &ClassPlan) -> String {
        format!("{}-{}-{}", self.id, c.grade, c.no)
    }
}

#[derive(Clone, Debug)]
pub(super) struct Track {
    pub id: String,
    pub authority: u32,
    pub institution: u32,
    pub grade: u8,
    pub n_classes: u8,
    pub capacity: Option<i64>,
    pub first_year: i64,
    /// Registration zones served (1-based zone numbers of the authority), empty = all.
    pub zones: Vec<u8>,
    pub grade_class_count: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
}

impl Track {
    pub(super) fn zones_str(&self, auth: &Authority) -> Option<String> {
        if self.zones.is_empty() {
            return None;
        }
        let z: Vec<String> = self
            .zones
            .iter()
            .map(|z| format!("{}-Z{}", auth.id, z))
            .collect();
        Some(z.join(";"))
    }
}

pub(super) struct Structure {
    pub authorities: Vec<Authority>,
    pub institutions: Vec<Institution>,
    pub tracks: Vec<Track>,
}

fn scaled(national: f64, students: usize, min: usize, max: usize) -> usize {
    ((national * students as f64 / 2_400_000.0).round() as usize).clamp(min, max)
}

/// Zipf-like weights with a little jitter, largest first.
fn zipf(rng: &mut SynthRng, n: usize, s: f64) -> Vec<f64> {
    let mut w: Vec<f64> = (0..n)
        .map(|i| (i as f64 + 1.0).powf(-s) * (0.15 * normal(rng)).exp())
        .collect();
    w.sort_by(|a, b| b.total_cmp(a));
    w
}

pub(super) fn authorities(rng: &mut SynthRng, students: usize) -> Vec<Authority> {
    let n_auth = scaled(255.0, students, 10, 255);
    let n_ar = ((n_auth as f64 * 0.3).round() as usize).max(1);
    let n_he = n_auth - n_ar;
    let w_he = zipf(rng, n_he, 0.9);
    let w_ar = zipf(rng, n_ar, 0.7);
    let (s_he, s_ar) = (w_he.iter().sum::<f64>(), w_ar.iter().sum::<f64>());
    let mut slots: Vec<(Sector, usize)> = (0..n_he).map(|r| (Sector::Hebrew, r)).collect();
    slots.extend((0..n_ar).map(|r| (Sector::Arabic, r)));
    slots.shuffle(rng);
    let mut out = Vec::with_capacity(n_auth);
    for (i, &(sector, rank)) in slots.iter().enumerate() {
        let (name_he, city) = names::town_names(sector, rank);
        let share = match sector {
            Sector::Hebrew => 0.78 * w_he[rank] / s_he,
            Sector::Arabic => 0.22 * w_ar[rank] / s_ar,
        };
        let region = match sector {
            Sector::Hebrew if rank < HE_TOWN_REGION.len() => HE_TOWN_REGION[rank],
            Sector::Arabic if rank < AR_TOWN_REGION.len() => AR_TOWN_REGION[rank],
            Sector::Hebrew => weighted(rng, HE_REGION_W),
            Sector::Arabic => weighted(rng, AR_REGION_W),
        };
        out.push(Authority {
            id: format!("A{:04}", i + 1),
            sector,
            region,
            name_he,
            city,
            zip_prefix: 100 + ((i as u32 * 37) % 900),
            students: share * students as f64,
            rank,
            neighbours: Vec::new(),
            zones: 0,
        });
    }
    for i in 0..out.len() {
        let same = |j: usize, sector_too: bool| {
            j != i
                && out[j].region == out[i].region
                && (!sector_too || out[j].sector == out[i].sector)
        };
        let mut nb: Vec<u32> = (0..out.len())
            .filter(|&j| same(j, true))
            .map(|j| j as u32)
            .collect();
        if nb.is_empty() {
            nb = (0..out.len())
                .filter(|&j| same(j, false))
                .map(|j| j as u32)
                .collect();
        }
        if nb.is_empty() {
            nb = (0..out.len())
                .filter(|&j| j != i)
                .map(|j| j as u32)
                .collect();
        }
        out[i].neighbours = nb;
    }
    out
}

fn supervision(rng: &mut SynthRng, sector: Sector) -> (Supervision, bool, bool) {
    let w: &[f64] = match sector {
        Sector::Hebrew => &[0.74, 0.19, 0.04, 0.03],
        Sector::Arabic => &[0.86, 0.11, 0.0, 0.03],
    };
    let sup = [
        Supervision::Official,
        Supervision::RecognizedUnofficial,
        Supervision::Exempt,
        Supervision::Unrecognized,
    ][weighted(rng, w)];
    let opt_in = sup == Supervision::RecognizedUnofficial && rng.gen_bool(0.3);
    let opt_out = sup == Supervision::Official && rng.gen_bool(0.02);
    (sup, opt_in, opt_out)
}

/// Splits `per_grade` classes of a grade band into schools of 1..=max classes per grade.
fn school_sizes(rng: &mut SynthRng, per_grade: usize, weights: &[f64]) -> Vec<usize> {
    let mut left = per_grade;
    let mut out = Vec::new();
    while left > 0 {
        let k = weighted(rng, &weights[..weights.len().min(left)]) + 1;
        out.push(k);
        left -= k;
    }
    out
}

/// Authorities of a sector, largest first.
pub(super) fn ranked(auths: &[Authority], sector: Sector) -> Vec<usize> {
    let mut order: Vec<usize> = (0..auths.len())
        .filter(|&a| auths[a].sector == sector)
        .collect();
    order.sort_by(|&a, &b| {
        auths[b]
            .students
            .total_cmp(&auths[a].students)
            .then(a.cmp(&b))
    });
    order
}

pub(super) fn institutions(rng: &mut SynthRng, auths: &[Authority]) -> Vec<Institution> {
    // Whatever the scale, the largest authorities have official elementary schools with two
    // classes a grade, so that single-school and two-school gifted tracks exist.
    let mut forced: Vec<Vec<usize>> = vec![Vec::new(); auths.len()];
    let (he, ar) = (ranked(auths, Sector::Hebrew), ranked(auths, Sector::Arabic));
    for (list, r, sizes) in [(&he, 0, vec![2, 1]), (&he, 1, vec![2]), (&ar, 0, vec![2])] {
        if let Some(&a) = list.get(r) {
            forced[a] = sizes;
        }
    }
    let mut out: Vec<Institution> = Vec::new();
    for (a, auth) in auths.iter().enumerate() {
        let t = auth.students / (12.0 * 26.5);
        let mut plans: Vec<(Stage, usize, bool)> = Vec::new();
        if t < 0.4 && forced[a].is_empty() {
            plans.push((Stage::Both, 1, false));
        } else {
            let c = (t.round() as usize).max(1);
            let fixed: usize = forced[a].iter().sum();
            plans.extend(forced[a].iter().map(|&k| (Stage::Elementary, k, true)));
            for k in school_sizes(rng, c.saturating_sub(fixed), &[0.12, 0.3, 0.35, 0.23]) {
                plans.push((Stage::Elementary, k, false));
            }
            let w = [0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.08, 0.07];
            for k in school_sizes(rng, c, &w) {
                plans.push((Stage::Secondary, k, false));
            }
            if c >= 3 && rng.gen_bool(0.15) {
                plans.push((Stage::Both, 1, false));
            }
        }
        for (stage, k, fixed) in plans {
            let (mut sup, mut opt_in, mut opt_out) = supervision(rng, auth.sector);
            if fixed {
                (sup, opt_in, opt_out) = (Supervision::Official, false, false);
            }
            let mut classes = Vec::new();
            for g in stage.grades() {
                let n = match weighted(rng, &[0.1, 0.8, 0.1]) {
                    _ if fixed => k,
                    0 => k.saturating_sub(1).max(1),
                    2 if k > 1 => k + 1,
                    _ => k,
                };
                for no in 1..=n {
                    classes.push(ClassPlan {
                        grade: g,
                        no: no as u16,
                        kind: ClassKind::Regular,
                        size: 0,
                    });
                }
            }
            out.push(Institution {
                id: String::new(),
                name: names::school_name(rng, auth.sector, stage, sup),
                authority: a as u32,
                sector: auth.sector,
                stage,
                supervision: sup,
                opt_in,
                opt_out,
                owner: 0,
                classes,
                first_student: 0,
                n_students: 0,
            });
        }
    }
    let perm = Perm::new(rng, 900_000);
    for (i, inst) in out.iter_mut().enumerate() {
        inst.id = format!("{:06}", 100_000 + perm.apply(i as u64));
    }
    out
}
