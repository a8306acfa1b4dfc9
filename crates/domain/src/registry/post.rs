//! ISCG posts: zone, lifecycle and the rule that decides which posts count as existing.

use crate::vocabulary;
use time::Date;

vocabulary!(
    /// Where a post works: police zone, gendarmerie zone, or shared between both (mixed).
    Zone, "zone", {
        Police => ("police", "Zone police"),
        Gendarmerie => ("gendarmerie", "Zone gendarmerie"),
        Mixed => ("mixed", "Mixte police-gendarmerie"),
    }
);

vocabulary!(
    /// Lifecycle of a post: project → funded → recruiting → filled ⇄ vacant → closed.
    PostStatus, "statut du poste", {
        Project => ("project", "En projet"),
        Funded => ("funded", "Financé"),
        Recruiting => ("recruiting", "En recrutement"),
        Filled => ("filled", "Pourvu"),
        Vacant => ("vacant", "Vacant"),
        Closed => ("closed", "Fermé"),
    }
);

/// What people write for a zone in their own spreadsheets (national census, employers'
/// files), lower-case and without accents; the code and the label are accepted too.
pub const ZONE_ALIASES: &[(&str, Zone)] = &[
    ("p", Zone::Police),
    ("zp", Zone::Police),
    ("zone police", Zone::Police),
    ("psn", Zone::Police),
    ("dgpn", Zone::Police),
    ("police nationale", Zone::Police),
    ("g", Zone::Gendarmerie),
    ("zg", Zone::Gendarmerie),
    ("gn", Zone::Gendarmerie),
    ("gend", Zone::Gendarmerie),
    ("zone gendarmerie", Zone::Gendarmerie),
    ("dggn", Zone::Gendarmerie),
    ("gendarmerie nationale", Zone::Gendarmerie),
    ("mixte", Zone::Mixed),
    ("m", Zone::Mixed),
    ("p/g", Zone::Mixed),
    ("g/p", Zone::Mixed),
    ("p-g", Zone::Mixed),
    ("pg", Zone::Mixed),
    ("p+g", Zone::Mixed),
    ("police/gendarmerie", Zone::Mixed),
    ("gendarmerie/police", Zone::Mixed),
    ("police-gendarmerie", Zone::Mixed),
    ("police et gendarmerie", Zone::Mixed),
    ("zone mixte", Zone::Mixed),
];

/// What people write for a post's status, lower-case and without accents.
pub const STATUS_ALIASES: &[(&str, PostStatus)] = &[
    ("projet", PostStatus::Project),
    ("en projet", PostStatus::Project),
    ("finance", PostStatus::Funded),
    ("cree", PostStatus::Funded),
    ("recrutement", PostStatus::Recruiting),
    ("en recrutement", PostStatus::Recruiting),
    ("a recruter", PostStatus::Recruiting),
    ("recrutement en cours", PostStatus::Recruiting),
    ("pourvu", PostStatus::Filled),
    ("occupe", PostStatus::Filled),
    ("en poste", PostStatus::Filled),
    ("actif", PostStatus::Filled),
    ("vacant", PostStatus::Vacant),
    ("non pourvu", PostStatus::Vacant),
    ("vacance", PostStatus::Vacant),
    ("ferme", PostStatus::Closed),
    ("supprime", PostStatus::Closed),
];

impl PostStatus {
    /// Whether the lifecycle allows going from `self` to `next` directly.
    pub fn can_move_to(self, next: PostStatus) -> bool {
        use PostStatus::*;
        matches!(
            (self, next),
            (Project, Funded)
                | (Funded, Recruiting)
                | (Recruiting, Filled)
                | (Filled, Vacant)
                | (Vacant, Filled)
                | (Vacant, Recruiting)
                | (Project | Funded | Recruiting | Filled | Vacant, Closed)
        )
    }

    /// A post is counted in the national figures once it is created (funded, with its date of
    /// creation) and until it is closed: recruiting and vacant posts count, projects do not.
    pub fn is_created(self) -> bool {
        !matches!(self, PostStatus::Project | PostStatus::Closed)
    }
}

/// Whether a post created on `created_on` and closed on `closed_on` exists on day `at`.
/// The one rule behind every "as of" count: created on or before that day, not yet closed.
pub fn exists_on(created_on: Option<Date>, closed_on: Option<Date>, at: Date) -> bool {
    match created_on {
        Some(created) => created <= at && closed_on.is_none_or(|closed| closed > at),
        None => false,
    }
}

/// Posts counted by zone at one date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PostCounts {
    pub police: u64,
    pub gendarmerie: u64,
    pub mixed: u64,
}

