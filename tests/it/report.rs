//! `report.html` (docs/report.md): present in every run, self-contained, its counts those of
//! the output tables, small counts suppressed, and no ID, name or score in it.
use crate::support::*;
use std::collections::BTreeMap;
use std::path::Path;

fn html(out: &Path) -> String {
    std::fs::read_to_string(out.join("report.html")).expect("report.html is written")
}

/// HTML text as read: entities back to characters.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The cells of the table captioned `caption`: the header row, then each row (its label
/// first).
fn table(page: &str, caption: &str) -> Vec<Vec<String>> {
    let start = page
        .find(&format!("<caption>{caption}</caption>"))
        .unwrap_or_else(|| panic!("no table {caption:?} in the report"));
    let end = start + page[start..].find("</table>").unwrap();
    page[start..end]
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let mut cells = Vec::new();
            let mut rest = &row[..row.find("</tr>").unwrap()];
            while let Some(open) = rest.find("<t") {
                let after = &rest[open..];
                let gt = after.find('>').unwrap();
                let body = &after[gt + 1..];
                let close = body.find("</t").unwrap();
                cells.push(unescape(&body[..close]));
                rest = &body[close + 4..];
            }
            cells
        })
        .collect()
}

/// The row labelled `label` of a table, without its label.
fn row<'a>(t: &'a [Vec<String>], label: &str) -> &'a [String] {
    &t.iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("no row {label:?} in {t:?}"))[1..]
}

/// A report cell against the count computed from the outputs: a shown count is that count;
/// "<m" is a count below m; "*" hides a count. Returns whether the cell was shown.
fn check(cell: &str, expected: u64, min: u64, what: &str) -> bool {
    match cell {
        "*" => false,
        c if c.starts_with('<') => {
            assert_eq!(c, format!("<{min}"), "{what}");
            assert!(expected < min, "{what}: {expected} shown as {c}");
            false
        }
        c => {
            assert_eq!(c.parse::<u64>().ok(), Some(expected), "{what}");
            true
        }
    }
}

fn genders(input: &Path) -> BTreeMap<String, String> {
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(input.join("students.parquet")).unwrap())
        .finish()
        .unwrap();
    let ids = df.column("student_id").unwrap().str().unwrap().clone();
    let g = df.column("gender").unwrap().str().unwrap().clone();
    ids.iter()
        .zip(g.iter())
        .map(|(i, g)| (i.unwrap().to_string(), g.unwrap_or("").to_string()))
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let j = rows[0]
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows[1..].iter().map(|r| r[j].clone()).collect()
}

/// (boys, girls) among `ids`.
fn by_gender<'a>(ids: impl Iterator<Item = &'a String>, g: &BTreeMap<String, String>) -> [u64; 2] {
    let mut n = [0, 0];
    for id in ids {
        match g.get(id).map(String::as_str) {
            Some("m") => n[0] += 1,
            Some("f") => n[1] += 1,
            other => panic!("student {id} has gender {other:?}"),
        }
    }
    n
}

