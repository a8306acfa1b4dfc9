//! Imports into the registry (employers, posts) from CSV, XLSX or ODS. Every line is checked
//! first; any error and nothing is written. A dry run reports what would happen. Re-importing
//! a file updates the rows it names instead of duplicating them.

use crate::journal::{Entry, append};
use crate::time_text::{date_to_text, now_text};
use crate::{Db, StoreError};
use calamine::Reader;
use passerelle_domain::employer::EmployerKind;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::post::{PostStatus, Zone};
use passerelle_domain::territory::{CommuneCode, DepartementCode};
use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

/// A problem with one line (line 1 is the header; 0 means the whole file), in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.column) {
            (0, _) => write!(f, "fichier : {}", self.reason),
            (line, Some(column)) => {
                write!(f, "ligne {line}, colonne « {column} » : {}", self.reason)
            }
            (line, None) => write!(f, "ligne {line} : {}", self.reason),
        }
    }
}

fn file_error(reason: impl Into<String>) -> LineError {
    LineError {
        line: 0,
        column: None,
        reason: reason.into(),
    }
}

/// A sheet: its header and its lines, each with its line number in the file.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// At most this many lines: the registry has hundreds of posts, a few thousand units.
pub const MAX_LINES: usize = 20_000;

/// Reads the first sheet of a CSV (`;` or `,`, UTF-8), XLSX or ODS file.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, LineError> {
    let extension = file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let table = match extension.as_str() {
        "csv" => read_csv(bytes)?,
        "xlsx" => read_workbook(
            calamine::Xlsx::new(Cursor::new(bytes))
                .map_err(|_| file_error("classeur XLSX illisible (fichier tronqué ou abîmé)"))?,
        )?,
        "ods" => read_workbook(
            calamine::Ods::new(Cursor::new(bytes))
                .map_err(|_| file_error("classeur ODS illisible (fichier tronqué ou abîmé)"))?,
        )?,
        _ => {
            return Err(file_error(
                "format non reconnu : un fichier .csv, .xlsx ou .ods est attendu",
            ));
        }
    };
    if table.headers.is_empty() {
        return Err(file_error(
            "le fichier est vide : la première ligne doit nommer les colonnes",
        ));
    }
    if table.rows.len() > MAX_LINES {
        return Err(file_error(format!(
            "plus de {MAX_LINES} lignes : découpez le fichier"
        )));
    }
    Ok(table)
}

/// The line (from 1) where a record starts; the reader reports the offset before any blank
/// lines it skipped, so those are stepped over first.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    let mut start = offset.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
        start += 1;
    }
    bytes[..start].iter().filter(|&&b| b == b'\n').count() + 1
}

fn read_csv(bytes: &[u8]) -> Result<Table, LineError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    // Name the first line that is not UTF-8 (a file saved as Latin-1 by a spreadsheet).
    if let Err(error) = std::str::from_utf8(bytes) {
        let line = bytes[..error.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        return Err(LineError {
            line,
            column: None,
            reason: "caractères mal encodés : enregistrez le fichier en UTF-8 (CSV UTF-8)".into(),
        });
    }
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.iter().filter(|&&b| b == b';').count()
        >= first_line.iter().filter(|&&b| b == b',').count()
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Table::default();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| LineError {
            line: e
                .position()
                .map_or(index + 1, |p| line_of(bytes, p.byte() as usize)),
            column: None,
            reason: "ligne CSV illisible (guillemets non fermés ?)".into(),
        })?;
        // The csv reader skips blank lines: the line number comes from its position.
        let line = record
            .position()
            .map_or(index + 1, |p| line_of(bytes, p.byte() as usize));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if index == 0 {
            table.headers = cells.iter().map(|h| h.to_lowercase()).collect();
        } else if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push((line, cells));
        }
    }
    Ok(table)
}

