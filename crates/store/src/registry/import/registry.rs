//! Units and employers from a spreadsheet: every line checked, every problem of a line
//! reported at once (a coordinator corrects the file in one round).

use super::values::{self, fold};
use super::{ImportReport, LineError, Table, cell};
use crate::db::time_text::now_text;
use crate::{Db, StoreError};
use passerelle_domain::registry::employer::{EMPLOYER_KIND_ALIASES, EmployerKind};
use passerelle_domain::registry::territory::CommuneCode;
use passerelle_domain::registry::unit::{UNIT_KIND_ALIASES, UnitKind};
use std::collections::HashMap;

/// The errors of one line, gathered before the line is given up.
pub(super) struct LineCheck<'a> {
    pub line: usize,
    pub errors: &'a mut Vec<LineError>,
    pub failed: bool,
}

impl LineCheck<'_> {
    pub fn fail(&mut self, column: &str, reason: impl Into<String>) {
        self.failed = true;
        self.errors.push(LineError {
            line: self.line,
            column: Some(column.to_string()),
            reason: reason.into(),
        });
    }

    /// The value, or None once its error is noted.
    pub fn check<T>(&mut self, column: &str, value: Result<T, String>) -> Option<T> {
        match value {
            Ok(value) => Some(value),
            Err(reason) => {
                self.fail(column, reason);
                None
            }
        }
    }
}

/// The `nom` and `departement` columns shared by units and employers.
fn name_and_departement(
    row: &[String],
    positions: &HashMap<&'static str, usize>,
    check: &mut LineCheck<'_>,
    notices: &mut Vec<String>,
) -> (Option<String>, Option<String>) {
    let name = cell(row, positions, "nom").to_string();
    let name = check.check(
        "nom",
        if name.is_empty() || name.chars().count() > 200 {
            Err("de 1 à 200 caractères".into())
        } else {
            Ok(name)
        },
    );
    let departement = check
        .check(
            "departement",
            values::departement(cell(row, positions, "departement")),
        )
        .map(|(code, notice)| {
            if let Some(notice) = notice {
                notices.push(format!(
                    "ligne {}, colonne « departement » : {notice}",
                    check.line
                ));
            }
            code
        });
    (name, departement)
}

struct EmployerLine {
    kind: EmployerKind,
    name: String,
    departement: String,
    commune: Option<String>,
    existing: Option<String>,
}

