//! Tests of the generator against the schemas in `schemas/` (a small independent validator that
//! applies every rule written there) and against the domain rules of gifted.md.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use polars::prelude::*;

mod validate;

use super::*;
use crate::rules::israeli_id;
use validate::{dtype, schema, strings, table, validate};

fn gen(students: usize, seed: u64) -> Vec<SynthTable> {
    generate(&SynthConfig {
        students,
        seed,
        school_year: 2027,
    })
    .expect("generate")
}

#[test]
fn columns_and_dtypes_follow_the_schemas() {
    let t = gen(SynthConfig::SMALL, 7);
    let names: Vec<&str> = t.iter().map(|x| x.name).collect();
    assert_eq!(
        names,
        [
            "institutions",
            "classes",
            "students",
            "tracks",
            "contacts",
            "contact_details",
            "owners",
            "delegations",
            "stage_a_scores",
            "referrals",
            "stage_b_scores",
            "gifted_tracks",
            "enrichment_centers",
            "class_requests",
            "interviews"
        ]
    );
    for x in &t {
        let sc = schema(x.name);
        let want: Vec<(String, DataType)> = sc
            .columns
            .iter()
            .map(|c| (c.name.clone(), dtype(&c.ty)))
            .collect();
        let got: Vec<(String, DataType)> =
            x.df.columns()
                .iter()
                .map(|c| (c.name().to_string(), c.dtype().clone()))
                .collect();
        assert_eq!(got, want, "table {}", x.name);
        assert!(
            x.df.height() > 0,
            "table {} is empty at small scale",
            x.name
        );
    }
}

#[test]
fn zero_rejects_small_and_medium() {
    for (n, seed) in [
        (1_500, 4),
        (SynthConfig::SMALL, 1),
        (3_500, 99),
        (40_000, 5),
    ] {
        let bad = validate(&gen(n, seed));
        assert!(bad.is_empty(), "{n} students, seed {seed}: {bad:#?}");
    }
}

#[test]
fn same_seed_same_frames_whatever_the_threads() {
    let a = gen(SynthConfig::SMALL, 42);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| gen(SynthConfig::SMALL, 42));
    for (x, y) in a.iter().zip(&b) {
        assert!(x.df.equals_missing(&y.df), "table {} differs", x.name);
    }
    let c = gen(SynthConfig::SMALL, 43);
    let differ = a
        .iter()
        .zip(&c)
        .filter(|(x, y)| !x.df.equals_missing(&y.df))
        .count();
    assert!(
        differ >= 10,
        "only {differ} tables differ with another seed"
    );
}

#[test]
fn ids_valid_and_unique() {
    let t = gen(20_000, 3);
    let st = strings(table(&t, "students"), "student_id");
    assert_eq!(st.len(), 20_000);
    let set: HashSet<_> = st.iter().flatten().collect();
    assert_eq!(set.len(), st.len(), "student ids unique");
    assert!(st
        .iter()
        .flatten()
        .all(|v| israeli_id::check(v).is_ok() && v.len() == 9));
    let adults: HashSet<String> = strings(table(&t, "contact_details"), "contact_id")
        .into_iter()
        .flatten()
        .collect();
    assert!(adults.iter().all(|v| israeli_id::check(v).is_ok()));
    assert!(
        adults.iter().all(|v| !set.contains(v)),
        "a contact shares a student's id"
    );
}

#[test]
fn realistic_proportions() {
    let t = gen(60_000, 11);
    let (inst, stu, con) = (
        table(&t, "institutions"),
        table(&t, "students"),
        table(&t, "contacts"),
    );
    let sector: HashMap<String, String> = strings(inst, "institution_id")
        .into_iter()
        .zip(strings(inst, "sector"))
        .map(|(a, b)| (a.unwrap(), b.unwrap()))
        .collect();
    let sids = strings(stu, "student_id");
    let ar = strings(stu, "institution_id")
        .iter()
        .filter(|i| sector[i.as_ref().unwrap()] == "arabic")
        .count();
    let share = ar as f64 / sids.len() as f64;
    assert!((0.18..0.26).contains(&share), "arabic share {share}");
    let apart: HashSet<String> = strings(con, "student_id")
        .into_iter()
        .zip(strings(con, "lives_with_student"))
        .zip(strings(con, "is_legal_guardian"))
        .filter(|((_, l), g)| l.as_deref() == Some("false") && g.as_deref() == Some("true"))
        .map(|((s, _), _)| s.unwrap())
        .collect();
    let share = apart.len() as f64 / sids.len() as f64;
    assert!((0.09..0.15).contains(&share), "guardians apart {share}");
    // Siblings share parents: fewer distinct contacts than contact rows.
    let ids = strings(con, "contact_id");
    let distinct: HashSet<_> = ids.iter().collect();
    assert!((distinct.len() as f64) < 0.8 * ids.len() as f64);
    let grades: BTreeMap<String, usize> =
        strings(stu, "grade")
            .into_iter()
            .fold(BTreeMap::new(), |mut m, g| {
                *m.entry(g.unwrap()).or_default() += 1;
                m
            });
    assert_eq!(grades.len(), 12);
    assert!(
        grades.values().all(|&n| (3_500..6_500).contains(&n)),
        "{grades:?}"
    );
}

