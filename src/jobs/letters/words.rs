//! Dates and school years in words, as the letters print them (Hebrew and Arabic month names,
//! the Hebrew year in letters): no clock, every date comes from the run's parameters.
use chrono::{Datelike, NaiveDate};

use super::Language;

const HE_MONTHS: [&str; 12] = [
    "בינואר",
    "בפברואר",
    "במרץ",
    "באפריל",
    "במאי",
    "ביוני",
    "ביולי",
    "באוגוסט",
    "בספטמבר",
    "באוקטובר",
    "בנובמבר",
    "בדצמבר",
];

/// Month names as used in Arabic in Israel (Levantine).
const AR_MONTHS: [&str; 12] = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
];

/// A date in words: "15 במאי 2027", "15 أيار 2027" (day and year in Western digits, which
/// read correctly inside right-to-left text).
pub fn format_date(d: NaiveDate, language: Language) -> String {
    let month = d.month0() as usize;
    match language {
        Language::He => format!("{} {} {}", d.day(), HE_MONTHS[month], d.year()),
        Language::Ar => format!("{} {} {}", d.day(), AR_MONTHS[month], d.year()),
    }
}

/// The school year in Gregorian years: 2027 → "2026/2027". A slash, not a hyphen: inside
/// Arabic text the bidi algorithm displays "2026-2027" as "2027-2026", while "2026/2027" stays
/// in this order in both Arabic and Hebrew text.
pub fn gregorian_school_year(school_year: i64) -> String {
    format!("{}/{}", school_year - 1, school_year)
}

/// The school year as a Hebrew year in letters, thousands omitted: 2027 (5787) → "תשפ״ז",
/// 2025 → "תשפ״ה", 1955 (5715) → "תשט״ו". School year Y ends in the Hebrew year Y + 3760.
pub fn hebrew_year(school_year: i64) -> String {
    let n = (school_year + 3760).rem_euclid(1000) as u32;
    hebrew_numeral(n)
}

/// A number 1–999 in Hebrew letters with geresh or gershayim (15 → ט״ו, 16 → ט״ז).
pub fn hebrew_numeral(mut n: u32) -> String {
    const HUNDREDS: [&str; 5] = ["", "ק", "ר", "ש", "ת"];
    const TENS: [&str; 10] = ["", "י", "כ", "ל", "מ", "נ", "ס", "ע", "פ", "צ"];
    const UNITS: [&str; 10] = ["", "א", "ב", "ג", "ד", "ה", "ו", "ז", "ח", "ט"];
    let mut letters = String::new();
    while n >= 400 {
        letters.push('ת');
        n -= 400;
    }
    letters.push_str(HUNDREDS[(n / 100) as usize]);
    n %= 100;
    match n {
        15 => letters.push_str("טו"),
        16 => letters.push_str("טז"),
        _ => {
            letters.push_str(TENS[(n / 10) as usize]);
            letters.push_str(UNITS[(n % 10) as usize]);
        }
    }
    let chars: Vec<char> = letters.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => format!("{}\u{05F3}", chars[0]),
        k => {
            let head: String = chars[..k - 1].iter().collect();
            format!("{head}\u{05F4}{}", chars[k - 1])
        }
    }
}
