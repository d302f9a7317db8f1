//! Synthetic nation generator (`itur synth`): every input table of the gifted and roster jobs,
//! realistic in shape and valid under the schemas in `schemas/` (zero rejects).
//!
//! Structure first (authorities, institutions, classes, gifted tracks, owners, centers; one RNG
//! stream, cheap), then people in parallel: students with one ChaCha RNG per institution,
//! families and scores with one per authority. Rows are concatenated in institution (hence
//! authority) order, so the same seed gives identical frames whatever the number of threads.

mod frames;
pub mod gifted_secondary;
mod gifted_tables;
mod names;
mod org;
mod people;
mod plan;
pub mod requests;
mod scores;
mod shape;
pub mod special_ed;
mod tables;
pub mod teacher_loans;
mod util;

#[cfg(test)]
mod tests;

use polars::prelude::DataFrame;
use rayon::prelude::*;

use self::util::{days, Ids, MAX_ADULTS, MAX_STUDENTS};

/// What to generate: how many students, from which seed, for which school year
/// (the calendar year in which the school year ends).
#[derive(Clone, Debug)]
pub struct SynthConfig {
    pub students: usize,
    pub seed: u64,
    pub school_year: i64,
}

impl SynthConfig {
    pub const SMALL: usize = 3_000;
    pub const NATIONAL: usize = 2_400_000;
}

/// One generated input table, named as in `schemas/<name>.toml`.
pub struct SynthTable {
    pub name: &'static str,
    pub df: DataFrame,
}

/// Generates every table, in dependency order: institutions, classes, students, tracks, contacts,
/// contact_details, owners, delegations, stage_a_scores, referrals, stage_b_scores,
/// gifted_tracks, enrichment_centers, class_requests, interviews.
pub fn generate(cfg: &SynthConfig) -> Result<Vec<SynthTable>, String> {
    let world = world(cfg)?;
    type Build = fn(&tables::World) -> Result<DataFrame, String>;
    let builders: [(&'static str, Build); 15] = [
        ("institutions", tables::institutions),
        ("classes", tables::classes),
        ("students", tables::students),
        ("tracks", tables::tracks),
        ("contacts", tables::contacts),
        ("contact_details", tables::contact_details),
        ("owners", tables::owners),
        ("delegations", tables::delegations),
        ("stage_a_scores", gifted_tables::stage_a_scores),
        ("referrals", gifted_tables::referrals),
        ("stage_b_scores", gifted_tables::stage_b_scores),
        ("gifted_tracks", gifted_tables::gifted_tracks),
        ("enrichment_centers", gifted_tables::enrichment_centers),
        ("class_requests", gifted_tables::class_requests),
        ("interviews", gifted_tables::interviews),
    ];
    let frames: Vec<Result<DataFrame, String>> =
        builders.par_iter().map(|(_, b)| b(&world)).collect();
    builders
        .iter()
        .zip(frames)
        .map(|((name, _), df)| {
            Ok(SynthTable {
                name,
                df: df.map_err(|e| format!("synth {name}: {e}"))?,
            })
        })
        .collect()
}

fn world(cfg: &SynthConfig) -> Result<tables::World, String> {
    let n = cfg.students;
    if n < 1_500 || n as u64 > MAX_STUDENTS.min(MAX_ADULTS / 3 - 100_000) {
        return Err(format!(
            "the synthetic nation needs between 1500 and {} students (asked for {n})",
            MAX_STUDENTS.min(MAX_ADULTS / 3 - 100_000)
        ));
    }
    if !(2010..=2100).contains(&cfg.school_year) {
        return Err(format!(
            "school year {} is outside 2010–2100",
            cfg.school_year
        ));
    }
    let (seed, year) = (cfg.seed, cfg.school_year);
    let mut st = shape::structure(seed, n, year)?;
    let sep1 = days(year as i32 - 1, 9, 1);
    let org = org::build(
        seed,
        &st.authorities,
        &mut st.institutions,
        &st.tracks,
        3 * n as u32,
        sep1,
    );
    let ids = Ids::new(seed);

    let per_inst: Vec<Vec<people::Student>> = st
        .institutions
        .par_iter()
        .enumerate()
        .map(|(i, inst)| people::students_of(seed, i, inst, year))
        .collect();
    let mut students: Vec<people::Student> = Vec::with_capacity(n);
    for v in per_inst {
        students.extend(v);
    }

    // Institutions are contiguous per authority: the authority's institution and student ranges.
    let mut ranges: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    let mut i = 0;
    while i < st.institutions.len() {
        let a = st.institutions[i].authority;
        let mut j = i;
        while j < st.institutions.len() && st.institutions[j].authority == a {
            j += 1;
        }
        let s0 = st.institutions[i].first_student as usize;
        let s1 = s0
            + st.institutions[i..j]
                .iter()
                .map(|x| x.n_students as usize)
                .sum::<usize>();
        debug_assert_eq!(
            a as usize,
            ranges.len(),
            "every authority has institutions, in order"
        );
        ranges.push((i..j, s0..s1));
        i = j;
    }
    if ranges.len() != st.authorities.len() {
        return Err("internal: an authority without institutions".into());
    }
    let mut slices: Vec<&mut [people::Student]> = Vec::with_capacity(ranges.len());
    let mut rest: &mut [people::Student] = &mut students;
    for (_, r) in &ranges {
        let (head, tail) = rest.split_at_mut(r.len());
        slices.push(head);
        rest = tail;
    }
    let auths = &st.authorities;
    let families: Vec<people::Families> = slices
        .into_par_iter()
        .enumerate()
        .map(|(a, sl)| people::families(seed, a, auths, sl, ranges[a].1.start as u32))
        .collect();

    let ctx = scores::Ctx {
        seed,
        year,
        insts: &st.institutions,
        tracks: &st.tracks,
        neighbours: st
            .authorities
            .iter()
            .map(|a| a.neighbours.as_slice())
            .collect(),
        showcase: plan::ranked(&st.authorities, plan::Sector::Hebrew)[0],
    };
    let scores: Vec<scores::Scores> = ranges
        .par_iter()
        .enumerate()
        .map(|(a, (ir, sr))| {
            scores::scores(&ctx, a, ir.clone(), &students[sr.clone()], sr.start as u32)
        })
        .collect();
    drop(ctx);

    let student_ids: Vec<String> = (0..n as u32)
        .into_par_iter()
        .map(|c| ids.student(c))
        .collect();
    Ok(tables::World {
        seed,
        year,
        ids,
        st,
        org,
        students,
        student_ids,
        families,
        scores,
    })
}
