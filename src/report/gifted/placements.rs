//! The placement part of gifted-elementary's report section (docs/report.md §4): tracks,
//! enrichment centers and unserved students.
use super::*;

impl Gifted {
    pub(super) fn tracks(&self, b: &mut Builder, who: &People) -> Result<()> {
        let Some(df) = self.frame("placement_tracks") else {
            return Ok(());
        };
        let st = "placement_tracks";
        let ids = texts(df, st, "track_id")?;
        let seats = ints(df, st, "seats")?;
        let cont_b = ints(df, st, "continuing_boys")?;
        let cont_g = ints(df, st, "continuing_girls")?;
        // Per track: placed, invited, waitlisted — boys and girls.
        let mut by: BTreeMap<String, [u64; 6]> = BTreeMap::new();
        for (k, stem) in ["placements", "interview_invitations", "waitlist"]
            .iter()
            .enumerate()
        {
            let Some(df) = self.frame(stem) else {
                continue;
            };
            let sid = texts(df, stem, "student_id")?;
            let track = texts(df, stem, "track_id")?;
            let gender = match df.column("gender") {
                Ok(_) => texts(df, stem, "gender")?,
                Err(_) => vec![None; sid.len()],
            };
            for i in 0..sid.len() {
                let g = match gender[i] {
                    Some(g) => g,
                    None => gender_of(sid[i].unwrap_or(""), who),
                };
                let j = 2 * k + usize::from(g == "f");
                by.entry(track[i].unwrap_or("").to_string()).or_default()[j] += 1;
            }
        }
        let keys = [
            "seats",
            "continuing_boys",
            "continuing_girls",
            "placed_boys",
            "placed_girls",
            "invited_boys",
            "invited_girls",
            "waitlisted_boys",
            "waitlisted_girls",
        ];
        let mut t = CountTable::of_children(
            b.w("tracks"),
            b.w("track"),
            keys.iter().map(|k| b.w(k)).collect(),
        );
        t.children[0] = false;
        t.total_row = true;
        for i in 0..ids.len() {
            let id = ids[i].unwrap_or("").to_string();
            let n = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
            let mut v = vec![n(seats[i]), n(cont_b[i]), n(cont_g[i])];
            v.extend(by.get(&id).copied().unwrap_or_default());
            t.rows.push((id, v));
        }
        b.counts(&t);
        Ok(())
    }

    pub(super) fn centers(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("enrichment_groups") else {
            return Ok(());
        };
        let st = "enrichment_groups";
        let center = texts(df, st, "center_id")?;
        let program = texts(df, st, "program")?;
        let grade = ints(df, st, "grade")?;
        let group = ints(df, st, "group_no")?;
        let mut students: BTreeMap<&str, u64> = BTreeMap::new();
        // A group is its (program, grade, group number) at a center.
        type Group<'a> = (Option<&'a str>, Option<i64>, Option<i64>);
        let mut groups: BTreeMap<&str, BTreeSet<Group>> = BTreeMap::new();
        for i in 0..center.len() {
            let c = center[i].unwrap_or("");
            *students.entry(c).or_default() += 1;
            groups
                .entry(c)
                .or_default()
                .insert((program[i], grade[i], group[i]));
        }
        let mut t = CountTable::of_children(
            String::new(),
            b.w("center"),
            vec![b.w("groups"), b.w("students")],
        );
        t.children = vec![false, true];
        t.total_row = true;
        for (c, n) in &students {
            t.rows
                .push((c.to_string(), vec![groups[c].len() as u64, *n]));
        }
        let (mut header, cells) = t.cells(&b.words, b.min_cell);
        header.push(b.w("load"));
        let min = b.min_cell;
        let cap = self.group_capacity.max(1);
        let mut suppressed = false;
        let rows = cells
            .iter()
            .map(|(label, c)| {
                suppressed |= c.iter().any(|c| !c.is_shown());
                let mut row = vec![label.clone()];
                row.extend(c.iter().map(|c| c.text(min)));
                // The load shows the count it is made of: hidden with it.
                row.push(match (c[0], c[1]) {
                    (
                        crate::report::suppress::Cell::Count(g),
                        crate::report::suppress::Cell::Count(s),
                    ) if g > 0 => percent(s, g * cap),
                    _ => "*".into(),
                });
                row
            })
            .collect();
        b.numeric_table(b.w("centers"), header, rows, suppressed);
        Ok(())
    }

    pub(super) fn unserved(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("unserved") else {
            return Ok(());
        };
        let st = "unserved";
        let program = texts(df, st, "program")?;
        let authority = texts(df, st, "residence_authority_id")?;
        let mut by: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for i in 0..program.len() {
            let j = usize::from(program[i] == Some("excellent"));
            by.entry(authority[i].unwrap_or(""))
                .or_insert_with(|| vec![0, 0])[j] += 1;
        }
        if by.is_empty() {
            b.note(b.w("no_unserved"));
            return Ok(());
        }
        let mut t = CountTable::of_children(
            b.w("unserved"),
            b.w("authority"),
            vec![b.w("category_gifted"), b.w("category_excellent")],
        );
        t.total_col = true;
        t.total_row = true;
        t.rows = by.into_iter().map(|(a, v)| (a.to_string(), v)).collect();
        b.counts(&t);
        Ok(())
    }
}
