//! Rendering: a kind's required extra, and output identical for any input order or thread
//! count.
use super::*;

#[test]
fn a_kind_without_its_required_extra_is_an_error() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![guardian(
        "000000018",
        "000000026",
        "רחל",
        "כהן",
        Relation::Mother,
    )];
    let details = vec![address("000000026", "הרצל", "12", "חיפה", "")];
    let err = render_letters(
        &[LetterRequest::new(
            "000000018",
            LetterKind::PlacementEnrichmentGifted,
        )],
        &students,
        &institutions(),
        &contacts,
        &details,
        &params(),
        &templates(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("center_name") && err.contains("000000018"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism

/// A small nation: 60 students in both schools with every recipient situation.
fn nation() -> (
    Vec<LetterRequest>,
    Vec<Student<'static>>,
    Vec<Contact>,
    Vec<ContactDetails>,
) {
    let (mut rq, mut st, mut co, mut de) = (vec![], vec![], vec![], vec![]);
    for i in 0..60u32 {
        let sid = format!("{:09}", 1000 + i);
        let inst = if i % 3 == 0 { AR_SCHOOL } else { HE_SCHOOL };
        st.push(student(&sid, &format!("ילד{i}"), "משפחה", inst));
        let m = format!("{:09}", 500_000 + 2 * i);
        let f = format!("{:09}", 500_001 + 2 * i);
        match i % 5 {
            0 => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
                co.push(guardian(&sid, &f, "אב", "משפחה", Relation::Father));
                de.push(address(&m, "הרצל", &i.to_string(), "חיפה", ""));
                de.push(address(&f, "הרצל", &i.to_string(), "חיפה", ""));
            }
            1 => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
                co.push(guardian(&sid, &f, "אב", "משפחה", Relation::Father));
                de.push(address(&m, "הרצל", "1", "חיפה", ""));
                de.push(address(&f, "הגפן", "2", "עכו", ""));
            }
            2 => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
                co.push(guardian(&sid, &f, "אב", "משפחה", Relation::Father));
                de.push(address(&m, "הרצל", "1", "חיפה", ""));
                de.push(email_only(&f, "f@example.org"));
            }
            3 => {
                co.push(other_contact(&sid, &m, "סבתא", "משפחה"));
                de.push(address(&m, "הרצל", "1", "חיפה", ""));
            }
            _ => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
            }
        }
        for kind in [
            LetterKind::StageBGifted,
            LetterKind::PlacementEnrichmentGifted,
        ] {
            rq.push(req(&sid, kind));
        }
    }
    (rq, st, co, de)
}