#[test]
fn the_report_of_small_has_each_section_no_url_and_the_same_bytes_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let input = fixtures().join("small");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let o = itur_io_env(
        "run",
        "gifted-elementary",
        &input,
        &a,
        &[],
        &[("RAYON_NUM_THREADS", "1")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = itur_io_env(
        "run",
        "gifted-elementary",
        &input,
        &b,
        &[],
        &[("RAYON_NUM_THREADS", "2")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = html(&a);
    assert_eq!(page, html(&b), "same inputs, same report");
    assert!(page.contains("<html dir=\"rtl\" lang=\"he\">"));
    for id in ["run", "identification", "placement"] {
        assert!(
            page.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    // Charts: the funnel and one histogram per norm group, as inline SVG.
    assert_eq!(page.matches("<svg ").count(), 3);
    // Self-contained: no URL, script, external resource or font.
    for bad in [
        "://",
        "<script",
        "src=",
        "url(",
        "@import",
        "@font-face",
        "<link",
        "<img",
    ] {
        assert!(!page.contains(bad), "{bad} in the report");
    }
    for href in page.split("href=\"").skip(1) {
        assert!(href.starts_with('#'), "a link out of the page: {href:.40}");
    }
    // The manifest lists it among the outputs.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert!(m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["path"] == "report.html"));

    // English, left to right.
    let en = tmp.path().join("en");
    let o = run_gifted(&input, &en, &["--report-lang", "en"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = html(&en);
    assert!(page.contains("<html dir=\"ltr\" lang=\"en\">"));
    assert!(page.contains("<h2>Placement</h2>"));
}

#[test]
fn the_reports_counts_are_the_output_tables_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let input = fixtures().join("small");
    let out = tmp.path().join("out");
    // A minimum of 1: only zeros are suppressed, so nearly every count is shown.
    let o = run_gifted(
        &input,
        &out,
        &["--report-lang", "en", "--set", "report.min_cell=1"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = html(&out);
    let g = genders(&input);
    let mut shown = 0;

    // The funnel: referred, gifted, excellent, placed — by gender, from the tables.
    let funnel = table(&page, "From test to placement, by gender");
    assert_eq!(funnel[0], ["Stage", "Boys", "Girls", "total"]);
    let referred = column(
        &read_csv(&out.join("stage_b_invitations.csv")),
        "student_id",
    );
    let results = {
        use polars::prelude::*;
        let f = std::fs::File::open(out.join("confidential/results.parquet")).unwrap();
        ParquetReader::new(f).finish().unwrap()
    };
    let rid = results.column("student_id").unwrap().str().unwrap().clone();
    let cat = results.column("category").unwrap().str().unwrap().clone();
    let of = |c: &str| -> Vec<String> {
        rid.iter()
            .zip(cat.iter())
            .filter(|(_, k)| *k == Some(c))
            .map(|(i, _)| i.unwrap().to_string())
            .collect()
    };
    let placed = read_csv(&out.join("placements.csv"));
    let placed_ids = column(&placed, "student_id");
    for (label, ids) in [
        ("Referred to stage B", referred.clone()),
        ("Gifted", of("gifted")),
        ("Excellent", of("excellent")),
        ("Placed in a class", placed_ids.clone()),
    ] {
        let [boys, girls] = by_gender(ids.iter(), &g);
        let r = row(&funnel, label);
        for (cell, n) in r.iter().zip([boys, girls, boys + girls]) {
            shown += usize::from(check(cell, n, 1, label));
        }
    }
    // placements.csv says the gender itself: the report agrees with it too.
    let pg = column(&placed, "gender");
    let r = row(&funnel, "Placed in a class");
    let girls = pg.iter().filter(|x| *x == "f").count() as u64;
    check(&r[1], girls, 1, "placed girls");
    // Referred: 35 in fixtures/small, all shown.
    assert_eq!(
        row(&funnel, "Referred to stage B")[2],
        referred.len().to_string()
    );

    // Categories by gender: every category of confidential/results.
    let cats = table(&page, "Identification categories by gender");
    for (label, c) in [
        ("Gifted", "gifted"),
        ("Excellent", "excellent"),
        ("Not eligible", "not_eligible"),
    ] {
        let ids = of(c);
        let [b, gl] = by_gender(ids.iter(), &g);
        for (cell, n) in row(&cats, label).iter().zip([b, gl, b + gl]) {
            shown += usize::from(check(cell, n, 1, label));
        }
    }
    let total = row(&cats, "total");
    assert_eq!(total[2], rid.len().to_string());

    // Tracks: seats from placement_tracks, placed by gender from placements.
    let tracks = table(&page, "Gifted-class tracks: seats and students by gender");
    let pt = read_csv(&out.join("placement_tracks.csv"));
    let ids = column(&pt, "track_id");
    let seats = column(&pt, "seats");
    let ptrack = column(&placed, "track_id");
    for (t, s) in ids.iter().zip(&seats) {
        let r = row(&tracks, t);
        assert_eq!(&r[0], s, "seats of {t}");
        let placed_f = ptrack
            .iter()
            .zip(&pg)
            .filter(|(tr, gd)| *tr == t && *gd == "f")
            .count() as u64;
        shown += usize::from(check(&r[4], placed_f, 1, "placed girls of a track"));
    }

    // Cut-offs: the tested of each norm group, from cutoffs.csv.
    let cut = read_csv(&out.join("cutoffs.csv"));
    let report_cut = table(&page, "Children per norm group");
    for (grp, n) in column(&cut, "norm_group")
        .iter()
        .zip(column(&cut, "n_tested"))
    {
        shown += usize::from(check(&row(&report_cut, grp)[1], n.parse().unwrap(), 1, grp));
    }

    // Unserved by authority, from unserved.csv.
    let un = read_csv(&out.join("unserved.csv"));
    let report_un = table(
        &page,
        "Entitled students no center serves, by authority of residence",
    );
    let auth = column(&un, "residence_authority_id");
    for a in &auth {
        let n = auth.iter().filter(|x| *x == a).count() as u64;
        check(
            row(&report_un, a).last().unwrap(),
            n,
            1,
            "unserved of an authority",
        );
    }
    assert!(
        shown >= 15,
        "only {shown} counts shown: the test checks too little"
    );
}

#[test]
fn small_counts_are_suppressed_with_a_complement_in_their_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_gifted(&fixtures().join("small"), &out, &["--report-lang", "en"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = html(&out);
    let mut small = 0;
    for caption in [
        "From test to placement, by gender",
        "Identification categories by gender",
        "Stages by sector",
        "Stages by district",
        "Stages by grade",
    ] {
        let t = table(&page, caption);
        let body: Vec<&[String]> = t[1..].iter().map(|r| &r[1..]).collect();
        let hidden = |c: &String| c == "*" || c.starts_with('<');
        for r in &body {
            for c in r.iter() {
                match c.as_str() {
                    "*" | "<10" => small += usize::from(c == "<10"),
                    n => assert!(n.parse::<u64>().unwrap() >= 10, "{caption}: {n} shown"),
                }
            }
            assert_ne!(
                r.iter().filter(|c| hidden(c)).count(),
                1,
                "{caption}: {r:?}"
            );
        }
        for j in 0..body[0].len() {
            let n = body.iter().filter(|r| hidden(&r[j])).count();
            assert_ne!(n, 1, "{caption}: column {j}");
        }
    }
    assert!(small > 0, "fixtures/small has small counts");
}

#[test]
fn no_id_name_or_score_reaches_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("nation");
    let o = itur([
        "synth",
        "--scale",
        "4000",
        "--seed",
        "7",
        "--format",
        "csv",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::remove_file(input.join("manifest.json")).unwrap();
    // Canary scores: every tested stage A score becomes one of three unusual values.
    let canaries = ["731", "877", "919"];
    let path = input.join("stage_a_scores.csv");
    let rows = read_csv(&path);
    let mut text = String::from("student_id,school_year,status,score\n");
    for (i, r) in rows.iter().skip(1).enumerate() {
        let score = if r[2] == "tested" {
            canaries[i % 3]
        } else {
            ""
        };
        text.push_str(&format!("{},{},{},{score}\n", r[0], r[1], r[2]));
    }
    std::fs::write(&path, text).unwrap();
    let out = tmp.path().join("out");
    let o = run_gifted(&input, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = html(&out);
    let tokens: std::collections::BTreeSet<&str> = page
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .collect();
    for c in canaries {
        assert!(!tokens.contains(c), "canary score {c} in the report");
    }
    // No student's ID, and no name of one.
    let students = read_csv(&input.join("students.csv"));
    let ids = column(&students, "student_id");
    assert!(ids.len() > 1000);
    for id in &ids {
        assert!(!tokens.contains(id.as_str()), "student {id} in the report");
    }
    let split = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !c.is_alphabetic() && c != '\'' && c != '"' && c != '-')
            .map(str::to_string)
            .collect()
    };
    let words = split(&page);
    // The report's own words (a name may be a word too: זכאי, "entitled").
    let own = split(&std::fs::read_to_string(root().join("templates/report/he.toml")).unwrap());
    let mut names: std::collections::BTreeSet<String> = column(&students, "first_name")
        .into_iter()
        .chain(column(&students, "last_name"))
        .collect();
    let before = names.len();
    names.retain(|n| !own.contains(n));
    assert!(
        names.len() + 5 >= before && names.len() > 100,
        "{before} → {}",
        names.len()
    );
    for name in names {
        assert!(!words.contains(&name), "the name {name} in the report");
    }
    // The composites of confidential/results (as its CSV-free Parquet holds them) neither.
    use polars::prelude::*;
    let f = std::fs::File::open(out.join("confidential/results.parquet")).unwrap();
    let results = ParquetReader::new(f).finish().unwrap();
    let composites: Vec<String> = results
        .column("composite")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .flatten()
        .filter(|c| c.fract() != 0.0)
        .map(|c| c.to_string())
        .collect();
    assert!(!composites.is_empty());
    for c in composites {
        assert!(!page.contains(&c), "composite {c} in the report");
    }
}

#[test]
fn roster_export_writes_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let o = itur_io(
        "run",
        "roster-export",
        &fixtures().join("roster"),
        &out,
        &[
            "--all-approved",
            "--set",
            "max_reject_share=0.5",
            "--report-lang",
            "en",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = html(&out);
    assert!(
        page.contains("<section id=\"run\">") && page.contains("<section id=\"roster_export\">")
    );
    let owners = table(&page, "Owners");
    let served = row(&owners, "Owners served (a folder written)")[0].clone();
    let folders = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .count();
    assert_eq!(served, folders.to_string());
    let files = table(&page, "Rows per file");
    assert!(files.len() > 2, "{files:?}");
    assert!(!page.contains("://"));
}

/// special-ed-baskets (docs/report.md §6) on a generated committee year: the section is there,
/// its counts are those of `confidential/violations` and `confidential/entitlements` (with the
/// referrals' authorities), its hour sums are the entitlements' exact sums, no student ID of
/// the inputs is in it, and a small cell is suppressed with its complement.
#[test]
fn special_ed_baskets_has_its_section_with_the_output_tables_counts_and_no_id() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("year");
    let o = itur([
        "synth",
        "--job",
        "special-ed-baskets",
        "--scale",
        "100000",
        "--seed",
        "3",
        "--format",
        "csv",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::remove_file(input.join("manifest.json")).unwrap();
    let out = tmp.path().join("out");
    let run = |out: &Path, extra: &[&str]| {
        let mut args = vec!["--report-lang", "en"];
        args.extend(extra);
        let o = itur_io("run", "special-ed-baskets", &input, out, &args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        html(out)
    };
    let page = run(&out, &[]);
    assert!(page.contains("<section id=\"special_ed\">"));
    let parquet = |name: &str| {
        let f = std::fs::File::open(out.join(name)).unwrap();
        ParquetReader::new(f).finish().unwrap()
    };
    let text = |df: &DataFrame, name: &str| -> Vec<String> {
        let s = df.column(name).unwrap().as_materialized_series();
        let s = s.cast(&DataType::String).unwrap();
        let v: Vec<String> = (s.str().unwrap().iter())
            .map(|x| x.unwrap_or("").to_string())
            .collect();
        v
    };

    // No student ID of the inputs.
    let referrals = read_csv(&input.join("committee_referrals.csv"));
    let ids = column(&referrals, "student_id");
    assert!(ids.len() > 4000);
    for id in &ids {
        assert!(!page.contains(id.as_str()), "student {id} is in the report");
    }
    let authority_of: BTreeMap<(String, String), String> = ids
        .iter()
        .zip(column(&referrals, "school_year"))
        .zip(column(&referrals, "authority_id"))
        .map(|((s, y), a)| ((s.clone(), y), a))
        .collect();

    // Violations by rule, in the spec's order, and their total.
    let v = parquet("confidential/violations.parquet");
    let rules = text(&v, "rule");
    let t = table(&page, "Meetings that failed a check, by rule");
    let names = [
        "quorum",
        "referral_late",
        "meeting_out_of_season",
        "invitation_short",
        "decision_late",
        "below_minimum",
        "autism_not_eligible",
        "split_mismatch",
        "renewal_out_of_window",
        "first_time_out_of_window",
    ];
    assert_eq!(t.len(), 1 + names.len() + 1, "{t:?}");
    let mut shown = 0;
    for (i, name) in names.iter().enumerate() {
        let n = rules.iter().filter(|r| r == name).count() as u64;
        shown += usize::from(check(&t[i + 1][1], n, 10, name));
    }
    assert!(check(&t[11][1], rules.len() as u64, 10, "total"));
    assert!(shown >= 5, "{t:?}");

    // Violations and warnings by the referral's authority.
    let mut per: BTreeMap<String, [u64; 2]> = BTreeMap::new();
    for ((s, y), sev) in text(&v, "student_id")
        .into_iter()
        .zip(text(&v, "school_year"))
        .zip(text(&v, "severity"))
    {
        let a = authority_of[&(s, y)].clone();
        per.entry(a).or_default()[usize::from(sev == "warning")] += 1;
    }
    let t = table(&page, "Violations and warnings by authority");
    assert_eq!(t[0], ["Authority", "Violations", "Warnings", "total"]);
    assert_eq!(t.len(), 1 + per.len() + 1);
    let mut shown = 0;
    for (a, [viol, warn]) in &per {
        let r = row(&t, a);
        for (cell, n) in r.iter().zip([*viol, *warn, viol + warn]) {
            shown += usize::from(check(cell, n, 10, a));
        }
    }
    assert!(shown > per.len(), "{t:?}");

    // Baskets by level: counts, and the exact hour sums (thousandths: hours have 2 decimals,
    // the rates 1) beside the shown counts.
    let e = parquet("confidential/entitlements.parquet");
    let thousandths = |x: &str| -> i128 {
        let (int, frac) = x.split_once('.').unwrap_or((x, ""));
        assert!(frac.len() <= 3, "{x}");
        int.parse::<i128>().unwrap() * 1000 + format!("{frac:0<3}").parse::<i128>().unwrap()
    };
    let decimal = |t: i128| -> String {
        let s = format!("{}.{:03}", t / 1000, t % 1000);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    type Level = (u64, u64, [i128; 3]);
    let mut by: BTreeMap<(String, String), Level> = BTreeMap::new();
    let cols = ["basket_hours", "aide_hours_equivalent", "guidance_hours"].map(|c| text(&e, c));
    for (i, ((y, l), setting)) in text(&e, "implementation_year")
        .into_iter()
        .zip(text(&e, "functioning_level"))
        .zip(text(&e, "setting"))
        .enumerate()
    {
        let x = by.entry((y, l)).or_default();
        x.0 += 1;
        x.1 += u64::from(setting == "integration");
        for (sum, col) in x.2.iter_mut().zip(&cols) {
            *sum += thousandths(&col[i]);
        }
    }
    let years: std::collections::BTreeSet<&String> = by.keys().map(|k| &k.0).collect();
    let mut shown_hours = 0;
    for year in years {
        let t = table(
            &page,
            &format!("Support baskets by functioning level, implementation year {year}"),
        );
        let mut total: Level = (0, 0, [0; 3]);
        let levels: Vec<(String, Level)> = by
            .iter()
            .filter(|(k, _)| &k.0 == year)
            .map(|(k, v)| (k.1.clone(), *v))
            .collect();
        for (_, v) in &levels {
            total.0 += v.0;
            total.1 += v.1;
            for k in 0..3 {
                total.2[k] += v.2[k];
            }
        }
        for (label, v) in levels.iter().chain([("total".to_string(), total)].iter()) {
            let r = row(&t, label);
            let students = check(&r[0], v.0, 10, label);
            let integrated = check(&r[1], v.1, 10, label);
            for (k, is_shown) in [students, students, integrated].into_iter().enumerate() {
                if is_shown {
                    assert_eq!(r[2 + k], decimal(v.2[k]), "{label} hours {k}");
                    shown_hours += 1;
                } else {
                    assert_eq!(r[2 + k], "*", "{label} hours {k}");
                }
            }
        }
    }
    assert!(shown_hours >= 12);

    // A small cell: with the minimum one above the fewest warnings of an authority, that
    // cell is "<min" and its row hides a second cell; no line keeps a single hidden cell.
    let (fewest, n) = per
        .iter()
        .map(|(a, n)| (a.clone(), n[1]))
        .min_by_key(|(a, n)| (*n, a.clone()))
        .unwrap();
    let min = (n + 1).to_string();
    let page = run(
        &tmp.path().join("small"),
        &["--set", &format!("report.min_cell={min}")],
    );
    let t = table(&page, "Violations and warnings by authority");
    let r = row(&t, &fewest);
    assert_eq!(r[1], format!("<{min}"), "{r:?}");
    let hidden = |c: &String| c == "*" || c.starts_with('<');
    assert!(r.iter().filter(|c| hidden(c)).count() >= 2, "{r:?}");
    for line in &t[1..] {
        assert_ne!(
            line[1..].iter().filter(|c| hidden(c)).count(),
            1,
            "{line:?}"
        );
    }
    for j in 1..4 {
        let n = t[1..].iter().filter(|r| hidden(&r[j])).count();
        assert_ne!(n, 1, "column {j}");
    }
}
