//! What a case counts for in the activity statistics: the cells (post, month, indicator,
//! dimension, value) it adds one to. One function serves both the rollups kept up to date
//! with each write and their full recomputation from the facts, so the two can only differ
//! if a write forgot to refresh its case — which the tests look for.

pub mod suppression;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

/// The counted facts of one case: codes and dates only, never what a person said, so they
/// survive the retention purge unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFacts {
    pub post_id: String,
    /// RFC 3339 instant (UTC) the referral was received.
    pub received_at: String,
    pub source: Option<String>,
    pub urgency: String,
    /// Category codes, in the referral's order.
    pub categories: Vec<String>,
    pub consent: bool,
    /// The danger grid's result code (`referral::danger::DangerGridResult`), if given.
    pub danger_grid: Option<String>,
    /// Whether the situation is a criminal offence; None until the social worker knows.
    pub criminal: Option<bool>,
    pub unit_id: Option<String>,
    pub status: String,
    pub closure_outcome: Option<String>,
    /// RFC 3339 instant of the last status change (the closure's, for a closed case).
    pub status_changed_at: String,
    /// RFC 3339 instant of the first contact or attempt, if any.
    pub first_contact_at: Option<String>,
    /// (held on `YYYY-MM-DD`, place code).
    pub interviews: Vec<(String, String)>,
    /// (done on, kind code).
    pub actions: Vec<(String, String)>,
    /// (proposed on, partner type code, status code).
    pub orientations: Vec<(String, String, String)>,
    /// The case's transfers to other posts: (RFC 3339 instant, from post, to post).
    pub transfers: Vec<(String, String, String)>,
}

impl CaseFacts {
    /// The post that held the case at `when` (an RFC 3339 instant, or a `YYYY-MM-DD` day).
    /// Work stays counted for the post that did it: a transfer does not rewrite the sending
    /// post's published past. An event dated the day of a transfer or later counts for the
    /// receiving post; the referral itself stays the first post's.
    pub fn post_at(&self, when: &str) -> &str {
        let mut transfers: Vec<&(String, String, String)> = self.transfers.iter().collect();
        transfers.sort();
        let mut post = transfers
            .first()
            .map_or(self.post_id.as_str(), |(_, from, _)| from.as_str());
        for (at, _, to) in transfers {
            let reached = if when.len() == 10 {
                when >= at.get(..10).unwrap_or(at)
            } else {
                when >= at.as_str()
            };
            if reached {
                post = to;
            }
        }
        post
    }
}

/// One cell of the rollups.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub post_id: String,
    /// `YYYY-MM`, in Paris time.
    pub month: String,
    pub indicator: &'static str,
    pub dimension: &'static str,
    pub value: String,
}

/// The indicators kept.
pub mod indicator {
    pub const REFERRALS: &str = "referrals";
    pub const CLOSURES: &str = "closures";
    pub const INTERVIEWS: &str = "interviews";
    pub const ACTIONS: &str = "actions";
    pub const ORIENTATIONS: &str = "orientations";
    /// Distinct persons received: a person counts once a year, in the month of their first
    /// case of that year.
    pub const PERSONS: &str = "persons";
    /// A new case for a person within 12 months of the closure of one of their cases.
    pub const RECURRENCES: &str = "recurrences";
}

/// The delays of a recurrence, exclusive so that they add up to "within 12 months".
pub mod recurrence {
    pub const DIMENSION: &str = "delay";
    pub const WITHIN_6_MONTHS: &str = "within_6_months";
    pub const FROM_6_TO_12_MONTHS: &str = "from_6_to_12_months";
    /// Half a year and a year, in days.
    pub const SIX_MONTHS_DAYS: i64 = 183;
    pub const TWELVE_MONTHS_DAYS: i64 = 365;
}

