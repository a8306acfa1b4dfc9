//! Posts from a spreadsheet. A post is known by its code; a file without codes (a national
//! census) names it by its employer, its département and its host units instead, so that a
//! second import updates it rather than creating it twice.

use super::registry::LineCheck;
use super::values::{self, fold};
use super::{ImportReport, LineError, Table, cell};
use crate::db::time_text::{date_to_text, now_text};
use crate::{Db, StoreError};
use passerelle_domain::registry::post::{PostStatus, STATUS_ALIASES, ZONE_ALIASES, Zone};
use passerelle_domain::registry::unit::UnitKind;
use std::collections::{BTreeSet, HashMap};

struct PostLine {
    code: String,
    zone: Zone,
    departement: String,
    employer_id: String,
    fte: f64,
    status: PostStatus,
    on: time::Date,
    /// None: the file has no host unit for the line, the post keeps its own.
    hosts: Option<Vec<String>>,
    existing: Option<String>,
}

/// (département, employer, host units): how a post without a code is recognised.
type Identity = (String, String, BTreeSet<String>);

/// The host units a cell names (« BTA Pontivy ; CSP Vannes »), in the post's département.
fn host_units(
    text: &str,
    departement: &str,
    units: &[(String, String, UnitKind, String)],
) -> Result<Vec<String>, String> {
    let separator = if text.contains(';') { ';' } else { ',' };
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for name in text
        .split(separator)
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let wanted = fold(name);
        match units.iter().find(|(id, d, kind, n)| {
            d == departement && kind.can_host_a_post() && (*n == wanted || *id == name)
        }) {
            Some((id, ..)) if !found.contains(id) => found.push(id.clone()),
            Some(_) => {}
            None => unknown.push(format!("« {} »", name.chars().take(80).collect::<String>())),
        }
    }
    if unknown.is_empty() {
        Ok(found)
    } else {
        Err(format!(
            "{} : pas une unité d'accueil enregistrée dans le département {departement} (importez d'abord les unités)",
            unknown.join(", ")
        ))
    }
}