fn read_workbook<RS: std::io::Read + std::io::Seek, R: calamine::Reader<RS>>(
    mut workbook: R,
) -> Result<Table, LineError> {
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| file_error("le classeur n'a aucune feuille"))?
        .map_err(|_| file_error("première feuille illisible (fichier tronqué ou abîmé)"))?;
    let mut table = Table::default();
    for (index, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if index == 0 {
            table.headers = cells.iter().map(|h| h.to_lowercase()).collect();
        } else if cells.iter().any(|c| !c.is_empty()) {
            table.rows.push((index + 1, cells));
        }
    }
    Ok(table)
}

/// A cell as text; a spreadsheet date becomes jj/mm/aaaa.
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::DateTime(value) => {
            // Spreadsheet serial dates count days from 30/12/1899 (Julian day 2,415,019).
            let day = 2_415_019 + value.as_f64().floor() as i32;
            time::Date::from_julian_day(day)
                .map(|d| format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year()))
                .unwrap_or_default()
        }
        calamine::Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => {
            format!("{}", *value as i64)
        }
        other => other.to_string().trim().to_string(),
    }
}

/// What an import is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Units,
    Employers,
    Posts,
}

impl ImportKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "unites" => Some(ImportKind::Units),
            "employeurs" => Some(ImportKind::Employers),
            "postes" => Some(ImportKind::Posts),
            _ => None,
        }
    }

    /// (column, required, meaning): the one list behind the checks and the help page.
    pub fn columns(self) -> &'static [(&'static str, bool, &'static str)] {
        match self {
            ImportKind::Units => &[
                (
                    "type",
                    true,
                    "bta, cob, brigade_proximite, compagnie, groupement, mpf, commissariat, circonscription, ddpn…",
                ),
                (
                    "nom",
                    true,
                    "nom de l'unité (avec le département, il identifie l'unité : un nouvel import la met à jour)",
                ),
                ("departement", true, "code du département"),
                ("commune", false, "code INSEE de la commune"),
                (
                    "rattachement",
                    false,
                    "nom de l'unité de rattachement dans le même département (déjà enregistrée, ou plus haut dans le fichier)",
                ),
            ],
            ImportKind::Employers => &[
                (
                    "type",
                    true,
                    "conseil_departemental, commune, intercommunalite ou association",
                ),
                (
                    "nom",
                    true,
                    "nom de l'employeur (avec le département, il identifie l'employeur : un nouvel import le met à jour)",
                ),
                (
                    "departement",
                    true,
                    "code du département (01 à 95, 2A, 2B, 971 à 976)",
                ),
                ("commune", false, "code INSEE de la commune du siège"),
            ],
            ImportKind::Posts => &[
                (
                    "code",
                    true,
                    "identifiant du poste (un nouvel import du même code met le poste à jour)",
                ),
                ("zone", true, "police, gendarmerie ou mixed"),
                ("departement", true, "code du département"),
                (
                    "employeur",
                    true,
                    "nom d'un employeur déjà enregistré dans ce département",
                ),
                ("etp", true, "équivalent temps plein, de 0,1 à 1"),
                (
                    "statut",
                    true,
                    "pour un nouveau poste : project, funded, recruiting, filled ou vacant",
                ),
                ("date", true, "date du statut, jj/mm/aaaa"),
            ],
        }
    }
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<LineError>,
    pub written: bool,
}

/// Checks a table's header against `columns` (name, required, meaning): no unknown column,
/// every required one present. Returns where each column is.
pub(crate) fn check_columns(
    columns: &'static [(&'static str, bool, &'static str)],
    table: &Table,
) -> Result<HashMap<&'static str, usize>, LineError> {
    let expected: Vec<&str> = columns.iter().map(|(name, _, _)| *name).collect();
    for header in &table.headers {
        if !expected.contains(&header.as_str()) {
            return Err(LineError {
                line: 1,
                column: Some(header.clone()),
                reason: format!(
                    "colonne inconnue (colonnes attendues : {})",
                    expected.join(", ")
                ),
            });
        }
    }
    let mut positions = HashMap::new();
    for (name, required, _) in columns {
        match table.headers.iter().position(|h| h == name) {
            Some(index) => {
                positions.insert(*name, index);
            }
            None if *required => {
                return Err(LineError {
                    line: 1,
                    column: Some((*name).to_string()),
                    reason: format!(
                        "colonne obligatoire absente (colonnes attendues : {})",
                        expected.join(", ")
                    ),
                });
            }
            None => {}
        }
    }
    Ok(positions)
}