/// The version of the counting rules below. Change it whenever `contribution` or
/// `person_contribution` count differently: the stored rollups are then rebuilt from the
/// facts at the next start (store::rollup::bring_up_to_date).
pub const COUNTING_VERSION: i64 = 4;

/// The dimension every indicator has: its total, under the value "".
pub const TOTAL: &str = "total";

/// The dimension of every case indicator by the problem categories of its case.
pub const CATEGORY: &str = "category";

/// Referrals by the danger grid's result: one of `DangerGridResult`'s codes for domestic
/// violence, `not_recorded` when the officer gave none, `not_applicable` for the referrals of
/// other categories, so that the values add up to every referral like the other breakdowns.
pub const DANGER_GRID: &str = "danger_grid";
pub const DANGER_GRID_NOT_RECORDED: &str = "not_recorded";
pub const DANGER_GRID_NOT_APPLICABLE: &str = "not_applicable";

/// Referrals by whole days from receipt to the first contact (or attempt); the last value
/// stands for that many days or more.
pub const CONTACT_DELAY: &str = "contact_delay_days";
pub const CONTACT_DELAY_CAP: i64 = 60;

/// Whole days between two stored instants, capped; None if either does not read.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let (from, to): (Timestamp, Timestamp) = (from.parse().ok()?, to.parse().ok()?);
    let seconds = to.as_second() - from.as_second();
    Some((seconds.max(0) / 86_400).min(CONTACT_DELAY_CAP))
}

/// The median and the 90th percentile of a distribution of whole days given as
/// (days, count); None when it is empty. The nearest-rank definition: the smallest value
/// with at least that share of the counts at or below it.
pub fn median_and_p90(distribution: &[(i64, u64)]) -> Option<(i64, i64)> {
    let mut sorted = distribution.to_vec();
    sorted.sort_unstable();
    let total: u64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let rank = |share_percent: u64| {
        let needed = (total * share_percent).div_ceil(100);
        let mut seen = 0;
        sorted
            .iter()
            .find(|(_, n)| {
                seen += n;
                seen >= needed
            })
            .map(|(days, _)| *days)
    };
    Some((rank(50)?, rank(90)?))
}

const PARIS: &str = "Europe/Paris";

/// The Paris month (`YYYY-MM`) of a stored RFC 3339 instant.
pub fn paris_month_of_instant(instant: &str) -> Option<String> {
    let timestamp: Timestamp = instant.parse().ok()?;
    let zone = TimeZone::get(PARIS).unwrap_or(TimeZone::UTC);
    let date = timestamp.to_zoned_datetime(zone).date();
    Some(format!("{:04}-{:02}", date.year(), date.month()))
}

/// The month (`YYYY-MM`) of a stored day (`YYYY-MM-DD`).
pub fn month_of_day(day: &str) -> Option<String> {
    let month = day.get(..7)?;
    let well_formed = month.len() == 7
        && month.as_bytes()[4] == b'-'
        && month
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit());
    well_formed.then(|| month.to_string())
}

