//! The partner directory: per département, kept by its social workers and employers, typed
//! in or imported from CSV, XLSX or ODS (every line checked first; any error and nothing is
//! written; a partner already named in the département is updated, not duplicated).

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::spreadsheet::{LineError, Table, cell, check_columns};
use crate::{Db, StoreError};
use passerelle_domain::ids::{EmployerId, PostId};
use passerelle_domain::referral::partner::{PartnerInput, ValidPartner, validate_partner};
use passerelle_domain::registry::territory::DepartementCode;

/// A partner as listed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartnerRow {
    pub id: String,
    pub departement_code: DepartementCode,
    pub partner_type: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    pub website: Option<String>,
}

const COLUMNS: &str =
    "id, departement_code, partner_type, name, address, phone, email, hours, website";

/// The partners of a département, by type then name; `partner_type` narrows to one type.
pub async fn of_departement(
    db: &Db,
    departement: &str,
    partner_type: Option<&str>,
) -> Result<Vec<PartnerRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM partners WHERE departement_code = $1 AND ($2 = '' OR partner_type = $2) ORDER BY partner_type, name"
    )))
    .bind(departement)
    .bind(partner_type.unwrap_or(""))
    .fetch_all(db.pool())
    .await?)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<PartnerRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM partners WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Writes a partner: updates the one of the same name in its département, or creates it.
/// Returns true when it was created.
async fn upsert(
    connection: &mut sqlx::AnyConnection,
    partner: &ValidPartner,
) -> Result<bool, StoreError> {
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT id FROM partners WHERE departement_code = $1 AND name = $2")
            .bind(&partner.departement)
            .bind(&partner.name)
            .fetch_optional(&mut *connection)
            .await?;
    let at = now_text();
    let id = existing
        .as_ref()
        .map(|(id,)| id.clone())
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let sql = if existing.is_some() {
        "UPDATE partners SET departement_code = $2, partner_type = $3, name = $4, address = $5, phone = $6, email = $7, hours = $8, website = $9, updated_at = $10 WHERE id = $1"
    } else {
        "INSERT INTO partners (id, departement_code, partner_type, name, address, phone, email, hours, website, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
    };
    sqlx::query(sql)
        .bind(&id)
        .bind(&partner.departement)
        .bind(partner.partner_type.code())
        .bind(&partner.name)
        .bind(partner.address.as_deref())
        .bind(partner.phone.as_deref())
        .bind(partner.email.as_deref())
        .bind(partner.hours.as_deref())
        .bind(partner.website.as_deref())
        .bind(&at)
        .execute(&mut *connection)
        .await?;
    Ok(existing.is_none())
}

/// Saves one partner typed in the form.
pub async fn save(db: &Db, partner: &ValidPartner, entry: Entry) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    upsert(&mut tx, partner).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, id: &str, entry: Entry) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM partners WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The import's columns: (name, required, meaning), behind the checks and the help page.
pub const IMPORT_COLUMNS: &[(&str, bool, &str)] = &[
    (
        "type",
        true,
        "cidff, france_victimes, departement_social, ccas, ase_crip, siao, cmp, mjd, lawyer, landlord, shelter ou other",
    ),
    (
        "nom",
        true,
        "nom de la structure (dans le département, il l'identifie : un nouvel import la met à jour)",
    ),
    ("adresse", false, "adresse postale"),
    (
        "telephone",
        false,
        "numéro (10 chiffres) ou numéro court (115, 119…)",
    ),
    ("courriel", false, "adresse électronique"),
    ("horaires", false, "jours et heures d'accueil"),
    ("site", false, "adresse du site, https://…"),
];

/// What an import did, or found wrong.
#[derive(Debug, Clone, Default)]
pub struct PartnerImport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<LineError>,
}

