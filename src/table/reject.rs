//! Rejected rows (data-contract.md, "Row validation and rejects").

/// One broken rule of one input row; its fields are the columns of the `rejects` output
/// table (`schemas/rejects.toml`), in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub table: String,
    /// 1-based data row in the source file.
    pub row_number: u64,
    pub column: String,
    pub value: String,
    pub rule: String,
    pub message: String,
}

impl Reject {
    pub fn new(
        table: &str,
        row_index: usize,
        column: &str,
        value: impl Into<String>,
        rule: &str,
        message: impl Into<String>,
    ) -> Self {
        Reject {
            table: table.to_string(),
            row_number: row_index as u64 + 1,
            column: column.to_string(),
            value: value.into(),
            rule: rule.to_string(),
            message: message.into(),
        }
    }
}

/// A valid row that the regulation leaves out of the run (data-contract.md "Row validation
/// and rejects"): a row of a student of an institution that does not take part, of another
/// school year, of a grade that is not tested. Not a reject — it says nothing about the
/// data's quality and never counts toward `max_reject_share` — but listed, so that nothing
/// is lost: its fields are the columns of the `exclusions` output table, in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Exclusion {
    pub table: String,
    /// 1-based data row in the source file.
    pub row_number: u64,
    pub student_id: String,
    pub reason: String,
}

/// Rejects found for one table, with the rows they reject.
#[derive(Debug, Default)]
pub struct RejectSet {
    pub rejects: Vec<Reject>,
    /// `rejected[i]`: data row i (0-based) is rejected.
    pub rejected: Vec<bool>,
}

impl RejectSet {
    pub fn new(height: usize) -> Self {
        RejectSet {
            rejects: Vec::new(),
            rejected: vec![false; height],
        }
    }

    pub fn add(&mut self, r: Reject) {
        let i = (r.row_number - 1) as usize;
        if let Some(flag) = self.rejected.get_mut(i) {
            *flag = true;
        }
        self.rejects.push(r);
    }

    pub fn is_rejected(&self, row: usize) -> bool {
        self.rejected[row]
    }

    pub fn n_rejected(&self) -> usize {
        self.rejected.iter().filter(|&&r| r).count()
    }

    /// Sorts the rejects by row, keeping the order rules were checked in within a row.
    pub fn sort(&mut self) {
        self.rejects.sort_by_key(|r| r.row_number);
    }
}