/// The cells a case counts for, with how many times (a category chosen twice counts once).
pub fn contribution(facts: &CaseFacts) -> BTreeMap<Cell, i64> {
    let mut cells = BTreeMap::new();
    let mut add = |(post, month): &(&str, Option<String>),
                   indicator: &'static str,
                   dimension: &'static str,
                   value: &str| {
        if let Some(month) = month {
            *cells
                .entry(Cell {
                    post_id: post.to_string(),
                    month: month.clone(),
                    indicator,
                    dimension,
                    value: value.to_string(),
                })
                .or_insert(0) += 1;
        }
    };
    use indicator::*;
    // Each event as (the post that held the case then, its month).
    let received = (
        facts.post_at(&facts.received_at),
        paris_month_of_instant(&facts.received_at),
    );
    add(
        &received,
        REFERRALS,
        "source",
        facts.source.as_deref().unwrap_or("direct"),
    );
    add(&received, REFERRALS, "urgency", &facts.urgency);
    add(
        &received,
        REFERRALS,
        "consent",
        if facts.consent { "yes" } else { "no" },
    );
    add(
        &received,
        REFERRALS,
        "criminal",
        match facts.criminal {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        },
    );
    add(
        &received,
        REFERRALS,
        DANGER_GRID,
        if facts
            .categories
            .iter()
            .any(|code| code == crate::referral::danger::DOMESTIC_VIOLENCE)
        {
            facts
                .danger_grid
                .as_deref()
                .unwrap_or(DANGER_GRID_NOT_RECORDED)
        } else {
            DANGER_GRID_NOT_APPLICABLE
        },
    );
    add(
        &received,
        REFERRALS,
        "unit",
        facts.unit_id.as_deref().unwrap_or("direct"),
    );
    if let Some(days) = facts
        .first_contact_at
        .as_deref()
        .and_then(|contact| days_between(&facts.received_at, contact))
    {
        add(&received, REFERRALS, CONTACT_DELAY, &days.to_string());
    }
    let mut categories: Vec<&str> = facts.categories.iter().map(String::as_str).collect();
    categories.sort_unstable();
    categories.dedup();
    // Every indicator by the categories of its case too, so that the dashboards can show the
    // activity of one category (a case with several counts under each).
    let mut add_with_categories = |month: &(&str, Option<String>), indicator: &'static str| {
        add(month, indicator, TOTAL, "");
        for category in &categories {
            add(month, indicator, CATEGORY, category);
        }
    };
    add_with_categories(&received, REFERRALS);
    let closed = (
        facts.post_at(&facts.status_changed_at),
        (facts.status == "closed")
            .then(|| paris_month_of_instant(&facts.status_changed_at))
            .flatten(),
    );
    if closed.1.is_some() {
        add_with_categories(&closed, CLOSURES);
    }
    let interview_months: Vec<_> = facts
        .interviews
        .iter()
        .map(|(day, _)| (facts.post_at(day), month_of_day(day)))
        .collect();
    let action_months: Vec<_> = facts
        .actions
        .iter()
        .map(|(day, _)| (facts.post_at(day), month_of_day(day)))
        .collect();
    let orientation_months: Vec<_> = facts
        .orientations
        .iter()
        .map(|(day, _, _)| (facts.post_at(day), month_of_day(day)))
        .collect();
    for month in &interview_months {
        add_with_categories(month, INTERVIEWS);
    }
    for month in &action_months {
        add_with_categories(month, ACTIONS);
    }
    for month in &orientation_months {
        add_with_categories(month, ORIENTATIONS);
    }
    if closed.1.is_some() {
        add(
            &closed,
            CLOSURES,
            "outcome",
            facts.closure_outcome.as_deref().unwrap_or("unknown"),
        );
    }
    for ((_, place), month) in facts.interviews.iter().zip(&interview_months) {
        add(month, INTERVIEWS, "place", place);
    }
    for ((_, kind), month) in facts.actions.iter().zip(&action_months) {
        add(month, ACTIONS, "kind", kind);
    }
    for ((_, partner_type, status), month) in facts.orientations.iter().zip(&orientation_months) {
        add(month, ORIENTATIONS, "partner_type", partner_type);
        add(month, ORIENTATIONS, "status", status);
    }
    cells
}

/// The counted facts of one person of a post: the codes kept after the purge, and the cases
/// they were in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonFacts {
    pub post_id: String,
    pub sex: String,
    /// At intake; None when the birth date was not given.
    pub age_band: Option<String>,
    pub known_to_social_services: String,
    /// Of every case the person is in: (received at, closed at when closed, both RFC 3339;
    /// the post that received it). A person counts for the post that received their case,
    /// even after a transfer.
    pub cases: Vec<(String, Option<String>, String)>,
}

