//! Letter templates: one minijinja template per kind and language, bundled into the binary from
//! `templates/letters/<lang>/<kind>.txt`, plus the HTML bundle template
//! `templates/letters/bundle.html`. A directory given with `--templates DIR` overrides them file
//! by file: `DIR/<lang>/<kind>.txt` replaces one letter, `DIR/bundle.html` the bundle page.
//!
//! Secrecy is structural (0207 §1.4, §1.5, §2.4.ד, §2.6.ה, §2.12.ג): a template sees only a
//! [`LetterContext`], whose fields are names, dates and school years — none can hold a score,
//! percentile, rank or lottery number — and a template that refers to any other variable is
//! rejected when it is loaded, naming the file and the variable.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Enumerator, Object, Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::{Language, LetterKind};
use crate::error::Error;

/// The run's letter parameters, filled by the caller from the pipeline file (never the clock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterParams {
    /// The date printed on the letters.
    pub letter_date: NaiveDate,
    /// The school year of the run (the calendar year it ends in: 2027 is 2026/27, תשפ״ז).
    /// Placement letters also name the following school year, when the class or program starts.
    pub school_year: i64,
    /// Last day for the parents' answer: asking for a gifted class after stage B results
    /// (§2.8.ד.1, "within a week"), or confirming an interview. Omitted from the text when `None`.
    pub response_by: Option<NaiveDate>,
    /// Last day for an online appeal or request to sit stage B (§2.4.ה, "until 31 December").
    /// Omitted from the text when `None` (the letter then refers to the dates published in the
    /// parents' portal).
    pub appeal_by: Option<NaiveDate>,
    /// Signature of Hebrew letters from the Ministry (stage B and placement letters).
    pub sender_he: String,
    /// Signature of Arabic letters from the Ministry.
    pub sender_ar: String,
    /// Address for parents' questions printed in the letters.
    pub inquiries_email: String,
}

impl LetterParams {
    pub const DEFAULT_SENDER_HE: &'static str = "האגף לתלמידים מחוננים ומצטיינים, משרד החינוך";
    pub const DEFAULT_SENDER_AR: &'static str =
        "قسم الطلاب الموهوبين والمتفوّقين، وزارة التربية والتعليم";
    /// The division's address, from the standing order's header.
    pub const DEFAULT_INQUIRIES_EMAIL: &'static str = "mehunanim@education.gov.il";

    /// Parameters with the default senders and inquiries address and no deadlines.
    pub fn new(letter_date: NaiveDate, school_year: i64) -> LetterParams {
        LetterParams {
            letter_date,
            school_year,
            response_by: None,
            appeal_by: None,
            sender_he: Self::DEFAULT_SENDER_HE.to_string(),
            sender_ar: Self::DEFAULT_SENDER_AR.to_string(),
            inquiries_email: Self::DEFAULT_INQUIRIES_EMAIL.to_string(),
        }
    }

    /// Parses an ISO `YYYY-MM-DD` date of the pipeline file; the error names the parameter.
    pub fn parse_date(name: &str, value: &str) -> Result<NaiveDate, Error> {
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
            Error::config(
                name,
                Some(format!("{value:?}")),
                "not a date of the form YYYY-MM-DD",
            )
        })
    }

    pub fn sender(&self, language: Language) -> &str {
        match language {
            Language::He => &self.sender_he,
            Language::Ar => &self.sender_ar,
        }
    }
}

