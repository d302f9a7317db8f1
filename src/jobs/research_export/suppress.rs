//! Cell suppression of the published counts (docs/research-export.md §5). A year's counts are
//! a table, rows × columns (rows: sector × region × gender; columns: category), published
//! with its row totals, column totals and grand total. Every entry below `min_cell` is
//! suppressed (primary suppression); then more entries are suppressed (complementary
//! suppression) until no suppressed entry can be computed back from the published ones.
//!
//! Why the rule below is enough: write the table with its margins as an (R+1)×(C+1) matrix
//! whose last column holds minus the row totals, last row minus the column totals and the
//! corner the grand total; then every row and every column of the matrix sums to zero, and
//! these are all the relations a reader has. Take the suppressed entries as the edges of a
//! bipartite graph between the matrix's rows and columns: a solution for the unknowns can be
//! changed along any cycle of the graph (+d, −d alternately) and still fit every published
//! sum, so an entry on a cycle is not determined; an entry on no cycle (a bridge, such as the
//! only suppressed entry of a row) is. So suppression goes on until no suppressed entry is a
//! bridge. It ends: each step suppresses one more entry, and the whole matrix (at least 2×2)
//! has no bridge. When every suppressed entry is a positive count, the change along a cycle
//! can be ±1, which keeps every count a whole number of at least 0: even a reader who uses
//! that counts are never negative cannot pin a suppressed count down.

/// Which entries of the (R+1)×(C+1) matrix of `cells` with its margins are suppressed: `[i][j]`
/// for i < R, j < C a cell; `[i][C]` row i's total; `[R][j]` column j's total; `[R][C]` the
/// grand total. `cells` is a rectangle (every row has the same length).
pub fn suppress(cells: &[Vec<u64>], min_cell: u64) -> Vec<Vec<bool>> {
    let m = with_margins(cells);
    let mut s: Vec<Vec<bool>> = m
        .iter()
        .map(|row| row.iter().map(|&v| v > 0 && v < min_cell).collect())
        .collect();
    while let Some((i, j)) = next_complement(&m, &s) {
        s[i][j] = true;
    }
    s
}

/// The matrix of `cells` with a total column, a total row and the grand total.
pub fn with_margins(cells: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let c = cells.first().map_or(0, Vec::len);
    let mut m: Vec<Vec<u64>> = cells
        .iter()
        .map(|row| {
            let mut r = row.clone();
            r.push(row.iter().sum());
            r
        })
        .collect();
    let totals: Vec<u64> = (0..=c).map(|j| m.iter().map(|r| r[j]).sum()).collect();
    m.push(totals);
    m
}

/// The entry to suppress next, or `None` when no suppressed entry can be computed back.
/// First a line (row or column) with exactly one suppressed entry gets its smallest published
/// entry suppressed too, preferring one whose other line has a single suppressed entry as well
/// (one entry completes both); then a suppressed entry that is a bridge gets a cycle through it, by
/// the smallest published entry that joins the two sides. Positive entries come first (a zero
/// only where no positive entry would do); ties go to the first entry in row order, so the
/// result depends on the counts alone.
fn next_complement(m: &[Vec<u64>], s: &[Vec<bool>]) -> Option<(usize, usize)> {
    let (rows, cols) = (m.len(), m.first().map_or(0, Vec::len));
    let row_deg: Vec<usize> = (0..rows)
        .map(|i| (0..cols).filter(|&j| s[i][j]).count())
        .collect();
    let col_deg: Vec<usize> = (0..cols)
        .map(|j| (0..rows).filter(|&i| s[i][j]).count())
        .collect();
    // An entry that also completes its other line (one with a single suppressed entry) first.
    let lone = |i: usize, j: usize, in_row: bool| {
        if in_row {
            col_deg[j] == 1
        } else {
            row_deg[i] == 1
        }
    };
    let smallest = |cands: &mut dyn Iterator<Item = (usize, usize)>, in_row: Option<bool>| {
        cands.filter(|&(i, j)| !s[i][j]).min_by_key(|&(i, j)| {
            let completes = in_row.is_some_and(|r| lone(i, j, r));
            (m[i][j] == 0, !completes, m[i][j], i, j)
        })
    };
    for (i, _) in row_deg.iter().enumerate().filter(|(_, &d)| d == 1) {
        if let Some(e) = smallest(&mut (0..cols).map(|j| (i, j)), Some(true)) {
            return Some(e);
        }
    }
    for (j, _) in col_deg.iter().enumerate().filter(|(_, &d)| d == 1) {
        if let Some(e) = smallest(&mut (0..rows).map(|i| (i, j)), Some(false)) {
            return Some(e);
        }
    }
    for i in 0..rows {
        for j in 0..cols {
            if !s[i][j] {
                continue;
            }
            // Is (i, j) a bridge? Which rows and columns row i reaches without it.
            let (reach_rows, reach_cols) = reachable(s, i, (i, j));
            if reach_cols[j] {
                continue;
            }
            // Rows on column j's side, columns on row i's side.
            let mut join = (0..rows)
                .filter(|&r| !reach_rows[r])
                .flat_map(|r| (0..cols).filter(|&c| reach_cols[c]).map(move |c| (r, c)));
            return smallest(&mut join, None);
        }
    }
    None
}

