//! The demo's posts: where they are (weighted by département), who employs them, which units
//! host them, and their lifecycle history, agreements and funding lines.

use crate::plan::{DEMO_TODAY, PostRow, SEED_FIGURES_DATE, split_percent};
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_store::registry::territory::Departement;
use rand::distr::weighted::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use time::macros::date;
use time::{Date, Duration};

use super::Generator;

impl Generator<'_> {
    pub(super) fn random_date(&mut self, from: Date, to: Date) -> Date {
        let day = self
            .rng
            .random_range(from.to_julian_day()..=to.to_julian_day());
        Date::from_julian_day(day).unwrap_or(from)
    }

    pub(super) fn pick_departement(&mut self, weights: &WeightedIndex<f64>) -> usize {
        weights.sample(&mut self.rng)
    }

    pub(super) fn pick_employer(&mut self, departement: &str) -> String {
        let candidates = &self.employers_by_departement[departement];
        // Conseil départemental 40 %, communes 20 %, EPCI 15 %, associations 25 %.
        let kind_weights = [0.40, 0.10, 0.10, 0.15, 0.125, 0.125];
        let index = WeightedIndex::new(kind_weights.iter().take(candidates.len()))
            .map(|w| w.sample(&mut self.rng))
            .unwrap_or(0);
        self.employers[candidates[index]].id.clone()
    }

    pub(super) fn pick_host_units(&mut self, zone: Zone, departement: &str) -> Vec<(String, i64)> {
        let gendarmerie = self
            .gendarmerie_hosts
            .get(departement)
            .cloned()
            .unwrap_or_default();
        let police = self
            .police_hosts
            .get(departement)
            .cloned()
            .unwrap_or_default();
        let mut chosen: Vec<usize> = Vec::new();
        let mut take = |pool: &[usize], count: usize, rng: &mut ChaCha8Rng| {
            for unit in pool.choose_multiple(rng, count) {
                if !chosen.contains(unit) {
                    chosen.push(*unit);
                }
            }
        };
        match zone {
            Zone::Gendarmerie => {
                let count = self.rng.random_range(1..=3);
                take(&gendarmerie, count, &mut self.rng);
            }
            Zone::Police => {
                let count = self.rng.random_range(1..=2);
                take(&police, count, &mut self.rng);
            }
            Zone::Mixed => {
                take(&police, 1, &mut self.rng);
                let count = self.rng.random_range(1..=2);
                take(&gendarmerie, count, &mut self.rng);
            }
        }
        let shares = split_percent(chosen.len());
        chosen
            .into_iter()
            .zip(shares)
            .map(|(unit, share)| (self.units[unit].id.clone(), share))
            .collect()
    }

    pub(super) fn build_posts(&mut self) -> Vec<PostRow> {
        let departements: Vec<&Departement> = self
            .referentials
            .departements
            .iter()
            .filter(|d| self.gendarmerie_hosts.contains_key(d.code.as_str()))
            .collect();
        // Posts follow population, flattened so that small départements get some too.
        let weights = WeightedIndex::new(
            departements
                .iter()
                .map(|d| (d.population.max(1) as f64).powf(0.6)),
        )
        .expect("the referentials hold départements");

        // (zone, count, created between, closed) — see the module documentation for sources.
        let seed_day = SEED_FIGURES_DATE;
        let eras: &[(Date, Date, u32)] = &[
            (date!(1991 - 06 - 01), date!(2006 - 12 - 31), 30),
            (date!(2007 - 01 - 01), date!(2011 - 12 - 31), 134),
            (date!(2012 - 01 - 01), date!(2014 - 12 - 31), 76),
            (date!(2015 - 01 - 01), date!(2016 - 12 - 31), 15),
            (date!(2017 - 01 - 01), date!(2019 - 12 - 31), 16),
            (date!(2020 - 01 - 01), date!(2020 - 10 - 31), 41),
        ];
        // 312 posts before the seed day, plus the 37 gendarmerie posts of 1 November 2020.
        let mut before: Vec<Zone> = std::iter::repeat_n(Zone::Gendarmerie, 132 - 37)
            .chain(std::iter::repeat_n(Zone::Mixed, 65))
            .chain(std::iter::repeat_n(Zone::Police, 152))
            .collect();
        before.shuffle(&mut self.rng);
        let mut specs: Vec<(Zone, Date, Option<Date>)> = Vec::new();
        let mut zones = before.into_iter();
        for &(from, to, count) in eras {
            for _ in 0..count {
                let zone = zones.next().expect("era counts add up to 312");
                let created = self.random_date(from, to);
                specs.push((zone, created, None));
            }
        }
        for _ in 0..37 {
            specs.push((Zone::Gendarmerie, seed_day, None));
        }
        // Posts that opened and closed before the seed day: in the history, not in the figures.
        for _ in 0..12 {
            let zone = [Zone::Police, Zone::Gendarmerie, Zone::Mixed][self.rng.random_range(0..3)];
            let created = self.random_date(date!(2008 - 01 - 01), date!(2015 - 12 - 31));
            let closed = self.random_date(created + Duration::days(400), date!(2020 - 06 - 30));
            specs.push((zone, created, Some(closed)));
        }
        // Growth after the seed day, mostly in gendarmerie zone.
        let later_eras: &[(Date, Date, u32)] = &[
            (date!(2020 - 11 - 02), date!(2020 - 12 - 31), 8),
            (date!(2021 - 01 - 01), date!(2021 - 12 - 31), 58),
            (date!(2022 - 01 - 01), date!(2022 - 12 - 31), 38),
            (date!(2023 - 01 - 01), date!(2023 - 12 - 31), 40),
            (date!(2024 - 01 - 01), date!(2024 - 12 - 31), 40),
            (date!(2025 - 01 - 01), date!(2025 - 12 - 31), 38),
            (date!(2026 - 01 - 01), DEMO_TODAY, 30),
        ];
        let zone_weights = WeightedIndex::new([0.3, 0.5, 0.2]).expect("static weights");
        for &(from, to, count) in later_eras {
            for _ in 0..count {
                let zone = [Zone::Police, Zone::Gendarmerie, Zone::Mixed]
                    [zone_weights.sample(&mut self.rng)];
                let created = self.random_date(from, to);
                specs.push((zone, created, None));
            }
        }
        // A few closures after the seed day, of posts that still count on that day.
        let closable: Vec<usize> = (0..specs.len())
            .filter(|&i| specs[i].2.is_none() && specs[i].1 < date!(2020 - 01 - 01))
            .collect();
        for &index in closable.choose_multiple(&mut self.rng, 9) {
            let closed = self.random_date(date!(2021 - 01 - 01), date!(2026 - 06 - 30));
            specs[index].2 = Some(closed);
        }
        // Projects in the pipeline: not yet created.
        let projects = 24;

        let mut posts = Vec::with_capacity(specs.len() + projects);
        let mut numbers: BTreeMap<String, u32> = BTreeMap::new();
        for (index, (zone, created, closed)) in specs.into_iter().enumerate() {
            // The first post, in Limoges in 1991, is the scheme's origin.
            let departement = if index == 0 {
                "87".to_string()
            } else {
                departements[self.pick_departement(&weights)]
                    .code
                    .to_string()
            };
            let created = if index == 0 {
                date!(1991 - 06 - 01)
            } else {
                created
            };
            let status = match closed {
                Some(_) => PostStatus::Closed,
                None if created > DEMO_TODAY - Duration::days(120) => PostStatus::Recruiting,
                None if self.rng.random_bool(0.08) => PostStatus::Vacant,
                None => PostStatus::Filled,
            };
            posts.push(self.post(
                &mut numbers,
                zone,
                departement,
                status,
                Some(created),
                closed,
            ));
        }
        for _ in 0..projects {
            let departement = departements[self.pick_departement(&weights)]
                .code
                .to_string();
            let zone =
                [Zone::Police, Zone::Gendarmerie, Zone::Mixed][zone_weights.sample(&mut self.rng)];
            // Half the pipeline is funded already: created (and counted) from its funding day.
            let (status, created) = if self.rng.random_bool(0.5) {
                (PostStatus::Project, None)
            } else {
                let funded = DEMO_TODAY - Duration::days(self.rng.random_range(10..200));
                (PostStatus::Funded, Some(funded))
            };
            posts.push(self.post(&mut numbers, zone, departement, status, created, None));
        }
        posts
    }

    pub(super) fn post(
        &mut self,
        numbers: &mut BTreeMap<String, u32>,
        zone: Zone,
        departement: String,
        status: PostStatus,
        created_on: Option<Date>,
        closed_on: Option<Date>,
    ) -> PostRow {
        let number = numbers.entry(departement.clone()).or_insert(0);
        *number += 1;
        let code = format!("ISCG-{departement}-{number:03}");
        let fte = [1.0, 1.0, 1.0, 0.8, 0.5][self.rng.random_range(0..5)];
        let history = self.history(status, created_on, closed_on);
        let agreements = Self::agreements(created_on, closed_on);
        let funding = self.funding(created_on, closed_on, fte);
        PostRow {
            history,
            agreements,
            funding,
            id: self.new_id(),
            code,
            zone,
            employer_id: self.pick_employer(&departement),
            host_units: self.pick_host_units(zone, &departement),
            departement_code: departement,
            fte,
            status,
            created_on,
            closed_on,
        }
    }

    /// Three-year agreements from the creation, renewed until the closure or beyond today.
    pub(super) fn agreements(created: Option<Date>, closed: Option<Date>) -> Vec<(Date, Date)> {
        let Some(mut start) = created else {
            return Vec::new();
        };
        let mut agreements = Vec::new();
        let last = closed.unwrap_or(DEMO_TODAY);
        while start <= last {
            let end = start
                .replace_year(start.year() + 3)
                .unwrap_or(start + Duration::days(1095))
                - Duration::days(1);
            agreements.push((start, end));
            start = end + Duration::days(1);
        }
        agreements
    }

    /// Yearly funding, about 48,000 € per full-time post: FIPD, département, and the town
    /// or its intercommunality, in shares that vary by post.
    pub(super) fn funding(
        &mut self,
        created: Option<Date>,
        closed: Option<Date>,
        fte: f64,
    ) -> Vec<(i32, &'static str, i64)> {
        let Some(created) = created else {
            return Vec::new();
        };
        let last_year = closed.unwrap_or(DEMO_TODAY).year();
        let local = if self.rng.random_bool(0.5) {
            "commune"
        } else {
            "epci"
        };
        let fipd_share = self.rng.random_range(15..40) as f64 / 100.0;
        let mut lines = Vec::new();
        for year in created.year().max(2015)..=last_year {
            let total = 48_000.0 * fte * (1.0 + (year - 2015) as f64 * 0.02);
            let fipd = (total * fipd_share * 100.0).round() as i64;
            let departement = (total * 0.45 * 100.0).round() as i64;
            let rest = (total * 100.0).round() as i64 - fipd - departement;
            lines.push((year, "fipd", fipd));
            lines.push((year, "departement", departement));
            lines.push((year, local, rest));
        }
        lines
    }

    /// Plausible dated steps from project to the post's current status.
    pub(super) fn history(
        &mut self,
        status: PostStatus,
        created: Option<Date>,
        closed: Option<Date>,
    ) -> Vec<(PostStatus, Date)> {
        let Some(created) = created else {
            return vec![(
                PostStatus::Project,
                DEMO_TODAY - Duration::days(self.rng.random_range(30..300)),
            )];
        };
        let mut steps = vec![
            (
                PostStatus::Project,
                created - Duration::days(self.rng.random_range(60..365)),
            ),
            (PostStatus::Funded, created),
        ];
        if status != PostStatus::Funded {
            let end = closed.unwrap_or(DEMO_TODAY);
            let recruiting = (created + Duration::days(self.rng.random_range(0..30))).min(end);
            steps.push((PostStatus::Recruiting, recruiting));
            if matches!(status, PostStatus::Filled | PostStatus::Vacant)
                || closed.is_some() && self.rng.random_bool(0.9)
            {
                let filled = (recruiting + Duration::days(self.rng.random_range(30..120))).min(end);
                steps.push((PostStatus::Filled, filled));
                if status == PostStatus::Vacant {
                    // Vacancies are recent: a post vacant for years would have been closed.
                    let vacant =
                        self.random_date(filled.max(DEMO_TODAY - Duration::days(700)), DEMO_TODAY);
                    steps.push((PostStatus::Vacant, vacant));
                }
            }
        }
        if let Some(closed) = closed {
            steps.push((PostStatus::Closed, closed));
        }
        steps
    }
}
