//! Phase `placement` (gifted.md §4): identification results, tracks, requests and interviews to
//! interview invitations, class placements, waitlists, enrichment groups and `unserved`; the
//! per-candidate audit (rank, lottery number, deciding rule) stays in `confidential/`.
use crate::error::{Error, Result};
use crate::jobs::gifted::enrichment::{
    centers_of, enrichment_groups, EnrichmentCenter, EnrichmentOutput,
};
use crate::jobs::gifted::exclusions::ExclusionReason;
use crate::jobs::gifted::identification::StudentResult;
use crate::jobs::gifted::placement::{
    self, elementary_tracks, place, AuditTableRow, ClassRequest, Confirmed, ConfirmedRow, Gender,
    Interview, NotCandidateReason, PlacementError, PlacementOutput, RequestOutcome,
    RequestOutcomeRow, Student, Track,
};
use crate::jobs::gifted::roster::Roster;
use crate::jobs::gifted::Category;
use crate::jobs::report::Counts;
use crate::output;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use crate::pipeline::gifted::GiftedElementary;
use crate::rules::fraction::Ratio;
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet, Reject};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A result row as placement needs it.
pub struct ResultRow {
    pub student_id: String,
    pub school_year: i64,
    pub category: Category,
    pub composite: Option<Ratio>,
}

impl From<&StudentResult> for ResultRow {
    fn from(r: &StudentResult) -> Self {
        ResultRow {
            student_id: r.student_id.to_string(),
            school_year: r.school_year,
            category: r.category,
            composite: r.composite,
        }
    }
}

/// The `results` input table (the placement phase run on its own).
pub fn results_from_table(inputs: &InputSet) -> Result<Vec<ResultRow>> {
    let t = inputs
        .get("results")
        .ok_or_else(|| Error::Usage("phase placement needs the input table `results` (the identification's confidential/results)".into()))?;
    Ok(rows::<placement::ResultRow>(t)?
        .into_iter()
        .map(|r| ResultRow {
            composite: r.composite(),
            student_id: r.student_id,
            school_year: r.school_year,
            category: r.category,
        })
        .collect())
}

fn tracks(inputs: &InputSet) -> Result<Vec<Track>> {
    let t = inputs
        .get("gifted_tracks")
        .ok_or_else(|| Error::Usage("phase placement needs `gifted_tracks`".into()))?;
    Ok(elementary_tracks(rows(t)?))
}

/// The rows of an optional table (none when it was not given).
fn optional_rows<'a, T: serde::Deserialize<'a> + Send>(
    inputs: &'a InputSet,
    table: &str,
) -> Result<Vec<T>> {
    inputs.get(table).map_or(Ok(Vec::new()), rows)
}

fn centers(inputs: &InputSet) -> Result<(Vec<EnrichmentCenter>, BTreeMap<String, String>)> {
    Ok(centers_of(optional_rows(inputs, "enrichment_centers")?))
}

/// What placement decided, for the letters.
pub struct Placement {
    pub output: PlacementOutput,
    pub enrichment: EnrichmentOutput,
    pub center_names: BTreeMap<String, String>,
    /// `class_requests` rows of another school year than the student's roster year.
    pub exclusions: Vec<Exclusion>,
    /// `confirmed_placements` rows the job's rules reject (`track_unknown`,
    /// `class_no_out_of_range`): any reject there stops the run (gifted.md §4).
    pub confirmed_rejects: Vec<Reject>,
    /// `confirmed_placements` rows of another school year (exclusions).
    pub confirmed_excluded: Vec<Exclusion>,
    /// Warnings: a confirmed student no longer gifted keeps the placement.
    pub warnings: Vec<String>,
    /// The students of `confirmed_placements`: their class letter went with the run that made
    /// the placement final.
    pub confirmed: std::collections::BTreeSet<String>,
}

