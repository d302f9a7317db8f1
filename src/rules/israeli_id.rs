//! Israeli ID numbers (מספר זהות): 1–9 digits, left-padded to 9, with a Luhn-style check digit
//! (data-contract.md, "Rules that apply everywhere"; 004 §A.5: a passport number is rejected).

/// Why a value is not a valid Israeli ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong,
    NotDigits,
    CheckDigit,
}

impl IdError {
    pub fn message(self) -> &'static str {
        match self {
            IdError::Empty => "an Israeli ID number is required",
            IdError::TooLong => "an Israeli ID number has at most 9 digits",
            IdError::NotDigits => {
                "an Israeli ID number has digits only (a passport number is not accepted)"
            }
            IdError::CheckDigit => "the check digit of the Israeli ID number is wrong",
        }
    }
}

/// The weighted digit sum of a 9-digit (already padded) number: digits multiplied alternately
/// by 1 and 2 from the left, products above 9 reduced by 9.
fn weighted_sum(padded: &[u8; 9]) -> u32 {
    padded
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let p = u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 2 };
            if p > 9 {
                p - 9
            } else {
                p
            }
        })
        .sum()
}

/// A digit's contribution at an even (weight 2) position: 2·d, reduced by 9 above 9.
const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/// Checks an ID as written in the input (1–9 digits; shorter values are left-padded with zeros).
/// The weighted sum is taken in the same pass as the digits are checked (a national roster
/// checks 2.4 million IDs).
pub fn check(value: &str) -> Result<(), IdError> {
    number(value.as_bytes()).map(|_| ())
}

/// The number a valid ID written as `b` stands for (`check`'s rules, on bytes as a file
/// stores them); in the same pass as the check.
pub fn number(b: &[u8]) -> Result<u64, IdError> {
    if b.is_empty() {
        return Err(IdError::Empty);
    }
    if b.len() > 9 {
        return Err(if b.iter().all(u8::is_ascii_digit) {
            IdError::TooLong
        } else {
            IdError::NotDigits
        });
    }
    // Digit i of the value sits at padded position 9 − len + i; odd positions (0-based) weigh 2.
    let even_offset = (9 - b.len()).is_multiple_of(2);
    let mut sum = 0u32;
    let mut n = 0u64;
    for (i, &c) in b.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return Err(IdError::NotDigits);
        }
        n = n * 10 + u64::from(d);
        let doubled = (i % 2 == 1) == even_offset;
        sum += if doubled {
            DOUBLED[d as usize]
        } else {
            u32::from(d)
        };
    }
    if sum.is_multiple_of(10) {
        Ok(n)
    } else {
        Err(IdError::CheckDigit)
    }
}

/// Pads a valid ID to its canonical 9-digit form.
pub fn canonical(value: &str) -> String {
    format!("{value:0>9}")
}

/// The 9-digit form of an ID as written (data-contract.md: person IDs are normalized on
/// reading, so `10000016` and `010000016` are one person): borrowed when it has 9 digits
/// already, as nearly every ID does; the check's error otherwise.
pub fn normalized(value: &str) -> Result<std::borrow::Cow<'_, str>, IdError> {
    check(value)?;
    Ok(if value.len() == 9 {
        value.into()
    } else {
        canonical(value).into()
    })
}

/// Completes an 8-digit body (0..10^8) with its check digit: a valid 9-digit ID.
/// Used by the synthetic nation generator.
pub fn with_check_digit(body: u32) -> String {
    let s = format!("{:08}0", body % 100_000_000);
    let mut padded = [0u8; 9];
    padded.copy_from_slice(s.as_bytes());
    let sum = weighted_sum(&padded);
    padded[8] = b'0' + ((10 - sum % 10) % 10) as u8;
    // The last position has weight 1, so the digit adds itself to the sum.
    String::from_utf8(padded.to_vec()).expect("ascii digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(check("000000018"), Ok(()));
        assert_eq!(check("18"), Ok(()));
        assert_eq!(check("123456782"), Ok(()));
        assert_eq!(check("039337423"), Ok(()));
        assert_eq!(check("123456789"), Err(IdError::CheckDigit));
        assert_eq!(check("039337422"), Err(IdError::CheckDigit));
    }

    #[test]
    fn malformed() {
        assert_eq!(check(""), Err(IdError::Empty));
        assert_eq!(check("1234567890"), Err(IdError::TooLong));
        assert_eq!(check("A1234567"), Err(IdError::NotDigits));
        assert_eq!(check("12 345"), Err(IdError::NotDigits));
        assert_eq!(check("-18"), Err(IdError::NotDigits));
    }

    #[test]
    fn one_pass_check_agrees_with_the_padded_weighted_sum() {
        // Every length 1–9, valid and not, against the definition (pad, weigh, sum).
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 9 + 1) as usize;
            let v: String = format!("{:09}", x % 1_000_000_000)[9 - len..].to_string();
            let mut padded = [b'0'; 9];
            padded[9 - len..].copy_from_slice(v.as_bytes());
            let want = if weighted_sum(&padded).is_multiple_of(10) {
                Ok(())
            } else {
                Err(IdError::CheckDigit)
            };
            assert_eq!(check(&v), want, "{v}");
            let n: u64 = v.parse().expect("digits");
            assert_eq!(number(v.as_bytes()), want.map(|()| n), "{v}");
        }
        assert_eq!(check("12345678901"), Err(IdError::TooLong));
        assert_eq!(check("1234567890x"), Err(IdError::NotDigits));
        assert_eq!(check("٠١٨"), Err(IdError::NotDigits));
    }

    #[test]
    fn normalized_pads_valid_ids_to_nine_digits() {
        assert_eq!(normalized("18").as_deref(), Ok("000000018"));
        assert_eq!(normalized("10000016").as_deref(), Ok("010000016"));
        assert_eq!(normalized("010000016").as_deref(), Ok("010000016"));
        let kept = normalized("123456782").unwrap();
        assert!(matches!(kept, std::borrow::Cow::Borrowed("123456782")));
        assert_eq!(normalized("1234567890"), Err(IdError::TooLong));
        assert_eq!(normalized("0123456782"), Err(IdError::TooLong));
        assert_eq!(normalized("17"), Err(IdError::CheckDigit));
        assert_eq!(normalized(""), Err(IdError::Empty));
    }

    #[test]
    fn canonical_pads() {
        assert_eq!(canonical("18"), "000000018");
        assert_eq!(canonical("123456782"), "123456782");
    }

    #[test]
    fn generated_ids_are_valid() {
        for body in [0u32, 1, 3933742, 12345678, 99_999_999, 4_242_424] {
            let id = with_check_digit(body);
            assert_eq!(id.len(), 9);
            assert_eq!(check(&id), Ok(()), "{id}");
        }
        assert_eq!(with_check_digit(3933742), "039337423");
        assert_eq!(with_check_digit(12345678), "123456782");
    }
}
