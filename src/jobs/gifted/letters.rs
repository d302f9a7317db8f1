//! Letters to parents for each phase (gifted.md §7): who gets which letter kind, then the
//! letters module resolves every legal guardian, renders the Hebrew or Arabic text and the
//! print-ready bundles. Letters never carry a score: the requests below hold only kinds and
//! names.
use crate::error::{Error, Result};
use crate::jobs::gifted::roster::Roster;
use crate::jobs::letters::{
    self, build_bundles, Channel, ContactColumns, DetailColumns, GuardianRows, Guardians,
    Institution, LetterKind, LetterParams, LetterRequest, LetterRow, LettersBatch, LettersError,
    Student, Templates, Undeliverable, UnreachedGuardian,
};
use crate::jobs::report::Counts;
use crate::output;
use crate::output::table::OutputTable;
use crate::output::table::Written;
use crate::output::write::Formats;
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

/// The guardians (and their details) of `students` in `contacts` and `contact_details`, by
/// the columns a letter needs, found a batch of students at a time as the letters are
/// rendered ([`GuardianRows`]). `None` when the input has no contacts: no letters can be
/// addressed. Shared with the request jobs of gifted.md §6 (`jobs::gifted_requests::letters`).
pub fn guardians<'a>(
    inputs: &'a InputSet,
    students: &HashSet<&str>,
) -> Result<Option<GuardianRows<'a>>> {
    let (Some(c), Some(d)) = (inputs.get("contacts"), inputs.get("contact_details")) else {
        return Ok(None);
    };
    let contacts = ContactColumns {
        student_id: c.text("student_id")?,
        contact_id: c.text("contact_id")?,
        first_name: c.text("first_name")?,
        last_name: c.text("last_name")?,
        relation: c.text("relation")?,
        is_legal_guardian: c.flags("is_legal_guardian")?.collect(),
        lives_with_student: c.flags("lives_with_student")?.collect(),
    };
    let details = DetailColumns {
        contact_id: d.text("contact_id")?,
        phone: d.text("phone")?,
        email: d.text("email")?,
        street: d.text("street")?,
        house_number: d.text("house_number")?,
        city: d.text("city")?,
        zip: d.text("zip")?,
    };
    Ok(Some(GuardianRows::new(contacts, details, students)))
}

/// Checks that every letter request of `what` (a phase, a job) names a student of one of
/// `tables`, the tables whose students' contacts were read (`jobs::letters::inputs::addressees`):
/// a letter to anyone else would be found undeliverable for want of the contacts that were not
/// read, so it stops the run instead.
pub fn addressed(
    what: &str,
    inputs: &InputSet,
    requests: &[LetterRequest],
    tables: &[&str],
) -> Result<()> {
    let mut named = HashSet::default();
    for t in tables.iter().filter_map(|t| inputs.get(t)) {
        named.extend(t.text("student_id")?.iter().flatten());
    }
    match requests
        .iter()
        .find(|r| !named.contains(r.student_id.as_str()))
    {
        None => Ok(()),
        Some(r) => Err(Error::Job(format!(
            "a {what} letter to student {} is not among the students whose contacts were read ({})",
            r.student_id,
            tables.join(", ")
        ))),
    }
}

/// Whether the input has guardians to write to.
pub fn available(inputs: &InputSet) -> bool {
    inputs.get("contacts").is_some() && inputs.get("contact_details").is_some()
}

/// The students of `ids` in `roster`, as the letters address them.
fn students_of<'r>(roster: &'r Roster, ids: &HashSet<&str>) -> Vec<Student<'r>> {
    ids.iter()
        .filter_map(|id| roster.student(id))
        .map(|st| Student {
            student_id: &st.student_id,
            first_name: &st.first_name,
            last_name: &st.last_name,
            gender: letters::Gender::parse(&st.gender),
            institution_id: &st.institution_id,
            sector: roster.institution(st).sector,
        })
        .collect()
}