/// Everything a letter template can see. A closed set of text fields: names, dates and school
/// years. There is deliberately no numeric field and no field for a score, percentile, rank,
/// category detail or lottery number, so no template can print one (0207 §2.6.ה, §2.12.ג).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LetterContext {
    /// Date of the letter in the letter's language: "15 במאי 2027", "15 أيار 2027".
    pub letter_date: String,
    /// The run's school year in Hebrew letters: "תשפ״ז".
    pub school_year_hebrew: String,
    /// The run's school year in Gregorian years: "2026/2027".
    pub school_year_gregorian: String,
    /// The following school year (when classes and programs start): "תשפ״ח".
    pub next_school_year_hebrew: String,
    /// The following school year: "2027/2028".
    pub next_school_year_gregorian: String,
    /// The student's full name.
    pub student_name: String,
    /// The student's first name.
    pub student_first_name: String,
    /// The addressees: "רחל כהן ודוד כהן".
    pub recipient_name: String,
    /// The student's school (`institutions.name`).
    pub school_name: String,
    /// The school of the gifted class (interview, placement, waitlist letters).
    pub class_school_name: Option<String>,
    /// The enrichment center (enrichment letters; stage B letters when known).
    pub center_name: Option<String>,
    /// The interview date, in the letter's language, when already set.
    pub interview_date: Option<String>,
    /// Last day to answer, in the letter's language.
    pub response_by: Option<String>,
    /// Last day to appeal or request stage B, in the letter's language.
    pub appeal_by: Option<String>,
    /// The Ministry signature in the letter's language.
    pub sender: String,
    /// Address for questions.
    pub inquiries_email: String,
}

impl LetterContext {
    /// The variables a letter template may use.
    pub const FIELDS: [&'static str; 16] = [
        "letter_date",
        "school_year_hebrew",
        "school_year_gregorian",
        "next_school_year_hebrew",
        "next_school_year_gregorian",
        "student_name",
        "student_first_name",
        "recipient_name",
        "school_name",
        "class_school_name",
        "center_name",
        "interview_date",
        "response_by",
        "appeal_by",
        "sender",
        "inquiries_email",
    ];

    /// A context with every field filled, used to try templates when they are loaded.
    fn sample(language: Language, optional: bool) -> LetterContext {
        let params = LetterParams {
            response_by: Some(NaiveDate::from_ymd_opt(2027, 5, 22).unwrap()),
            appeal_by: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            ..LetterParams::new(NaiveDate::from_ymd_opt(2027, 5, 15).unwrap(), 2027)
        };
        let some = |s: &str| optional.then(|| s.to_string());
        let mut ctx = LetterContext {
            student_name: "נועה לוי".into(),
            student_first_name: "נועה".into(),
            recipient_name: "רחל לוי ודוד לוי".into(),
            school_name: "בית ספר הדגמה".into(),
            class_school_name: some("בית ספר הדגמה"),
            center_name: some("מרכז הדגמה"),
            ..LetterContext::default()
        };
        ctx.fill_run_fields(&params, language);
        if optional {
            ctx.interview_date = Some(format_date(params.letter_date, language));
        } else {
            ctx.response_by = None;
            ctx.appeal_by = None;
        }
        ctx
    }

    /// Fills the fields that come from the run's parameters.
    pub fn fill_run_fields(&mut self, params: &LetterParams, language: Language) {
        let run = RunFields::new(params, language);
        run.apply(self);
    }
}

/// The per-run, per-language part of a context, formatted once.
#[derive(Clone, Debug)]
struct RunFields {
    letter_date: String,
    school_year_hebrew: String,
    school_year_gregorian: String,
    next_school_year_hebrew: String,
    next_school_year_gregorian: String,
    response_by: Option<String>,
    appeal_by: Option<String>,
    sender: String,
    inquiries_email: String,
}

impl RunFields {
    fn new(params: &LetterParams, language: Language) -> RunFields {
        RunFields {
            letter_date: format_date(params.letter_date, language),
            school_year_hebrew: hebrew_year(params.school_year),
            school_year_gregorian: gregorian_school_year(params.school_year),
            next_school_year_hebrew: hebrew_year(params.school_year + 1),
            next_school_year_gregorian: gregorian_school_year(params.school_year + 1),
            response_by: params.response_by.map(|d| format_date(d, language)),
            appeal_by: params.appeal_by.map(|d| format_date(d, language)),
            sender: params.sender(language).to_string(),
            inquiries_email: params.inquiries_email.clone(),
        }
    }

