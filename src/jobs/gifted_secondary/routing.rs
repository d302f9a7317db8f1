//! §5.4 of gifted.md: which track an application is for (0207 §2.12.ד, §2.12.ה, §4.5).
use super::inputs::Track;
use crate::jobs::gifted::Sector;

/// An applicant as routing sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant<'a> {
    /// The roster grade in Y; the entry grade is one more.
    pub grade: i64,
    /// The sector of the student's own institution.
    pub sector: Sector,
    pub residence_authority_id: &'a str,
    pub registration_zone: Option<&'a str>,
    pub requested_track_id: Option<&'a str>,
}

/// Where routing sends an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The track at this index of the tracks given, and how it was chosen.
    Track(usize, How),
    /// Rule 2 left the choice to the authority (0207 §4.5): `routing_undecided`.
    Undecided,
    /// No track: `no_track`.
    None,
}

/// How a routed track was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Rule 1: a requested boarding track (0207 §2.12.ד).
    Boarding,
    /// Rule 2: the authority's one track in the student's sector.
    ResidentOnly,
    /// Rule 2: the one track whose zones list the student's zone (0207 §4.5).
    ResidentZone,
    /// Rule 2: the requested one of the authority's tracks.
    ResidentRequested,
    /// Rule 3: the requested track of a non-resident (0207 §2.12.ה).
    Requested,
}

/// gifted.md §5.4: the track of an application. `tracks` are the open tracks (first_year ≤ Y);
/// only those of entry grade e = grade + 1 are considered.
/// 1. A requested boarding track of grade e, in any sector.
/// 2. Tracks of grade e in the residence authority and the student's sector: a resident is
///    directed to one of them without choice — among those that are not boarding tracks, or
///    the boarding ones when there is no other: the one track; else the one track listing the
///    student's registration zone; else the requested track if it is one of them; else none
///    (`Undecided`). What a resident asked for elsewhere does not count.
/// 3. The requested track of grade e in any sector.
/// 4. No track.
pub fn route(a: &Applicant, tracks: &[Track]) -> Route {
    let entry = a.grade + 1;
    let of_entry = |t: &&Track| t.grade == entry;
    let requested = a.requested_track_id.and_then(|id| {
        tracks
            .iter()
            .position(|t| t.grade == entry && t.track_id == id)
    });
    if let Some(i) = requested.filter(|&i| tracks[i].boarding) {
        return Route::Track(i, How::Boarding);
    }
    let local: Vec<usize> = (0..tracks.len())
        .filter(|&i| {
            let t = &tracks[i];
            of_entry(&t) && t.authority_id == a.residence_authority_id && t.sector == a.sector
        })
        .collect();
    if !local.is_empty() {
        let day: Vec<usize> = local
            .iter()
            .copied()
            .filter(|&i| !tracks[i].boarding)
            .collect();
        let among = if day.is_empty() { local } else { day };
        if let [only] = among[..] {
            return Route::Track(only, How::ResidentOnly);
        }
        if let Some(zone) = a.registration_zone {
            let zoned: Vec<usize> = among
                .iter()
                .copied()
                .filter(|&i| tracks[i].registration_zones.iter().any(|z| z == zone))
                .collect();
            if let [one] = zoned[..] {
                return Route::Track(one, How::ResidentZone);
            }
        }
        return match requested.filter(|i| among.contains(i)) {
            Some(i) => Route::Track(i, How::ResidentRequested),
            None => Route::Undecided,
        };
    }
    match requested {
        Some(i) => Route::Track(i, How::Requested),
        None => Route::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str, authority: &str, sector: Sector, grade: i64, boarding: bool) -> Track {
        Track {
            track_id: id.into(),
            institution_id: "100001".into(),
            authority_id: authority.into(),
            sector,
            grade,
            n_classes: 1,
            capacity: 30,
            first_year: 2020,
            continuing_boys: 0,
            continuing_girls: 0,
            continuing: [0, 0],
            boarding,
            registration_zones: Vec::new(),
        }
    }

    fn applicant<'a>(requested: Option<&'a str>, zone: Option<&'a str>) -> Applicant<'a> {
        Applicant {
            grade: 6,
            sector: Sector::Hebrew,
            residence_authority_id: "A1",
            registration_zone: zone,
            requested_track_id: requested,
        }
    }

    #[test]
    fn a_requested_boarding_track_comes_first_for_residents_too() {
        let tracks = vec![
            track("LOCAL", "A1", Sector::Hebrew, 7, false),
            track("BOARD", "A9", Sector::Arabic, 7, true),
        ];
        assert_eq!(
            route(&applicant(Some("BOARD"), None), &tracks),
            Route::Track(1, How::Boarding)
        );
        // A resident asking for another authority's day track is directed home.
        let tracks = vec![
            track("LOCAL", "A1", Sector::Hebrew, 7, false),
            track("AWAY", "A9", Sector::Hebrew, 7, false),
        ];
        assert_eq!(
            route(&applicant(Some("AWAY"), None), &tracks),
            Route::Track(0, How::ResidentOnly)
        );
    }

    #[test]
    fn residents_choose_by_zone_then_request_else_the_authority_decides() {
        let mut north = track("N", "A1", Sector::Hebrew, 7, false);
        north.registration_zones = vec!["north".into()];
        let mut south = track("S", "A1", Sector::Hebrew, 7, false);
        south.registration_zones = vec!["south".into()];
        let tracks = vec![north, south];
        assert_eq!(
            route(&applicant(None, Some("south")), &tracks),
            Route::Track(1, How::ResidentZone)
        );
        assert_eq!(
            route(&applicant(Some("N"), Some("east")), &tracks),
            Route::Track(0, How::ResidentRequested)
        );
        assert_eq!(
            route(&applicant(None, Some("east")), &tracks),
            Route::Undecided
        );
        assert_eq!(route(&applicant(None, None), &tracks), Route::Undecided);
    }

    #[test]
    fn a_local_boarding_track_counts_only_when_there_is_no_day_track() {
        let tracks = vec![
            track("B", "A1", Sector::Hebrew, 7, true),
            track("D", "A1", Sector::Hebrew, 7, false),
        ];
        assert_eq!(
            route(&applicant(None, None), &tracks),
            Route::Track(1, How::ResidentOnly)
        );
        let tracks = vec![track("B", "A1", Sector::Hebrew, 7, true)];
        assert_eq!(
            route(&applicant(None, None), &tracks),
            Route::Track(0, How::ResidentOnly)
        );
    }

    #[test]
    fn non_residents_get_the_requested_track_of_their_entry_grade_in_any_sector() {
        let tracks = vec![
            track("OTHER_SECTOR", "A1", Sector::Arabic, 7, false),
            track("G8", "A2", Sector::Hebrew, 8, false),
            track("G7", "A2", Sector::Hebrew, 7, false),
        ];
        // The authority's track is of another sector: the student is not a resident of it.
        assert_eq!(
            route(&applicant(Some("G7"), None), &tracks),
            Route::Track(2, How::Requested)
        );
        // A track of another entry grade does not count.
        assert_eq!(route(&applicant(Some("G8"), None), &tracks), Route::None);
        assert_eq!(route(&applicant(None, None), &tracks), Route::None);
    }
}
