//! Print-ready HTML: one file per institution with its post letters, one letter per A4 page
//! (gifted.md §7). Email letters are sent by email and are not printed.
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::render::{Institution, LetterRow};
use serde::Serialize;

use super::templates::Templates;
use super::{Channel, Language, LettersError};

/// The HTML bundle template's context. Borrows from the letter rows.
#[derive(Clone, Debug, Serialize)]
pub struct BundleContext<'a> {
    /// `he` or `ar`: the page language.
    pub lang: &'a str,
    /// Always `rtl`.
    pub dir: &'a str,
    pub institution_id: &'a str,
    pub institution_name: &'a str,
    pub letters: Vec<BundleLetter<'a>>,
}

/// One printed letter of a bundle.
#[derive(Clone, Debug, Serialize)]
pub struct BundleLetter<'a> {
    /// `he` or `ar`.
    pub lang: &'a str,
    pub student_id: &'a str,
    pub kind: &'a str,
    pub recipient_name: &'a str,
    /// "הרצל 12", "תל אביב-יפו 6100101".
    pub address_lines: Vec<String>,
    /// The text split at blank lines.
    pub paragraphs: Vec<BundleParagraph<'a>>,
}

/// A paragraph of a printed letter; its line breaks are kept (CSS `white-space: pre-line`).
#[derive(Clone, Debug, Serialize)]
pub struct BundleParagraph<'a> {
    /// The subject line ("הנדון: …"), set in bold.
    pub subject: bool,
    pub text: &'a str,
}

/// An institution's bundle: (institution_id, HTML page).
pub type Bundle = (String, String);

/// One HTML page per institution that has post letters, sorted by institution_id. The page is
/// `<html lang="he" dir="rtl">` (`ar` for an arabic-sector school), UTF-8, A4, one letter per
/// printed page, each with the recipient's address block and the letter text; all text is
/// HTML-escaped by the template engine. Letters are in the order of
/// [`render_letters`](super::render_letters): student, kind, recipient.
pub fn build_bundles(
    letters: &[LetterRow],
    institutions: &[Institution],
    templates: &Templates,
) -> Result<Vec<Bundle>, LettersError> {
    let mut by_institution: BTreeMap<&str, Vec<&LetterRow>> = BTreeMap::new();
    for l in letters.iter().filter(|l| l.channel == Channel::Post) {
        by_institution
            .entry(l.institution_id.as_str())
            .or_default()
            .push(l);
    }
    let mut institution_by_id: HashMap<&str, &Institution> = HashMap::new();
    for i in institutions {
        institution_by_id
            .entry(i.institution_id.as_str())
            .or_insert(i);
    }

    let groups: Vec<(&str, Vec<&LetterRow>)> = by_institution.into_iter().collect();
    groups
        .into_par_iter()
        .map(|(id, mut rows)| {
            rows.sort_by(|a, b| {
                (
                    &a.student_id,
                    a.kind.as_str(),
                    &a.recipient_contact_ids,
                    &a.text,
                )
                    .cmp(&(
                        &b.student_id,
                        b.kind.as_str(),
                        &b.recipient_contact_ids,
                        &b.text,
                    ))
            });
            let institution = institution_by_id.get(id).copied();
            let lang = match institution {
                Some(i) => i.sector.language(),
                None => rows[0].language,
            };
            let ctx = BundleContext {
                lang: lang.as_str(),
                dir: "rtl",
                institution_id: id,
                institution_name: institution.map(|i| i.name.as_str()).unwrap_or(""),
                letters: rows.iter().map(|l| bundle_letter(l)).collect(),
            };
            Ok((id.to_string(), templates.render_bundle(&ctx)?))
        })
        .collect()
}

fn bundle_letter(l: &LetterRow) -> BundleLetter<'_> {
    let street_line = join_present(&[&l.street, &l.house_number]);
    let city_line = join_present(&[&l.city, &l.zip]);
    BundleLetter {
        lang: l.language.as_str(),
        student_id: &l.student_id,
        kind: l.kind.as_str(),
        recipient_name: &l.recipient_name,
        address_lines: [street_line, city_line]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        paragraphs: paragraphs(&l.text, l.language),
    }
}

fn join_present(parts: &[&Option<String>]) -> String {
    parts
        .iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text split at blank lines; a paragraph opening with the subject marker ("הנדון:",
/// "الموضوع:") is marked so the page can set it in bold.
fn paragraphs(text: &str, language: Language) -> Vec<BundleParagraph<'_>> {
    let marker = match language {
        Language::He => "הנדון:",
        Language::Ar => "الموضوع:",
    };
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| BundleParagraph {
            subject: p.starts_with(marker),
            text: p,
        })
        .collect()
}