/// Whole days from a closure to a later case's receipt; None when the case did not come
/// strictly after the closure (or either instant does not read).
fn days_after(closed: &str, received: &str) -> Option<i64> {
    let (closed, received): (Timestamp, Timestamp) = (closed.parse().ok()?, received.parse().ok()?);
    (received > closed).then(|| (received.as_second() - closed.as_second()) / 86_400)
}

/// The cells a person counts for: once a year as a person received (with their sex, age band
/// and whether a social service knew them), and each case that came back within 12 months of
/// the closure of an earlier one as a recurrence.
pub fn person_contribution(facts: &PersonFacts) -> BTreeMap<Cell, i64> {
    use indicator::{PERSONS, RECURRENCES};
    let mut cells = BTreeMap::new();
    let mut add = |(post, month): (&str, &str),
                   indicator: &'static str,
                   dimension: &'static str,
                   value: &str| {
        *cells
            .entry(Cell {
                post_id: post.to_string(),
                month: month.to_string(),
                indicator,
                dimension,
                value: value.to_string(),
            })
            .or_insert(0) += 1;
    };
    let mut received: Vec<(String, &str, usize, &str)> = facts
        .cases
        .iter()
        .enumerate()
        .filter_map(|(index, (at, _, post))| {
            Some((
                paris_month_of_instant(at)?,
                at.as_str(),
                index,
                post.as_str(),
            ))
        })
        .collect();
    received.sort_unstable();
    let mut years_counted = std::collections::BTreeSet::new();
    for (month, at, index, post) in &received {
        let month = (*post, month.as_str());
        if years_counted.insert(month.1[..4].to_string()) {
            add(month, PERSONS, TOTAL, "");
            add(month, PERSONS, "sex", &facts.sex);
            add(
                month,
                PERSONS,
                "age_band",
                facts.age_band.as_deref().unwrap_or("unknown"),
            );
            add(
                month,
                PERSONS,
                "known_to_social_services",
                &facts.known_to_social_services,
            );
        }
        // The latest closure of another case before this one came.
        let since_closure = facts
            .cases
            .iter()
            .enumerate()
            .filter(|(other, _)| other != index)
            .filter_map(|(_, (_, closed, _))| days_after(closed.as_deref()?, at))
            .min();
        let delay = match since_closure {
            Some(days) if days < recurrence::SIX_MONTHS_DAYS => recurrence::WITHIN_6_MONTHS,
            Some(days) if days <= recurrence::TWELVE_MONTHS_DAYS => recurrence::FROM_6_TO_12_MONTHS,
            _ => continue,
        };
        add(month, RECURRENCES, TOTAL, "");
        add(month, RECURRENCES, recurrence::DIMENSION, delay);
    }
    cells
}

