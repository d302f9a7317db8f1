//! Unit tests of `schema`: every schema file parses and is consistent.
use super::*;

#[test]
fn every_schema_parses_and_is_consistent() {
    let schemas = parse_all().expect("schemas parse");
    for s in &schemas {
        for k in &s.key {
            assert!(s.column(k).is_some(), "{}: key column {k} missing", s.name);
        }
        for c in &s.columns {
            if c.ty == ColType::Enum {
                assert!(
                    !c.values.is_empty(),
                    "{}.{} enum without values",
                    s.name,
                    c.name
                );
            }
            if let Some((t, col)) = c.reference() {
                let target = schemas.iter().find(|x| x.name == t);
                let target =
                    target.unwrap_or_else(|| panic!("{}.{} → unknown table {t}", s.name, c.name));
                assert!(
                    target.column(col).is_some(),
                    "{}.{} → {t}.{col} missing",
                    s.name,
                    c.name
                );
                assert!(
                    order(t) < order(&s.name),
                    "{} must come after {t} in SCHEMA_FILES",
                    s.name
                );
            }
            assert!(!c.hebrew.is_empty() && !c.description.is_empty());
        }
    }
}

/// The input tables (not the descriptions of outputs).
fn inputs() -> impl Iterator<Item = &'static TableSchema> {
    all()
        .iter()
        .filter(|s| s.source.as_deref() != Some("output"))
}

#[test]
fn ids_that_name_outputs_are_identifiers_in_every_input_table() {
    // data-contract.md: identifiers that name files or folders in outputs.
    let named = [
        "institution_id",
        "track_id",
        "center_id",
        "owner_id",
        "authority_id",
        "college_id",
    ];
    for s in inputs() {
        for c in &s.columns {
            if named.contains(&c.name.as_str()) {
                assert!(c.identifier, "{}.{} is not an identifier", s.name, c.name);
            }
            if c.identifier {
                assert_eq!(c.ty, ColType::Str, "{}.{}", s.name, c.name);
            }
        }
    }
}

#[test]
fn person_ids_and_their_references_are_israeli_ids() {
    // Every reference to an ID column is itself an ID, so both are normalized alike.
    for s in inputs() {
        for c in &s.columns {
            let Some((t, tc)) = c.reference() else {
                continue;
            };
            let target = get(t)
                .and_then(|t| t.column(tc))
                .expect("referenced column");
            assert_eq!(
                c.israeli_id, target.israeli_id,
                "{}.{} → {t}.{tc}",
                s.name, c.name
            );
        }
    }
    let students = get("students").expect("students");
    assert!(students.column("student_id").is_some_and(|c| c.israeli_id));
}

#[test]
fn names_and_addresses_have_at_most_200_characters_other_text_1000() {
    let short = [
        "first_name",
        "last_name",
        "name",
        "recipient_name",
        "street",
        "house_number",
        "city",
    ];
    for s in inputs() {
        for c in &s.columns {
            match c.ty {
                ColType::Str if short.contains(&c.name.as_str()) => {
                    assert_eq!(c.max_chars(), Some(200), "{}.{}", s.name, c.name)
                }
                ColType::Str => assert!(
                    c.max_chars().is_some_and(|n| (9..=1000).contains(&n)),
                    "{}.{}",
                    s.name,
                    c.name
                ),
                _ => assert_eq!(c.max_chars(), None, "{}.{}", s.name, c.name),
            }
        }
    }
    let first = get("students").and_then(|s| s.column("first_name"));
    assert!(first.is_some_and(|c| c.rule_text().contains("≤ 200 characters")));
    let track = get("gifted_tracks").and_then(|s| s.column("track_id"));
    assert!(track.is_some_and(|c| c.rule_text().contains(crate::rules::identifier::PATTERN)));
}
