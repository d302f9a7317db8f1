//! Which rows of the six files are each owner's (roster-export.md "The six files"): the
//! owner's institutions of the exported stages, their classes, tracks and students, those
//! students' contacts, and those contacts' details. Row positions only; the frames are taken
//! in [`super::outputs`].
use std::collections::{BTreeMap, HashMap};

use super::inputs::Institution;
use crate::error::Result;
use crate::table::rows::rows;
use crate::table::InputSet;

/// The key column of each table that decides whose rows are whose, one value per row in
/// table order (`None` for a missing value). `I` is any iterator over a text column: the
/// national `students` and `contacts` are read by these columns only, never into rows.
pub struct TableKeys<I> {
    /// `classes.institution_id`.
    pub classes: I,
    /// `tracks.institution_id`.
    pub tracks: I,
    /// `students.institution_id`.
    pub students_institution: I,
    /// `students.student_id`.
    pub students_id: I,
    /// `contacts.student_id`.
    pub contacts_student: I,
    /// `contacts.contact_id`.
    pub contacts_id: I,
    /// `contact_details.contact_id`.
    pub details_contact: I,
}

/// Row positions of each of the six tables per exported owner: `rows[table][i]` are the rows
/// of `owners[i]`, in table order (roster-export.md "The six files"). An institution of the
/// exported `stages` goes to its owner; a class, track or student to the owner of its
/// institution; a contact to the owner of its student; a contact's details to every owner one
/// of whose students they are a contact of. No row goes to an owner that does not own it.
pub fn rows_per_owner<'a, I>(
    owners: &[&str],
    stages: &[String],
    institutions: &[Institution<'a>],
    keys: TableKeys<I>,
) -> BTreeMap<&'static str, Vec<Vec<u32>>>
where
    I: Iterator<Item = Option<&'a str>>,
{
    let index: HashMap<&str, u32> = owners
        .iter()
        .enumerate()
        .map(|(i, o)| (*o, i as u32))
        .collect();
    let triples: Vec<(&str, &str, &str)> = institutions
        .iter()
        .map(|r| {
            (
                r.institution_id.unwrap_or_default(),
                r.owner_id.unwrap_or_default(),
                r.stage.unwrap_or_default(),
            )
        })
        .collect();
    let entitled = entitled_institutions(&triples, stages);
    let mut inst_owner: HashMap<&str, Vec<u32>> = HashMap::new();
    for (owner, positions) in &entitled {
        if let Some(&o) = index.get(owner) {
            for &p in positions {
                inst_owner.insert(triples[p].0, vec![o]);
            }
        }
    }
    let n = owners.len();
    let mut out = BTreeMap::new();
    out.insert(
        "institutions",
        group_rows(
            institutions.iter().map(|r| r.institution_id),
            &inst_owner,
            n,
        ),
    );
    out.insert("classes", group_rows(keys.classes, &inst_owner, n));
    out.insert("tracks", group_rows(keys.tracks, &inst_owner, n));
    let st_groups = group_rows(keys.students_institution, &inst_owner, n);
    let ids: Vec<Option<&str>> = keys.students_id.collect();
    let mut student_owner: HashMap<&str, Vec<u32>> = HashMap::new();
    for (o, rows) in st_groups.iter().enumerate() {
        for &r in rows {
            if let Some(id) = ids[r as usize] {
                student_owner.insert(id, vec![o as u32]);
            }
        }
    }
    out.insert("students", st_groups);
    let c_groups = group_rows(keys.contacts_student, &student_owner, n);
    // A contact's details go to every owner one of whose students they are a contact of.
    let cids: Vec<Option<&str>> = keys.contacts_id.collect();
    let mut contact_owner: HashMap<&str, Vec<u32>> = HashMap::new();
    for (o, rows) in c_groups.iter().enumerate() {
        for &r in rows {
            if let Some(id) = cids[r as usize] {
                let v = contact_owner.entry(id).or_default();
                if v.last() != Some(&(o as u32)) {
                    v.push(o as u32);
                }
            }
        }
    }
    out.insert("contacts", c_groups);
    out.insert(
        "contact_details",
        group_rows(keys.details_contact, &contact_owner, n),
    );
    out
}

/// The granted owners that are exported: on request, the owner (even with no institution of
/// the exported stages: it gets empty files); in the scheduled run, only owners with at least
/// one such institution (roster-export.md "The six files": "only networks in secondary
/// education"). Positions in the granted owners' order.
pub fn exported(on_request: bool, rows: &BTreeMap<&'static str, Vec<Vec<u32>>>) -> Vec<usize> {
    let institutions = rows.get("institutions").map(Vec::as_slice).unwrap_or(&[]);
    (0..institutions.len())
        .filter(|&i| on_request || !institutions[i].is_empty())
        .collect()
}

