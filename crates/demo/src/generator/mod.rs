//! The generator behind [`plan`]: the territory's units, the employers, the posts with their
//! history and funding, and one login per role.

use crate::plan::{DemoLogin, DemoPlan, EmployerRow, PostRow, UnitRow};
use passerelle_domain::identity::role::Role;
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_store::registry::territory::Referentials;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

mod posts;
mod territory;

const DEMO_ID_EPOCH_MILLIS: u64 = 1_604_188_800_000;

struct Generator<'r> {
    rng: ChaCha8Rng,
    referentials: &'r Referentials,
    units: Vec<UnitRow>,
    employers: Vec<EmployerRow>,
    /// Per département: the units that can host a post, by force.
    gendarmerie_hosts: BTreeMap<String, Vec<usize>>,
    police_hosts: BTreeMap<String, Vec<usize>>,
    employers_by_departement: BTreeMap<String, Vec<usize>>,
    ids_issued: u64,
}

/// The seven metropolitan police zones, by the INSEE code of the administrative region.
fn police_zone_of_region(region_code: &str) -> &'static str {
    match region_code {
        "11" => "Paris",
        "32" => "Nord",
        "27" | "44" => "Est",
        "24" | "28" | "52" | "53" => "Ouest",
        "75" => "Sud-Ouest",
        "76" | "93" | "94" => "Sud",
        "84" => "Sud-Est",
        _ => "Outre-mer",
    }
}

impl<'r> Generator<'r> {
    fn new(referentials: &'r Referentials, seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            referentials,
            units: Vec::new(),
            employers: Vec::new(),
            gendarmerie_hosts: BTreeMap::new(),
            police_hosts: BTreeMap::new(),
            employers_by_departement: BTreeMap::new(),
            ids_issued: 0,
        }
    }

    /// A UUIDv7 whose time part counts up from a fixed instant: deterministic for the seed,
    /// and increasing, so the primary-key B-trees are appended to rather than split at random.
    fn new_id(&mut self) -> String {
        self.ids_issued += 1;
        let millis = DEMO_ID_EPOCH_MILLIS + self.ids_issued;
        uuid::Builder::from_unix_timestamp_millis(millis, &self.rng.random())
            .into_uuid()
            .to_string()
    }

    fn build_logins(&mut self, posts: &[PostRow]) -> Vec<DemoLogin> {
        // The demo post: a filled gendarmerie post of Ille-et-Vilaine, or any filled post.
        let post = posts
            .iter()
            .find(|p| {
                p.status == PostStatus::Filled
                    && p.zone == Zone::Gendarmerie
                    && p.departement_code == "35"
            })
            .or_else(|| posts.iter().find(|p| p.status == PostStatus::Filled))
            .expect("the demo holds filled posts");
        let unit = self
            .units
            .iter()
            .find(|u| u.id == post.host_units[0].0)
            .expect("host unit exists");
        let employer = self
            .employers
            .iter()
            .find(|e| e.id == post.employer_id)
            .expect("employer exists");
        let scopes = [
            (
                Role::Officer,
                "officier",
                Some(unit.id.clone()),
                unit.name.clone(),
            ),
            (
                Role::SocialWorker,
                "intervenant",
                Some(post.id.clone()),
                format!("Poste {}", post.code),
            ),
            (
                Role::Employer,
                "employeur",
                Some(employer.id.clone()),
                employer.name.clone(),
            ),
            (
                Role::Prevention,
                "prevention",
                Some(post.departement_code.clone()),
                format!("Département {}", post.departement_code),
            ),
            (Role::National, "national", None, "National".to_string()),
            (Role::Admin, "admin", None, "National".to_string()),
        ];
        scopes
            .into_iter()
            .map(|(role, login, scope_id, scope_label)| DemoLogin {
                id: self.new_id(),
                role,
                email: format!("{login}@demo.passerelle.test"),
                password: format!("demo-{login}-{:04}", self.rng.random_range(0..10_000)),
                display_name: format!("Compte de démonstration — {}", role.label()),
                scope_id,
                scope_label,
            })
            .collect()
    }
}

/// Computes the whole demo for a seed. Pure: the same seed always gives the same plan.
pub fn plan(referentials: &Referentials, seed: u64) -> DemoPlan {
    let mut generator = Generator::new(referentials, seed);
    generator.build_territory();
    let posts = generator.build_posts();
    let logins = generator.build_logins(&posts);
    DemoPlan {
        seed,
        units: generator.units,
        employers: generator.employers,
        posts,
        logins,
    }
}