pub(crate) fn cell<'r>(
    row: &'r [String],
    positions: &HashMap<&'static str, usize>,
    name: &str,
) -> &'r str {
    positions
        .get(name)
        .and_then(|&i| row.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

/// The `nom` and `departement` columns shared by units and employers.
fn name_and_departement(
    row: &[String],
    positions: &HashMap<&'static str, usize>,
    line: usize,
) -> Result<(String, String), LineError> {
    let name = cell(row, positions, "nom").to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(LineError {
            line,
            column: Some("nom".into()),
            reason: "de 1 à 200 caractères".into(),
        });
    }
    let departement =
        DepartementCode::parse(cell(row, positions, "departement")).map_err(|e| LineError {
            line,
            column: Some("departement".into()),
            reason: e.reason,
        })?;
    Ok((name, departement.to_string()))
}

fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.trim().split('/');
    let (day, month, year) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse::<u8>().ok()?,
        parts.next()?.parse().ok()?,
    );
    if parts.next().is_some() {
        return None;
    }
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day)
        .ok()
        // The years a form accepts (see `passerelle_domain::day`), so every page can compute with it.
        .filter(|date| {
            (passerelle_domain::day::FIRST_YEAR..=passerelle_domain::day::LAST_YEAR)
                .contains(&date.year())
        })
}

/// Checks every line, then writes everything in one transaction unless a line is wrong or
/// it is a dry run.
pub async fn import(
    db: &Db,
    kind: ImportKind,
    table: &Table,
    dry_run: bool,
    by: &str,
) -> Result<ImportReport, StoreError> {
    let positions = match check_columns(kind.columns(), table) {
        Ok(positions) => positions,
        Err(error) => {
            return Ok(ImportReport {
                errors: vec![error],
                ..ImportReport::default()
            });
        }
    };
    match kind {
        ImportKind::Units => import_units(db, table, &positions, dry_run, by).await,
        ImportKind::Employers => import_employers(db, table, &positions, dry_run, by).await,
        ImportKind::Posts => import_posts(db, table, &positions, dry_run, by).await,
    }
}

struct EmployerLine {
    kind: EmployerKind,
    name: String,
    departement: String,
    commune: Option<String>,
    existing: Option<String>,
}