    fn apply(&self, ctx: &mut LetterContext) {
        ctx.letter_date.clone_from(&self.letter_date);
        ctx.school_year_hebrew.clone_from(&self.school_year_hebrew);
        ctx.school_year_gregorian
            .clone_from(&self.school_year_gregorian);
        ctx.next_school_year_hebrew
            .clone_from(&self.next_school_year_hebrew);
        ctx.next_school_year_gregorian
            .clone_from(&self.next_school_year_gregorian);
        ctx.response_by.clone_from(&self.response_by);
        ctx.appeal_by.clone_from(&self.appeal_by);
        ctx.sender.clone_from(&self.sender);
        ctx.inquiries_email.clone_from(&self.inquiries_email);
    }
}

/// The run's part of a template context as template values, built once per run and language
/// and shared by every letter.
#[derive(Debug)]
pub(crate) struct RunValues {
    letter_date: Value,
    school_year_hebrew: Value,
    school_year_gregorian: Value,
    next_school_year_hebrew: Value,
    next_school_year_gregorian: Value,
    response_by: Value,
    appeal_by: Value,
    sender: Value,
    inquiries_email: Value,
}

impl RunValues {
    pub(crate) fn new(params: &LetterParams, language: Language) -> Arc<RunValues> {
        let f = RunFields::new(params, language);
        Arc::new(RunValues {
            letter_date: Value::from(f.letter_date),
            school_year_hebrew: Value::from(f.school_year_hebrew),
            school_year_gregorian: Value::from(f.school_year_gregorian),
            next_school_year_hebrew: Value::from(f.next_school_year_hebrew),
            next_school_year_gregorian: Value::from(f.next_school_year_gregorian),
            response_by: opt_value(f.response_by),
            appeal_by: opt_value(f.appeal_by),
            sender: Value::from(f.sender),
            inquiries_email: Value::from(f.inquiries_email),
        })
    }
}

/// What a template receives: the fields of a [`LetterContext`] — exactly
/// [`LetterContext::FIELDS`], nothing else — as prebuilt values (cheap to share between the
/// letters of a student or a run).
#[derive(Debug)]
pub(crate) struct ContextValues {
    pub(crate) run: Arc<RunValues>,
    pub(crate) student_name: Value,
    pub(crate) student_first_name: Value,
    pub(crate) recipient_name: Value,
    pub(crate) school_name: Value,
    pub(crate) class_school_name: Value,
    pub(crate) center_name: Value,
    pub(crate) interview_date: Value,
}

impl ContextValues {
    fn from_context(ctx: LetterContext) -> ContextValues {
        ContextValues {
            run: Arc::new(RunValues {
                letter_date: Value::from(ctx.letter_date),
                school_year_hebrew: Value::from(ctx.school_year_hebrew),
                school_year_gregorian: Value::from(ctx.school_year_gregorian),
                next_school_year_hebrew: Value::from(ctx.next_school_year_hebrew),
                next_school_year_gregorian: Value::from(ctx.next_school_year_gregorian),
                response_by: opt_value(ctx.response_by),
                appeal_by: opt_value(ctx.appeal_by),
                sender: Value::from(ctx.sender),
                inquiries_email: Value::from(ctx.inquiries_email),
            }),
            student_name: Value::from(ctx.student_name),
            student_first_name: Value::from(ctx.student_first_name),
            recipient_name: Value::from(ctx.recipient_name),
            school_name: Value::from(ctx.school_name),
            class_school_name: opt_value(ctx.class_school_name),
            center_name: opt_value(ctx.center_name),
            interview_date: opt_value(ctx.interview_date),
        }
    }