/// The schools of `roster`, as the letters name them.
pub fn institutions_of<'a>(
    schools: impl Iterator<Item = (&'a String, &'a str, crate::jobs::letters::Sector)>,
) -> Vec<Institution> {
    let mut institutions: Vec<Institution> = schools
        .map(|(id, name, sector)| Institution {
            institution_id: id.clone(),
            name: name.to_string(),
            sector,
        })
        .collect();
    institutions.sort_by(|a, b| a.institution_id.cmp(&b.institution_id));
    institutions
}

/// The stem of the letters' table.
const LETTERS: &str = "letters";

/// Every how many batches of letters the memory they freed is given back to the system
/// ([`crate::memory::give_back`]): each batch builds and drops its guardians, texts and
/// bundles on several threads (issue #24).
const GIVE_BACK_EVERY: usize = 8;

/// A run's letters, written as they are rendered (issue #24): each batch of schools' rows of
/// the `letters` table and their print bundles (`letters/<phase>/<institution_id>.html`) go to
/// the writer as soon as they are made, so that a run never holds every letter's text. Phases
/// follow each other in the table in the order they are written; [`LettersWriter::finish`]
/// adds the `undeliverable` and `unreached_guardians` tables and the counts.
pub struct LettersWriter<'e> {
    emit: &'e mut dyn FnMut(Written),
    templates: Arc<Templates>,
    /// The table's layout once it is started (by the first phase with guardians).
    layout: Option<(output::rows::Layout, i64)>,
    counts: BTreeMap<String, i64>,
    undeliverable: Vec<Undeliverable>,
    unreached: Vec<UnreachedGuardian>,
}

impl<'e> LettersWriter<'e> {
    pub fn new(emit: &'e mut dyn FnMut(Written), templates: Arc<Templates>) -> Self {
        LettersWriter {
            emit,
            templates,
            layout: None,
            counts: BTreeMap::new(),
            undeliverable: Vec::new(),
            unreached: Vec::new(),
        }
    }

    /// Renders and writes phase `phase`'s letters of `requests` to the students of `roster`
    /// with the letter parameters `p` (dates, senders): the one path of both gifted jobs
    /// (gifted-secondary's §5.11 too). `Ok(false)` when the input has no guardians' tables
    /// (the caller checks [`available`] first and says so).
    pub fn phase(
        &mut self,
        phase: &'static str,
        p: &LetterParams,
        inputs: &InputSet,
        roster: &Roster,
        requests: Vec<LetterRequest>,
    ) -> Result<bool> {
        let ids: HashSet<&str> = requests.iter().map(|r| r.student_id.as_str()).collect();
        let Some(guardians) = guardians(inputs, &ids)? else {
            return Ok(false);
        };
        let students = students_of(roster, &ids);
        let institutions = institutions_of(
            (roster.institutions.iter()).map(|(id, i)| (id, i.name.as_str(), i.sector)),
        );
        let to = Addressed {
            students: &students,
            institutions,
            guardians: &guardians,
        };
        self.write(phase, p, &requests, to)?;
        Ok(true)
    }

    /// Renders and writes the letters of `requests` to the students, schools and guardians
    /// of `to`, as the letters of `phase`.
    pub fn write(
        &mut self,
        phase: &'static str,
        p: &LetterParams,
        requests: &[LetterRequest],
        to: Addressed,
    ) -> Result<()> {
        if self.layout.is_none() {
            let layout = output::rows::Layout::of(LETTERS)?.in_year(p.school_year);
            (self.emit)(Written::Open {
                stem: LETTERS.into(),
                columns: layout.frame::<LetterRow>(&[])?,
                formats: Formats::ParquetAndCsvNoSheet,
            });
            self.layout = Some((layout, p.school_year));
        }
        let Some((layout, _)) = &self.layout else {
            unreachable!("the letters table is started above")
        };
        let institutions = Arc::new(to.institutions);
        let templates = &self.templates;
        let emit = &mut *self.emit;
        let progress = crate::steps::Progress::new(&format!("{phase} letters"), "schools");
        let mut batches = 0usize;
        let rest = letters::render_letters_in_batches(
            requests,
            to.students,
            &institutions,
            to.guardians,
            p,
            templates,
            &mut |batch: LettersBatch| -> Result<()> {
                let part = layout.frame(&batch.letters)?;
                emit(Written::Rows {
                    stem: LETTERS.into(),
                    part,
                });
                emit(Written::Tables(bundles(
                    phase,
                    batch.letters,
                    &institutions,
                    templates,
                )));
                progress.at(batch.schools_done, batch.schools);
                batches += 1;
                if batches.is_multiple_of(GIVE_BACK_EVERY) {
                    crate::memory::give_back();
                }
                Ok(())
            },
        )?;
        progress.finish();
        self.counts
            .insert(format!("{phase}_letters"), rest.letters as i64);
        self.counts.insert(
            format!("{phase}_undeliverable"),
            rest.undeliverable.len() as i64,
        );
        self.undeliverable.extend(rest.undeliverable);
        self.unreached.extend(rest.unreached);
        Ok(())
    }