/// The owners whose institutions of `stages` entitle them to an export, each with the
/// positions (in `institutions`) of those institutions. Owners are ordered by id.
pub fn entitled_institutions<'a>(
    institutions: &[(&'a str, &'a str, &'a str)],
    stages: &[String],
) -> BTreeMap<&'a str, Vec<usize>> {
    let mut m: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, owner, stage)) in institutions.iter().enumerate() {
        if stages.iter().any(|s| s == stage) {
            m.entry(owner).or_default().push(i);
        }
    }
    m
}

/// Row positions of a table grouped by owner, from each row's key and a key → owners map.
pub fn group_rows<'a>(
    keys: impl Iterator<Item = Option<&'a str>>,
    owners_of: &HashMap<&str, Vec<u32>>,
    n_owners: usize,
) -> Vec<Vec<u32>> {
    let mut groups = vec![Vec::new(); n_owners];
    for (i, k) in keys.enumerate() {
        if let Some(os) = k.and_then(|k| owners_of.get(k)) {
            for &o in os {
                groups[o as usize].push(i as u32);
            }
        }
    }
    groups
}

/// Row positions of each table per exported owner ([`rows_per_owner`]), from the key columns
/// of the validated tables.
pub fn select_rows(
    inputs: &InputSet,
    owners: &[&str],
    stages: &[String],
) -> Result<BTreeMap<&'static str, Vec<Vec<u32>>>> {
    let key = |t: &str, c: &str| -> Result<_> { Ok(inputs.table(t)?.text(c)?.iter()) };
    let institutions: Vec<Institution> = rows(inputs.table("institutions")?)?;
    let keys = TableKeys {
        classes: key("classes", "institution_id")?,
        tracks: key("tracks", "institution_id")?,
        students_institution: key("students", "institution_id")?,
        students_id: key("students", "student_id")?,
        contacts_student: key("contacts", "student_id")?,
        contacts_id: key("contacts", "contact_id")?,
        details_contact: key("contact_details", "contact_id")?,
    };
    Ok(rows_per_owner(owners, stages, &institutions, keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_stages_entitle() {
        let inst = [
            ("1", "N1", "secondary"),
            ("2", "N1", "elementary"),
            ("3", "N2", "both"),
            ("4", "N1", "both"),
        ];
        let m = entitled_institutions(&inst, &["secondary".into(), "both".into()]);
        assert_eq!(m["N1"], vec![0, 3]);
        assert_eq!(m["N2"], vec![2]);
        assert_eq!(m.len(), 2);
    }

    fn keys<'a>(v: &[&'a str]) -> std::vec::IntoIter<Option<&'a str>> {
        v.iter()
            .map(|k| (!k.is_empty()).then_some(*k))
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// roster-export.md "The six files": only the owner's institutions of the exported stages
    /// and what hangs from them; a contact of students of two owners goes to both, with its
    /// details; an owner that is not exported (N3) gets nothing, nor does a missing key.
    #[test]
    fn each_owner_gets_the_rows_of_its_secondary_institutions_only() {
        let inst = |id, owner, stage| Institution {
            institution_id: Some(id),
            owner_id: Some(owner),
            stage: Some(stage),
        };
        let institutions = [
            inst("100001", "N1", "secondary"),
            inst("100002", "N1", "elementary"),
            inst("100003", "N2", "both"),
            inst("100004", "N3", "secondary"),
        ];
        let rows = rows_per_owner(
            &["N1", "N2"],
            &["secondary".into(), "both".into()],
            &institutions,
            TableKeys {
                classes: keys(&["100001", "100002", "100003", ""]),
                tracks: keys(&["100003"]),
                students_institution: keys(&["100001", "100002", "100003", "100004"]),
                students_id: keys(&["S1", "S2", "S3", "S4"]),
                contacts_student: keys(&["S1", "S3", "S2", "S1"]),
                contacts_id: keys(&["C1", "C1", "C2", "C3"]),
                details_contact: keys(&["C1", "C2", "C3"]),
            },
        );
        let want: [(&str, [Vec<u32>; 2]); 6] = [
            ("institutions", [vec![0], vec![2]]),
            ("classes", [vec![0], vec![2]]),
            ("tracks", [vec![], vec![0]]),
            ("students", [vec![0], vec![2]]),
            ("contacts", [vec![0, 3], vec![1]]),
            ("contact_details", [vec![0, 2], vec![0]]),
        ];
        for (table, groups) in want {
            assert_eq!(rows[table], groups, "{table}");
        }
        assert_eq!(rows.len(), 6);
    }

    /// The scheduled run skips an owner with no institution of the exported stages; a request
    /// for one owner exports it (with empty files) all the same.
    #[test]
    fn the_scheduled_run_skips_owners_without_secondary_institutions() {
        let rows = BTreeMap::from([("institutions", vec![vec![0], vec![], vec![3, 4]])]);
        assert_eq!(exported(false, &rows), vec![0, 2]);
        assert_eq!(exported(true, &rows), vec![0, 1, 2]);
    }
}
