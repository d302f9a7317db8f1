//! The budget walk of the preferred loans and of Pais (teacher-loans.md "Allocation"): down
//! the ranked list, an amount is granted when it is at most what remains of the budget, and
//! subtracted; otherwise the applicant is refused for the budget. With `skip` the walk goes
//! on, so a later, smaller amount may still fit; with `stop` everyone after the first refusal
//! is refused too. Integer shekels: the sum granted never exceeds the budget.
use super::params::Allocation;

/// The outcome of a walk: for each amount of the ranked list whether it was granted, and the
/// sum granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    pub granted: Vec<bool>,
    pub allocated: i64,
}

/// Walks `amounts` (in rank order) against `budget`.
pub fn walk(amounts: &[i64], budget: i64, mode: Allocation) -> Walk {
    let mut remaining = budget;
    let mut stopped = false;
    let granted = amounts
        .iter()
        .map(|&amount| {
            let fits = !stopped && amount <= remaining;
            if fits {
                remaining -= amount;
            } else if mode == Allocation::Stop {
                stopped = true;
            }
            fits
        })
        .collect();
    Walk {
        granted,
        allocated: budget - remaining,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // teacher-loans.md "Allocation": 20,000 shekels; 8,000 + 8,000 = 16,000 fit, the third
    // 8,000 does not (4,000 left), the 2,900 after it does with `skip`.
    #[test]
    fn skip_grants_a_smaller_amount_further_down() {
        let w = walk(
            &[8_000, 8_000, 8_000, 2_900, 1_200],
            20_000,
            Allocation::Skip,
        );
        assert_eq!(w.granted, [true, true, false, true, false]);
        assert_eq!(w.allocated, 18_900);
    }

    #[test]
    fn stop_refuses_everyone_after_the_first_that_does_not_fit() {
        let w = walk(
            &[8_000, 8_000, 8_000, 2_900, 1_200],
            20_000,
            Allocation::Stop,
        );
        assert_eq!(w.granted, [true, true, false, false, false]);
        assert_eq!(w.allocated, 16_000);
    }

    #[test]
    fn an_amount_equal_to_what_remains_fits() {
        let w = walk(&[5_800, 5_800], 11_600, Allocation::Stop);
        assert_eq!(w.granted, [true, true]);
        assert_eq!(w.allocated, 11_600);
        let w = walk(&[5_800, 5_800], 11_599, Allocation::Skip);
        assert_eq!(w.granted, [true, false]);
    }

    #[test]
    fn a_zero_budget_grants_nothing() {
        let w = walk(&[5_800], 0, Allocation::Skip);
        assert_eq!(w.granted, [false]);
        assert_eq!(w.allocated, 0);
    }
}