async fn import_employers(
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
        let error = |column: &str, reason: String| LineError {
            line: *line,
            column: Some(column.to_string()),
            reason,
        };
        let kind = match EmployerKind::parse(cell(row, positions, "type")) {
            Ok(kind) => kind,
            Err(e) => {
                report.errors.push(error("type", e.reason));
                continue;
            }
        };
        let (name, departement) = match name_and_departement(row, positions, *line) {
            Ok(fields) => fields,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        let commune = match cell(row, positions, "commune") {
            "" => None,
            text => match CommuneCode::parse(text) {
                Ok(code) if communes.contains(code.as_str()) => Some(code.to_string()),
                Ok(_) => {
                    report.errors.push(error(
                        "commune",
                        format!("« {text} » n'est pas une commune actuelle"),
                    ));
                    continue;
                }
                Err(e) => {
                    report.errors.push(error("commune", e.reason));
                    continue;
                }
            },
        };
        let key = (departement.clone(), name.to_lowercase());
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
            .find(|(_, d, n)| *d == departement && n.to_lowercase() == name.to_lowercase())
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
    append(
        &mut tx,
        Entry::new(JournalAction::RegistryImport)
            .by(by, None)
            .detail(format!(
                "employeurs : {} créés, {} mis à jour",
                report.created, report.updated
            )),
    )
    .await?;
    if report.updated > 0 {
        // A zone, an employer or an employer's type may have changed: the nation's totals
        // by them are counted again.
        crate::rollup::regroup_nation(&mut tx).await?;
    }
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

struct UnitLine {
    id: String,
    kind: passerelle_domain::unit::UnitKind,
    name: String,
    departement: String,
    commune: Option<String>,
    parent: Option<String>,
    existing: bool,
}

async fn import_units(
    db: &Db,
    table: &Table,
    positions: &HashMap<&'static str, usize>,
    dry_run: bool,
    by: &str,
) -> Result<ImportReport, StoreError> {
    use passerelle_domain::unit::{UnitKind, check_parent};
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
                name.to_lowercase(),
            ))
        })
        .collect();
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
        let kind = match UnitKind::parse(cell(row, positions, "type")) {
            Ok(kind) => kind,
            Err(e) => {
                report.errors.push(error("type", e.reason));
                continue;
            }
        };
        let (name, departement) = match name_and_departement(row, positions, *line) {
            Ok(fields) => fields,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        let commune = match cell(row, positions, "commune") {
            "" => None,
            text => {
                match communes.get(text) {
                    Some(d) if *d == departement => Some(text.to_string()),
                    _ => {
                        report.errors.push(error("commune", format!("« {text} » n'est pas une commune actuelle du département {departement}")));
                        continue;
                    }
                }
            }
        };
        if let Some(first) = seen.insert((departement.clone(), name.to_lowercase()), *line) {
            report.errors.push(error(
                "nom",
                format!("unité en double avec la ligne {first}"),
            ));
            continue;
        }
        let parent_name = cell(row, positions, "rattachement").to_lowercase();
        let parent = if parent_name.is_empty() {
            None
        } else {
            // Regions and zones span départements: they are found by name alone.
            match known.iter().find(|(_, k, d, n)| {
                (*d == departement || !k.is_departemental()) && *n == parent_name
            }) {
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
        let existing = known
            .iter()
            .find(|(_, _, d, n)| *d == home && *n == name.to_lowercase())
            .map(|(id, _, _, _)| id.clone());
        let id = existing
            .clone()
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        if existing.is_some() {
            report.updated += 1
        } else {
            report.created += 1;
            known.push((id.clone(), kind, home.clone(), name.to_lowercase()));
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
    append(
        &mut tx,
        Entry::new(JournalAction::RegistryImport)
            .by(by, None)
            .detail(format!(
                "unités : {} créées, {} mises à jour",
                report.created, report.updated
            )),
    )
    .await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

struct PostLine {
    code: String,
    zone: Zone,
    departement: String,
    employer_id: String,
    fte: f64,
    status: PostStatus,
    on: time::Date,
    existing: Option<String>,
}

async fn import_posts(
    db: &Db,
    table: &Table,
    positions: &HashMap<&'static str, usize>,
    dry_run: bool,
    by: &str,
) -> Result<ImportReport, StoreError> {
    let employers: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, departement_code, name FROM employers")
            .fetch_all(db.pool())
            .await?;
    let posts: Vec<(String, String)> = sqlx::query_as("SELECT id, code FROM posts")
        .fetch_all(db.pool())
        .await?;
    let mut report = ImportReport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut lines = Vec::new();
    for (line, row) in &table.rows {
        let error = |column: &str, reason: String| LineError {
            line: *line,
            column: Some(column.to_string()),
            reason,
        };
        let code = cell(row, positions, "code").to_string();
        if code.is_empty() || code.chars().count() > 40 {
            report
                .errors
                .push(error("code", "de 1 à 40 caractères".into()));
            continue;
        }
        if let Some(first) = seen.insert(code.to_uppercase(), *line) {
            report.errors.push(error(
                "code",
                format!("poste « {code} » en double avec la ligne {first}"),
            ));
            continue;
        }
        let zone = match Zone::parse(cell(row, positions, "zone")) {
            Ok(zone) => zone,
            Err(e) => {
                report.errors.push(error("zone", e.reason));
                continue;
            }
        };
        let departement = match DepartementCode::parse(cell(row, positions, "departement")) {
            Ok(code) => code.to_string(),
            Err(e) => {
                report.errors.push(error("departement", e.reason));
                continue;
            }
        };
        let employer_name = cell(row, positions, "employeur");
        let Some((employer_id, _, _)) = employers.iter().find(|(_, d, n)| {
            *d == departement && n.to_lowercase() == employer_name.to_lowercase()
        }) else {
            report.errors.push(error("employeur", format!("« {employer_name} » n'est pas un employeur enregistré dans le département {departement} (importez d'abord les employeurs)")));
            continue;
        };
        let fte = match cell(row, positions, "etp").replace(',', ".").parse::<f64>() {
            Ok(fte) if (0.1..=1.0).contains(&fte) => fte,
            _ => {
                report.errors.push(error(
                    "etp",
                    format!(
                        "« {} » : un nombre de 0,1 à 1 est attendu",
                        cell(row, positions, "etp")
                    ),
                ));
                continue;
            }
        };
        let status = match PostStatus::parse(cell(row, positions, "statut")) {
            Ok(PostStatus::Closed) => {
                report.errors.push(error(
                    "statut",
                    "un poste fermé ne s'importe pas : fermez-le depuis sa page".into(),
                ));
                continue;
            }
            Ok(status) => status,
            Err(e) => {
                report.errors.push(error("statut", e.reason));
                continue;
            }
        };
        let Some(on) = parse_date(cell(row, positions, "date")) else {
            report.errors.push(error(
                "date",
                format!(
                    "« {} » n'est pas une date jj/mm/aaaa des années 1900 à 2200",
                    cell(row, positions, "date")
                ),
            ));
            continue;
        };
        let existing = posts
            .iter()
            .find(|(_, c)| c.eq_ignore_ascii_case(&code))
            .map(|(id, _)| id.clone());
        if existing.is_some() {
            report.updated += 1
        } else {
            report.created += 1
        }
        lines.push(PostLine {
            code,
            zone,
            departement,
            employer_id: employer_id.clone(),
            fte,
            status,
            on,
            existing,
        });
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    let mut tx = db.begin_write().await?;
    for line in &lines {
        match &line.existing {
            // An existing post keeps its lifecycle: that is recorded step by step on its page.
            Some(id) => {
                sqlx::query("UPDATE posts SET zone = $1, employer_id = $2, fte = $3 WHERE id = $4")
                    .bind(line.zone.code())
                    .bind(&line.employer_id)
                    .bind(line.fte)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                let created_on = line.status.is_created().then(|| date_to_text(line.on));
                sqlx::query(
                    "INSERT INTO posts (id, code, zone, departement_code, employer_id, fte, status, created_on, closed_on, created_at)                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)",
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
            }
        }
    }
    append(
        &mut tx,
        Entry::new(JournalAction::RegistryImport)
            .by(by, None)
            .detail(format!(
                "postes : {} créés, {} mis à jour",
                report.created, report.updated
            )),
    )
    .await?;
    if report.updated > 0 {
        // A zone, an employer or an employer's type may have changed: the nation's totals
        // by them are counted again.
        crate::rollup::regroup_nation(&mut tx).await?;
    }
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn csv_lines_are_numbered_and_bad_encoding_named() {
        let table = read_table(
            "a.csv",
            "type;nom\nassociation;CIDFF\n\ncommune;Ville\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(table.headers, ["type", "nom"]);
        assert_eq!(
            table.rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [2, 4]
        );
        let latin1 = b"type;nom\nassociation;Vall\xe9e\n";
        assert_eq!(read_table("a.csv", latin1).unwrap_err().line, 2);
        assert!(
            read_table("a.txt", b"x")
                .unwrap_err()
                .reason
                .contains(".csv, .xlsx ou .ods")
        );
        assert!(
            read_table("a.xlsx", b"PK\x03\x04 truncated")
                .unwrap_err()
                .reason
                .contains("XLSX illisible")
        );
    }

    #[test]
    fn imported_days_are_within_the_years_a_form_accepts() {
        assert_eq!(
            parse_date("01/09/2021"),
            Some(time::macros::date!(2021 - 09 - 01))
        );
        for far in ["31/12/9999", "01/01/0001", "31/12/1899", "01/01/2201"] {
            assert_eq!(parse_date(far), None, "{far}");
        }
    }

    proptest! {
        #[test]
        fn reading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), extension in "(csv|xlsx|ods)") {
            let _ = read_table(&format!("f.{extension}"), &bytes);
        }
    }
}