    fn field(&self, name: &str) -> Option<&Value> {
        let run = &self.run;
        Some(match name {
            "letter_date" => &run.letter_date,
            "school_year_hebrew" => &run.school_year_hebrew,
            "school_year_gregorian" => &run.school_year_gregorian,
            "next_school_year_hebrew" => &run.next_school_year_hebrew,
            "next_school_year_gregorian" => &run.next_school_year_gregorian,
            "student_name" => &self.student_name,
            "student_first_name" => &self.student_first_name,
            "recipient_name" => &self.recipient_name,
            "school_name" => &self.school_name,
            "class_school_name" => &self.class_school_name,
            "center_name" => &self.center_name,
            "interview_date" => &self.interview_date,
            "response_by" => &run.response_by,
            "appeal_by" => &run.appeal_by,
            "sender" => &run.sender,
            "inquiries_email" => &run.inquiries_email,
            _ => return None,
        })
    }
}

impl Object for ContextValues {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.field(key.as_str()?).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&LetterContext::FIELDS)
    }
}

/// A template value for an optional text: the text, or `none`.
pub(crate) fn opt_value(v: Option<String>) -> Value {
    v.map(Value::from).unwrap_or(Value::from(()))
}

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

/// The HTML bundle template's context (see `bundle.rs`). Borrows from the letter rows.
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

macro_rules! bundled {
    ($lang:literal, $kind:literal) => {
        (
            $lang,
            $kind,
            include_str!(concat!(
                "../../../templates/letters/",
                $lang,
                "/",
                $kind,
                ".txt"
            )),
        )
    };
}

macro_rules! bundled_all {
    ($($kind:literal),* $(,)?) => {
        [$(bundled!("he", $kind), bundled!("ar", $kind)),*]
    };
}

/// The templates shipped with the project: (language, kind, source).
const BUNDLED: [(&str, &str, &str); 24] = bundled_all![
    "stage_a_referred",
    "stage_a_not_referred",
    "stage_a_absent",
    "stage_b_gifted",
    "stage_b_excellent",
    "stage_b_not_eligible",
    "stage_b_incomplete",
    "interview_invitation",
    "placement_class",
    "placement_enrichment_gifted",
    "placement_enrichment_excellent",
    "not_placed_waitlist",
];

const BUNDLED_BUNDLE: &str = include_str!("../../../templates/letters/bundle.html");

/// The name of the HTML bundle template.
pub const BUNDLE_TEMPLATE: &str = "bundle.html";

/// The letter templates of a run, each compiled once.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from (`bundled` or the override file), for messages.
    origins: BTreeMap<String, String>,
}

/// The template name of a kind and language: `he/stage_a_referred.txt`.
pub fn template_name(language: Language, kind: LetterKind) -> String {
    format!("{}/{}.txt", language.as_str(), kind.as_str())
}

impl Templates {
    /// The bundled templates only.
    pub fn bundled() -> Result<Templates, Error> {
        Templates::load(None)
    }

