//! Letters to parents for each phase (gifted.md §7): who gets which letter kind, then the
//! letters module resolves every legal guardian, renders the Hebrew or Arabic text and the
//! print-ready bundles. Letters never carry a score: the requests below hold only kinds and
//! names.
use crate::error::{Error, Result};
use crate::jobs::gifted::roster::Roster;
use crate::jobs::letters::{
    self, build_bundles, render_letters, Contact, ContactColumns, ContactDetails, DetailColumns,
    Institution, LetterKind, LetterParams, LetterRequest, LetterRow, LettersError, LettersOutput,
    Student, Templates, Undeliverable, UnreachedGuardian,
};
use crate::jobs::report::Counts;
use crate::output;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use crate::pipeline::gifted::{GiftedElementary, PhaseLetters};
use crate::table::InputSet;
use polars::prelude::PlHashSet as HashSet;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The letters module's errors at the app boundary: a letter date that is no date is a
/// configuration error naming the parameter, a template that cannot be used a template error
/// (both exit 2), a letter that cannot be written a failure of the run (exit 1).
impl From<LettersError> for Error {
    fn from(e: LettersError) -> Error {
        match e {
            LettersError::NotADate { name, value } => Error::config(
                name,
                Some(format!("{value:?}")),
                "not a date of the form YYYY-MM-DD",
            ),
            e if e.is_config() => Error::Template(e.to_string()),
            e => Error::Job(e.to_string()),
        }
    }
}

/// The letter kind an outcome names (the rule is `LetterKind::of_outcome`).
pub fn kind(name: &str) -> Result<LetterKind> {
    LetterKind::of_outcome(name).map_err(|e| Error::Job(e.to_string()))
}

/// The guardians (and their details) of `students`, read from `contacts` and
/// `contact_details` by the columns a letter needs. `None` when the input has no contacts: no
/// letters can be addressed. Shared with the request jobs of gifted.md §6
/// (`jobs::gifted_requests::letters`).
pub fn guardians(
    inputs: &InputSet,
    students: &HashSet<&str>,
) -> Result<Option<(Vec<Contact>, Vec<ContactDetails>)>> {
    let (Some(c), Some(d)) = (inputs.get("contacts"), inputs.get("contact_details")) else {
        return Ok(None);
    };
    let contacts = ContactColumns {
        student_id: c.text("student_id")?.iter(),
        contact_id: c.text("contact_id")?.iter(),
        first_name: c.text("first_name")?.iter(),
        last_name: c.text("last_name")?.iter(),
        relation: c.text("relation")?.iter(),
        is_legal_guardian: c.flags("is_legal_guardian")?,
        lives_with_student: c.flags("lives_with_student")?,
    };
    let details = DetailColumns {
        contact_id: d.text("contact_id")?.iter(),
        phone: d.text("phone")?.iter(),
        email: d.text("email")?.iter(),
        street: d.text("street")?.iter(),
        house_number: d.text("house_number")?.iter(),
        city: d.text("city")?.iter(),
        zip: d.text("zip")?.iter(),
    };
    Ok(Some(letters::guardians(contacts, details, students)))
}

/// One phase's letters and bundles.
pub struct PhaseLettersOut {
    pub phase: &'static str,
    pub output: LettersOutput,
    /// The institutions of the letters (names and sectors), for the bundles.
    pub institutions: Arc<Vec<Institution>>,
    /// The school year the letters are of (their rows' `school_year`).
    pub school_year: i64,
}

/// Whether the input has guardians to write to.
pub fn available(inputs: &InputSet) -> bool {
    inputs.get("contacts").is_some() && inputs.get("contact_details").is_some()
}

/// Renders the letters of `requests` for the students of `roster`, dated by the phase's
/// `dates` in the roster's school year.
pub fn render(
    phase: &'static str,
    s: &GiftedElementary,
    dates: &PhaseLetters,
    inputs: &InputSet,
    roster: &Roster,
    requests: Vec<LetterRequest>,
    templates: &Templates,
) -> Result<Option<PhaseLettersOut>> {
    let p = s.letters.params(phase, dates, roster.school_year())?;
    render_with(phase, &p, inputs, roster, requests, templates)
}