impl PostCounts {
    pub fn total(&self) -> u64 {
        self.police + self.gendarmerie + self.mixed
    }

    pub fn add(&mut self, zone: Zone, count: u64) {
        match zone {
            Zone::Police => self.police += count,
            Zone::Gendarmerie => self.gendarmerie += count,
            Zone::Mixed => self.mixed += count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn a_post_counts_from_its_creation_day_until_the_day_before_closure() {
        let created = Some(date!(2020 - 11 - 01));
        assert!(!exists_on(created, None, date!(2020 - 10 - 31)));
        assert!(exists_on(created, None, date!(2020 - 11 - 01)));
        assert!(exists_on(
            created,
            Some(date!(2021 - 01 - 01)),
            date!(2020 - 12 - 31)
        ));
        assert!(!exists_on(
            created,
            Some(date!(2021 - 01 - 01)),
            date!(2021 - 01 - 01)
        ));
        assert!(!exists_on(None, None, date!(2030 - 01 - 01)));
    }

    #[test]
    fn a_closed_post_never_reopens() {
        for &next in PostStatus::ALL {
            assert!(!PostStatus::Closed.can_move_to(next));
        }
    }

    #[test]
    fn filled_and_vacant_alternate() {
        assert!(PostStatus::Filled.can_move_to(PostStatus::Vacant));
        assert!(PostStatus::Vacant.can_move_to(PostStatus::Filled));
        assert!(!PostStatus::Project.can_move_to(PostStatus::Filled));
    }

    proptest! {
        #[test]
        fn totals_are_the_sum_of_zones(p in 0u64..10_000, g in 0u64..10_000, m in 0u64..10_000) {
            let mut counts = PostCounts::default();
            counts.add(Zone::Police, p);
            counts.add(Zone::Gendarmerie, g);
            counts.add(Zone::Mixed, m);
            prop_assert_eq!(counts.total(), p + g + m);
        }

        #[test]
        fn every_lifecycle_walk_ends_closed_or_goes_on(steps in proptest::collection::vec(0usize..6, 0..30)) {
            let mut status = PostStatus::Project;
            for step in steps {
                let next = PostStatus::ALL[step];
                if status.can_move_to(next) {
                    status = next;
                }
                prop_assert!(status != PostStatus::Project || !status.is_created());
            }
        }
    }
}

/// Why a lifecycle step is refused, in French for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("statut : un poste « {from} » ne peut pas passer directement à « {to} »")]
    IllegalMove {
        from: &'static str,
        to: &'static str,
    },
    #[error("date : l'étape ne peut pas précéder la précédente ({previous})")]
    BeforePreviousStep { previous: String },
    #[error("date : elle ne peut pas être dans le futur")]
    InTheFuture,
}

/// Checks a step of the lifecycle: an allowed move, dated on or after the previous step, not
/// in the future. The one rule behind the lifecycle form and the imports.
pub fn check_move(
    current: PostStatus,
    previous_step: Date,
    next: PostStatus,
    on: Date,
    today: Date,
) -> Result<(), LifecycleError> {
    if !current.can_move_to(next) {
        return Err(LifecycleError::IllegalMove {
            from: current.label(),
            to: next.label(),
        });
    }
    if on < previous_step {
        return Err(LifecycleError::BeforePreviousStep {
            previous: format!(
                "{:02}/{:02}/{:04}",
                previous_step.day(),
                u8::from(previous_step.month()),
                previous_step.year()
            ),
        });
    }
    if on > today {
        return Err(LifecycleError::InTheFuture);
    }
    Ok(())
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_step_is_allowed_dated_and_not_in_the_future() {
        let today = date!(2026 - 11 - 28);
        assert!(
            check_move(
                PostStatus::Filled,
                date!(2024 - 01 - 01),
                PostStatus::Vacant,
                date!(2026 - 11 - 01),
                today
            )
            .is_ok()
        );
        assert!(matches!(
            check_move(
                PostStatus::Project,
                date!(2024 - 01 - 01),
                PostStatus::Filled,
                today,
                today
            ),
            Err(LifecycleError::IllegalMove { .. })
        ));
        let early = check_move(
            PostStatus::Filled,
            date!(2024 - 01 - 02),
            PostStatus::Vacant,
            date!(2024 - 01 - 01),
            today,
        )
        .unwrap_err();
        assert_eq!(
            early.to_string(),
            "date : l'étape ne peut pas précéder la précédente (02/01/2024)"
        );
        assert_eq!(
            check_move(
                PostStatus::Filled,
                date!(2024 - 01 - 01),
                PostStatus::Vacant,
                date!(2026 - 11 - 29),
                today
            ),
            Err(LifecycleError::InTheFuture)
        );
    }
}
