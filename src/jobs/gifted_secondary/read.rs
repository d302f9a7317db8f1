//! The job's tables as typed rows, with the rejects and exclusions of the data contract
//! (data-contract.md "Gifted secondary"; gifted.md §5.1): tracks that break a rule, rows of a
//! current-year table of another school year, and confirmed placements whose track or class
//! does not exist. Reads validated tables only; no file, no clock.
use super::inputs::{
    reject, year_exclusion, ApplicationRow, AssessmentRow, HistoryRow, InterviewRow, Track,
    TrackRow,
};
use super::seats::ConfirmedSeat;
use super::Params;
use crate::error::{Error, Result};
use crate::jobs::gifted::placement::{ConfirmedRow, Gender};
use crate::jobs::gifted::roster::{Roster, NO_ROW};
use crate::table::id_index::IdMap;
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet, Reject};
use std::collections::{BTreeMap, BTreeSet};

/// The tables whose rows name the students the job looks at.
const NAMING: [&str; 6] = [
    "secondary_scores",
    "secondary_applications",
    "secondary_interviews",
    "graduate_assessments",
    "confirmed_placements",
    "gifted_program_history",
];

/// The students named by the job's tables: the roster keeps only these (a few percent of
/// the nation).
pub fn named_students(inputs: &InputSet) -> Result<IdMap<'_, u32>> {
    let mut naming: Vec<(&str, u32, bool)> = Vec::new();
    for table in NAMING {
        if let Some(t) = inputs.get(table) {
            for id in t.text("student_id")?.iter().flatten() {
                naming.push((id, NO_ROW, false));
            }
        }
    }
    Ok(IdMap::build(&naming))
}