    /// Finishes the `letters` table and writes `undeliverable` and `unreached_guardians`,
    /// with each phase's counts in `rec` — when a phase wrote letters; nothing otherwise.
    pub fn finish(self, rec: &mut Counts) -> Result<()> {
        let Some((_, year)) = self.layout else {
            return Ok(());
        };
        rec.insert("letters".into(), self.counts);
        (self.emit)(Written::Close {
            stem: LETTERS.into(),
        });
        (self.emit)(Written::Tables(vec![
            output::rows::table_in_year(
                "undeliverable",
                year,
                &self.undeliverable,
                Formats::ParquetAndCsv,
            )?,
            output::rows::table_in_year(
                "unreached_guardians",
                year,
                &self.unreached,
                Formats::ParquetAndCsv,
            )?,
        ]));
        Ok(())
    }
}

/// Whom a phase's letters go to: its students, the schools, and the students' guardians.
pub struct Addressed<'a> {
    pub students: &'a [Student<'a>],
    pub institutions: Vec<Institution>,
    pub guardians: &'a dyn Guardians,
}

/// The print bundles of a batch of `letters` (whole schools): one per school with a letter by
/// post, at `letters/<phase>/<institution_id>.html`, rendered when it is written.
fn bundles(
    phase: &'static str,
    letters: Vec<LetterRow>,
    institutions: &Arc<Vec<Institution>>,
    templates: &Arc<Templates>,
) -> Vec<OutputTable> {
    let mut schools: Vec<Vec<LetterRow>> = Vec::new();
    for row in letters {
        match schools.last_mut() {
            Some(s) if s[0].institution_id == row.institution_id => s.push(row),
            _ => schools.push(vec![row]),
        }
    }
    schools
        .into_iter()
        .filter(|rows| rows.iter().any(|r| r.channel == Channel::Post))
        .map(|rows| {
            let inst = rows[0].institution_id.clone();
            let templates = templates.clone();
            let institutions = institutions.clone();
            OutputTable::lazy(
                &format!("letters/{phase}/{inst}.html"),
                Box::new(move || {
                    let mine: Vec<Institution> = institutions
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
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::validate::{load_inputs, TableNeed};

    /// A letter goes only to a student named by a table whose students' contacts were read:
    /// one named by `stage_a_scores` passes; another stops the run with a message naming the
    /// student and the tables; a listed table that was not read names no one.
    #[test]
    fn a_letter_to_a_student_the_addressee_tables_do_not_name_stops_the_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("stage_a_scores.csv"),
            "student_id,school_year,status,score\n010000016,2027,tested,700\n",
        )
        .unwrap();
        let needs = [TableNeed::new("stage_a_scores", true)];
        let inputs = load_inputs(dir.path(), &needs, &BTreeMap::new()).unwrap();
        let letter = |id: &str| LetterRequest::new(id, LetterKind::StageANotReferred);
        let tables = ["stage_a_scores", "referrals"];
        assert!(addressed("screening", &inputs, &[letter("010000016")], &tables).is_ok());
        let e = addressed(
            "screening",
            &inputs,
            &[letter("010000016"), letter("010000024")],
            &tables,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("screening letter to student 010000024")
                && e.contains("stage_a_scores, referrals"),
            "{e}"
        );
        let not_read = ["referrals"];
        assert!(addressed("screening", &inputs, &[letter("010000016")], &not_read).is_err());
    }
}