/// Renders the letters of `requests` for the students of `roster` with the letter parameters
/// `p` (dates, senders): the one renderer of both gifted jobs (gifted-secondary's §5.11 too).
pub fn render_with(
    phase: &'static str,
    p: &LetterParams,
    inputs: &InputSet,
    roster: &Roster,
    requests: Vec<LetterRequest>,
    templates: &Templates,
) -> Result<Option<PhaseLettersOut>> {
    let ids: HashSet<&str> = requests.iter().map(|r| r.student_id.as_str()).collect();
    // `None` without guardians' tables (the caller checks `available` first and says so).
    let Some((contacts, details)) = guardians(inputs, &ids)? else {
        return Ok(None);
    };
    let students: Vec<Student> = ids
        .iter()
        .filter_map(|id| roster.student(id))
        .map(|st| Student {
            student_id: st.student_id.to_string(),
            first_name: st.first_name.to_string(),
            last_name: st.last_name.to_string(),
            gender: letters::Gender::parse(&st.gender),
            institution_id: st.institution_id.to_string(),
            sector: roster.institution(st).sector,
        })
        .collect();
    let mut institutions: Vec<Institution> = roster
        .institutions
        .iter()
        .map(|(id, i)| Institution {
            institution_id: id.clone(),
            name: i.name.clone(),
            sector: i.sector,
        })
        .collect();
    institutions.sort_by(|a, b| a.institution_id.cmp(&b.institution_id));
    let output = render_letters(
        &requests,
        &students,
        &institutions,
        &contacts,
        &details,
        p,
        templates,
    )?;
    Ok(Some(PhaseLettersOut {
        institutions: Arc::new(institutions),
        phase,
        output,
        school_year: p.school_year,
    }))
}

/// The `letters`, `undeliverable` and `unreached_guardians` tables of all phases that wrote
/// letters, and the bundles as `letters/<phase>/<institution_id>.html`.
pub fn tables(
    phases: Vec<PhaseLettersOut>,
    rec: &mut Counts,
    templates: Arc<Templates>,
) -> Result<Vec<OutputTable>> {
    if phases.is_empty() {
        return Ok(Vec::new());
    }
    // Every phase of a run is of the roster's one school year.
    let year = phases[0].school_year;
    let mut letters: Vec<LetterRow> = Vec::new();
    let mut phase_of: Vec<(&'static str, Arc<Vec<Institution>>)> = Vec::new();
    let mut undeliverable: Vec<Undeliverable> = Vec::new();
    let mut unreached: Vec<UnreachedGuardian> = Vec::new();
    let mut out = Vec::new();
    let mut counts = BTreeMap::new();
    for p in phases {
        counts.insert(
            format!("{}_letters", p.phase),
            p.output.letters.len() as i64,
        );
        counts.insert(
            format!("{}_undeliverable", p.phase),
            p.output.undeliverable.len() as i64,
        );
        phase_of.extend(std::iter::repeat_n(
            (p.phase, p.institutions.clone()),
            p.output.letters.len(),
        ));
        letters.extend(p.output.letters);
        undeliverable.extend(p.output.undeliverable);
        unreached.extend(p.output.unreached);
    }
    rec.insert("letters".into(), counts);
    out.push(output::rows::table_in_year(
        "letters",
        year,
        &letters,
        Formats::ParquetAndCsvNoSheet,
    )?);
    // One print bundle per phase and institution, rendered when it is written (holding every
    // bundle of a national phase at once would take gigabytes).
    type Group = (Vec<LetterRow>, Arc<Vec<Institution>>);
    let mut groups: BTreeMap<(&'static str, String), Group> = BTreeMap::new();
    for (row, (phase, insts)) in letters.into_iter().zip(phase_of) {
        groups
            .entry((phase, row.institution_id.clone()))
            .or_insert_with(|| (Vec::new(), insts))
            .0
            .push(row);
    }
    for ((phase, inst), (rows, insts)) in groups {
        if !rows
            .iter()
            .any(|r| r.channel == crate::jobs::letters::Channel::Post)
        {
            continue;
        }
        let templates = templates.clone();
        out.push(OutputTable::lazy(
            &format!("letters/{phase}/{inst}.html"),
            Box::new(move || {
                let mine: Vec<Institution> = insts
                    .iter()
                    .filter(|i| i.institution_id == inst)
                    .cloned()
                    .collect();
                let bundles = build_bundles(&rows, &mine, &templates)?;
                Ok(bundles
                    .into_iter()
                    .next()
                    .map(|(_, html)| html.into_bytes())
                    .unwrap_or_default())
            }),
        ));
    }
    out.push(output::rows::table_in_year(
        "undeliverable",
        year,
        &undeliverable,
        Formats::ParquetAndCsv,
    )?);
    out.push(output::rows::table_in_year(
        "unreached_guardians",
        year,
        &unreached,
        Formats::ParquetAndCsv,
    )?);
    Ok(out)
}
