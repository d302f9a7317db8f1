//! Letters in the child's grammatical gender (issue #16 item 5; gifted.md §7): the words that
//! agree with the child take the girl's or the boy's form in Hebrew and Arabic, from
//! `students.gender` through `student_gender` and the templates' `by_gender(m=…, f=…)`.
use std::path::Path;

use super::{Gender, Language, LetterContext, LetterKind, Templates};

/// The bundled letter of `kind` in `language` for a child of `gender` (every optional field
/// set, so every paragraph is written).
fn letter(t: &Templates, language: Language, kind: LetterKind, gender: Option<Gender>) -> String {
    let ctx = LetterContext {
        student_gender: gender,
        ..LetterContext::sample(language, true)
    };
    t.render(language, kind, ctx).unwrap()
}

/// The words of a letter, without the punctuation around them.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| ".,:;()'\"،–".contains(c)))
        .collect()
}

/// `text` has each of `present` as a word and none of `absent`.
fn assert_forms(text: &str, present: &[&str], absent: &[&str]) {
    let w = words(text);
    for p in present {
        assert!(w.contains(p), "`{p}` missing from:\n{text}");
    }
    for a in absent {
        assert!(!w.contains(a), "`{a}` present in:\n{text}");
    }
}

const GIRL: Option<Gender> = Some(Gender::Female);
const BOY: Option<Gender> = Some(Gender::Male);

#[test]
fn hebrew_letters_agree_with_the_child() {
    use LetterKind::*;
    let t = Templates::bundled().unwrap();
    let he = Language::He;
    let cases: [(LetterKind, &[&str], &[&str]); 4] = [
        (
            StageAReferred,
            &["ילדתכם", "מופנית", "תיבחן", "הגיעה", "הוזמנה"],
            &["ילדכם", "מופנה", "ייבחן", "הגיע", "הוזמן"],
        ),
        (
            StageANotReferred,
            &["ילדתכם", "השתתפה", "אינה", "מופנית", "כישוריה"],
            &["ילדכם", "השתתף", "אינו", "מופנה", "כישוריו"],
        ),
        (
            StageBGifted,
            &["ילדתכם", "זכאית", "שילדתם", "תלמד", "התלמידה"],
            &["ילדכם", "זכאי", "שילדם", "ילמד", "התלמיד"],
        ),
        (
            PlacementClass,
            &["ילדתכם", "התקבלה", "לילדתכם"],
            &["ילדכם", "התקבל", "לילדכם"],
        ),
    ];
    for (kind, girl, boy) in cases {
        assert_forms(&letter(&t, he, kind, GIRL), girl, boy);
        assert_forms(&letter(&t, he, kind, BOY), boy, girl);
    }
}

#[test]
fn arabic_letters_agree_with_the_child() {
    use LetterKind::*;
    let t = Templates::bundled().unwrap();
    let ar = Language::Ar;
    let cases: [(LetterKind, &[&str], &[&str]); 4] = [
        (
            StageAReferred,
            &["طفلتكم", "تُمتحن", "طفلتهم", "مشاركتها", "مستحقّة"],
            &["طفلكم", "يُمتحن", "طفلهم", "مشاركته", "مستحقّ"],
        ),
        (
            StageBGifted,
            &["طفلتكم", "بلغت", "تستحقّ", "طفلتهم", "الطالبة"],
            &["طفلكم", "بلغ", "يستحقّ", "طفلهم", "الطالب"],
        ),
        (
            StageBIncomplete,
            &["دُعيت", "طفلتكم", "لكنّها", "تُكمل"],
            &["دُعي", "طفلكم", "لكنّه", "يُكمل"],
        ),
        (PlacementClass, &["طفلتكم", "لها"], &["طفلكم", "له"]),
    ];
    for (kind, girl, boy) in cases {
        assert_forms(&letter(&t, ar, kind, GIRL), girl, boy);
        assert_forms(&letter(&t, ar, kind, BOY), boy, girl);
    }
}

/// Every bundled template renders for a girl, a boy and an unknown gender; each has a word
/// that agrees with the child; an unknown gender is written like a boy (the generic form).
#[test]
fn every_bundled_template_renders_for_both_genders() {
    let t = Templates::bundled().unwrap();
    for language in Language::ALL {
        for kind in LetterKind::ALL {
            for optional in [true, false] {
                let ctx = |gender| LetterContext {
                    student_gender: gender,
                    ..LetterContext::sample(language, optional)
                };
                let girl = t.render(language, kind, ctx(GIRL)).unwrap();
                let boy = t.render(language, kind, ctx(BOY)).unwrap();
                let unknown = t.render(language, kind, ctx(None)).unwrap();
                assert_ne!(girl, boy, "{language:?} {kind}");
                assert_eq!(unknown, boy, "{language:?} {kind}");
                assert!(!girl.contains("by_gender"), "{girl}");
            }
        }
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `student_gender` is a context variable (`f`, `m`, or none), and `by_gender` needs both
/// forms and no other: a template that misspells one fails when loaded, naming the file.
#[test]
fn student_gender_and_by_gender_in_an_override() {
    let dir = tempfile::tempdir().unwrap();
    let src = "{{ student_gender }} {{ by_gender(m=\"ילדכם\", f=\"ילדתכם\") }}";
    write(dir.path(), "he/stage_a_absent.txt", src);
    let t = Templates::load(Some(dir.path())).unwrap();
    let kind = LetterKind::StageAAbsent;
    assert_eq!(letter(&t, Language::He, kind, GIRL), "f ילדתכם");
    assert_eq!(letter(&t, Language::He, kind, BOY), "m ילדכם");
    assert_eq!(letter(&t, Language::He, kind, None), "None ילדכם");

    for (bad, detail) in [
        (
            "{{ by_gender(m=\"ילדכם\") }}",
            "missing keyword argument 'f'",
        ),
        (
            "{{ by_gender(m=\"ילדכם\", f=\"ילדתכם\", n=\"x\") }}",
            "unknown keyword argument 'n'",
        ),
    ] {
        write(dir.path(), "he/stage_a_absent.txt", bad);
        let e = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains("stage_a_absent.txt"), "{e}");
        assert!(e.contains(detail), "{e}");
    }
}
