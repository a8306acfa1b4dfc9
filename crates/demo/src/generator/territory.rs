//! The demo's territory: the units of both forces in every département (brigades and
//! commissariats, with their hierarchy) and the employers that can hold posts.

use crate::plan::{EmployerRow, UnitRow};
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_domain::registry::territory::of_place;
use passerelle_domain::registry::unit::UnitKind;
use passerelle_store::registry::territory::{Commune, Departement};
use rand::prelude::*;
use std::collections::BTreeMap;

use super::{Generator, police_zone_of_region};

impl Generator<'_> {
    pub(super) fn add_unit(
        &mut self,
        kind: UnitKind,
        name: String,
        parent: Option<usize>,
        departement: Option<&str>,
        commune: Option<&Commune>,
    ) -> usize {
        let id = self.new_id();
        let parent_id = parent.map(|p| self.units[p].id.clone());
        self.units.push(UnitRow {
            id,
            kind,
            name,
            parent_id,
            departement_code: departement.map(str::to_string),
            commune_code: commune.map(|c| c.code.to_string()),
        });
        self.units.len() - 1
    }

    pub(super) fn add_employer(
        &mut self,
        kind: EmployerKind,
        name: String,
        departement: &str,
        commune: Option<&Commune>,
    ) {
        let id = self.new_id();
        self.employers.push(EmployerRow {
            id,
            kind,
            name,
            departement_code: departement.to_string(),
            commune_code: commune.map(|c| c.code.to_string()),
        });
        self.employers_by_departement
            .entry(departement.to_string())
            .or_default()
            .push(self.employers.len() - 1);
    }

    pub(super) fn build_territory(&mut self) {
        let referentials = self.referentials;
        let mut gendarmerie_regions = BTreeMap::new();
        let mut police_zones = BTreeMap::new();
        for region in &referentials.regions {
            let unit = self.add_unit(
                UnitKind::GendarmerieRegion,
                format!("Région de gendarmerie {}", region.name),
                None,
                None,
                None,
            );
            gendarmerie_regions.insert(region.code.clone(), unit);
        }
        for departement in &referentials.departements {
            let zone = police_zone_of_region(&departement.region_code);
            if !police_zones.contains_key(zone) {
                let unit = self.add_unit(
                    UnitKind::Dzpn,
                    format!("Direction zonale de la police nationale {zone}"),
                    None,
                    None,
                    None,
                );
                police_zones.insert(zone, unit);
            }
        }
        for departement in &referentials.departements {
            let communes = referentials.communes_of(&departement.code);
            if communes.is_empty() {
                continue;
            }
            let region_unit = gendarmerie_regions.get(&departement.region_code).copied();
            let zone_unit = police_zones[police_zone_of_region(&departement.region_code)];
            self.build_departement(departement, &communes, region_unit, zone_unit);
        }
    }

    pub(super) fn build_departement(
        &mut self,
        departement: &Departement,
        communes: &[&Commune],
        region_unit: Option<usize>,
        zone_unit: usize,
    ) {
        let code = departement.code.as_str();
        let label = format!("{} ({code})", departement.name);
        let population = departement.population.max(1);

        // Police: the largest towns, one circonscription each with its commissariat.
        let circonscriptions = ((population / 250_000) as usize)
            .clamp(1, 8)
            .min(communes.len());
        let direction = self.add_unit(
            UnitKind::Ddpn,
            format!("Direction départementale de la police nationale — {label}"),
            Some(zone_unit),
            Some(code),
            communes.first().copied(),
        );
        let mut police_hosts = Vec::new();
        for commune in &communes[..circonscriptions] {
            let circonscription = self.add_unit(
                UnitKind::Circonscription,
                format!("Circonscription de police {}", of_place(&commune.name)),
                Some(direction),
                Some(code),
                Some(commune),
            );
            let commissariat = self.add_unit(
                UnitKind::Commissariat,
                format!("Commissariat {}", of_place(&commune.name)),
                Some(circonscription),
                Some(code),
                Some(commune),
            );
            police_hosts.push(commissariat);
        }

        // Gendarmerie: the rest of the territory, compagnies then brigades in smaller towns.
        let mut towns = communes[circonscriptions.min(communes.len())..]
            .iter()
            .copied();
        let groupement = self.add_unit(
            UnitKind::Groupement,
            format!("Groupement de gendarmerie départementale — {label}"),
            region_unit,
            Some(code),
            communes.first().copied(),
        );
        let mut gendarmerie_hosts = vec![groupement];
        let maison = self.add_unit(
            UnitKind::MaisonProtectionFamilles,
            format!("Maison de protection des familles — {label}"),
            Some(groupement),
            Some(code),
            communes.first().copied(),
        );
        gendarmerie_hosts.push(maison);
        let compagnies = ((population / 150_000) as usize).clamp(2, 8);
        for _ in 0..compagnies {
            let Some(town) = towns.next() else { break };
            let compagnie = self.add_unit(
                UnitKind::Compagnie,
                format!(
                    "Compagnie de gendarmerie départementale {}",
                    of_place(&town.name)
                ),
                Some(groupement),
                Some(code),
                Some(town),
            );
            gendarmerie_hosts.push(compagnie);
            let brigades = self.rng.random_range(3..=6);
            for _ in 0..brigades {
                let Some(town) = towns.next() else { break };
                if self.rng.random_bool(0.6) {
                    let brigade = self.add_unit(
                        UnitKind::BrigadeTerritorialeAutonome,
                        format!("Brigade territoriale autonome {}", of_place(&town.name)),
                        Some(compagnie),
                        Some(code),
                        Some(town),
                    );
                    gendarmerie_hosts.push(brigade);
                } else {
                    let cob = self.add_unit(
                        UnitKind::CommunauteDeBrigades,
                        format!("Communauté de brigades {}", of_place(&town.name)),
                        Some(compagnie),
                        Some(code),
                        Some(town),
                    );
                    gendarmerie_hosts.push(cob);
                    for _ in 0..self.rng.random_range(1..=3) {
                        let Some(town) = towns.next() else { break };
                        let proximite = self.add_unit(
                            UnitKind::BrigadeDeProximite,
                            format!("Brigade de proximité {}", of_place(&town.name)),
                            Some(cob),
                            Some(code),
                            Some(town),
                        );
                        gendarmerie_hosts.push(proximite);
                    }
                }
            }
        }
        self.police_hosts.insert(code.to_string(), police_hosts);
        self.gendarmerie_hosts
            .insert(code.to_string(), gendarmerie_hosts);

        // Employers: the département, the main towns, an intercommunality, associations.
        let name_of = &departement.name;
        self.add_employer(
            EmployerKind::ConseilDepartemental,
            format!("Conseil départemental — {name_of}"),
            code,
            communes.first().copied(),
        );
        for commune in communes.iter().take(2) {
            self.add_employer(
                EmployerKind::Commune,
                format!("Ville {}", of_place(&commune.name)),
                code,
                Some(commune),
            );
        }
        if let Some(commune) = communes.first() {
            self.add_employer(
                EmployerKind::Intercommunalite,
                format!("Communauté d'agglomération {}", of_place(&commune.name)),
                code,
                Some(commune),
            );
        }
        self.add_employer(
            EmployerKind::Association,
            format!("Association d'aide aux victimes — {name_of}"),
            code,
            communes.first().copied(),
        );
        self.add_employer(
            EmployerKind::Association,
            format!("Centre d'information sur les droits des femmes et des familles — {name_of}"),
            code,
            communes.first().copied(),
        );
    }
}
