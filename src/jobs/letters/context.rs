//! What a letter template sees (0207 §1.4, §1.5, §2.4.ד, §2.6.ה, §2.12.ג): the run's letter
//! parameters ([`LetterParams`]) and the closed [`LetterContext`] — names, dates and school
//! years, none of which can hold a score, percentile, rank or lottery number — and the same
//! fields as prebuilt template values shared between the letters of a run.
use std::sync::Arc;

use chrono::NaiveDate;
use minijinja::value::{Enumerator, Object, Value};
use serde::Serialize;

use super::words::{format_date, gregorian_school_year, hebrew_year};
use super::{Gender, Language, LettersError};

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
    pub fn parse_date(name: &str, value: &str) -> Result<NaiveDate, LettersError> {
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| LettersError::NotADate {
            name: name.to_string(),
            value: value.to_string(),
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
    /// The student's gender (`students.gender`): the template sees `f` or `m` (`none` when
    /// unknown, written like `m`), so words that agree with the child take its grammatical
    /// gender in Hebrew and Arabic (`by_gender`, [`templates`](super::templates)).
    pub student_gender: Option<Gender>,
    /// The addressees: "רחל כהן ודוד כהן".
    pub recipient_name: String,
    /// The student's school (`institutions.name`).
    pub school_name: String,
    /// The school of the gifted class (interview, placement, waitlist letters).
    pub class_school_name: Option<String>,
    /// The enrichment center (enrichment letters; stage B letters when known).
    pub center_name: Option<String>,
    /// Why a request got its outcome, which the template says in words: a class request that
    /// made no candidate (`request_outcomes.reason`, gifted.md §4), or the rule of a decision
    /// of gifted.md §6 (`retest_decisions.rule`, `absence_decisions.rule`,
    /// `accommodation_outcomes.rule`, `language_decisions.rule`). A rule names a condition,
    /// never a value.
    pub request_reason: Option<String>,
    /// The stage a request of gifted.md §6 is about (`elementary`, `secondary`).
    pub stage: Option<String>,
    /// The date a decision is about, in the letter's language: the exam an absence notice
    /// reports (gifted.md §6.1 "Absence").
    pub event_date: Option<String>,
    /// The date of the next step, in the letter's language: the end of the testing period in
    /// which a make-up is set, or the earliest date of another test (gifted.md §6.1).
    pub next_date: Option<String>,
    /// The approved accommodation kinds, sorted and `;`-joined (`adapted_sessions`, gifted.md
    /// §6.2): the template names each in words.
    pub accommodations: Option<String>,
    /// The language of a language-adapted test (`language_decisions.language`, gifted.md §6.2).
    pub test_language: Option<String>,
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
    pub const FIELDS: [&'static str; 23] = [
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
        "request_reason",
        "student_gender",
        "stage",
        "event_date",
        "next_date",
        "accommodations",
        "test_language",
    ];

    /// A context with every field filled (a girl), or with the optional fields and the gender
    /// unset, used to try templates when they are loaded.
    pub(crate) fn sample(language: Language, optional: bool) -> LetterContext {
        let params = LetterParams {
            response_by: Some(NaiveDate::from_ymd_opt(2027, 5, 22).unwrap()),
            appeal_by: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            ..LetterParams::new(NaiveDate::from_ymd_opt(2027, 5, 15).unwrap(), 2027)
        };
        let some = |s: &str| optional.then(|| s.to_string());
        let mut ctx = LetterContext {
            student_name: "נועה לוי".into(),
            student_first_name: "נועה".into(),
            student_gender: optional.then_some(Gender::Female),
            recipient_name: "רחל לוי ודוד לוי".into(),
            school_name: "בית ספר הדגמה".into(),
            class_school_name: some("בית ספר הדגמה"),
            center_name: some("מרכז הדגמה"),
            request_reason: some("non_resident_first_year"),
            stage: some("elementary"),
            accommodations: some("extended_time;separate_room"),
            test_language: some("russian"),
            ..LetterContext::default()
        };
        ctx.fill_run_fields(&params, language);
        if optional {
            ctx.interview_date = Some(format_date(params.letter_date, language));
            ctx.event_date = Some(format_date(params.letter_date, language));
            ctx.next_date = ctx.response_by.clone();
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
    pub(crate) student_gender: Value,
    pub(crate) recipient_name: Value,
    pub(crate) school_name: Value,
    pub(crate) class_school_name: Value,
    pub(crate) center_name: Value,
    pub(crate) request_reason: Value,
    pub(crate) interview_date: Value,
    pub(crate) stage: Value,
    pub(crate) event_date: Value,
    pub(crate) next_date: Value,
    pub(crate) accommodations: Value,
    pub(crate) test_language: Value,
}

impl ContextValues {
    pub(crate) fn from_context(ctx: LetterContext) -> ContextValues {
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
            student_gender: gender_value(ctx.student_gender),
            recipient_name: Value::from(ctx.recipient_name),
            school_name: Value::from(ctx.school_name),
            class_school_name: opt_value(ctx.class_school_name),
            center_name: opt_value(ctx.center_name),
            request_reason: opt_value(ctx.request_reason),
            interview_date: opt_value(ctx.interview_date),
            stage: opt_value(ctx.stage),
            event_date: opt_value(ctx.event_date),
            next_date: opt_value(ctx.next_date),
            accommodations: opt_value(ctx.accommodations),
            test_language: opt_value(ctx.test_language),
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
            "student_gender" => &self.student_gender,
            "recipient_name" => &self.recipient_name,
            "school_name" => &self.school_name,
            "class_school_name" => &self.class_school_name,
            "center_name" => &self.center_name,
            "request_reason" => &self.request_reason,
            "interview_date" => &self.interview_date,
            "stage" => &self.stage,
            "event_date" => &self.event_date,
            "next_date" => &self.next_date,
            "accommodations" => &self.accommodations,
            "test_language" => &self.test_language,
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

/// A template value for the student's gender: `f`, `m`, or `none` when unknown.
pub(crate) fn gender_value(g: Option<Gender>) -> Value {
    g.map(|g| Value::from(g.as_str()))
        .unwrap_or(Value::from(()))
}