/// The final placements of earlier runs (`confirmed_placements`), checked against the tracks:
/// a track not in `gifted_tracks` (`track_unknown`) or a class beyond the track's classes
/// (`class_no_out_of_range`) is a reject — an input error to fix, never dropped silently; a
/// row whose `school_year` is given and is not the student's roster year is another year's
/// placement: an exclusion (`other_school_year`, gifted.md §1).
fn confirmed_placements(
    inputs: &InputSet,
    roster: &Roster,
    tracks: &[Track],
) -> Result<(Vec<Confirmed>, Vec<Reject>, Vec<Exclusion>)> {
    let Some(t) = inputs.get("confirmed_placements") else {
        return Ok(Default::default());
    };
    let classes: BTreeMap<&str, i64> = tracks
        .iter()
        .map(|t| (t.track_id.as_str(), t.n_classes))
        .collect();
    let (mut confirmed, mut rejects, mut excluded) = (Vec::new(), Vec::new(), Vec::new());
    for (row_number, r) in t.row_numbers().zip(rows::<ConfirmedRow>(t)?) {
        let reject = |column: &str, value: String, rule: &str, message: String| Reject {
            table: "confirmed_placements".into(),
            row_number,
            column: column.into(),
            value,
            rule: rule.into(),
            message,
        };
        let Some(&n_classes) = classes.get(r.track_id.as_str()) else {
            rejects.push(reject(
                "track_id",
                r.track_id.clone(),
                "track_unknown",
                "the track is not in gifted_tracks".into(),
            ));
            continue;
        };
        let class_no = match u8::try_from(r.class_no) {
            Ok(c) if (1..=n_classes).contains(&r.class_no) => c,
            _ => {
                rejects.push(reject(
                    "class_no",
                    r.class_no.to_string(),
                    "class_no_out_of_range",
                    format!("track {} has {n_classes} class(es)", r.track_id),
                ));
                continue;
            }
        };
        let Some(st) = roster.student(&r.student_id) else {
            continue; // `references` to students rejected it already
        };
        if r.school_year.is_some_and(|y| y != st.school_year) {
            let why = ExclusionReason::OtherSchoolYear;
            excluded.push(why.of_row("confirmed_placements", row_number, &r.student_id));
            continue;
        }
        let gender = Gender::parse(&st.gender).ok_or_else(|| {
            Error::Job(format!("confirmed student {} has no gender", r.student_id))
        })?;
        confirmed.push(Confirmed {
            student_id: r.student_id,
            school_year: st.school_year,
            track_id: r.track_id,
            class_no,
            gender,
        });
    }
    Ok((confirmed, rejects, excluded))
}

/// The class requests `place` decides on, the answers to the requests of students whose
/// institution does not take part (gifted.md §1: a request is answered, not excluded), and
/// the rows of another school year than the student's roster year (exclusions).
fn class_requests(
    inputs: &InputSet,
    roster: &Roster,
) -> Result<(Vec<ClassRequest>, Vec<RequestOutcomeRow>, Vec<Exclusion>)> {
    let Some(t) = inputs.get("class_requests") else {
        return Ok(Default::default());
    };
    let (mut decided, mut answered, mut excluded) = (Vec::new(), Vec::new(), Vec::new());
    for (row_number, r) in t.row_numbers().zip(rows::<ClassRequest>(t)?) {
        match roster.student(&r.student_id) {
            Some(st) if !st.participating => answered.push(RequestOutcomeRow::not_candidate(
                &r.student_id,
                &r.track_id,
                NotCandidateReason::InstitutionNotParticipating,
            )),
            Some(st) if st.school_year != r.school_year => {
                excluded.push(ExclusionReason::OtherSchoolYear.of_row(
                    "class_requests",
                    row_number,
                    &r.student_id,
                ))
            }
            _ => decided.push(r),
        }
    }
    Ok((decided, answered, excluded))
}