    /// The bundled templates, each replaced by `DIR/<lang>/<kind>.txt` (and `DIR/bundle.html`)
    /// when `override_dir` has it. A missing directory, an unreadable or broken file, a file
    /// under `DIR/he` or `DIR/ar` that names no letter kind, or a template using a variable that
    /// is not a [`LetterContext`] field is an error naming the file.
    pub fn load(override_dir: Option<&Path>) -> Result<Templates, Error> {
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (lang, kind, src) in BUNDLED {
            let name = format!("{lang}/{kind}.txt");
            sources.insert(name, (src.to_string(), "bundled".to_string()));
        }
        sources.insert(
            BUNDLE_TEMPLATE.to_string(),
            (BUNDLED_BUNDLE.to_string(), "bundled".to_string()),
        );

        if let Some(dir) = override_dir {
            for (name, path) in override_files(dir)? {
                let src = std::fs::read_to_string(&path).map_err(|e| {
                    Error::Template(format!(
                        "letter template override {} cannot be read: {e}",
                        path.display()
                    ))
                })?;
                sources.insert(name, (src, path.display().to_string()));
            }
        }

        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .map_err(|e| Error::Job(format!("letter template syntax: {e}")))?,
        );
        let globals: BTreeSet<String> = env.globals().map(|(k, _)| k.to_string()).collect();
        let mut origins = BTreeMap::new();
        for (name, (src, origin)) in sources {
            env.add_template_owned(name.clone(), src).map_err(|e| {
                Error::Template(format!(
                    "letter template {} is broken: {}",
                    origin_label(&origin, &name),
                    describe(&e)
                ))
            })?;
            origins.insert(name, origin);
        }
        let templates = Templates { env, origins };
        templates.check(&globals)?;
        Ok(templates)
    }

    /// Where a template came from: `bundled` or the override file's path.
    pub fn origin(&self, language: Language, kind: LetterKind) -> &str {
        self.origins
            .get(&template_name(language, kind))
            .map(String::as_str)
            .unwrap_or("bundled")
    }

    /// Every letter template only uses context fields, and renders with a sample context (all
    /// optional fields set, and all unset); the bundle template renders a sample bundle.
    fn check(&self, globals: &BTreeSet<String>) -> Result<(), Error> {
        for language in Language::ALL {
            for kind in LetterKind::ALL {
                let name = template_name(language, kind);
                let label = origin_label(&self.origins[&name], &name);
                let tmpl = self
                    .env
                    .get_template(&name)
                    .map_err(|e| Error::Template(format!("letter template {label}: {e}")))?;
                let mut unknown: Vec<String> = tmpl
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !LetterContext::FIELDS.contains(&v.as_str()))
                    .filter(|v| !globals.contains(v))
                    .collect();
                unknown.sort();
                if !unknown.is_empty() {
                    return Err(Error::Template(format!(
                        "letter template {label} uses {}, which a letter cannot contain \
                         (a letter may use only: {})",
                        unknown.join(", "),
                        LetterContext::FIELDS.join(", ")
                    )));
                }
                for optional in [true, false] {
                    let ctx = LetterContext::sample(language, optional);
                    self.render_context(language, kind, ctx).map_err(|e| {
                        Error::Template(format!(
                            "letter template {label} fails to render: {}",
                            e.detail
                        ))
                    })?;
                }
            }
        }
        let sample = BundleContext {
            lang: "he",
            dir: "rtl",
            institution_id: "000000",
            institution_name: "בית ספר הדגמה",
            letters: vec![BundleLetter {
                lang: "he",
                student_id: "000000018",
                kind: "stage_a_referred",
                recipient_name: "רחל לוי",
                address_lines: vec!["הרצל 1".into(), "חיפה".into()],
                paragraphs: vec![
                    BundleParagraph {
                        subject: true,
                        text: "הנדון: <בדיקה>",
                    },
                    BundleParagraph {
                        subject: false,
                        text: "שלום\nרב",
                    },
                ],
            }],
        };
        self.render_bundle(&sample).map_err(|e| {
            Error::Template(format!(
                "letter template {} fails to render: {e}",
                origin_label(&self.origins[BUNDLE_TEMPLATE], BUNDLE_TEMPLATE)
            ))
        })?;
        Ok(())
    }

    /// Renders one letter; the text is tidied (trailing spaces removed, at most one blank line
    /// in a row, no leading or trailing blank lines).
    pub fn render(
        &self,
        language: Language,
        kind: LetterKind,
        ctx: LetterContext,
    ) -> Result<String, Error> {
        self.render_context(language, kind, ctx)
            .map_err(|e| self.render_error(language, kind, e))
    }

    fn render_context(
        &self,
        language: Language,
        kind: LetterKind,
        ctx: LetterContext,
    ) -> Result<String, RenderError> {
        self.render_values_inner(language, kind, ContextValues::from_context(ctx))
    }

    /// [`Templates::render`] with prebuilt values (the fast path of `render_letters`).
    pub(crate) fn render_values(
        &self,
        language: Language,
        kind: LetterKind,
        values: ContextValues,
    ) -> Result<String, Error> {
        self.render_values_inner(language, kind, values)
            .map_err(|e| self.render_error(language, kind, e))
    }

    fn render_values_inner(
        &self,
        language: Language,
        kind: LetterKind,
        values: ContextValues,
    ) -> Result<String, RenderError> {
        let tmpl = self
            .env
            .get_template(&template_name(language, kind))
            .map_err(RenderError::from)?;
        let raw = tmpl
            .render(Value::from_object(values))
            .map_err(RenderError::from)?;
        Ok(tidy_text(&raw))
    }

    fn render_error(&self, language: Language, kind: LetterKind, e: RenderError) -> Error {
        let name = template_name(language, kind);
        let origin = self
            .origins
            .get(&name)
            .map(String::as_str)
            .unwrap_or("bundled");
        Error::Job(format!(
            "letter template {} fails to render: {}",
            origin_label(origin, &name),
            e.detail
        ))
    }

    /// Renders an HTML bundle page (auto-escaped HTML).
    pub fn render_bundle(&self, ctx: &BundleContext<'_>) -> Result<String, Error> {
        let tmpl = self
            .env
            .get_template(BUNDLE_TEMPLATE)
            .map_err(|e| Error::Job(format!("bundle template: {e}")))?;
        tmpl.render(Value::from(Serde(ctx))).map_err(|e| {
            Error::Job(format!(
                "letter template {} fails to render: {}",
                origin_label(&self.origins[BUNDLE_TEMPLATE], BUNDLE_TEMPLATE),
                describe(&e)
            ))
        })
    }
}

