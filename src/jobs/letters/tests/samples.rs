//! Ignored: speed, and a sample bundle for the Chromium check.
use super::*;

// ---------------------------------------------------------------------------------------------
// Ignored: speed, and a sample bundle for the Chromium check

/// Requests, students, institutions, contacts, details.
type Nation = (
    Vec<LetterRequest>,
    Vec<Student<'static>>,
    Vec<Institution>,
    Vec<Contact>,
    Vec<ContactDetails>,
);

fn big_nation(n_students: usize) -> Nation {
    let mut insts = Vec::new();
    for i in 0..1000 {
        insts.push(Institution {
            institution_id: format!("{:06}", 100_000 + i),
            name: if i % 4 == 0 {
                format!("مدرسة المستقبل {i}")
            } else {
                format!("בית ספר יסודי אופק {i}")
            },
            sector: if i % 4 == 0 {
                Sector::Arabic
            } else {
                Sector::Hebrew
            },
        });
    }
    let kinds = LetterKind::ALL;
    let (mut rq, mut st, mut co, mut de) = (vec![], vec![], vec![], vec![]);
    for i in 0..n_students {
        let inst = &insts[i % insts.len()];
        let sid = format!("{:09}", i);
        st.push(Student {
            student_id: kept(&sid),
            first_name: "נועה",
            last_name: kept(&format!("כהן{}", i % 97)),
            gender: None,
            institution_id: kept(&inst.institution_id),
            sector: inst.sector,
        });
        let m = format!("{:09}", 300_000_000 + 2 * i);
        let f = format!("{:09}", 300_000_001 + 2 * i);
        co.push(guardian(&sid, &m, "רחל", "כהן", Relation::Mother));
        co.push(guardian(&sid, &f, "דוד", "כהן", Relation::Father));
        // 3 of 4 families live apart (two letters), 1 of 4 together (one letter).
        let house = (i % 200).to_string();
        de.push(address(&m, "הרצל", &house, "חיפה", "3303112"));
        if i % 4 == 0 {
            de.push(address(&f, "הרצל", &house, "חיפה", ""));
        } else {
            de.push(address(&f, "הגפן", &house, "עכו", ""));
        }
        rq.push(LetterRequest {
            student_id: sid,
            kind: kinds[i % kinds.len()],
            extra: full_extra().into(),
        });
    }
    (rq, st, insts, co, de)
}

#[test]
#[ignore = "timing: cargo test --release --lib jobs::letters -- --ignored --nocapture"]
fn speed_350k_letters() {
    let (rq, st, insts, co, de) = big_nation(200_000);
    let t = templates();
    let p = params();
    let start = std::time::Instant::now();
    let out = render_letters(&rq, &st, &insts, &co, &de, &p, &t).unwrap();
    let render_secs = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    let bundles = build_bundles(&out.letters, &insts, &t).unwrap();
    let bundle_secs = start.elapsed().as_secs_f64();
    let bytes: usize = out.letters.iter().map(|l| l.text.len()).sum();
    println!(
        "letters: {} letters for {} students rendered in {render_secs:.2} s \
         ({:.0} letters/s, {} MB of text, {} threads); {} HTML bundles in {bundle_secs:.2} s",
        out.letters.len(),
        st.len(),
        out.letters.len() as f64 / render_secs,
        bytes / 1_000_000,
        rayon::current_num_threads(),
        bundles.len()
    );
    assert_eq!(out.letters.len(), 350_000);
    assert!(render_secs < 5.0, "{render_secs} s");
}

#[test]
#[ignore = "writes /tmp/itur-letters/*.html for scripts/render-letters.sh"]
fn sample_bundles_for_chromium() {
    let students = vec![
        student("000000018", "נועה", "כהן", HE_SCHOOL),
        student("000000042", "יואב", "בן דוד", HE_SCHOOL),
        student("000000059", "ليان", "خوري", AR_SCHOOL),
        student("000000067", "محمد", "عبد الله", AR_SCHOOL),
    ];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "כהן", Relation::Father),
        guardian("000000042", "000000075", "מיכל", "בן דוד", Relation::Mother),
        guardian("000000042", "000000083", "אבי", "בן דוד", Relation::Father),
        guardian("000000059", "000000091", "راحيل", "خوري", Relation::Mother),
        guardian("000000059", "000000109", "داود", "خوري", Relation::Father),
        guardian(
            "000000067",
            "000000117",
            "سلمى",
            "عبد الله",
            Relation::Mother,
        ),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "תל אביב-יפו", "6100101"),
        address("000000034", "רח' הרצל", "12", "תל אביב יפו", ""),
        address("000000075", "ז'בוטינסקי", "5א", "רמת גן", "5250001"),
        address("000000083", "הנביאים", "40", "ירושלים", "9510101"),
        address("000000091", "شارع السلام", "7", "الناصرة", "1600000"),
        address("000000109", "السلام", "7", "الناصرة", ""),
        address("000000117", "شارع ابن سينا", "21", "أم الفحم", "3001000"),
    ];
    let requests = vec![
        req("000000018", LetterKind::StageBGifted),
        req("000000042", LetterKind::StageAReferred),
        req("000000042", LetterKind::InterviewInvitation),
        LetterRequest {
            extra: full_extra_ar().into(),
            ..req("000000059", LetterKind::StageBGifted)
        },
        LetterRequest {
            extra: full_extra_ar().into(),
            ..req("000000059", LetterKind::InterviewInvitation)
        },
        LetterRequest {
            extra: full_extra_ar().into(),
            ..req("000000067", LetterKind::PlacementEnrichmentExcellent)
        },
        LetterRequest {
            extra: full_extra_ar().into(),
            ..req("000000067", LetterKind::StageBNotEligible)
        },
    ];
    // Every kind, in both languages, to check that each fits one printed page.
    let mut students = students;
    let mut contacts = contacts;
    let mut details = details;
    let mut requests = requests;
    students.push(student("000000125", "אביגיל", "רוזנבלום-שטרן", HE_SCHOOL));
    students.push(student("000000133", "عبد الرحمن", "أبو الهيجاء", AR_SCHOOL));
    contacts.push(guardian(
        "000000125",
        "000000141",
        "אלכסנדרה",
        "רוזנבלום-שטרן",
        Relation::Mother,
    ));
    contacts.push(guardian(
        "000000133",
        "000000158",
        "فاطمة الزهراء",
        "أبو الهيجاء",
        Relation::Mother,
    ));
    details.push(address(
        "000000141",
        "שדרות ירושלים",
        "118ב",
        "באר שבע",
        "8410101",
    ));
    details.push(address(
        "000000158",
        "شارع المطران",
        "3",
        "شفاعمرو",
        "2020000",
    ));
    for kind in LetterKind::ALL {
        requests.push(req("000000125", kind));
        requests.push(LetterRequest {
            extra: full_extra_ar().into(),
            ..req("000000133", kind)
        });
    }
    let out = render(&requests, &students, &contacts, &details);
    let bundles = build_bundles(&out.letters, &institutions(), &templates()).unwrap();
    let dir = Path::new("/tmp/itur-letters");
    std::fs::create_dir_all(dir).unwrap();
    for (id, html) in &bundles {
        let path = dir.join(format!("{id}.html"));
        std::fs::write(&path, html).unwrap();
        println!("wrote {}", path.display());
    }
    for l in &out.letters {
        println!(
            "--- {} {} {} {}\n{}\n",
            l.student_id,
            l.kind,
            l.language.as_str(),
            l.recipient_name,
            l.text
        );
    }
}
