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
    Vec<Student>,
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
