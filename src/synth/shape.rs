//! The shape of the nation: gifted tracks and the schools hosting them, the supervision cases
//! every run needs, and class sizes adding up to exactly the requested number of students.

use rand::seq::SliceRandom;
use rand::Rng;

use super::plan::{
    self, ranked, Authority, ClassKind, ClassPlan, Institution, Sector, Structure, Supervision,
    Track,
};
use super::util::{normal, rng_for, stream, SynthRng};

/// Makes sure every supervision case exists among Hebrew schools (elementary-stage when
/// possible) and an opted-in Arabic one, converting official schools that host no gifted track.
fn ensure_kinds(rng: &mut SynthRng, insts: &mut [Institution], tracks: &[Track]) {
    let hosts: Vec<usize> = tracks.iter().map(|t| t.institution as usize).collect();
    for sector in [Sector::Hebrew, Sector::Arabic] {
        let kinds: &[(Supervision, bool, bool)] = match sector {
            Sector::Hebrew => &[
                (Supervision::RecognizedUnofficial, true, false),
                (Supervision::Official, false, true),
                (Supervision::RecognizedUnofficial, false, false),
                (Supervision::Exempt, false, false),
                (Supervision::Unrecognized, false, false),
            ],
            Sector::Arabic => &[(Supervision::RecognizedUnofficial, true, false)],
        };
        for (k, &kind) in kinds.iter().enumerate() {
            let has = |x: &Institution| {
                x.sector == sector && (x.supervision, x.opt_in, x.opt_out) == kind
            };
            if insts.iter().any(|x| has(x) && x.stage.has_elementary()) {
                continue;
            }
            let cands = |elementary: bool| -> Vec<usize> {
                (0..insts.len())
                    .filter(|&i| {
                        let x = &insts[i];
                        x.sector == sector
                            && x.stage.has_elementary() == elementary
                            && x.supervision == Supervision::Official
                            && !x.opt_out
                            && !hosts.contains(&i)
                    })
                    .collect()
            };
            // The first three change who takes part, so they go to elementary schools; exempt
            // and unrecognized ones go to a secondary school when elementary ones run short.
            let mut c = cands(true);
            if k >= 3 && c.len() <= 2 {
                if insts.iter().any(has) {
                    continue;
                }
                c = cands(false);
            }
            if let Some(&i) = c.choose(rng) {
                let inst = &mut insts[i];
                (inst.supervision, inst.opt_in, inst.opt_out) = kind;
                inst.name = super::names::school_name(rng, sector, inst.stage, kind.0);
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
            "{students} students are too few for a synthetic nation (at least 1500)"
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

pub(super) fn structure(seed: u64, students: usize, year: i64) -> Result<Structure, String> {
    let mut rng = rng_for(seed, stream::PLAN, 0);
    let mut authorities = plan::authorities(&mut rng, students);
    let mut institutions = plan::institutions(&mut rng, &authorities);
    let mut tracks = tracks(&mut rng, &mut authorities, &mut institutions, year);
    ensure_kinds(&mut rng, &mut institutions, &tracks);
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