pub(super) async fn import_posts(
    db: &Db,
    table: &Table,
    positions: &HashMap<&'static str, usize>,
    dry_run: bool,
    by: &str,
    today: time::Date,
) -> Result<ImportReport, StoreError> {
    let employers: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, departement_code, name FROM employers")
            .fetch_all(db.pool())
            .await?;
    let posts: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, code, departement_code, employer_id FROM posts")
            .fetch_all(db.pool())
            .await?;
    let unit_rows: Vec<(String, Option<String>, String, String)> =
        sqlx::query_as("SELECT id, departement_code, kind, name FROM units")
            .fetch_all(db.pool())
            .await?;
    let units: Vec<(String, String, UnitKind, String)> = unit_rows
        .into_iter()
        .filter_map(|(id, d, kind, name)| Some((id, d?, UnitKind::parse(&kind).ok()?, fold(&name))))
        .collect();
    let hosted: Vec<(String, String)> =
        sqlx::query_as("SELECT post_id, unit_id FROM post_host_units")
            .fetch_all(db.pool())
            .await?;
    let mut existing_identities: HashMap<Identity, Vec<String>> = HashMap::new();
    for (id, _, departement, employer) in &posts {
        let hosts = hosted
            .iter()
            .filter(|(post, _)| post == id)
            .map(|(_, unit)| unit.clone())
            .collect();
        existing_identities
            .entry((departement.clone(), employer.clone(), hosts))
            .or_default()
            .push(id.clone());
    }
    let mut codes: BTreeSet<String> = posts.iter().map(|(_, c, _, _)| c.to_uppercase()).collect();
    let mut report = ImportReport::default();
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    let mut seen_identities: HashMap<Identity, usize> = HashMap::new();
    let mut lines = Vec::new();
    for (line, row) in &table.rows {
        let mut check = LineCheck {
            line: *line,
            errors: &mut report.errors,
            failed: false,
        };
        let code = cell(row, positions, "code").to_string();
        if code.chars().count() > 40 {
            check.fail("code", "40 caractères au plus");
        }
        let zone = check.check(
            "zone",
            values::vocabulary(
                cell(row, positions, "zone"),
                Zone::ALL,
                Zone::code,
                Zone::label,
                ZONE_ALIASES,
            ),
        );
        let departement = check
            .check(
                "departement",
                values::departement(cell(row, positions, "departement")),
            )
            .map(|(code, notice)| {
                if let Some(notice) = notice {
                    report_notice(&mut report.notices, *line, notice);
                }
                code
            });
        let employer_name = cell(row, positions, "employeur");
        let employer_id = departement.as_ref().and_then(|departement| {
            let found = employers
                .iter()
                .find(|(_, d, n)| d == departement && fold(n) == fold(employer_name))
                .map(|(id, _, _)| id.clone());
            if found.is_none() {
                check.fail("employeur", format!("« {employer_name} » n'est pas un employeur enregistré dans le département {departement} (importez d'abord les employeurs)"));
            }
            found
        });
        let fte = check.check("etp", values::fte(cell(row, positions, "etp")));
        let status = check.check(
            "statut",
            values::vocabulary(
                cell(row, positions, "statut"),
                PostStatus::ALL,
                PostStatus::code,
                PostStatus::label,
                STATUS_ALIASES,
            )
            .and_then(|status| match status {
                PostStatus::Closed => {
                    Err("un poste fermé ne s'importe pas : fermez-le depuis sa page".into())
                }
                status => Ok(status),
            }),
        );
        // The same window as the post's page (from 2000, not after today).
        let on = check.check(
            "date",
            passerelle_domain::date_field::DateField::PostStep
                .read(cell(row, positions, "date"), today)
                .map_err(|e| format!("« {} » : {}", cell(row, positions, "date"), e.reason)),
        );
        let hosts = match (cell(row, positions, "unites"), &departement) {
            ("", _) | (_, None) => None,
            (text, Some(departement)) => {
                check.check("unites", host_units(text, departement, &units))
            }
        };
        let (
            Some(zone),
            Some(departement),
            Some(employer_id),
            Some(fte),
            Some(status),
            Some(on),
            false,
        ) = (
            zone,
            departement,
            employer_id,
            fte,
            status,
            on,
            check.failed,
        )
        else {
            continue;
        };
        let identity: Identity = (
            departement.clone(),
            employer_id.clone(),
            hosts.iter().flatten().cloned().collect(),
        );
        let existing = if code.is_empty() {
            if let Some(first) = seen_identities.insert(identity.clone(), *line) {
                report.errors.push(LineError {
                    line: *line,
                    column: Some("code".into()),
                    reason: format!("poste sans code en double avec la ligne {first} (même employeur, même département, mêmes unités d'accueil) : donnez-leur un code, ou retirez la ligne"),
                });
                continue;
            }
            match existing_identities.get(&identity).map(Vec::as_slice) {
                None | Some([]) => None,
                Some([one]) => Some(one.clone()),
                Some(_) => {
                    report.errors.push(LineError {
                        line: *line,
                        column: Some("code".into()),
                        reason: "plusieurs postes enregistrés ont cet employeur, ce département et ces unités d'accueil : indiquez le code du poste".into(),
                    });
                    continue;
                }
            }
        } else {
            if let Some(first) = seen_codes.insert(code.to_uppercase(), *line) {
                report.errors.push(LineError {
                    line: *line,
                    column: Some("code".into()),
                    reason: format!("poste « {code} » en double avec la ligne {first}"),
                });
                continue;
            }
            posts
                .iter()
                .find(|(_, c, _, _)| c.eq_ignore_ascii_case(&code))
                .map(|(id, _, _, _)| id.clone())
        };
        if existing.is_some() {
            report.updated += 1
        } else {
            report.created += 1
        }
        lines.push(PostLine {
            code,
            zone,
            departement,
            employer_id,
            fte,
            status,
            on,
            hosts,
            existing,
        });
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    // A new post without a code gets the next free one of its département.
    for line in lines
        .iter_mut()
        .filter(|l| l.code.is_empty() && l.existing.is_none())
    {
        let mut number = 1;
        while codes.contains(&format!("ISCG-{}-{number:03}", line.departement)) {
            number += 1;
        }
        line.code = format!("ISCG-{}-{number:03}", line.departement);
        codes.insert(line.code.clone());
    }
    let mut tx = db.begin_write().await?;
    for line in &lines {
        let id = match &line.existing {
            // An existing post keeps its lifecycle: that is recorded step by step on its page.
            Some(id) => {
                sqlx::query("UPDATE posts SET zone = $1, employer_id = $2, fte = $3 WHERE id = $4")
                    .bind(line.zone.code())
                    .bind(&line.employer_id)
                    .bind(line.fte)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id.clone()
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                let created_on = line.status.is_created().then(|| date_to_text(line.on));
                sqlx::query(
                    "INSERT INTO posts (id, code, zone, departement_code, employer_id, fte, status, created_on, closed_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)",
                )
                .bind(&id)
                .bind(&line.code)
                .bind(line.zone.code())
                .bind(&line.departement)
                .bind(&line.employer_id)
                .bind(line.fte)
                .bind(line.status.code())
                .bind(created_on)
                .bind(now_text())
                .execute(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO post_status_history (id, post_id, status, effective_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(&id)
                    .bind(line.status.code())
                    .bind(date_to_text(line.on))
                    .bind(now_text())
                    .bind(by)
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        if let Some(hosts) = &line.hosts {
            write_hosts(&mut tx, &id, hosts).await?;
        }
    }
    let detail = format!(
        "postes : {} créés, {} mis à jour",
        report.created, report.updated
    );
    super::finish_import(tx, &mut report, by, detail, true).await?;
    Ok(report)
}

fn report_notice(notices: &mut Vec<String>, line: usize, notice: String) {
    notices.push(format!("ligne {line}, colonne « departement » : {notice}"));
}

/// The host units of a post, replaced; the time is shared evenly (the post's page adjusts it).
async fn write_hosts(
    tx: &mut crate::db::WriteTx,
    post_id: &str,
    hosts: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM post_host_units WHERE post_id = $1")
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    let count = hosts.len() as i64;
    for (index, unit) in hosts.iter().enumerate() {
        // 100 shared without loss: the first units take the remainder (34, 33, 33).
        let share = 100 / count + i64::from((index as i64) < 100 % count);
        sqlx::query(
            "INSERT INTO post_host_units (post_id, unit_id, time_share_percent) VALUES ($1, $2, $3)",
        )
        .bind(post_id)
        .bind(unit)
        .bind(share)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