#[test]
fn gifted_domain_rules() {
    gifted_domain(&gen(SynthConfig::SMALL, 2));
}

#[test]
#[ignore = "slow: cargo test --release --lib synth::tests::many_seeds -- --ignored"]
fn many_seeds() {
    for seed in 100..140 {
        for n in [SynthConfig::SMALL, 12_345] {
            let t = gen(n, seed);
            let bad = validate(&t);
            assert!(bad.is_empty(), "seed {seed}, {n}: {bad:#?}");
            gifted_domain(&t);
            assert!(
                t.iter().all(|x| x.df.height() > 0),
                "seed {seed}, {n}: an empty table"
            );
        }
    }
}

fn gifted_domain(t: &[SynthTable]) {
    let supervision: HashSet<_> = strings(table(t, "institutions"), "supervision")
        .into_iter()
        .collect();
    assert_eq!(supervision.len(), 4, "every supervision kind");
    let gt = table(t, "gifted_tracks");
    let (auth, grade, ncl, gcc) = (
        strings(gt, "authority_id"),
        strings(gt, "grade"),
        strings(gt, "n_classes"),
        strings(gt, "grade_class_count"),
    );
    let inst = strings(gt, "institution_id");
    let mut per: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for r in 0..gt.height() {
        per.entry((auth[r].clone().unwrap(), grade[r].clone().unwrap()))
            .or_default()
            .push(r);
    }
    let n = |v: &Option<String>| v.as_ref().unwrap().parse::<i64>().unwrap();
    for rows in per.values() {
        assert!(rows.iter().map(|&r| n(&ncl[r])).sum::<i64>() <= 2);
        let schools: BTreeSet<_> = rows.iter().map(|&r| inst[r].clone()).collect();
        if schools.len() == 1 {
            assert!(rows.iter().all(|&r| 2 * n(&ncl[r]) <= n(&gcc[r])));
        } else {
            assert!(rows.iter().all(
                |&r| gt.column("registration_zones").unwrap().get(r).unwrap() != AnyValue::Null
            ));
        }
    }
    assert!(per.len() >= 3 && per.keys().any(|k| k.1 == "3") && per.keys().any(|k| k.1 == "4"));
    assert!(
        per.values().any(|r| r.len() == 2),
        "an authority with tracks in two schools"
    );
    // Stage B only in the stage-B grades of the student's sector.
    let stu = table(t, "students");
    let inst_sector: HashMap<String, String> = {
        let i = table(t, "institutions");
        strings(i, "institution_id")
            .into_iter()
            .zip(strings(i, "sector"))
            .map(|(a, b)| (a.unwrap(), b.unwrap()))
            .collect()
    };
    let info: HashMap<String, (String, i64)> = strings(stu, "student_id")
        .into_iter()
        .zip(
            strings(stu, "institution_id")
                .into_iter()
                .zip(strings(stu, "grade")),
        )
        .map(|(s, (i, g))| {
            (
                s.unwrap(),
                (
                    inst_sector[&i.unwrap()].clone(),
                    g.unwrap().parse().unwrap(),
                ),
            )
        })
        .collect();
    for s in strings(table(t, "stage_b_scores"), "student_id")
        .into_iter()
        .flatten()
    {
        let (sec, g) = &info[&s];
        assert!(if sec == "hebrew" {
            (2..=4).contains(g)
        } else {
            (3..=5).contains(g)
        });
    }
    // Enrichment centers serve most but not all authorities.
    let served: HashSet<_> = strings(table(t, "enrichment_centers"), "serves_authority_id")
        .into_iter()
        .collect();
    let all: HashSet<_> = strings(table(t, "institutions"), "authority_id")
        .into_iter()
        .collect();
    assert!(served.len() < all.len() && served.len() * 4 > all.len() * 3);
    // Every commitment status and an expired delegation.
    let st: HashSet<_> = strings(table(t, "owners"), "commitment_status")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(st.len(), 4);
    let to = strings(table(t, "delegations"), "valid_to");
    assert!(
        to.iter()
            .any(|v| v.as_deref().is_some_and(|d| d < "2026-09-01"))
            && to.iter().any(Option::is_none)
    );
}

#[test]
fn rejects_bad_configs() {
    let cfg = |students, school_year| SynthConfig {
        students,
        seed: 1,
        school_year,
    };
    assert!(generate(&cfg(1_000, 2027)).is_err());
    assert!(generate(&cfg(20_000_000, 2027)).is_err());
    assert!(generate(&cfg(3_000, 2005)).is_err());
}

