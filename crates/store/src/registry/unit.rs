//! Units of the forces and employers, as the registry keeps them.

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::{Db, StoreError, WriteError, WriteResult};
use passerelle_domain::ids::{EmployerId, UnitId};
use passerelle_domain::registry::employer::EmployerKind;
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_domain::registry::unit::{UnitKind, check_parent};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: UnitId,
    pub kind: UnitKind,
    pub name: String,
    pub parent_id: Option<UnitId>,
    pub departement_code: Option<DepartementCode>,
    pub commune_code: Option<String>,
}

const SELECT_UNITS: &str =
    "SELECT id, kind, name, parent_id, departement_code, commune_code FROM units";

/// The units of a département, in hierarchy order is left to the caller; here by name.
pub async fn units_of(db: &Db, departement: &str) -> Result<Vec<UnitRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_UNITS} WHERE departement_code = $1 ORDER BY name"
    )))
    .bind(departement)
    .fetch_all(db.pool())
    .await?)
}

pub async fn find_unit(db: &Db, id: &str) -> Result<Option<UnitRow>, StoreError> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_UNITS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

async fn commune_in(db: &Db, commune: Option<&str>, departement: &str) -> WriteResult<()> {
    let Some(code) = commune else { return Ok(()) };
    let found: Option<(String,)> =
        sqlx::query_as("SELECT departement_code FROM communes WHERE code = $1")
            .bind(code)
            .fetch_optional(db.pool())
            .await?;
    match found {
        Some((d,)) if d == departement => Ok(()),
        Some(_) => Err(WriteError::refused(
            "commune",
            format!("« {code} » n'est pas dans le département {departement}"),
        )),
        None => Err(WriteError::refused(
            "commune",
            format!("« {code} » n'est pas une commune actuelle"),
        )),
    }
}

/// Creates a unit under its parent (in the same département), the place the hierarchy gives it.
pub async fn create_unit(
    db: &Db,
    kind: UnitKind,
    name: &str,
    parent_id: Option<&str>,
    departement: &str,
    commune: Option<&str>,
    entry: Entry,
) -> WriteResult<String> {
    let parent =
        match parent_id {
            Some(id) => Some(find_unit(db, id).await?.ok_or_else(|| {
                WriteError::refused("unité de rattachement", "elle n'existe pas")
            })?),
            None => None,
        };
    let parent_kind = parent.as_ref().map(|p| p.kind);
    check_parent(kind, parent_kind)?;
    if let Some(parent) = &parent {
        if parent
            .departement_code
            .as_ref()
            .is_some_and(|d| d.as_str() != departement)
        {
            return Err(WriteError::refused(
                "unité de rattachement",
                "elle est dans un autre département",
            ));
        }
    }
    commune_in(db, commune, departement).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO units (id, kind, force, name, parent_id, departement_code, commune_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&id)
        .bind(kind.code())
        .bind(kind.force().code())
        .bind(name)
        .bind(parent_id)
        .bind(kind.is_departemental().then_some(departement))
        .bind(commune)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry.on("unit", &id)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_unit(
    db: &Db,
    unit: &UnitRow,
    name: &str,
    commune: Option<&str>,
    entry: Entry,
) -> WriteResult<()> {
    commune_in(
        db,
        commune,
        unit.departement_code
            .as_ref()
            .map(DepartementCode::as_str)
            .unwrap_or_default(),
    )
    .await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE units SET name = $1, commune_code = $2 WHERE id = $3")
        .bind(name)
        .bind(commune)
        .bind(&unit.id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry.on("unit", &unit.id)).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmployerRow {
    pub id: EmployerId,
    pub kind: EmployerKind,
    pub name: String,
    pub departement_code: DepartementCode,
    pub commune_code: Option<String>,
}

pub async fn employers_of(db: &Db, departement: &str) -> Result<Vec<EmployerRow>, StoreError> {
    Ok(sqlx::query_as("SELECT id, kind, name, departement_code, commune_code FROM employers WHERE departement_code = $1 ORDER BY name")
        .bind(departement)
        .fetch_all(db.pool())
        .await?)
}

pub async fn find_employer(db: &Db, id: &str) -> Result<Option<EmployerRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, departement_code, commune_code FROM employers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Creates or (with `existing`) updates an employer; the name is unique in its département.
pub async fn save_employer(
    db: &Db,
    existing: Option<&EmployerRow>,
    kind: EmployerKind,
    name: &str,
    departement: &str,
    commune: Option<&str>,
    entry: Entry,
) -> WriteResult<String> {
    commune_in(db, commune, departement).await?;
    // Compared in Rust: SQLite's LOWER() leaves accented capitals as they are.
    let names: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM employers WHERE departement_code = $1")
            .bind(departement)
            .fetch_all(db.pool())
            .await?;
    let lowered = name.to_lowercase();
    if names.iter().any(|(id, other)| {
        other.to_lowercase() == lowered && Some(id.as_str()) != existing.map(|e| e.id.as_str())
    }) {
        return Err(WriteError::refused(
            "nom",
            format!("un employeur « {name} » existe déjà dans ce département"),
        ));
    }
    let mut tx = db.begin_write().await?;
    let id = match existing {
        Some(employer) => {
            sqlx::query(
                "UPDATE employers SET kind = $1, name = $2, commune_code = $3 WHERE id = $4",
            )
            .bind(kind.code())
            .bind(name)
            .bind(commune)
            .bind(&employer.id)
            .execute(&mut *tx)
            .await?;
            employer.id.to_string()
        }
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query("INSERT INTO employers (id, kind, name, departement_code, commune_code, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(kind.code())
                .bind(name)
                .bind(departement)
                .bind(commune)
                .bind(now_text())
                .execute(&mut *tx)
                .await?;
            id
        }
    };
    if existing.is_some() {
        // Its type may have changed: the nation's totals by employer type are counted again.
        crate::statistics::rollup::regroup_nation(&mut tx).await?;
    }
    append(&mut tx, entry.on("employer", &id)).await?;
    tx.commit().await?;
    Ok(id)
}