/// The school year Y of the roster (gifted.md §5): its one school year.
pub fn school_year(roster: &Roster) -> Result<i64> {
    let years: BTreeSet<i64> = roster
        .census
        .keys()
        .map(|k| k.0)
        .chain(roster.students.iter().map(|s| s.school_year))
        .collect();
    match years.len() {
        1 => Ok(years.into_iter().next().unwrap_or_default()),
        0 => Err(Error::Usage(
            "gifted-secondary: the roster (students) has no student of an institution that takes part".into(),
        )),
        _ => Err(Error::Usage(format!(
            "gifted-secondary: the roster (students) holds several school years ({}); the job admits for one year Y",
            years.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// What the job read, with the rows it rejects and excludes per table.
#[derive(Default)]
pub struct Read {
    /// Accepted tracks with first_year ≤ Y, sorted by (track_id, grade).
    pub tracks: Vec<Track>,
    pub applications: Vec<ApplicationRow>,
    /// Every history row by student.
    pub history: BTreeMap<String, Vec<HistoryRow>>,
    pub assessments: BTreeMap<String, AssessmentRow>,
    /// Outcomes by (student_id, track_id).
    pub interviews: BTreeMap<(String, String), crate::jobs::gifted::placement::InterviewOutcome>,
    /// Confirmed placements by (track_id, grade).
    pub confirmed: BTreeMap<(String, i64), Vec<ConfirmedSeat>>,
    /// Confirmed students with their track.
    pub confirmed_track: BTreeMap<String, String>,
    pub rejects: Vec<(&'static str, Vec<Reject>)>,
    pub exclusions: Vec<(&'static str, Vec<Exclusion>)>,
}

fn optional<'a, T: serde::Deserialize<'a> + Send>(
    inputs: &'a InputSet,
    table: &str,
) -> Result<Vec<(u64, T)>> {
    match inputs.get(table) {
        None => Ok(Vec::new()),
        Some(t) => Ok(t.row_numbers().zip(rows::<T>(t)?).collect()),
    }
}

/// The rows of a current-year table of the roster year Y; the others are exclusions
/// (`other_school_year`, gifted.md §5.1). Rows of students not in the roster are kept
/// (validation's references reject them first).
fn of_year<T>(
    table: &'static str,
    rows: Vec<(u64, T)>,
    roster: &Roster,
    id_year: impl Fn(&T) -> (&str, Option<i64>),
    excluded: &mut Vec<(&'static str, Vec<Exclusion>)>,
) -> Vec<(u64, T)> {
    let mut out = Vec::with_capacity(rows.len());
    let mut ex = Vec::new();
    for (n, r) in rows {
        let (id, year) = id_year(&r);
        let enrolled = roster.student(id).map(|s| s.school_year);
        match (year, enrolled) {
            (Some(y), Some(e)) => match year_exclusion(y, e) {
                Some(why) => ex.push(why.of_row(table, n, id)),
                None => out.push((n, r)),
            },
            _ => out.push((n, r)),
        }
    }
    if !ex.is_empty() {
        excluded.push((table, ex));
    }
    out
}

/// Reads the job's tables (gifted.md §5.1, data-contract.md "Gifted secondary").
pub fn read(params: &Params, inputs: &InputSet, roster: &Roster, year: i64) -> Result<Read> {
    let mut read = Read::default();
    // Tracks: capacity and continuing students checked; those not open yet ignored.
    let mut track_rejects = Vec::new();
    for (n, r) in optional::<TrackRow>(inputs, "secondary_tracks")? {
        let sector = roster
            .institutions
            .get(r.institution_id.as_str())
            .map(|i| i.sector)
            .unwrap_or_default();
        let (id, cap) = (r.track_id.clone(), r.capacity_per_class);
        let (c1, c2) = (r.continuing_class1, r.continuing_class2);
        match r.track(params, sector) {
            Ok(t) if t.first_year <= year => read.tracks.push(t),
            Ok(_) => {}
            Err(rule) => {
                let (column, value, message) = match rule {
                    super::inputs::TrackRule::CapacityOverLimit => (
                        "capacity_per_class",
                        cap.map(|c| c.to_string()).unwrap_or_default(),
                        format!(
                            "track {id}: capacity_per_class is above class_capacity = {} (0207 §4.1)",
                            params.class_capacity
                        ),
                    ),
                    super::inputs::TrackRule::ContinuingMismatch => (
                        "continuing_class1",
                        format!(
                            "{};{}",
                            c1.map(|c| c.to_string()).unwrap_or_default(),
                            c2.map(|c| c.to_string()).unwrap_or_default()
                        ),
                        format!("track {id}: continuing_class1 + continuing_class2 must equal continuing_boys + continuing_girls, with nobody in class 2 of a one-class track"),
                    ),
                };
                track_rejects.push(reject(
                    "secondary_tracks",
                    n,
                    column,
                    value,
                    rule.as_str(),
                    message,
                ));
            }
        }
    }
    read.tracks
        .sort_by(|a, b| (&a.track_id, a.grade).cmp(&(&b.track_id, b.grade)));
    if !track_rejects.is_empty() {
        read.rejects.push(("secondary_tracks", track_rejects));
    }

    let ex = &mut read.exclusions;
    let apps = optional::<ApplicationRow>(inputs, "secondary_applications")?;
    read.applications = of_year(
        "secondary_applications",
        apps,
        roster,
        |r| (&r.student_id, Some(r.school_year)),
        ex,
    )
    .into_iter()
    .map(|(_, r)| r)
    .collect();
    let assessments = optional::<AssessmentRow>(inputs, "graduate_assessments")?;
    for (_, a) in of_year(
        "graduate_assessments",
        assessments,
        roster,
        |r| (&r.student_id, Some(r.school_year)),
        ex,
    ) {
        read.assessments.insert(a.student_id.clone(), a);
    }
    let interviews = optional::<InterviewRow>(inputs, "secondary_interviews")?;
    for (_, i) in of_year(
        "secondary_interviews",
        interviews,
        roster,
        |r| (&r.student_id, Some(r.school_year)),
        ex,
    ) {
        read.interviews
            .insert((i.student_id, i.track_id), i.outcome);
    }
    for (_, h) in optional::<HistoryRow>(inputs, "gifted_program_history")? {
        read.history
            .entry(h.student_id.clone())
            .or_default()
            .push(h);
    }
    let confirmed = optional::<ConfirmedRow>(inputs, "confirmed_placements")?;
    let confirmed = of_year(
        "confirmed_placements",
        confirmed,
        roster,
        |r| (&r.student_id, r.school_year),
        ex,
    );
    let mut confirmed_rejects = Vec::new();
    for (n, c) in confirmed {
        let Some(st) = roster.student(&c.student_id) else {
            continue;
        };
        let entry = st.grade + 1;
        let track = read
            .tracks
            .iter()
            .find(|t| t.track_id == c.track_id && t.grade == entry);
        let Some(track) = track else {
            confirmed_rejects.push(reject(
                "confirmed_placements",
                n,
                "track_id",
                c.track_id.clone(),
                "track_unknown",
                format!(
                    "no open secondary_tracks row {} of grade {entry} (the student's grade + 1)",
                    c.track_id
                ),
            ));
            continue;
        };
        if c.class_no > track.n_classes {
            confirmed_rejects.push(reject(
                "confirmed_placements",
                n,
                "class_no",
                c.class_no.to_string(),
                "class_no_out_of_range",
                format!("track {} has {} class(es)", track.track_id, track.n_classes),
            ));
            continue;
        }
        let gender = Gender::parse(&st.gender).ok_or_else(|| {
            Error::Job(format!("confirmed student {} has no gender", c.student_id))
        })?;
        read.confirmed_track
            .insert(c.student_id.clone(), c.track_id.clone());
        read.confirmed
            .entry((c.track_id, entry))
            .or_default()
            .push(ConfirmedSeat {
                student_id: c.student_id,
                gender,
                class_no: u8::try_from(c.class_no).unwrap_or(1),
            });
    }
    if !confirmed_rejects.is_empty() {
        read.rejects
            .push(("confirmed_placements", confirmed_rejects));
    }
    Ok(read)
}
