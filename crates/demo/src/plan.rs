//! Demonstration data: fictitious but realistic units, employers, posts and one account per
//! role, deterministic for a given seed. Places come from the official referentials; no
//! person is named.
//!
//! The post history reproduces the public figures: 349 posts on 1 November 2020 (132 in
//! gendarmerie zone, 65 mixed, 152 police), 37 of the gendarmerie ones created that very day
//! (Gendinfo, 20 Nov 2020), 357 at the end of 2020, about 450 at the end of 2022, then about
//! 40 a year (LOPMI).

use passerelle_domain::identity::role::Role;
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_domain::registry::unit::UnitKind;
use time::Date;
use time::macros::date;

pub use crate::generator::plan;

/// The date at which the demo reproduces the seed article's figures.
pub const SEED_FIGURES_DATE: Date = date!(2020 - 11 - 01);
/// The "today" of the demo's current statuses, fixed so that a seed always gives the same data.
pub const DEMO_TODAY: Date = date!(2026 - 11 - 01);
/// The instant (1 November 2020, UTC) from which demo identifiers count their milliseconds.

#[derive(Debug, Clone)]
pub struct UnitRow {
    pub id: String,
    pub kind: UnitKind,
    pub name: String,
    pub parent_id: Option<String>,
    pub departement_code: Option<String>,
    pub commune_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EmployerRow {
    pub id: String,
    pub kind: EmployerKind,
    pub name: String,
    pub departement_code: String,
    pub commune_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PostRow {
    pub id: String,
    pub code: String,
    pub zone: Zone,
    pub departement_code: String,
    pub employer_id: String,
    pub fte: f64,
    pub status: PostStatus,
    pub created_on: Option<Date>,
    pub closed_on: Option<Date>,
    /// Host units with their share of the post's time, in percent (summing to 100).
    pub host_units: Vec<(String, i64)>,
    /// The lifecycle, step by step, ending with `status`.
    pub history: Vec<(PostStatus, Date)>,
    /// Agreements: (starts on, ends on), three years each, chained from the creation.
    pub agreements: Vec<(Date, Date)>,
    /// Funding: (year, funder code, cents).
    pub funding: Vec<(i32, &'static str, i64)>,
}

/// A demo account: its login and the role it holds in a scope.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub id: String,
    pub role: Role,
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub scope_id: Option<String>,
    pub scope_label: String,
}

/// Everything the demo writes, computed without touching the database.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    pub seed: u64,
    pub units: Vec<UnitRow>,
    pub employers: Vec<EmployerRow>,
    pub posts: Vec<PostRow>,
    pub logins: Vec<DemoLogin>,
}

impl DemoPlan {
    pub fn row_count(&self) -> usize {
        self.units.len()
            + self.employers.len()
            + self.posts.len()
            + self
                .posts
                .iter()
                .map(|p| p.host_units.len() + p.history.len())
                .sum::<usize>()
            + self.logins.len() * 2
            + self
                .posts
                .iter()
                .map(|p| demo_slots(p).len())
                .sum::<usize>()
    }
}

/// The weekly presence of a filled post's social worker, spread over its host units: Monday
/// morning, Tuesday afternoon and Thursday morning, and Friday morning from 0.8 FTE. Wednesday
/// stays free. (index, unit, ISO weekday, start, end).
pub fn demo_slots(post: &PostRow) -> Vec<(usize, &str, i64, &'static str, &'static str)> {
    if post.status != PostStatus::Filled || post.host_units.is_empty() {
        return Vec::new();
    }
    let mut pattern = vec![
        (1, "09:00", "12:30"),
        (2, "14:00", "17:00"),
        (4, "09:00", "12:00"),
    ];
    if post.fte >= 0.8 {
        pattern.push((5, "09:00", "12:00"));
    }
    let units = &post.host_units;
    pattern
        .into_iter()
        .enumerate()
        .map(|(index, (weekday, start, end))| {
            (
                index,
                units[index % units.len()].0.as_str(),
                weekday,
                start,
                end,
            )
        })
        .collect()
}

/// Splits 100 % between `parts` host units, the first getting the remainder.
pub fn split_percent(parts: usize) -> Vec<i64> {
    if parts == 0 {
        return Vec::new();
    }
    let share = 100 / parts as i64;
    let mut shares = vec![share; parts];
    shares[0] += 100 - share * parts as i64;
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_unit_shares_sum_to_one_hundred() {
        for parts in 1..=5 {
            assert_eq!(split_percent(parts).iter().sum::<i64>(), 100);
        }
        assert!(split_percent(0).is_empty());
    }
}