#[test]
fn roster_is_consistent() {
    let t = gen(20_000, 8);
    let (cls, stu) = (table(&t, "classes"), table(&t, "students"));
    // n_students is the real count; a student's class is in their institution and grade.
    let mut count: HashMap<String, i64> = HashMap::new();
    for c in strings(stu, "class_id").into_iter().flatten() {
        *count.entry(c).or_default() += 1;
    }
    let class_of: HashMap<String, (String, String)> = strings(cls, "class_id")
        .into_iter()
        .zip(
            strings(cls, "institution_id")
                .into_iter()
                .zip(strings(cls, "grade")),
        )
        .map(|(c, (i, g))| (c.unwrap(), (i.unwrap(), g.unwrap())))
        .collect();
    for (c, n) in strings(cls, "class_id")
        .iter()
        .zip(strings(cls, "n_students"))
    {
        let c = c.as_ref().unwrap();
        assert_eq!(
            count.get(c).copied().unwrap_or(0),
            n.unwrap().parse::<i64>().unwrap(),
            "{c}"
        );
    }
    let (si, sc, sg) = (
        strings(stu, "institution_id"),
        strings(stu, "class_id"),
        strings(stu, "grade"),
    );
    for r in 0..stu.height() {
        let (i, g) = &class_of[sc[r].as_ref().unwrap()];
        assert!(Some(i) == si[r].as_ref() && Some(g) == sg[r].as_ref());
    }
    // Every student has a legal guardian; contacts and contact_details cover the same people.
    let con = table(&t, "contacts");
    let guarded: HashSet<String> = strings(con, "student_id")
        .into_iter()
        .zip(strings(con, "is_legal_guardian"))
        .filter(|(_, g)| g.as_deref() == Some("true"))
        .map(|(s, _)| s.unwrap())
        .collect();
    assert_eq!(guarded.len(), stu.height());
    let a: HashSet<_> = strings(con, "contact_id").into_iter().collect();
    let b: HashSet<_> = strings(table(&t, "contact_details"), "contact_id")
        .into_iter()
        .collect();
    assert_eq!(a, b);
    // A few students reachable by email only, and a very few not at all.
    let det = table(&t, "contact_details");
    let reach: HashMap<String, (bool, bool)> = strings(det, "contact_id")
        .into_iter()
        .zip(
            strings(det, "street")
                .into_iter()
                .zip(strings(det, "email")),
        )
        .map(|(c, (s, e))| (c.unwrap(), (s.is_some(), e.is_some())))
        .collect();
    let mut by_student: HashMap<String, (bool, bool)> = HashMap::new();
    let rows = strings(con, "student_id")
        .into_iter()
        .zip(strings(con, "contact_id"))
        .zip(strings(con, "is_legal_guardian"));
    for ((s, c), g) in rows {
        let e = by_student.entry(s.unwrap()).or_default();
        if g.as_deref() == Some("true") {
            let (post, mail) = reach[c.as_ref().unwrap()];
            (e.0, e.1) = (e.0 || post, e.1 || mail);
        }
    }
    let none = by_student.values().filter(|v| !v.0 && !v.1).count();
    let email_only = by_student.values().filter(|v| !v.0 && v.1).count();
    assert!((10..200).contains(&none), "unreachable {none}");
    assert!((100..1000).contains(&email_only), "email only {email_only}");
    // Stage A: participating institutions, tested grade of the sector only.
    let inst = table(&t, "institutions");
    let ok: HashMap<String, (bool, String)> = strings(inst, "institution_id")
        .into_iter()
        .zip(
            strings(inst, "supervision")
                .into_iter()
                .zip(strings(inst, "screening_opt_in")),
        )
        .zip(
            strings(inst, "screening_opt_out")
                .into_iter()
                .zip(strings(inst, "sector")),
        )
        .map(|((i, (s, oi)), (oo, sec))| {
            let p = match s.as_deref() {
                Some("official") => oo.as_deref() == Some("false"),
                Some("recognized_unofficial") => oi.as_deref() == Some("true"),
                _ => false,
            };
            (i.unwrap(), (p, sec.unwrap()))
        })
        .collect();
    let sid: HashMap<String, usize> = strings(stu, "student_id")
        .into_iter()
        .enumerate()
        .map(|(r, s)| (s.unwrap(), r))
        .collect();
    for s in strings(table(&t, "stage_a_scores"), "student_id")
        .into_iter()
        .flatten()
    {
        let r = sid[&s];
        let (p, sec) = &ok[si[r].as_ref().unwrap()];
        let want = if sec == "hebrew" { "2" } else { "3" };
        assert!(*p && sg[r].as_deref() == Some(want));
    }
}

#[test]
#[ignore = "slow: cargo test --release --lib synth::tests::national_zero_rejects -- --ignored"]
fn national_zero_rejects() {
    let bad = validate(&gen(SynthConfig::NATIONAL, 2027));
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
#[ignore = "timing: cargo test --release --lib synth::tests::national_timing -- --ignored --nocapture"]
fn national_timing() {
    let t0 = std::time::Instant::now();
    let t = gen(SynthConfig::NATIONAL, 2027);
    let dt = t0.elapsed();
    for x in &t {
        println!("{:<20} {:>9} rows", x.name, x.df.height());
    }
    println!("generate(NATIONAL) took {:.2} s", dt.as_secs_f64());
    assert!(dt.as_secs() < 30);
}
