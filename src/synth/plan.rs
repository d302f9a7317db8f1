//! The structure of the nation: authorities, institutions, classes (with their sizes) and gifted
//! tracks. Drawn sequentially from one RNG stream; cheap (tens of thousands of objects).

use rand::seq::SliceRandom;
use rand::Rng;

use super::names::*;
use super::util::{normal, rng_for, stream, weighted, Perm, SynthRng};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sector {
    Hebrew,
    Arabic,
}

impl Sector {
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Hebrew => "hebrew",
            Sector::Arabic => "arabic",
        }
    }
    /// Grade that sits stage A (pipeline `tested_grades`).
    pub fn tested_grade(self) -> u8 {
        match self {
            Sector::Hebrew => 2,
            Sector::Arabic => 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Elementary,
    Secondary,
    Both,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Elementary => "elementary",
            Stage::Secondary => "secondary",
            Stage::Both => "both",
        }
    }
    pub fn grades(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Stage::Elementary => 1..=6,
            Stage::Secondary => 7..=12,
            Stage::Both => 1..=12,
        }
    }
    pub fn has_elementary(self) -> bool {
        self != Stage::Secondary
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supervision {
    Official,
    RecognizedUnofficial,
    Exempt,
    Unrecognized,
}

impl Supervision {
    pub fn as_str(self) -> &'static str {
        match self {
            Supervision::Official => "official",
            Supervision::RecognizedUnofficial => "recognized_unofficial",
            Supervision::Exempt => "exempt",
            Supervision::Unrecognized => "unrecognized",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassKind {
    Regular,
    SpecialEd,
    Gifted,
}

#[derive(Clone, Debug)]
pub struct ClassPlan {
    pub grade: u8,
    pub no: u16,
    pub kind: ClassKind,
    pub size: u32,
}

#[derive(Clone, Debug)]
pub struct Authority {
    pub id: String,
    pub sector: Sector,
    pub region: usize,
    /// Name in Hebrew script (owner names) and in the sector's script (postal addresses).
    pub name_he: String,
    pub city: String,
    pub zip_prefix: u32,
    pub students: f64,
    pub neighbours: Vec<u32>,
    /// Number of registration zones (0 = none; set when the authority has tracks in two schools).
    pub zones: u8,
}

#[derive(Clone, Debug)]
pub struct Institution {
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
    pub fn participates(&self) -> bool {
        match self.supervision {
            Supervision::Official => !self.opt_out,
            Supervision::RecognizedUnofficial => self.opt_in,
            _ => false,
        }
    }
    pub fn regular_in_grade(&self, g: u8) -> usize {
        self.classes
            .iter()
            .filter(|c| c.grade == g && c.kind == ClassKind::Regular)
            .count()
    }
    pub fn class_id(&self, c: &ClassPlan) -> String {
        format!("{}-{}-{}", self.id, c.grade, c.no)
    }
}

#[derive(Clone, Debug)]
pub struct Track {
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
    pub fn zones_str(&self, auth: &Authority) -> Option<String> {
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

pub struct Structure {
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

fn town_names(sector: Sector, rank: usize) -> (String, String) {
    match sector {
        Sector::Hebrew => {
            if rank < HE_TOWNS.len() {
                (HE_TOWNS[rank].to_string(), HE_TOWNS[rank].to_string())
            } else {
                let k = rank - HE_TOWNS.len();
                let n = format!(
                    "{} {}",
                    HE_TOWN_PREFIX[k % HE_TOWN_PREFIX.len()],
                    HE_TOWN_STEM[(k / HE_TOWN_PREFIX.len()) % HE_TOWN_STEM.len()]
                );
                (n.clone(), n)
            }
        }
        Sector::Arabic => {
            if rank < AR_TOWNS.len() {
                (AR_TOWNS[rank].0.to_string(), AR_TOWNS[rank].1.to_string())
            } else {
                let k = rank - AR_TOWNS.len();
                let (ph, pa) = AR_TOWN_PREFIX[k % AR_TOWN_PREFIX.len()];
                let (sh, sa) = AR_TOWN_STEM[(k / AR_TOWN_PREFIX.len()) % AR_TOWN_STEM.len()];
                (format!("{ph} {sh}"), format!("{pa} {sa}"))
            }
        }
    }
}

fn authorities(rng: &mut SynthRng, students: usize) -> Vec<Authority> {
    let n_auth = scaled(255.0, students, 8, 255);
    let n_ar = ((n_auth as f64 * 0.3).round() as usize).max(1);
    let n_he = n_auth - n_ar;
    let w_he = zipf(rng, n_he, 0.9);
    // Few Arabic authorities (small scale): concentrate so the largest can host a gifted track.
    let w_ar = zipf(rng, n_ar, if n_ar <= 3 { 1.5 } else { 0.7 });
    let (s_he, s_ar) = (w_he.iter().sum::<f64>(), w_ar.iter().sum::<f64>());
    let mut slots: Vec<(Sector, usize)> = (0..n_he).map(|r| (Sector::Hebrew, r)).collect();
    slots.extend((0..n_ar).map(|r| (Sector::Arabic, r)));
    slots.shuffle(rng);
    let mut out = Vec::with_capacity(n_auth);
    for (i, &(sector, rank)) in slots.iter().enumerate() {
        let (name_he, city) = town_names(sector, rank);
        let share = match sector {
            Sector::Hebrew => 0.78 * w_he[rank] / s_he,
            Sector::Arabic => 0.22 * w_ar[rank] / s_ar,
        };
        let region = match (sector, rank) {
            (Sector::Hebrew, 0) => 0,
            (Sector::Hebrew, _) => weighted(rng, HE_REGION_W),
            (Sector::Arabic, _) => weighted(rng, AR_REGION_W),
        };
        out.push(Authority {
            id: format!("A{:04}", i + 1),
            sector,
            region,
            name_he,
            city,
            zip_prefix: 100 + ((i as u32 * 37) % 900),
            students: share * students as f64,
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

fn school_name(rng: &mut SynthRng, sector: Sector, stage: Stage, sup: Supervision) -> String {
    match sector {
        Sector::Hebrew => {
            let stem = HE_SCHOOL_STEMS[rng.gen_range(0..HE_SCHOOL_STEMS.len())];
            let kind = match (stage, sup) {
                (Stage::Elementary, Supervision::Exempt) => "תלמוד תורה",
                (_, Supervision::Exempt) => "ישיבה קטנה",
                (Stage::Elementary, _) => "בית ספר יסודי",
                (Stage::Secondary, Supervision::Official) => ["תיכון", "מקיף"][rng.gen_range(0..2)],
                (Stage::Secondary, _) => ["אולפנה", "ישיבה תיכונית"][rng.gen_range(0..2)],
                (Stage::Both, _) => "בית ספר שש-שנתי ויסודי",
            };
            format!("{kind} {stem}")
        }
        Sector::Arabic => {
            let stem = AR_SCHOOL_STEMS[rng.gen_range(0..AR_SCHOOL_STEMS.len())];
            let kind = match stage {
                Stage::Elementary => "الابتدائية",
                Stage::Secondary => "الثانوية",
                Stage::Both => "الشاملة",
            };
            format!("مدرسة {stem} {kind}")
        }
    }
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

fn institutions(rng: &mut SynthRng, auths: &[Authority]) -> Vec<Institution> {
    let mut out: Vec<Institution> = Vec::new();
    for (a, auth) in auths.iter().enumerate() {
        let t = auth.students / (12.0 * 26.5);
        let mut plans: Vec<(Stage, usize)> = Vec::new();
        if t < 1.0 {
            plans.push((Stage::Both, 1));
        } else {
            let c = t.round() as usize;
            for k in school_sizes(rng, c, &[0.2, 0.35, 0.3, 0.15]) {
                plans.push((Stage::Elementary, k));
            }
            let w = [0.1, 0.15, 0.2, 0.2, 0.15, 0.1, 0.05, 0.05];
            for k in school_sizes(rng, c, &w) {
                plans.push((Stage::Secondary, k));
            }
            if c >= 3 && rng.gen_bool(0.15) {
                plans.push((Stage::Both, 1));
            }
        }
        for (stage, k) in plans {
            let (sup, opt_in, opt_out) = supervision(rng, auth.sector);
            let mut classes = Vec::new();
            for g in stage.grades() {
                let n = match weighted(rng, &[0.1, 0.8, 0.1]) {
                    0 => k.saturating_sub(1).max(1),
                    1 => k,
                    _ => k + 1,
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
                name: school_name(rng, auth.sector, stage, sup),
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

/// Makes sure every supervision case exists among elementary-stage Hebrew schools (and an
/// opted-in Arabic one when there are enough), keeping each authority's largest school official.
fn ensure_kinds(rng: &mut SynthRng, insts: &mut [Institution]) {
    for sector in [Sector::Hebrew, Sector::Arabic] {
        let mut largest = std::collections::BTreeMap::new();
        for (i, inst) in insts.iter().enumerate() {
            if inst.sector == sector && inst.stage.has_elementary() {
                let e = largest.entry(inst.authority).or_insert(i);
                if insts[*e].classes.len() < inst.classes.len() {
                    *e = i;
                }
            }
        }
        for &i in largest.values() {
            let inst = &mut insts[i];
            (inst.supervision, inst.opt_in, inst.opt_out) = (Supervision::Official, false, false);
        }
        let kinds: &[(Supervision, bool, bool)] = match sector {
            Sector::Hebrew => &[
                (Supervision::RecognizedUnofficial, true, false),
                (Supervision::RecognizedUnofficial, false, false),
                (Supervision::Exempt, false, false),
                (Supervision::Unrecognized, false, false),
                (Supervision::Official, false, true),
            ],
            Sector::Arabic => &[(Supervision::RecognizedUnofficial, true, false)],
        };
        for &kind in kinds {
            let has = |x: &Institution| {
                x.sector == sector
                    && x.stage.has_elementary()
                    && (x.supervision, x.opt_in, x.opt_out) == kind
            };
            if insts.iter().any(has) {
                continue;
            }
            let cands: Vec<usize> = (0..insts.len())
                .filter(|&i| {
                    let x = &insts[i];
                    x.sector == sector
                        && x.stage.has_elementary()
                        && x.participates()
                        && x.supervision == Supervision::Official
                        && !largest.values().any(|&l| l == i)
                })
                .collect();
            if let Some(&i) = cands.choose(rng) {
                let inst = &mut insts[i];
                (inst.supervision, inst.opt_in, inst.opt_out) = kind;
            }
        }
    }
}

fn tracks(
    rng: &mut SynthRng,
    auths: &mut [Authority],
    insts: &mut [Institution],
    year: i64,
) -> Vec<Track> {
    let mut out = Vec::new();
    let mut rounds = 0;
    for sector in [Sector::Hebrew, Sector::Arabic] {
        let order = ranked(auths, sector);
        let share = if sector == Sector::Hebrew { 0.3 } else { 0.2 };
        let want = ((order.len() as f64 * share).round() as usize)
            .max(if sector == Sector::Hebrew { 2 } else { 1 });
        let grade = sector.tested_grade() + 1;
        let mut made = 0;
        for &a in &order {
            if made == want {
                break;
            }
            let mut hosts: Vec<usize> = (0..insts.len())
                .filter(|&i| {
                    let x = &insts[i];
                    x.authority == a as u32
                        && x.sector == sector
                        && x.stage.has_elementary()
                        && x.supervision == Supervision::Official
                        && !x.opt_out
                })
                .collect();
            hosts.sort_by_key(|&i| (std::cmp::Reverse(insts[i].regular_in_grade(grade)), i));
            let single_ok = hosts
                .first()
                .is_some_and(|&i| insts[i].regular_in_grade(grade) >= 2);
            let two_ok = hosts.len() >= 2;
            // The largest Hebrew authority has tracks in two schools (registration zones).
            let want_two = (sector == Sector::Hebrew && made == 0) || rng.gen_bool(0.2);
            let chosen: Vec<(usize, u8)> = if two_ok && (want_two || !single_ok) {
                vec![(hosts[0], 1), (hosts[1], 1)]
            } else if single_ok {
                let n = if insts[hosts[0]].regular_in_grade(grade) >= 4 && rng.gen_bool(0.3) {
                    2
                } else {
                    1
                };
                vec![(hosts[0], n)]
            } else {
                continue;
            };
            rounds += 1;
            // The first track authority is a few years old, the second in its first year.
            let first_year = match rounds {
                1 => year - 3,
                2 => year,
                2 => year,
                _ if rng.gen_bool(0.2) => year,
                _ => year - rng.gen_range(1..=8),
            };
            if chosen.len() == 2 {
                auths[a].zones = 4;
            }
            for (k, &(i, n_classes)) in chosen.iter().enumerate() {
                let cont = |rng: &mut SynthRng| {
                    if first_year < year {
                        rng.gen_range(0..=2)
                    } else {
                        0
                    }
                };
                let (continuing_boys, continuing_girls) = (cont(rng), cont(rng));
                // Gifted classes already running, one grade per earlier placement round.
                let last = (i64::from(grade) + year - first_year - 1).min(6);
                for g in i64::from(grade)..=last {
                    for _ in 0..n_classes {
                        let g = g as u8;
                        let no =
                            insts[i].classes.iter().filter(|c| c.grade == g).count() as u16 + 1;
                        insts[i].classes.push(ClassPlan {
                            grade: g,
                            no,
                            kind: ClassKind::Gifted,
                            size: 0,
                        });
                    }
                }
                out.push(Track {
                    id: format!("GT-{}-{}", auths[a].id, k + 1),
                    authority: a as u32,
                    institution: i as u32,
                    grade,
                    n_classes,
                    capacity: if rng.gen_bool(0.15) {
                        Some(rng.gen_range(22..=28))
                    } else {
                        None
                    },
                    first_year,
                    zones: if chosen.len() == 2 {
                        vec![2 * k as u8 + 1, 2 * k as u8 + 2]
                    } else {
                        vec![]
                    },
                    grade_class_count: 0,
                    continuing_boys,
                    continuing_girls,
                });
            }
            made += 1;
        }
    }
    out
}

/// Adds special-education classes, then sizes every class so the nation has exactly `students`.
fn size_classes(
    rng: &mut SynthRng,
    insts: &mut [Institution],
    students: usize,
) -> Result<(), String> {
    for inst in insts.iter_mut() {
        if rng.gen_bool(0.25) {
            let grades: Vec<u8> = inst.stage.grades().collect();
            let g = grades[rng.gen_range(0..grades.len())];
            let no = inst.classes.iter().filter(|c| c.grade == g).count() as u16 + 1;
            inst.classes.push(ClassPlan {
                grade: g,
                no,
                kind: ClassKind::SpecialEd,
                size: 0,
            });
        }
        inst.classes.sort_by_key(|c| (c.grade, c.no));
    }
    let mut fixed = 0usize;
    let mut regular = Vec::new();
    for (i, inst) in insts.iter_mut().enumerate() {
        for (j, c) in inst.classes.iter_mut().enumerate() {
            match c.kind {
                ClassKind::SpecialEd => c.size = rng.gen_range(6..=12),
                ClassKind::Gifted => c.size = rng.gen_range(20..=26),
                ClassKind::Regular => regular.push((i, j)),
            }
            fixed += c.size as usize;
        }
    }
    if students < fixed + regular.len() * 8 {
        return Err(format!(
            "{students} students are too few for a synthetic nation (at least 1000)"
        ));
    }
    let budget = (students - fixed) as i64;
    let avg = budget as f64 / regular.len() as f64;
    let (lo, hi) = (
        (avg - 9.0).max(5.0).round() as i64,
        (avg + 9.0).round() as i64,
    );
    let mut sizes: Vec<i64> = regular
        .iter()
        .map(|_| ((avg + 3.5 * normal(rng)).round() as i64).clamp(lo, hi))
        .collect();
    let mut diff = budget - sizes.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.shuffle(rng);
    while diff != 0 {
        for &k in &order {
            if diff == 0 {
                break;
            }
            let step = diff.signum();
            if (lo..=hi).contains(&(sizes[k] + step)) {
                sizes[k] += step;
                diff -= step;
            }
        }
    }
    for (&(i, j), &s) in regular.iter().zip(&sizes) {
        insts[i].classes[j].size = s as u32;
    }
    let mut next = 0u32;
    for inst in insts.iter_mut() {
        inst.first_student = next;
        inst.n_students = inst.classes.iter().map(|c| c.size).sum();
        next += inst.n_students;
    }
    Ok(())
}

pub fn structure(seed: u64, students: usize, year: i64) -> Result<Structure, String> {
    let mut rng = rng_for(seed, stream::PLAN, 0);
    let mut authorities = authorities(&mut rng, students);
    let mut institutions = institutions(&mut rng, &authorities);
    ensure_kinds(&mut rng, &mut institutions);
    let mut tracks = tracks(&mut rng, &mut authorities, &mut institutions, year);
    size_classes(&mut rng, &mut institutions, students)?;
    for t in tracks.iter_mut() {
        t.grade_class_count = institutions[t.institution as usize]
            .classes
            .iter()
            .filter(|c| c.grade == t.grade)
            .count() as i64;
    }
    Ok(Structure {
        authorities,
        institutions,
        tracks,
    })
}