#[test]
fn output_is_identical_for_shuffled_inputs_and_any_thread_count() {
    let (rq, st, co, de) = nation();
    let base = render(&rq, &st, &co, &de);
    assert_eq!(base.letters.len(), 2 * (12 + 12 * 2 + 12 * 2));
    assert_eq!(base.undeliverable.len(), 2 * 24);

    // Sorted by (institution_id, student_id, kind, recipient).
    let keys: Vec<_> = base
        .letters
        .iter()
        .map(|l| {
            (
                l.institution_id.clone(),
                l.student_id.clone(),
                l.kind.as_str(),
                l.recipient_contact_ids.clone(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Deterministic shuffles: reverse, rotate, interleave; plus duplicated requests.
    fn shuffle<T: Clone>(v: &[T], k: usize) -> Vec<T> {
        let mut out: Vec<T> = v.iter().rev().cloned().collect();
        let n = out.len();
        if n > 0 {
            out.rotate_left(k % n);
        }
        let (a, b) = out.split_at(n / 2);
        b.iter().chain(a.iter()).cloned().collect()
    }
    let mut rq2 = shuffle(&rq, 7);
    rq2.extend(rq.iter().take(10).cloned());
    let shuffled = render(
        &rq2,
        &shuffle(&st, 11),
        &shuffle(&co, 13),
        &shuffle(&de, 17),
    );
    assert_eq!(base, shuffled);

    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = pool.install(|| render(&rq, &st, &co, &de));
        assert_eq!(base, out, "{threads} threads");
    }
}

/// Issue #24: letters come a batch of whole schools at a time, every batch but the last of at
/// least `BATCH_STUDENTS` students, and together they are the letters `render_letters` gives
/// at once, in its order.
#[test]
fn batches_hold_whole_schools_and_together_every_letter_in_order() {
    use crate::jobs::letters::render::BATCH_STUDENTS;
    let schools: Vec<Institution> = (0..9)
        .map(|k| Institution {
            institution_id: format!("{:06}", 300_000 + k),
            name: format!("בית ספר {k}"),
            sector: Sector::Hebrew,
        })
        .collect();
    // School k has 300·k + 1 students (10,809 in all), each with one guardian at an address.
    let (mut rq, mut st, mut co, mut de) = (vec![], vec![], vec![], vec![]);
    for (k, school) in schools.iter().enumerate() {
        for i in 0..300 * k + 1 {
            let sid = format!("{:09}", 100_000 * (k + 1) + i);
            let cid = format!("{:09}", 900_000_000 + 100_000 * k + i);
            st.push(student(&sid, "נועה", "לוי", &school.institution_id));
            co.push(guardian(&sid, &cid, "דנה", "לוי", Relation::Mother));
            de.push(address(&cid, "הרצל", "1", "חיפה", ""));
            rq.push(req(&sid, LetterKind::StageAReferred));
        }
    }
    let (p, t) = (params(), templates());
    let all = render_letters(&rq, &st, &schools, &co, &de, &p, &t).unwrap();
    assert_eq!(all.letters.len(), 10_809);
    let mut batches: Vec<LettersBatch> = Vec::new();
    let slices = GuardianSlices {
        contacts: &co,
        details: &de,
    };
    let rest = render_letters_in_batches(&rq, &st, &schools, &slices, &p, &t, &mut |b| {
        batches.push(b);
        Ok::<(), LettersError>(())
    })
    .unwrap();
    assert!(batches.len() >= 3, "{} batches", batches.len());
    let school_of = |b: &LettersBatch, first: bool| {
        let l = if first {
            b.letters.first()
        } else {
            b.letters.last()
        };
        l.unwrap().institution_id.clone()
    };
    for (i, b) in batches.iter().enumerate() {
        assert_eq!(b.schools, 9);
        if let Some(next) = batches.get(i + 1) {
            // One letter per student here: a batch's letters are its students.
            assert!(b.letters.len() >= BATCH_STUDENTS, "batch {i}");
            assert_ne!(school_of(b, false), school_of(next, true), "a school split");
            assert!(b.schools_done < next.schools_done);
        }
    }
    assert_eq!(batches.last().unwrap().schools_done, 9);
    assert_eq!(rest.letters, all.letters.len());
    assert_eq!(rest.undeliverable, all.undeliverable);
    let joined: Vec<LetterRow> = batches.into_iter().flat_map(|b| b.letters).collect();
    assert!(joined == all.letters);
}

/// A request's extra is held only when it names something, and reads, compares and orders
/// as the `LetterExtra` it stands for (requests are sorted and deduplicated by it).
#[test]
fn a_request_holds_its_extra_only_when_it_names_something() {
    let none = Extra::from(LetterExtra::default());
    assert_eq!(*none, LetterExtra::default());
    assert_eq!(none, Extra::default());
    let center = |name: &str| {
        Extra::from(LetterExtra {
            center_name: Some(name.into()),
            ..LetterExtra::default()
        })
    };
    assert_eq!(center("מרכז א").center_name.as_deref(), Some("מרכז א"));
    assert_eq!(center("מרכז א"), center("מרכז א"));
    assert!(none < center("מרכז א") && center("מרכז א") < center("מרכז ב"));
    assert_eq!(
        center("מרכז ב").cmp(&none),
        LetterExtra {
            center_name: Some("מרכז ב".into()),
            ..LetterExtra::default()
        }
        .cmp(&LetterExtra::default())
    );
    // A request naming nothing is a few machine words, whatever LetterExtra grows to.
    assert!(std::mem::size_of::<LetterRequest>() <= 40);
}
