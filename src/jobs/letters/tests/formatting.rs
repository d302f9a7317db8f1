//! Words and addresses: school years, dates and names written out, and the address
//! normalization that decides which guardians share a letter (gifted.md §7).
use super::*;
use crate::jobs::letters::recipients::{
    address_key, join_names, normalize_house_number, normalize_text,
};
use crate::jobs::letters::templates::tidy_text;
use crate::jobs::letters::words::{format_date, hebrew_numeral, hebrew_year};

#[test]
fn school_years_dates_and_names_are_formatted() {
    assert_eq!(hebrew_year(2027), "תשפ״ז");
    assert_eq!(hebrew_year(2025), "תשפ״ה");
    assert_eq!(hebrew_year(2028), "תשפ״ח");
    assert_eq!(hebrew_year(2019), "תשע״ט");
    assert_eq!(hebrew_year(1955), "תשט״ו"); // 5715
    assert_eq!(hebrew_year(1956), "תשט״ז"); // 5716
    assert_eq!(hebrew_year(2040), "ת״ת"); // 5800
    assert_eq!(hebrew_numeral(5), "ה׳");
    assert_eq!(hebrew_numeral(400), "ת׳");
    assert_eq!(format_date(date(2027, 5, 15), Language::He), "15 במאי 2027");
    assert_eq!(
        format_date(date(2026, 12, 31), Language::Ar),
        "31 كانون الأول 2026"
    );
    let names: Vec<String> = ["רחל כהן", "דוד כהן", "John Smith"]
        .map(String::from)
        .to_vec();
    assert_eq!(join_names(&names[..2], Language::He), "רחל כהן ודוד כהן");
    assert_eq!(
        join_names(&names, Language::He),
        "רחל כהן, דוד כהן ו-John Smith"
    );
    let ar: Vec<String> = ["راحيل خوري", "داود خوري", "سلمى خوري"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        join_names(&ar, Language::Ar),
        "راحيل خوري، داود خوري وسلمى خوري"
    );
    assert_eq!(tidy_text("\n\na  \n\n\n\nb\n\n"), "a\n\nb");
}

#[test]
fn address_normalization_rule() {
    assert_eq!(normalize_text("  ז'בוטינסקי "), "זבוטינסקי");
    assert_eq!(normalize_text("ז׳בוטינסקי"), "זבוטינסקי");
    assert_eq!(normalize_text("תל אביב-יפו"), "תל אביב יפו");
    assert_eq!(normalize_text("Tel  Aviv, Yafo."), "tel aviv yafo");
    assert_eq!(normalize_text("شارع الأقصى"), "شارع الاقصي"); // أ → ا, ى → ي
    assert_eq!(normalize_text("مدرسة"), "مدرسه");
    assert_eq!(normalize_house_number("12 א"), "12א");
    assert_eq!(normalize_house_number("012-א'"), "12א");
    assert_eq!(normalize_house_number("0"), "0");
    assert_eq!(normalize_house_number("12/3"), "12/3");

    let d = |street: &str, house: &str, city: &str| ContactDetails {
        street: Some(street.into()),
        house_number: (!house.is_empty()).then(|| house.into()),
        city: Some(city.into()),
        ..ContactDetails::default()
    };
    let key = |x: ContactDetails| address_key(&x).unwrap();
    assert_eq!(
        key(d("רחוב הרצל", "12", "חיפה")),
        key(d("הרצל 12", "", "חיפה "))
    );
    assert_eq!(
        key(d("شارع السلام", "7", "الناصرة")),
        key(d("السلام", "7", "الناصره"))
    );
    assert_ne!(
        key(d("הרצל", "12/3", "חיפה")),
        key(d("הרצל", "12/4", "חיפה"))
    );
    assert_ne!(key(d("הרצל", "12", "חיפה")), key(d("הרצל", "", "חיפה")));
    // Street and city are both needed.
    assert_eq!(
        address_key(&ContactDetails {
            street: Some("הרצל".into()),
            ..ContactDetails::default()
        }),
        None
    );
}