/// The rows and columns reached from row `start` along suppressed entries, leaving out `skip`.
fn reachable(s: &[Vec<bool>], start: usize, skip: (usize, usize)) -> (Vec<bool>, Vec<bool>) {
    let (rows, cols) = (s.len(), s.first().map_or(0, Vec::len));
    let mut seen_rows = vec![false; rows];
    let mut seen_cols = vec![false; cols];
    seen_rows[start] = true;
    // Vertices: rows 0..rows, columns rows..rows+cols.
    let mut stack = vec![start];
    while let Some(v) = stack.pop() {
        if v < rows {
            for c in 0..cols {
                if s[v][c] && (v, c) != skip && !seen_cols[c] {
                    seen_cols[c] = true;
                    stack.push(rows + c);
                }
            }
        } else {
            let c = v - rows;
            for r in 0..rows {
                if s[r][c] && (r, c) != skip && !seen_rows[r] {
                    seen_rows[r] = true;
                    stack.push(r);
                }
            }
        }
    }
    (seen_rows, seen_cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether each suppressed entry of `m` is determined by the published ones, found
    /// independently of the graph argument: by exact Gaussian elimination of the relations
    /// (every row of the cells sums to its total, every column to its total, the totals to
    /// the grand total) over the suppressed entries as unknowns. An unknown is determined
    /// exactly when, in the reduced system, it is a pivot whose row has no free unknown.
    fn determined(m: &[Vec<u64>], s: &[Vec<bool>]) -> Vec<(usize, usize)> {
        let (rows, cols) = (m.len(), m[0].len());
        let unknowns: Vec<(usize, usize)> = (0..rows)
            .flat_map(|i| (0..cols).map(move |j| (i, j)))
            .filter(|&(i, j)| s[i][j])
            .collect();
        let index = |e: (usize, usize)| unknowns.iter().position(|&u| u == e);
        let mut a: Vec<Vec<i128>> = Vec::new();
        // Row i: cells minus total = 0; column j likewise.
        for i in 0..rows {
            let mut eq = vec![0i128; unknowns.len()];
            for j in 0..cols {
                if let Some(k) = index((i, j)) {
                    eq[k] = if j + 1 == cols { -1 } else { 1 };
                }
            }
            a.push(eq);
        }
        for j in 0..cols {
            let mut eq = vec![0i128; unknowns.len()];
            for i in 0..rows {
                if let Some(k) = index((i, j)) {
                    eq[k] = if i + 1 == rows { -1 } else { 1 };
                }
            }
            a.push(eq);
        }
        // Reduced row echelon form with integer row operations.
        let mut pivots = Vec::new();
        let mut r = 0;
        for k in 0..unknowns.len() {
            let Some(p) = (r..a.len()).find(|&p| a[p][k] != 0) else {
                continue;
            };
            a.swap(r, p);
            for q in 0..a.len() {
                if q != r && a[q][k] != 0 {
                    let (f, g) = (a[r][k], a[q][k]);
                    let pivot_row = a[r].clone();
                    for (x, p) in a[q].iter_mut().zip(&pivot_row) {
                        *x = *x * f - p * g;
                    }
                }
            }
            pivots.push((r, k));
            r += 1;
        }
        let pivot_cols: Vec<usize> = pivots.iter().map(|p| p.1).collect();
        pivots
            .iter()
            .filter(|&&(row, _)| {
                (0..unknowns.len()).all(|c| pivot_cols.contains(&c) || a[row][c] == 0)
            })
            .map(|&(_, k)| unknowns[k])
            .collect()
    }

    fn check(cells: &[Vec<u64>], min_cell: u64) -> Vec<Vec<bool>> {
        let s = suppress(cells, min_cell);
        let m = with_margins(cells);
        for (i, row) in m.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                assert!(
                    s[i][j] || v == 0 || v >= min_cell,
                    "({i},{j}) = {v} published"
                );
            }
        }
        assert_eq!(determined(&m, &s), vec![], "suppressed {s:?} of {m:?}");
        // Every suppressed entry is a positive count: a change of ±1 along a cycle keeps
        // every count ≥ 0, so not even non-negativity pins one down.
        for (i, row) in m.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                assert!(!s[i][j] || v > 0, "({i},{j}) is a suppressed zero in {m:?}");
            }
        }
        s
    }

    fn marked(s: &[Vec<bool>]) -> Vec<String> {
        s.iter()
            .map(|r| r.iter().map(|&b| if b { 'x' } else { '.' }).collect())
            .collect()
    }

    #[test]
    fn the_checker_finds_a_lone_suppressed_cell() {
        // Without complementary suppression, the 3 is its row total minus the rest.
        let m = with_margins(&[vec![50, 3, 40], vec![30, 20, 60]]);
        let mut s = vec![vec![false; 4]; 3];
        s[0][1] = true;
        assert_eq!(determined(&m, &s), vec![(0, 1)]);
        // Two in one row, each alone in its column: still both determined.
        s[0][2] = true;
        assert_eq!(determined(&m, &s), vec![(0, 1), (0, 2)]);
        // A 2×2 rectangle of suppressed cells is not.
        s[1][1] = true;
        s[1][2] = true;
        assert_eq!(determined(&m, &s), vec![]);
    }

    #[test]
    fn a_row_with_exactly_one_small_cell_gets_a_rectangle() {
        // The 3 is below 10; its row's smallest other cell (40) and, for the columns, the
        // smallest cells of another row (20, 60) complete a rectangle.
        let cells = vec![vec![50, 3, 40], vec![30, 20, 60], vec![80, 70, 90]];
        let s = check(&cells, 10);
        assert_eq!(marked(&s), [".xx.", ".xx.", "....", "...."]);
    }

    #[test]
    fn ten_is_published_and_nine_is_not() {
        let cells = vec![vec![10, 25, 30], vec![40, 50, 60]];
        assert_eq!(marked(&check(&cells, 10)), ["....", "....", "...."]);
        let cells = vec![vec![9, 25, 30], vec![40, 50, 60]];
        let s = check(&cells, 10);
        assert_eq!(marked(&s), ["xx..", "xx..", "...."]);
        // min_cell 9 publishes the 9.
        assert_eq!(marked(&check(&cells, 9)), ["....", "....", "...."]);
    }

    #[test]
    fn a_small_row_total_is_suppressed_with_its_cells() {
        // Row 0 totals 8: the total and its cells are all below 10; the column totals of the
        // cells are large, so the row's cells need partners in another row.
        let cells = vec![vec![5, 3], vec![40, 50], vec![60, 70]];
        let s = check(&cells, 10);
        assert!(s[0].iter().all(|&b| b), "{:?}", marked(&s));
    }

    #[test]
    fn one_row_tables_and_one_column_tables() {
        // One row: each cell equals its column total, so the totals go with the cells.
        let s = check(&[vec![4, 30, 50]], 10);
        assert!(s[0][0] && s[1][0], "{:?}", marked(&s));
        let s = check(&[vec![4], vec![30], vec![50]], 10);
        assert!(s[0][0] && s[0][1], "{:?}", marked(&s));
    }

    #[test]
    fn zeros_are_published_and_complements_are_positive() {
        let cells = vec![
            vec![0, 12, 7, 100],
            vec![15, 0, 30, 200],
            vec![9, 9, 9, 9],
            vec![300, 400, 500, 600],
        ];
        for min_cell in [1, 10, 31] {
            let s = check(&cells, min_cell);
            let m = with_margins(&cells);
            assert!(!s[0][0] && !s[1][1], "zeros published");
            for (i, row) in s.iter().enumerate() {
                for (j, &hidden) in row.iter().enumerate() {
                    assert!(!hidden || m[i][j] > 0, "({i},{j}) is a suppressed zero");
                }
            }
        }
        // min_cell 1 suppresses nothing.
        assert!(check(&cells, 1).iter().flatten().all(|&b| !b));
        // A row of zeros but one small cell: the cell and its row total go together.
        let s = check(&[vec![0, 4, 0], vec![20, 30, 40], vec![25, 35, 45]], 10);
        assert_eq!(marked(&s), [".x.x", ".x.x", "....", "...."]);
    }

    #[test]
    fn suppression_leaves_nothing_recoverable_on_many_tables() {
        // A deterministic sweep of small tables with small and large counts.
        let mut x: u64 = 12345;
        for _ in 0..300 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (r, c) = (1 + (x >> 60) as usize % 5, 1 + (x >> 56) as usize % 5);
            let cells: Vec<Vec<u64>> = (0..r)
                .map(|i| {
                    (0..c)
                        .map(|j| {
                            let h = x.rotate_left((i * 7 + j * 3) as u32) % 40;
                            if h < 25 {
                                h % 12
                            } else {
                                h * 3
                            }
                        })
                        .collect()
                })
                .collect();
            check(&cells, 10);
        }
    }
}
