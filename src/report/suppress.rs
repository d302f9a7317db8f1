//! Statistical disclosure control of the report's counts of children (docs/report.md §3):
//! a count below `report.min_cell` is shown as "<min" (primary suppression), and wherever a
//! row or a column would then hold exactly one hidden cell, a second cell of it is hidden
//! too (complementary suppression), so that no hidden count can be recovered by subtracting
//! the shown ones from a total.

/// One cell of a suppressed table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Shown as it is.
    Count(u64),
    /// Below the minimum: shown as "<min".
    Small,
    /// Hidden to protect a small cell of its row or column: shown as "*".
    Hidden,
}

impl Cell {
    pub fn is_shown(self) -> bool {
        matches!(self, Cell::Count(_))
    }

    /// The cell as the report prints it.
    pub fn text(self, min_cell: u64) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Small => format!("<{min_cell}"),
            Cell::Hidden => "*".to_string(),
        }
    }
}

/// Suppresses a grid of counts (rows of equal length; a row's or column's total, when the
/// table shows one, is one of its cells). Every count below `min_cell` — zero included — is
/// `Small`. Then, until nothing changes, each row and each column with exactly one
/// suppressed cell among two or more gets its smallest shown cell (the first such on a tie)
/// `Hidden`. Deterministic: the same grid gives the same cells.
pub fn suppress(grid: &[Vec<u64>], min_cell: u64) -> Vec<Vec<Cell>> {
    let mut cells: Vec<Vec<Cell>> = grid
        .iter()
        .map(|row| {
            row.iter()
                .map(|&n| {
                    if n < min_cell {
                        Cell::Small
                    } else {
                        Cell::Count(n)
                    }
                })
                .collect()
        })
        .collect();
    let width = cells.iter().map(Vec::len).max().unwrap_or(0);
    loop {
        let mut changed = false;
        for r in 0..cells.len() {
            let line: Vec<(usize, usize)> = (0..cells[r].len()).map(|c| (r, c)).collect();
            changed |= protect(&mut cells, &line);
        }
        for c in 0..width {
            let line: Vec<(usize, usize)> = (0..cells.len())
                .filter(|&r| c < cells[r].len())
                .map(|r| (r, c))
                .collect();
            changed |= protect(&mut cells, &line);
        }
        if !changed {
            return cells;
        }
    }
}

/// Hides the smallest shown cell of `line` when it holds exactly one suppressed cell among
/// two or more; whether it hid one.
fn protect(cells: &mut [Vec<Cell>], line: &[(usize, usize)]) -> bool {
    let hidden = line
        .iter()
        .filter(|&&(r, c)| !cells[r][c].is_shown())
        .count();
    if line.len() < 2 || hidden != 1 {
        return false;
    }
    let smallest = line
        .iter()
        .filter_map(|&(r, c)| match cells[r][c] {
            Cell::Count(n) => Some((n, r, c)),
            _ => None,
        })
        .min();
    match smallest {
        Some((_, r, c)) => {
            cells[r][c] = Cell::Hidden;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Cell::{Count, Hidden, Small};
    use super::*;

    #[test]
    fn nine_is_small_and_its_row_partner_is_hidden() {
        // boys, girls, total
        let cells = suppress(&[vec![9, 40, 49]], 10);
        assert_eq!(cells, [vec![Small, Hidden, Count(49)]]);
        assert_eq!(cells[0][0].text(10), "<10");
        assert_eq!(cells[0][1].text(10), "*");
    }

    #[test]
    fn ten_is_shown() {
        assert_eq!(
            suppress(&[vec![10, 40, 50]], 10),
            [vec![Count(10), Count(40), Count(50)]]
        );
    }

    #[test]
    fn a_row_with_one_small_cell_hides_its_smallest_other_cell_not_the_total() {
        // Without the second hidden cell, 3 = 71 - 25 - 43 could be recovered.
        let cells = suppress(&[vec![25, 3, 43, 71]], 10);
        assert_eq!(cells, [vec![Hidden, Small, Count(43), Count(71)]]);
    }

    #[test]
    fn a_small_total_hides_the_row_and_a_lone_count_with_its_total_is_protected() {
        assert_eq!(suppress(&[vec![4, 3, 7]], 10), [vec![Small, Small, Small]]);
        // A count alone with its total: the total is hidden with it.
        assert_eq!(suppress(&[vec![5, 5]], 10), [vec![Small, Small]]);
        assert_eq!(suppress(&[vec![5, 30]], 10), [vec![Small, Hidden]]);
    }

    #[test]
    fn columns_are_protected_too_and_it_spreads_until_no_line_has_a_single_hidden_cell() {
        // rows: two districts and the total row; columns: boys, girls, total.
        let grid = [vec![12, 5, 17], vec![30, 40, 70], vec![42, 45, 87]];
        let cells = suppress(&grid, 10);
        // 5 is small; its row hides 12; column boys then hides 30 (the smaller of 30 and 42)
        // and column girls 40; the middle row now has two hidden cells and column total none.
        assert_eq!(
            cells,
            [
                vec![Hidden, Small, Count(17)],
                vec![Hidden, Hidden, Count(70)],
                vec![Count(42), Count(45), Count(87)]
            ]
        );
        for line in cells.iter() {
            assert_ne!(line.iter().filter(|c| !c.is_shown()).count(), 1);
        }
        for c in 0..3 {
            assert_ne!(cells.iter().filter(|row| !row[c].is_shown()).count(), 1);
        }
    }

    #[test]
    fn zero_counts_as_small_and_a_minimum_of_zero_suppresses_nothing() {
        assert_eq!(suppress(&[vec![0, 0]], 10), [vec![Small, Small]]);
        assert_eq!(suppress(&[vec![0, 3]], 0), [vec![Count(0), Count(3)]]);
    }
}
