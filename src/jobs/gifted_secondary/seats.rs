//! §5.7 of gifted.md "Seats": a track's seats with its continuing and confirmed students
//! (0207 §2.9.ג, §4.1).
use super::inputs::Track;
use crate::jobs::gifted::placement::Gender;

/// A confirmed placement of the track: the student keeps the class (gifted.md §5.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmedSeat {
    pub student_id: String,
    pub gender: Gender,
    /// 1 or 2.
    pub class_no: u8,
}

/// A track's seats before this run's candidates walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seats {
    pub capacity: i64,
    /// Σ_c max(0, capacity − continuing_c).
    pub seats: i64,
    /// Σ_c max(0, capacity − continuing_c − confirmed_c): what this run's candidates share.
    pub left: i64,
    /// F = continuing_boys + continuing_girls + seats: the class size when full.
    pub full: i64,
    /// G and B: continuing plus confirmed girls and boys.
    pub girls: i64,
    pub boys: i64,
    /// Students each class holds already (continuing + confirmed).
    pub held: [i64; 2],
    pub n_confirmed: i64,
}

/// gifted.md §5.7 "Seats": capacity is the track's; class c holds continuing_c continuing and
/// confirmed_c confirmed students; seats = Σ_c max(0, capacity − continuing_c), the seats
/// left Σ_c max(0, capacity − continuing_c − confirmed_c), F = continuing + seats.
pub fn seats(track: &Track, confirmed: &[ConfirmedSeat]) -> Seats {
    let n = usize::try_from(track.n_classes.clamp(1, 2)).unwrap_or(1);
    let mut held = [0i64; 2];
    let (mut seats, mut left) = (0, 0);
    for (c, held_c) in held.iter_mut().enumerate().take(n) {
        let conf = confirmed
            .iter()
            .filter(|s| usize::from(s.class_no.max(1)) - 1 == c)
            .count() as i64;
        *held_c = track.continuing[c] + conf;
        seats += (track.capacity - track.continuing[c]).max(0);
        left += (track.capacity - track.continuing[c] - conf).max(0);
    }
    let count = |g: Gender| confirmed.iter().filter(|s| s.gender == g).count() as i64;
    Seats {
        capacity: track.capacity,
        seats,
        left,
        full: track.continuing_boys + track.continuing_girls + seats,
        girls: track.continuing_girls + count(Gender::Female),
        boys: track.continuing_boys + count(Gender::Male),
        held,
        n_confirmed: confirmed.len() as i64,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::jobs::gifted::Sector;

    pub(crate) fn track(n_classes: i64, boys: i64, girls: i64, continuing: [i64; 2]) -> Track {
        Track {
            track_id: "T".into(),
            institution_id: "100001".into(),
            authority_id: "A1".into(),
            sector: Sector::Hebrew,
            grade: 8,
            n_classes,
            capacity: 30,
            first_year: 2020,
            continuing_boys: boys,
            continuing_girls: girls,
            continuing,
            boarding: false,
            registration_zones: Vec::new(),
        }
    }

    #[test]
    fn a_two_class_track_with_29_and_23_continuing_students() {
        // gifted.md §5.7: classes of 30 holding 29 and 23 → 1 + 7 = 8 seats; F = 52 + 8 = 60.
        let t = track(2, 30, 22, [29, 23]);
        let s = seats(&t, &[]);
        assert_eq!((s.seats, s.left, s.full), (8, 8, 60));
        assert_eq!((s.girls, s.boys, s.held), (22, 30, [29, 23]));
        // A confirmed girl in class 2 takes one of its seats.
        let c = ConfirmedSeat {
            student_id: "000000018".into(),
            gender: Gender::Female,
            class_no: 2,
        };
        let s = seats(&t, &[c]);
        assert_eq!((s.seats, s.left, s.girls, s.held), (8, 7, 23, [29, 24]));
    }

    #[test]
    fn a_class_over_capacity_gives_no_negative_seats() {
        let t = track(2, 20, 13, [33, 0]);
        let s = seats(&t, &[]);
        assert_eq!((s.seats, s.full), (30, 63));
    }
}