struct RenderError {
    detail: String,
}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        RenderError {
            detail: describe(&e),
        }
    }
}

/// A minijinja error in one line, with the line number when known.
fn describe(e: &minijinja::Error) -> String {
    let mut s = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if let Some(line) = e.line() {
        s.push_str(&format!(" (line {line})"));
    }
    s
}

fn origin_label(origin: &str, name: &str) -> String {
    if origin == "bundled" {
        format!("{name} (bundled)")
    } else {
        origin.to_string()
    }
}

/// The override files of `dir`: (template name, path). Errors name the offending path.
fn override_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    if !dir.is_dir() {
        return Err(Error::Template(format!(
            "letter template directory {} does not exist or is not a directory",
            dir.display()
        )));
    }
    let mut out = Vec::new();
    let bundle = dir.join(BUNDLE_TEMPLATE);
    if bundle.is_file() {
        out.push((BUNDLE_TEMPLATE.to_string(), bundle));
    }
    for language in Language::ALL {
        let sub = dir.join(language.as_str());
        if !sub.exists() {
            continue;
        }
        let entries = std::fs::read_dir(&sub).map_err(|e| {
            Error::Template(format!(
                "letter template directory {} cannot be read: {e}",
                sub.display()
            ))
        })?;
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| {
                Error::Template(format!(
                    "letter template directory {} cannot be read: {e}",
                    sub.display()
                ))
            })?;
            paths.push(entry.path());
        }
        paths.sort();
        for path in paths {
            let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            if file.starts_with('.') {
                continue;
            }
            let kind = file.strip_suffix(".txt").and_then(LetterKind::parse);
            match kind {
                Some(kind) => out.push((template_name(language, kind), path)),
                None => {
                    return Err(Error::Template(format!(
                        "letter template override {} names no letter kind (expected \
                         <kind>.txt with kind one of: {})",
                        path.display(),
                        LetterKind::ALL.map(LetterKind::as_str).join(", ")
                    )))
                }
            }
        }
    }
    Ok(out)
}

/// Trailing spaces removed from every line, at most one blank line in a row, no blank lines
/// at the start or the end.
pub fn tidy_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0usize;
    for line in raw.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}