/// What must change in the rollups when a case's contribution goes from `before` to `after`:
/// the cells whose count differs, with the difference.
pub fn difference<K: Ord + Clone>(
    before: &BTreeMap<K, i64>,
    after: &BTreeMap<K, i64>,
) -> BTreeMap<K, i64> {
    let mut change: BTreeMap<K, i64> = after.clone();
    for (cell, count) in before {
        *change.entry(cell.clone()).or_insert(0) -= count;
    }
    change.retain(|_, delta| *delta != 0);
    change
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts() -> CaseFacts {
        CaseFacts {
            post_id: "P".into(),
            // 23:30 UTC on 31 January is already February in Paris.
            received_at: "2026-01-31T23:30:00Z".into(),
            source: Some("intervention".into()),
            urgency: "immediate".into(),
            categories: vec![
                "domestic_violence".into(),
                "child_in_danger".into(),
                "domestic_violence".into(),
            ],
            consent: true,
            criminal: Some(true),
            danger_grid: Some("danger".into()),
            unit_id: Some("U".into()),
            status: "closed".into(),
            closure_outcome: Some("oriented".into()),
            status_changed_at: "2026-03-02T10:00:00Z".into(),
            first_contact_at: Some("2026-02-03T09:00:00Z".into()),
            interviews: vec![("2026-02-03".into(), "phone".into())],
            actions: vec![("2026-02-03".into(), "listening".into())],
            orientations: vec![("2026-02-04".into(), "cidff".into(), "accepted".into())],
            transfers: Vec::new(),
        }
    }

    #[test]
    fn a_transfer_leaves_the_sending_posts_work_where_it_was() {
        let before = contribution(&facts());
        // Transferred to Q on 20/02: the referral, the interview, the action and the
        // orientation of early February stay P's; the closure in March is Q's.
        let transferred = CaseFacts {
            post_id: "Q".into(),
            transfers: vec![("2026-02-20T10:00:00Z".into(), "P".into(), "Q".into())],
            ..facts()
        };
        let after = contribution(&transferred);
        let of = |cells: &BTreeMap<Cell, i64>,
                  post: &str|
         -> BTreeMap<(String, &'static str, &'static str, String), i64> {
            cells
                .iter()
                .filter(|(cell, _)| cell.post_id == post)
                .map(|(c, n)| {
                    (
                        (c.month.clone(), c.indicator, c.dimension, c.value.clone()),
                        *n,
                    )
                })
                .collect()
        };
        let p_before: BTreeMap<_, _> = of(&before, "P")
            .into_iter()
            .filter(|((_, indicator, _, _), _)| *indicator != indicator::CLOSURES)
            .collect();
        assert_eq!(of(&after, "P"), p_before, "P keeps all but the closure");
        let q = of(&after, "Q");
        assert!(!q.is_empty());
        assert!(
            q.keys()
                .all(|(month, indicator, _, _)| month == "2026-03"
                    && *indicator == indicator::CLOSURES),
            "{q:?}"
        );
        // Work dated the day of the transfer is the receiving post's.
        assert_eq!(transferred.post_at("2026-02-19"), "P");
        assert_eq!(transferred.post_at("2026-02-20"), "Q");
        assert_eq!(transferred.post_at("2026-02-20T09:59:59Z"), "P");
        // Two transfers: P → Q → R.
        let twice = CaseFacts {
            post_id: "R".into(),
            transfers: vec![
                ("2026-03-01T00:00:00Z".into(), "Q".into(), "R".into()),
                ("2026-02-20T10:00:00Z".into(), "P".into(), "Q".into()),
            ],
            ..facts()
        };
        assert_eq!(twice.post_at("2026-01-31T23:30:00Z"), "P");
        assert_eq!(twice.post_at("2026-02-25"), "Q");
        assert_eq!(twice.post_at("2026-03-02"), "R");
    }

    fn count(
        cells: &BTreeMap<Cell, i64>,
        month: &str,
        indicator: &str,
        dimension: &str,
        value: &str,
    ) -> i64 {
        cells
            .iter()
            .filter(|(c, _)| {
                c.month == month
                    && c.indicator == indicator
                    && c.dimension == dimension
                    && c.value == value
            })
            .map(|(_, n)| *n)
            .sum()
    }

    fn person(cases: &[(&str, Option<&str>)]) -> PersonFacts {
        PersonFacts {
            post_id: "P".into(),
            sex: "female".into(),
            age_band: None,
            known_to_social_services: "no".into(),
            cases: cases
                .iter()
                .map(|(at, closed)| (at.to_string(), closed.map(str::to_string), "P".to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_person_counts_once_a_year_and_each_return_within_a_year_of_a_closure_recurs() {
        let cells = person_contribution(&person(&[
            ("2026-03-10T10:00:00Z", Some("2026-04-01T10:00:00Z")),
            // Back two months after the closure: within 6 months.
            ("2026-06-01T10:00:00Z", Some("2026-07-01T10:00:00Z")),
            // Eight months after the second closure, the next year: 6 to 12 months.
            ("2027-03-01T10:00:00Z", None),
            // Still open, a case received later in 2027 does not count the person again.
            ("2027-05-01T10:00:00Z", None),
        ]));
        let persons = |month: &str| count(&cells, month, "persons", "total", "");
        assert_eq!(persons("2026-03"), 1);
        assert_eq!(persons("2026-06"), 0, "once a year");
        assert_eq!(persons("2027-03"), 1, "once more the next year");
        assert_eq!(persons("2027-05"), 0);
        assert_eq!(count(&cells, "2026-03", "persons", "sex", "female"), 1);
        assert_eq!(
            count(&cells, "2026-03", "persons", "age_band", "unknown"),
            1
        );
        assert_eq!(
            count(
                &cells,
                "2026-03",
                "persons",
                "known_to_social_services",
                "no"
            ),
            1
        );
        let recurs = |month: &str, delay: &str| count(&cells, month, "recurrences", "delay", delay);
        assert_eq!(
            recurs("2026-03", recurrence::WITHIN_6_MONTHS),
            0,
            "a first case"
        );
        assert_eq!(recurs("2026-06", recurrence::WITHIN_6_MONTHS), 1);
        assert_eq!(recurs("2027-03", recurrence::FROM_6_TO_12_MONTHS), 1);
        // The fourth case came 10 months after the last closure (1 July 2026).
        assert_eq!(recurs("2027-05", recurrence::FROM_6_TO_12_MONTHS), 1);
        let late = person_contribution(&person(&[
            ("2024-01-10T10:00:00Z", Some("2024-01-20T10:00:00Z")),
            ("2025-06-01T10:00:00Z", None),
        ]));
        assert_eq!(
            late.keys().filter(|c| c.indicator == "recurrences").count(),
            0,
            "more than a year after the closure is a new situation"
        );
        let before_closure = person_contribution(&person(&[
            ("2026-01-10T10:00:00.100Z", Some("2026-01-10T10:00:00.900Z")),
            ("2026-01-10T10:00:00.500Z", None),
        ]));
        assert_eq!(
            before_closure
                .keys()
                .filter(|c| c.indicator == "recurrences")
                .count(),
            0,
            "a case received before the closure, even in the same second, is no return"
        );
    }

    #[test]
    fn a_case_counts_in_the_paris_month_of_each_of_its_facts() {
        let cells = contribution(&facts());
        assert_eq!(count(&cells, "2026-02", "referrals", "total", ""), 1);
        assert_eq!(count(&cells, "2026-01", "referrals", "total", ""), 0);
        assert_eq!(
            count(
                &cells,
                "2026-02",
                "referrals",
                "category",
                "domestic_violence"
            ),
            1,
            "a category counts once per case"
        );
        assert_eq!(
            count(
                &cells,
                "2026-02",
                "referrals",
                "category",
                "child_in_danger"
            ),
            1
        );
        assert_eq!(
            count(&cells, "2026-03", "closures", "outcome", "oriented"),
            1
        );
        assert_eq!(count(&cells, "2026-02", "interviews", "place", "phone"), 1);
        assert_eq!(
            count(&cells, "2026-02", "orientations", "status", "accepted"),
            1
        );
        let open = CaseFacts {
            status: "in_contact".into(),
            ..facts()
        };
        assert_eq!(
            count(&contribution(&open), "2026-03", "closures", "total", ""),
            0
        );
    }

    #[test]
    fn every_case_indicator_counts_under_each_category_of_its_case_once() {
        let cells = contribution(&facts());
        for (month, indicator) in [
            ("2026-02", "referrals"),
            ("2026-03", "closures"),
            ("2026-02", "interviews"),
            ("2026-02", "actions"),
            ("2026-02", "orientations"),
        ] {
            for category in ["domestic_violence", "child_in_danger"] {
                assert_eq!(
                    count(&cells, month, indicator, CATEGORY, category),
                    1,
                    "{indicator} under {category}"
                );
            }
            assert_eq!(
                count(&cells, month, indicator, CATEGORY, "runaway_minor"),
                0
            );
        }
        let open = CaseFacts {
            status: "in_contact".into(),
            ..facts()
        };
        assert_eq!(
            count(
                &contribution(&open),
                "2026-03",
                "closures",
                CATEGORY,
                "child_in_danger"
            ),
            0,
            "an open case closes under no category"
        );
    }

    #[test]
    fn the_delay_to_first_contact_counts_whole_days_and_its_percentiles_use_the_nearest_rank() {
        let cells = contribution(&facts());
        assert_eq!(count(&cells, "2026-02", "referrals", CONTACT_DELAY, "2"), 1);
        assert_eq!(
            days_between("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            Some(60)
        );
        assert_eq!(median_and_p90(&[]), None);
        assert_eq!(median_and_p90(&[(3, 1)]), Some((3, 3)));
        // 10 referrals: 0 days ×5, 2 days ×4, 9 days ×1.
        assert_eq!(median_and_p90(&[(9, 1), (0, 5), (2, 4)]), Some((0, 2)));
        assert_eq!(median_and_p90(&[(0, 4), (2, 5), (9, 1)]), Some((2, 2)));
        assert_eq!(median_and_p90(&[(0, 4), (2, 4), (9, 2)]), Some((2, 9)));
    }

    #[test]
    fn every_referral_counts_once_by_the_danger_grids_result() {
        let value = |facts: &CaseFacts| {
            let cells: Vec<(String, i64)> = contribution(facts)
                .into_iter()
                .filter(|(cell, _)| {
                    cell.indicator == indicator::REFERRALS && cell.dimension == DANGER_GRID
                })
                .map(|(cell, n)| (cell.value, n))
                .collect();
            assert_eq!(cells.len(), 1, "{cells:?}");
            assert_eq!(cells[0].1, 1);
            cells[0].0.clone()
        };
        assert_eq!(value(&facts()), "danger");
        let not_recorded = CaseFacts {
            danger_grid: None,
            ..facts()
        };
        assert_eq!(value(&not_recorded), DANGER_GRID_NOT_RECORDED);
        let housing = CaseFacts {
            categories: vec!["housing".into()],
            ..facts()
        };
        assert_eq!(value(&housing), DANGER_GRID_NOT_APPLICABLE);
    }

    #[test]
    fn months_are_read_strictly() {
        assert_eq!(month_of_day("2026-11-29").as_deref(), Some("2026-11"));
        assert_eq!(month_of_day("2026/11/29"), None);
        assert_eq!(month_of_day("26-11"), None);
        assert_eq!(
            paris_month_of_instant("2026-06-30T22:30:00Z").as_deref(),
            Some("2026-07")
        );
        assert_eq!(paris_month_of_instant("pas une date"), None);
    }

    proptest! {
        #[test]
        fn applying_the_difference_to_before_gives_after(
            kinds_before in proptest::collection::vec(0usize..4, 0..6),
            kinds_after in proptest::collection::vec(0usize..4, 0..6),
            closed_before in any::<bool>(),
            closed_after in any::<bool>(),
        ) {
            let places = ["phone", "home", "unit", "visio"];
            let with = |kinds: &[usize], closed: bool| CaseFacts {
                status: if closed { "closed".into() } else { "in_contact".into() },
                interviews: kinds.iter().map(|k| ("2026-02-03".to_string(), places[*k].to_string())).collect(),
                ..facts()
            };
            let before = contribution(&with(&kinds_before, closed_before));
            let after = contribution(&with(&kinds_after, closed_after));
            let mut applied = before.clone();
            for (cell, delta) in difference(&before, &after) {
                *applied.entry(cell).or_insert(0) += delta;
            }
            applied.retain(|_, n| *n != 0);
            prop_assert_eq!(applied, after);
        }
    }
}