pub fn run(
    s: &GiftedElementary,
    inputs: &InputSet,
    roster: &Roster,
    results: Vec<ResultRow>,
    reconciliation: &mut Counts,
) -> Result<(Placement, Vec<OutputTable>)> {
    let p = s.placement();
    let students: Vec<Student> = results
        .iter()
        .filter_map(|r| {
            let st = roster.student(&r.student_id)?;
            Some(Student {
                student_id: r.student_id.clone(),
                school_year: r.school_year,
                grade: st.grade,
                gender: Gender::parse(&st.gender)?,
                residence_authority_id: st.residence_authority_id.to_string(),
                registration_zone: st.registration_zone.as_ref().map(|z| z.to_string()),
                institution_id: st.institution_id.to_string(),
                sector: Some(roster.institution(st).sector),
                category: r.category,
                composite: r.composite,
            })
        })
        .collect();
    let (requests, answered, exclusions) = class_requests(inputs, roster)?;
    let tracks = tracks(inputs)?;
    let (confirmed, confirmed_rejects, confirmed_excluded) =
        confirmed_placements(inputs, roster, &tracks)?;
    // gifted.md §4: a confirmed student no longer gifted keeps the placement (it was final).
    let gifted: std::collections::BTreeSet<&str> = results
        .iter()
        .filter(|r| r.category == Category::Gifted)
        .map(|r| r.student_id.as_str())
        .collect();
    // One warning with counts by track: a log or manifest names no student (their
    // categories are confidential), the analyst finds them in the outputs.
    let mut kept: BTreeMap<&str, usize> = BTreeMap::new();
    for c in confirmed
        .iter()
        .filter(|c| !gifted.contains(c.student_id.as_str()))
    {
        *kept.entry(c.track_id.as_str()).or_default() += 1;
    }
    let warnings: Vec<String> = (!kept.is_empty())
        .then(|| {
            let n: usize = kept.values().sum();
            let tracks: Vec<String> = kept.iter().map(|(t, k)| format!("{t} ×{k}")).collect();
            format!(
                "confirmed_placements: {n} confirmed student(s) not gifted in these results keep their final placements (by track: {}); compare `placements` (status final) with `confidential/results` to list them",
                tracks.join(", ")
            )
        })
        .into_iter()
        .collect();
    let confirmed_ids = confirmed.iter().map(|c| c.student_id.clone()).collect();
    let mut output = place(
        &p,
        &students,
        &tracks,
        &requests,
        &optional_rows::<Interview>(inputs, "interviews")?,
        &confirmed,
    )
    .map_err(|e| match e {
        PlacementError::TrackChecks(v) => Error::config(
            "gifted_tracks",
            None,
            format!(
                "the tracks break the track checks (gifted.md §4): {}",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ),
        other => Error::Job(format!("placement: {other:?}")),
    })?;
    output.request_outcomes.extend(answered);
    output.request_outcomes.sort();
    let (centers, center_names) = centers(inputs)?;
    let enrichment = enrichment_groups(&s.enrichment(), &students, &output.placements, &centers)
        .map_err(|e| Error::Job(format!("enrichment groups: {e:?}")))?;

    let mut rec = BTreeMap::new();
    rec.insert("results".into(), results.len() as i64);
    rec.insert("students_considered".into(), students.len() as i64);
    rec.insert(
        "interview_invitations".into(),
        output.invitations.len() as i64,
    );
    rec.insert(
        "placements_final".into(),
        output.final_student_ids().len() as i64,
    );
    rec.insert("placements".into(), output.placements.len() as i64);
    rec.insert("waitlist".into(), output.waitlist.len() as i64);
    let candidate = |o: &&RequestOutcomeRow| o.outcome == RequestOutcome::Candidate;
    let n_candidate = output.request_outcomes.iter().filter(candidate).count();
    rec.insert("requests_candidate".into(), n_candidate as i64);
    rec.insert(
        "requests_not_candidate".into(),
        (output.request_outcomes.len() - n_candidate) as i64,
    );
    rec.insert("requests_excluded".into(), exclusions.len() as i64);
    rec.insert("enrichment_students".into(), enrichment.groups.len() as i64);
    rec.insert("unserved".into(), enrichment.unserved.len() as i64);
    reconciliation.insert("placement".into(), rec);

    // Every table of the phase is of the roster's school year.
    let year = roster.school_year();
    let mut tables = vec![
        invitations_table(&output, year)?,
        placements_table(&output)?,
        waitlist_table(&output, year)?,
        output::rows::table_in_year(
            "request_outcomes",
            year,
            &output.request_outcomes,
            Formats::ParquetAndCsv,
        )?,
        enrichment_table(&enrichment, year)?,
        unserved_table(&enrichment, year)?,
        tracks_table(&output)?,
        audit_table(&output, year)?,
    ];
    tables.extend(track_lists(roster, &output)?);
    tables.extend(center_lists(roster, &enrichment)?);
    Ok((
        Placement {
            output,
            enrichment,
            center_names,
            exclusions,
            confirmed_rejects,
            confirmed_excluded,
            warnings,
            confirmed: confirmed_ids,
        },
        tables,
    ))
}

fn invitations_table(o: &PlacementOutput, year: i64) -> Result<OutputTable> {
    output::rows::table_in_year(
        "interview_invitations",
        year,
        &o.invitations,
        Formats::ParquetAndCsv,
    )
}

fn placements_table(o: &PlacementOutput) -> Result<OutputTable> {
    output::rows::table("placements", &o.placements, Formats::ParquetAndCsv)
}

fn waitlist_table(o: &PlacementOutput, year: i64) -> Result<OutputTable> {
    output::rows::table_in_year("waitlist", year, &o.waitlist, Formats::ParquetAndCsv)
}

fn enrichment_table(e: &EnrichmentOutput, year: i64) -> Result<OutputTable> {
    output::rows::table_in_year("enrichment_groups", year, &e.groups, Formats::ParquetAndCsv)
}

fn unserved_table(e: &EnrichmentOutput, year: i64) -> Result<OutputTable> {
    output::rows::table_in_year("unserved", year, &e.unserved, Formats::ParquetAndCsv)
}

/// Seat accounting per track: counts, no ranks.
fn tracks_table(o: &PlacementOutput) -> Result<OutputTable> {
    output::rows::table("placement_tracks", &o.tracks, Formats::ParquetAndCsv)
}

/// One row per candidate and request: enough to answer an appeal (confidential).
fn audit_table(o: &PlacementOutput, year: i64) -> Result<OutputTable> {
    let rows: Vec<AuditTableRow> = o.audit.iter().map(AuditTableRow::from).collect();
    output::rows::table_in_year("confidential/audit", year, &rows, Formats::Parquet)
}

/// Per track, for the hosting school: who is placed, invited or waitlisted (names, no rank).
fn track_lists(roster: &Roster, o: &PlacementOutput) -> Result<Vec<OutputTable>> {
    placement::track_lists(roster, o)
        .par_iter()
        .map(|(track, rows)| output::rows::csv_list(&format!("tracks/{track}"), "track_list", rows))
        .collect()
}

/// Per center: its groups with the students' names.
fn center_lists(roster: &Roster, e: &EnrichmentOutput) -> Result<Vec<OutputTable>> {
    placement::center_lists(roster, e)
        .par_iter()
        .map(|(center, rows)| {
            output::rows::csv_list(&format!("centers/{center}"), "center_list", rows)
        })
        .collect()
}

/// Letters of the placement phase (gifted.md §4): an invitation to interview for each pending
/// invitation, a class letter only for FINAL placements, an enrichment letter for each student
/// in a group, a waitlist letter to each waitlisted candidate, and to a student none of whose
/// class requests made a candidate, the reason in words.
pub fn letter_requests(
    p: &Placement,
    roster: &Roster,
) -> Result<Vec<crate::jobs::letters::LetterRequest>> {
    use crate::jobs::gifted::enrichment::Program;
    use crate::jobs::gifted::placement::PlacementStatus;
    use crate::jobs::letters::{LetterExtra, LetterKind, LetterRequest};
    let school_of_track: BTreeMap<&str, String> = p
        .output
        .tracks
        .iter()
        .map(|t| {
            let name = roster
                .institutions
                .get(&t.institution_id)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            (t.track_id.as_str(), name)
        })
        .collect();
    let school = |track: &str| school_of_track.get(track).cloned();
    let mut v = Vec::new();
    let with = |id: &str,
                kind: LetterKind,
                class_school_name: Option<String>,
                center_name: Option<String>| LetterRequest {
        extra: LetterExtra {
            class_school_name,
            center_name,
            ..LetterExtra::default()
        }
        .into(),
        ..LetterRequest::new(id, kind)
    };
    for i in &p.output.invitations {
        v.push(with(
            &i.student_id,
            LetterKind::InterviewInvitation,
            school(&i.track_id),
            None,
        ));
    }
    for pl in p
        .output
        .placements
        .iter()
        .filter(|x| x.status == PlacementStatus::Final && !p.confirmed.contains(&x.student_id))
    {
        v.push(with(
            &pl.student_id,
            LetterKind::PlacementClass,
            school(&pl.track_id),
            None,
        ));
    }
    for w in &p.output.waitlist {
        v.push(with(
            &w.student_id,
            LetterKind::NotPlacedWaitlist,
            school(&w.track_id),
            None,
        ));
    }
    // A student none of whose requests made a candidate: one letter with the reason of their
    // first request (`request_outcomes` is sorted by student and requested track).
    let candidates: std::collections::BTreeSet<&str> = p
        .output
        .request_outcomes
        .iter()
        .filter(|o| o.outcome == RequestOutcome::Candidate)
        .map(|o| o.student_id.as_str())
        .collect();
    let mut answered: Option<&str> = None;
    for o in &p.output.request_outcomes {
        let Some(reason) = o.reason else {
            continue;
        };
        if candidates.contains(o.student_id.as_str()) || answered == Some(o.student_id.as_str()) {
            continue;
        }
        answered = Some(o.student_id.as_str());
        v.push(LetterRequest {
            extra: LetterExtra {
                request_reason: Some(reason.as_str().to_string()),
                ..LetterExtra::default()
            }
            .into(),
            ..LetterRequest::new(&o.student_id, LetterKind::PlacementRequestNotCandidate)
        });
    }
    for g in &p.enrichment.groups {
        let kind = match g.program {
            Program::Gifted => LetterKind::PlacementEnrichmentGifted,
            Program::Excellent => LetterKind::PlacementEnrichmentExcellent,
        };
        v.push(with(
            &g.student_id,
            kind,
            None,
            p.center_names.get(&g.center_id).cloned(),
        ));
    }
    Ok(v)
}
