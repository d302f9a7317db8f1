//! HTML bundles: one right-to-left A4 page per post letter, text escaped.
use super::*;

// ---------------------------------------------------------------------------------------------
// HTML bundles

#[test]
fn bundles_are_one_rtl_page_per_post_letter_and_escaped() {
    let students = vec![
        student("000000018", "נועה <script>", "כהן & בניו", HE_SCHOOL),
        student("000000042", "ليان", "خوري", AR_SCHOOL),
    ];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "לוי", Relation::Father),
        guardian("000000042", "000000059", "راحيل", "خوري", Relation::Mother),
        guardian("000000042", "000000067", "داود", "خوري", Relation::Father),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", "3303112"),
        address("000000034", "הגפן", "3", "עכו", ""),
        address("000000059", "شارع السلام", "7", "الناصرة", ""),
        email_only("000000067", "dawud@example.org"),
    ];
    let out = render(
        &[
            req("000000018", LetterKind::StageAReferred),
            req("000000042", LetterKind::StageAReferred),
        ],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 4);
    let bundles = build_bundles(&out.letters, &institutions(), &templates()).unwrap();
    let ids: Vec<&str> = bundles.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, vec![HE_SCHOOL, AR_SCHOOL]);

    let he = &bundles[0].1;
    assert!(he.contains(r#"<html lang="he" dir="rtl">"#));
    assert!(he.contains(r#"<meta charset="utf-8">"#));
    assert!(he.contains("page-break-after: always"));
    assert!(he.contains("size: A4"));
    assert!(he.contains("\"Noto Sans Hebrew\""));
    assert!(he.contains("\"Noto Naskh Arabic\""));
    assert_eq!(he.matches("<section class=\"letter\"").count(), 2);
    assert!(!he.contains("<script>"), "unescaped name");
    assert!(he.contains("&lt;script&gt;"));
    assert!(he.contains("כהן &amp; בניו"));
    assert!(he.contains("הרצל 12"));
    assert!(he.contains("חיפה 3303112"));

    let ar = &bundles[1].1;
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#));
    // The email letter is not printed.
    assert_eq!(ar.matches("<section class=\"letter\"").count(), 1);
    assert!(!ar.contains("داود"));
    assert!(ar.contains("شارع السلام 7"));
}
