//! Print-ready HTML: one file per institution with its post letters, one letter per A4 page
//! (gifted.md §7). Email letters are sent by email and are not printed.
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::render::{Institution, LetterRow};
use minijinja::value::{Enumerator, Object, Value};
use std::sync::Arc;

use super::templates::Templates;
use super::{Channel, Language, LettersError};

/// The HTML bundle template's context. Borrows from the letter rows; the template sees it as
/// [`BundleContext::value`].
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
pub struct BundleParagraph<'a> {
    /// The subject line ("הנדון: …"), set in bold.
    pub subject: bool,
    pub text: &'a str,
}

impl BundleContext<'_> {
    /// The context as the template sees it: each struct an object whose fields are looked up
    /// by name (`Fields`), which is what a map of its fields would give the template, made
    /// without serde building a map per letter and per paragraph (~14 % of rendering a
    /// bundle; a national run prints ~200,000 letters).
    pub fn value(&self) -> Value {
        let letters: Vec<Value> = self.letters.iter().map(BundleLetter::value).collect();
        Fields::value(
            &[
                "lang",
                "dir",
                "institution_id",
                "institution_name",
                "letters",
            ],
            [
                Value::from(self.lang),
                Value::from(self.dir),
                Value::from(self.institution_id),
                Value::from(self.institution_name),
                Value::from(letters),
            ],
        )
    }
}

impl BundleLetter<'_> {
    fn value(&self) -> Value {
        let lines: Vec<Value> = self.address_lines.iter().map(Value::from).collect();
        let paragraphs: Vec<Value> = (self.paragraphs.iter())
            .map(|p| Fields::value(&["subject", "text"], [p.subject.into(), p.text.into()]))
            .collect();
        Fields::value(
            &[
                "lang",
                "student_id",
                "kind",
                "recipient_name",
                "address_lines",
                "paragraphs",
            ],
            [
                Value::from(self.lang),
                Value::from(self.student_id),
                Value::from(self.kind),
                Value::from(self.recipient_name),
                Value::from(lines),
                Value::from(paragraphs),
            ],
        )
    }
}

/// A struct as a template sees it: `x.name` is the value of field `name`; any other name is
/// undefined (an error under the templates' strict undefined behaviour), and the fields
/// enumerate in order.
#[derive(Debug)]
struct Fields<const N: usize> {
    names: &'static [&'static str; N],
    values: [Value; N],
}

impl<const N: usize> Fields<N> {
    fn value(names: &'static [&'static str; N], values: [Value; N]) -> Value {
        Value::from_object(Fields { names, values })
    }
}

impl<const N: usize> Object for Fields<N> {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        let i = self.names.iter().position(|n| *n == key)?;
        Some(self.values[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(self.names)
    }
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
    blank_line_parts(text)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| BundleParagraph {
            subject: p.starts_with(marker),
            text: p,
        })
        .collect()
}

/// `text` split at each blank line ("\n\n") as `str::split` splits it, found with
/// `memchr::memmem`: `str::split`'s general substring search was ~1.4 % of a national run's CPU.
fn blank_line_parts(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let cuts = memchr::memmem::find_iter(text.as_bytes(), b"\n\n").map(Some);
    cuts.chain([None]).map(move |at| {
        // "\n" is ASCII: every cut is at a character boundary.
        let end = at.unwrap_or(text.len());
        let part = &text[start..end];
        start = end + 2;
        part
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Cut at blank lines exactly as `str::split("\n\n")` cuts, runs of three or more
        /// newlines and Hebrew text included.
        #[test]
        fn blank_line_parts_split_as_str_split(text in "[aב \n]{0,40}") {
            let ours: Vec<&str> = blank_line_parts(&text).collect();
            let std: Vec<&str> = text.split("\n\n").collect();
            prop_assert_eq!(ours, std);
        }
    }

    /// A template sees a [`Fields`] as it would see a map of the fields: by name, in order
    /// when enumerated, and a name that is not a field is undefined (an error under strict
    /// undefined behaviour, as the bundle template is rendered).
    #[test]
    fn fields_read_by_name_enumerate_in_order_and_refuse_other_names() {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let x = Fields::value(&["b", "a"], [Value::from("<1>"), Value::from(true)]);
        let render = |src: &str| env.render_str(src, minijinja::context! { x => x.clone() });
        assert_eq!(render("{{ x.b }} {{ x.a }}").unwrap(), "<1> True");
        assert_eq!(
            render("{% for k in x %}{{ k }};{% endfor %}").unwrap(),
            "b;a;"
        );
        assert!(render("{{ x.c }}").is_err());
    }
}