pub(super) async fn import_employers(
    db: &Db,
    table: &Table,
    positions: &HashMap<&'static str, usize>,
    dry_run: bool,
    by: &str,
) -> Result<ImportReport, StoreError> {
    let existing: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, departement_code, name FROM employers")
            .fetch_all(db.pool())
            .await?;
    let communes: Vec<(String,)> = sqlx::query_as("SELECT code FROM communes")
        .fetch_all(db.pool())
        .await?;
    let communes: std::collections::HashSet<String> = communes.into_iter().map(|(c,)| c).collect();
    let mut report = ImportReport::default();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut lines = Vec::new();
    for (line, row) in &table.rows {
        let mut check = LineCheck {
            line: *line,
            errors: &mut report.errors,
            failed: false,
        };
        let kind = check.check(
            "type",
            values::vocabulary(
                cell(row, positions, "type"),
                EmployerKind::ALL,
                EmployerKind::code,
                EmployerKind::label,
                EMPLOYER_KIND_ALIASES,
            ),
        );
        let (name, departement) =
            name_and_departement(row, positions, &mut check, &mut report.notices);
        let commune = match cell(row, positions, "commune") {
            "" => None,
            text => match CommuneCode::parse(text) {
                Ok(code) if communes.contains(code.as_str()) => Some(code.to_string()),
                Ok(_) => {
                    check.fail(
                        "commune",
                        format!("« {text} » n'est pas une commune actuelle"),
                    );
                    None
                }
                Err(e) => {
                    check.fail("commune", e.reason);
                    None
                }
            },
        };
        let (Some(kind), Some(name), Some(departement), false) =
            (kind, name, departement, check.failed)
        else {
            continue;
        };
        let key = (departement.clone(), fold(&name));
        if let Some(first) = seen.insert(key, *line) {
            report.errors.push(LineError {
                line: *line,
                column: Some("nom".into()),
                reason: format!("employeur en double avec la ligne {first}"),
            });
            continue;
        }
        let existing = existing
            .iter()
            .find(|(_, d, n)| *d == departement && fold(n) == fold(&name))
            .map(|(id, _, _)| id.clone());
        if existing.is_some() {
            report.updated += 1
        } else {
            report.created += 1
        }
        lines.push(EmployerLine {
            kind,
            name,
            departement,
            commune,
            existing,
        });
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    let mut tx = db.begin_write().await?;
    for line in &lines {
        match &line.existing {
            Some(id) => {
                sqlx::query("UPDATE employers SET kind = $1, commune_code = $2 WHERE id = $3")
                    .bind(line.kind.code())
                    .bind(&line.commune)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query("INSERT INTO employers (id, kind, name, departement_code, commune_code, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(line.kind.code())
                    .bind(&line.name)
                    .bind(&line.departement)
                    .bind(&line.commune)
                    .bind(now_text())
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    let detail = format!(
        "employeurs : {} créés, {} mis à jour",
        report.created, report.updated
    );
    super::finish_import(tx, &mut report, by, detail, true).await?;
    Ok(report)
}

struct UnitLine {
    id: String,
    kind: passerelle_domain::registry::unit::UnitKind,
    name: String,
    departement: String,
    commune: Option<String>,
    parent: Option<String>,
    existing: bool,
}

pub(super) async fn import_units(
    db: &Db,
    table: &Table,
    positions: &HashMap<&'static str, usize>,
    dry_run: bool,
    by: &str,
) -> Result<ImportReport, StoreError> {
    use passerelle_domain::registry::unit::check_parent;
    // (id, kind, département, lower-cased name) of every unit, growing with the file's lines.
    let rows: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT id, kind, departement_code, name FROM units")
            .fetch_all(db.pool())
            .await?;
    let mut known: Vec<(String, UnitKind, String, String)> = rows
        .into_iter()
        .filter_map(|(id, kind, departement, name)| {
            Some((
                id,
                UnitKind::parse(&kind).ok()?,
                departement.unwrap_or_default(),
                fold(&name),
            ))
        })
        .collect();
    // The units by folded name and by (home, folded name), as positions in `known`: one
    // look-up a line instead of a scan (a 20,000-line file took 50 s to try, scanning).
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_place: HashMap<(String, String), usize> = HashMap::new();
    for (position, (_, _, home, name)) in known.iter().enumerate() {
        by_name.entry(name.clone()).or_default().push(position);
        by_place
            .entry((home.clone(), name.clone()))
            .or_insert(position);
    }
    let communes: Vec<(String, String)> =
        sqlx::query_as("SELECT code, departement_code FROM communes")
            .fetch_all(db.pool())
            .await?;
    let communes: HashMap<String, String> = communes.into_iter().collect();
    let mut report = ImportReport::default();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut lines = Vec::new();
    for (line, row) in &table.rows {
        let error = |column: &str, reason: String| LineError {
            line: *line,
            column: Some(column.to_string()),
            reason,
        };
        let mut check = LineCheck {
            line: *line,
            errors: &mut report.errors,
            failed: false,
        };
        let kind = check.check(
            "type",
            values::vocabulary(
                cell(row, positions, "type"),
                UnitKind::ALL,
                UnitKind::code,
                UnitKind::label,
                UNIT_KIND_ALIASES,
            ),
        );
        let (name, departement) =
            name_and_departement(row, positions, &mut check, &mut report.notices);
        let commune = match (cell(row, positions, "commune"), &departement) {
            ("", _) | (_, None) => None,
            (text, Some(departement)) => {
                match communes.get(text) {
                    Some(d) if d == departement => Some(text.to_string()),
                    _ => {
                        check.fail(
                        "commune",
                        format!("« {text} » n'est pas une commune actuelle du département {departement}"),
                    );
                        None
                    }
                }
            }
        };
        let (Some(kind), Some(name), Some(departement), false) =
            (kind, name, departement, check.failed)
        else {
            continue;
        };
        if let Some(first) = seen.insert((departement.clone(), fold(&name)), *line) {
            report.errors.push(error(
                "nom",
                format!("unité en double avec la ligne {first}"),
            ));
            continue;
        }
        let parent_name = fold(cell(row, positions, "rattachement"));
        let parent = if parent_name.is_empty() {
            None
        } else {
            // Regions and zones span départements: they are found by name alone.
            let found = by_name.get(&parent_name).and_then(|positions| {
                positions
                    .iter()
                    .map(|&position| &known[position])
                    .find(|(_, k, d, _)| *d == departement || !k.is_departemental())
            });
            match found {
                Some(found) => Some(found.clone()),
                None => {
                    report.errors.push(error(
                        "rattachement",
                        format!(
                            "« {} » n'est pas une unité du département {departement}",
                            cell(row, positions, "rattachement")
                        ),
                    ));
                    continue;
                }
            }
        };
        if let Err(e) = check_parent(kind, parent.as_ref().map(|(_, k, _, _)| *k)) {
            report.errors.push(error("rattachement", e.reason));
            continue;
        }
        let home = if kind.is_departemental() {
            departement.clone()
        } else {
            String::new()
        };
        let folded = fold(&name);
        let existing = by_place
            .get(&(home.clone(), folded.clone()))
            .map(|&position| known[position].0.clone());
        let id = existing
            .clone()
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        if existing.is_some() {
            report.updated += 1
        } else {
            report.created += 1;
            let position = known.len();
            by_name.entry(folded.clone()).or_default().push(position);
            by_place.insert((home.clone(), folded.clone()), position);
            known.push((id.clone(), kind, home.clone(), folded));
        }
        lines.push(UnitLine {
            id,
            kind,
            name,
            departement,
            commune,
            parent: parent.map(|(id, _, _, _)| id),
            existing: existing.is_some(),
        });
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    let mut tx = db.begin_write().await?;
    for line in &lines {
        if line.existing {
            sqlx::query("UPDATE units SET commune_code = $1, parent_id = $2 WHERE id = $3")
                .bind(&line.commune)
                .bind(&line.parent)
                .bind(&line.id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("INSERT INTO units (id, kind, force, name, parent_id, departement_code, commune_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&line.id)
                .bind(line.kind.code())
                .bind(line.kind.force().code())
                .bind(&line.name)
                .bind(&line.parent)
                .bind(line.kind.is_departemental().then_some(&line.departement))
                .bind(&line.commune)
                .bind(now_text())
                .execute(&mut *tx)
                .await?;
        }
    }
    let detail = format!(
        "unités : {} créées, {} mises à jour",
        report.created, report.updated
    );
    super::finish_import(tx, &mut report, by, detail, false).await?;
    Ok(report)
}