/// Imports the partners of `departement` from a table: every line is checked first, and
/// the whole file is refused, naming each wrong line, when one is wrong.
pub async fn import(
    db: &Db,
    departement: &str,
    table: &Table,
    entry: Entry,
) -> Result<PartnerImport, StoreError> {
    let positions = match check_columns(IMPORT_COLUMNS, table) {
        Ok(positions) => positions,
        Err(error) => {
            return Ok(PartnerImport {
                errors: vec![error],
                ..Default::default()
            });
        }
    };
    let mut report = PartnerImport::default();
    let mut partners = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (line, row) in &table.rows {
        let input = PartnerInput {
            partner_type: cell(row, &positions, "type").to_string(),
            name: cell(row, &positions, "nom").to_string(),
            departement: departement.to_string(),
            address: cell(row, &positions, "adresse").to_string(),
            phone: cell(row, &positions, "telephone").to_string(),
            email: cell(row, &positions, "courriel").to_string(),
            hours: cell(row, &positions, "horaires").to_string(),
            website: cell(row, &positions, "site").to_string(),
        };
        match validate_partner(&input) {
            Ok(partner) if !names.insert(partner.name.clone()) => report.errors.push(LineError {
                line: *line,
                column: Some("nom".into()),
                reason: format!("« {} » figure déjà plus haut dans le fichier", partner.name),
            }),
            Ok(partner) => partners.push(partner),
            Err(errors) => report
                .errors
                .extend(errors.into_iter().map(|error| LineError {
                    line: *line,
                    column: Some(column_of(error.field).into()),
                    reason: error.reason,
                })),
        }
    }
    if table.rows.is_empty() {
        report.errors.push(LineError {
            line: 0,
            column: None,
            reason: "aucune ligne de partenaire sous l'en-tête".into(),
        });
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin_write().await?;
    for partner in &partners {
        if upsert(&mut tx, partner).await? {
            report.created += 1;
        } else {
            report.updated += 1;
        }
    }
    append(
        &mut tx,
        entry.detail(format!(
            "annuaire des partenaires : {} créé(s), {} mis à jour",
            report.created, report.updated
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The import column a form field comes from.
fn column_of(field: &str) -> &'static str {
    match field {
        "Type" => "type",
        "Nom" => "nom",
        "Adresse" => "adresse",
        "Téléphone" => "telephone",
        "Courriel" => "courriel",
        "Horaires" => "horaires",
        "Site" => "site",
        _ => "departement",
    }
}

/// The département as a place: its code, its posts and its employers (who keep its
/// directory).
pub async fn territory_of(
    db: &Db,
    departement: &DepartementCode,
) -> Result<passerelle_domain::access::Place, StoreError> {
    let posts: Vec<(PostId,)> = sqlx::query_as("SELECT id FROM posts WHERE departement_code = $1")
        .bind(departement)
        .fetch_all(db.pool())
        .await?;
    let employers: Vec<(EmployerId,)> =
        sqlx::query_as("SELECT id FROM employers WHERE departement_code = $1")
            .bind(departement)
            .fetch_all(db.pool())
            .await?;
    Ok(passerelle_domain::access::Place {
        departements: vec![departement.clone()],
        posts: posts.into_iter().map(|(id,)| id).collect(),
        employers: employers.into_iter().map(|(id,)| id).collect(),
        units: Vec::new(),
        replacements: Vec::new(),
    })
}

/// The département an actor works in, from the scope of their role (none for the nation).
pub async fn home_departement(
    db: &Db,
    scope: &passerelle_domain::access::Scope,
) -> Result<Option<DepartementCode>, StoreError> {
    use passerelle_domain::access::Scope;
    let sql = match scope {
        Scope::Departement(code) => return Ok(Some(code.clone())),
        Scope::Nation => return Ok(None),
        Scope::Post(_) => "SELECT departement_code FROM posts WHERE id = $1",
        Scope::Employer(_) => "SELECT departement_code FROM employers WHERE id = $1",
        Scope::Unit(_) => "SELECT departement_code FROM units WHERE id = $1",
    };
    let id = match scope {
        Scope::Post(id) => id.as_str(),
        Scope::Employer(id) => id.as_str(),
        Scope::Unit(id) => id.as_str(),
        Scope::Departement(_) | Scope::Nation => return Ok(None),
    };
    let row: Option<(Option<DepartementCode>,)> = sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|(code,)| code))
}
