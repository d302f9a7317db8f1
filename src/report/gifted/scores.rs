//! The identification part of gifted-elementary's report section (docs/report.md §4): counts
//! by category, the composites' histogram per norm group, and the cut-offs.
use super::*;

impl Gifted {
    pub(super) fn categories(&self, b: &mut Builder, who: &People) -> Result<()> {
        let Some(df) = self.frame("confidential/results") else {
            return Ok(());
        };
        let st = "confidential/results";
        let id = texts(df, st, "student_id")?;
        let cat = texts(df, st, "category")?;
        let all: Vec<&str> = id.iter().map(|s| s.unwrap_or("")).collect();
        let genders = genders(all.iter(), who);
        let mut t = CountTable::of_children(
            b.w("by_category"),
            b.w("category"),
            genders
                .iter()
                .map(|g| b.w(&format!("gender_{g}")))
                .collect(),
        );
        t.total_col = true;
        t.total_row = true;
        let mut rows: BTreeMap<&str, Vec<u64>> = CATEGORIES
            .iter()
            .map(|c| (*c, vec![0; genders.len()]))
            .collect();
        for (i, c) in cat.iter().enumerate() {
            let g = gender_of(all[i], who);
            let j = genders.iter().position(|x| *x == g).unwrap_or(0);
            if let Some(r) = rows.get_mut(c.unwrap_or("")) {
                r[j] += 1;
            }
        }
        t.rows = CATEGORIES
            .iter()
            .map(|c| (b.w(&format!("category_{c}")), rows[c].clone()))
            .collect();
        b.counts(&t);
        Ok(())
    }

    /// Per norm group, the composites in bins of five points, with the thresholds.
    pub(super) fn histograms(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("confidential/results") else {
            return Ok(());
        };
        let st = "confidential/results";
        let group = texts(df, st, "norm_group")?;
        let num = ints(df, st, "composite_num")?;
        let den = ints(df, st, "composite_den")?;
        let mut bins: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for i in 0..group.len() {
            let (Some(n), Some(d)) = (num[i], den[i]) else {
                continue;
            };
            let b = bin_of(n as i128, d as i128);
            bins.entry(group[i].unwrap_or(""))
                .or_insert_with(|| vec![0; BINS])[b] += 1;
        }
        b.heading(b.w("histograms"));
        b.note(b.w("histogram_note"));
        let lines: Vec<(String, f64)> = ["gifted", "excellent"]
            .iter()
            .zip(self.thresholds)
            .map(|(k, r)| {
                (
                    format!("{} {r}", b.w(&format!("threshold_{k}"))),
                    r.num() as f64 / r.den() as f64,
                )
            })
            .collect();
        for (g, counts) in bins {
            // The group's bins and their total (shown in the cut-offs) are suppressed
            // together, so a hidden bin is not the total less the shown ones.
            let mut t = CountTable::of_children(String::new(), String::new(), vec![]);
            t.columns = (0..BINS).map(|i| i.to_string()).collect();
            t.children = vec![true; BINS];
            t.total_col = true;
            t.rows = vec![(g.to_string(), counts)];
            let (_, cells) = t.cells(&b.words, b.min_cell);
            let row = &cells[0].1[..BINS];
            let title = format!("{} {g}", b.w("histogram_of"));
            match chart::histogram(&title, BIN as u32, row, &lines, b.min_cell) {
                Ok(svg) => b.chart(title, svg),
                Err(e) => b.note(e.to_string()),
            }
        }
        Ok(())
    }

    pub(super) fn cutoffs(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("cutoffs") else {
            return Ok(());
        };
        let st = "cutoffs";
        let kids = ["n_population", "n_tested", "n_gifted", "n_excellent"];
        let raw: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| c.ends_with("_gifted_raw") || c.ends_with("_excellent_raw"))
            .collect();
        let groups = texts(df, st, "norm_group")?;
        let mut t = CountTable::of_children(
            String::new(),
            b.w("norm_group"),
            kids.iter().map(|k| b.w(k)).collect(),
        );
        let counts: Vec<Vec<Option<i64>>> = kids
            .iter()
            .map(|k| ints(df, st, k))
            .collect::<Result<_>>()?;
        let raws: Vec<Vec<Option<i64>>> =
            raw.iter().map(|k| ints(df, st, k)).collect::<Result<_>>()?;
        for (i, g) in groups.iter().enumerate() {
            let v = counts
                .iter()
                .map(|c| c[i].unwrap_or(0).max(0) as u64)
                .collect();
            t.rows.push((g.unwrap_or("").to_string(), v));
        }
        t.caption = b.w("cutoffs");
        t.total_row = true;
        b.counts(&t);
        // The raw-score cut-offs: a row per norm group and subtest (groups, not children).
        let mut subtests: Vec<&str> = raw
            .iter()
            .filter_map(|r| r.strip_suffix("_gifted_raw"))
            .collect();
        subtests.dedup();
        let column_of = |name: String| raw.iter().position(|r| *r == name);
        let mut rows = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            for sub in &subtests {
                let value = |which: &str| {
                    column_of(format!("{sub}_{which}_raw"))
                        .and_then(|j| raws[j][i])
                        .map_or_else(|| "—".to_string(), |v| v.to_string())
                };
                rows.push(vec![
                    g.unwrap_or("").to_string(),
                    b.w(sub),
                    value("gifted"),
                    value("excellent"),
                ]);
            }
        }
        let header = vec![
            b.w("norm_group"),
            b.w("subtest"),
            b.w("cutoff_gifted"),
            b.w("cutoff_excellent"),
        ];
        b.numeric_table(b.w("cutoff_scores"), header, rows, false);
        Ok(())
    }
}
