//! A post's activity of the years before Passerelle, imported from its old spreadsheet grid:
//! one column per year, one line per indicator. Every line is checked before anything is
//! written; a year Passerelle already computes for the post is refused, so declared and
//! computed figures never mix.

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::spreadsheet::{LineError, Table};
use crate::{Db, StoreError};
use passerelle_domain::statistics::indicator;
use std::collections::BTreeMap;

/// The grid's lines: what the spreadsheet calls them, the indicator they are.
pub const INDICATORS: [(&str, &str); 5] = [
    ("Signalements", indicator::REFERRALS),
    ("Clôtures", indicator::CLOSURES),
    ("Entretiens", indicator::INTERVIEWS),
    ("Actions", indicator::ACTIONS),
    ("Orientations", indicator::ORIENTATIONS),
];

/// Labels of grids made before the glossary (docs/glossary.md) chose « signalement »: still
/// read, never offered.
const FORMER_LABELS: [(&str, &str); 1] = [("Saisines", indicator::REFERRALS)];

/// A label as people type it: case, accents and spaces do not matter.
fn folded(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .replace(['é', 'è', 'ê'], "e")
        .replace('ô', "o")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_error(line: usize, column: Option<&str>, reason: impl Into<String>) -> LineError {
    LineError {
        line,
        column: column.map(str::to_string),
        reason: reason.into(),
    }
}

/// The counts of a grid: (year, indicator) → count; or every problem, by line.
pub fn parse_grid(
    table: &Table,
    current_year: i32,
) -> Result<BTreeMap<(i32, &'static str), i64>, Vec<LineError>> {
    let mut errors = Vec::new();
    // An exported grid often has a title above: the header is the first line, among the
    // first ten, that starts with « Indicateur ».
    let starts_grid =
        |cells: &[String]| cells.first().map(|h| folded(h)) == Some("indicateur".into());
    let rebased;
    let table = match table
        .rows
        .iter()
        .take(10)
        .position(|(_, cells)| starts_grid(cells))
    {
        Some(index) if !starts_grid(&table.headers) => {
            let (line, headers) = table.rows[index].clone();
            rebased = Table {
                header_line: line,
                headers,
                rows: table.rows[index + 1..].to_vec(),
                notices: table.notices.clone(),
            };
            &rebased
        }
        _ => table,
    };
    let header_line = table.header_line.max(1);
    if !starts_grid(&table.headers) {
        errors.push(line_error(
            header_line,
            table.headers.first().map(String::as_str),
            "la première colonne s'appelle « Indicateur » ; les suivantes sont des années (exemple : 2019)",
        ));
        return Err(errors);
    }
    let mut years = Vec::new();
    for header in &table.headers[1..] {
        match header.trim().parse::<i32>() {
            Ok(year) if (2000..current_year).contains(&year) && !years.contains(&year) => {
                years.push(year)
            }
            Ok(year) if years.contains(&year) => {
                errors.push(line_error(header_line, Some(header), "année en double"))
            }
            _ => errors.push(line_error(
                header_line,
                Some(header),
                format!(
                    "une année passée, de 2000 à {}, en quatre chiffres",
                    current_year - 1
                ),
            )),
        }
    }
    if years.is_empty() && errors.is_empty() {
        errors.push(line_error(header_line, None, "aucune colonne d'année"));
    }
    let mut counts = BTreeMap::new();
    let mut seen = Vec::new();
    for (line, cells) in &table.rows {
        let label = cells.first().map(String::as_str).unwrap_or_default();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some((_, code)) = INDICATORS
            .iter()
            .chain(FORMER_LABELS.iter())
            .find(|(name, _)| folded(name) == folded(label))
        else {
            errors.push(line_error(
                *line,
                Some("Indicateur"),
                format!(
                    "« {} » n'est pas un indicateur de la grille ({})",
                    label.chars().take(60).collect::<String>(),
                    INDICATORS.map(|(name, _)| name).join(", ")
                ),
            ));
            continue;
        };
        if seen.contains(code) {
            errors.push(line_error(
                *line,
                Some("Indicateur"),
                "indicateur en double",
            ));
            continue;
        }
        seen.push(code);
        for (index, year) in years.iter().enumerate() {
            let cell = cells.get(index + 1).map(|c| c.trim()).unwrap_or_default();
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<i64>() {
                Ok(count) if (0..=1_000_000).contains(&count) => {
                    counts.insert((*year, *code), count);
                }
                _ => errors.push(line_error(
                    *line,
                    Some(&year.to_string()),
                    format!("« {cell} » n'est pas un nombre entier positif"),
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(counts)
    } else {
        Err(errors)
    }
}

/// Writes a checked grid for a post, replacing the years it holds; refuses (writing nothing)
/// a year Passerelle already computes for the post.
pub async fn import(
    db: &Db,
    post_id: &str,
    counts: &BTreeMap<(i32, &'static str), i64>,
    source_file: &str,
    by: &str,
    entry: Entry,
) -> Result<Result<usize, Vec<LineError>>, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut errors = Vec::new();
    let years: std::collections::BTreeSet<i32> = counts.keys().map(|(year, _)| *year).collect();
    for year in &years {
        let (computed,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM activity_rollups WHERE post_id = $1 AND month >= $2 AND month <= $3",
        )
        .bind(post_id)
        .bind(format!("{year:04}-01"))
        .bind(format!("{year:04}-12"))
        .fetch_one(&mut *tx)
        .await?;
        if computed > 0 {
            errors.push(line_error(
                1,
                Some(&year.to_string()),
                "Passerelle calcule déjà cette année pour ce poste : seules les années d'avant s'importent",
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let at = now_text();
    for year in &years {
        sqlx::query("DELETE FROM legacy_activity WHERE post_id = $1 AND year = $2")
            .bind(post_id)
            .bind(i64::from(*year))
            .execute(&mut *tx)
            .await?;
    }
    for ((year, code), count) in counts {
        sqlx::query(
            "INSERT INTO legacy_activity (post_id, year, indicator, count, source_file, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(post_id)
        .bind(i64::from(*year))
        .bind(*code)
        .bind(*count)
        .bind(source_file.chars().take(200).collect::<String>())
        .bind(by)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Ok(counts.len()))
}

/// A declared count as the series show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LegacyCount {
    pub year: i64,
    pub indicator: String,
    pub count: i64,
}

/// The declared counts of a scope (the same conditions as the rollups' report), by year and
/// indicator, and where they came from: (file, imported at) of the latest import.
pub async fn of_scope(
    db: &Db,
    scope: &crate::statistics::rollup::ReportScope,
) -> Result<(Vec<LegacyCount>, Option<(String, String)>), StoreError> {
    let (condition, value) = scope.condition("l.post_id");
    let counts = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT l.year, l.indicator, CAST(SUM(l.count) AS BIGINT) AS count FROM legacy_activity l JOIN posts p ON p.id = l.post_id \
         WHERE {condition} GROUP BY l.year, l.indicator ORDER BY l.year"
    )))
    .bind(&value)
    .fetch_all(db.pool())
    .await?;
    let provenance = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT l.source_file, l.imported_at FROM legacy_activity l JOIN posts p ON p.id = l.post_id \
         WHERE {condition} ORDER BY l.imported_at DESC LIMIT 1"
    )))
    .bind(&value)
    .fetch_optional(db.pool())
    .await?;
    Ok((counts, provenance))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            header_line: 1,
            notices: Vec::new(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn a_grid_reads_years_and_indicators_whatever_the_accents() {
        let grid = table(
            &["Indicateur", "2019", "2020"],
            &[
                // The former label of a grid made before the glossary.
                &["saisines", "120", "134"],
                &["CLOTURES", "", "98"],
                &["", "", ""],
            ],
        );
        let counts = parse_grid(&grid, 2026).unwrap();
        assert_eq!(counts[&(2019, indicator::REFERRALS)], 120);
        assert_eq!(counts[&(2020, indicator::CLOSURES)], 98);
        assert_eq!(counts.len(), 3);
    }

    #[test]
    fn every_wrong_line_and_column_is_named_in_french() {
        let errors = parse_grid(&table(&["Année", "2019"], &[]), 2026).unwrap_err();
        assert_eq!(errors[0].line, 1);
        let errors = parse_grid(
            &table(
                &["Indicateur", "2019", "2019", "2031", "deux mille"],
                &[
                    &["Signalements", "12", "x", "", ""],
                    &["Appels", "3"],
                    &["Signalements", "1"],
                ],
            ),
            2026,
        )
        .unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|e| e.contains("« 2019 » : année en double")),
            "{text:?}"
        );
        assert!(text.iter().any(|e| e.contains("« 2031 »")), "{text:?}");
        assert!(
            text.iter().any(|e| e.contains("« deux mille »")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|e| e.starts_with("ligne 3") && e.contains("« Appels »")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|e| e.starts_with("ligne 4") && e.contains("en double")),
            "{text:?}"
        );
    }

    #[test]
    fn a_title_above_the_grid_is_stepped_over() {
        let grid = table(
            &["Activité du poste avant Passerelle"],
            &[&[""], &["Indicateur", "2019"], &["Signalements", "7"]],
        );
        let counts = parse_grid(&grid, 2026).unwrap();
        assert_eq!(counts[&(2019, indicator::REFERRALS)], 7);
        let wrong = table(&["Titre"], &[&["Indicateur", "2090"]]);
        assert!(
            parse_grid(&wrong, 2026).unwrap_err()[0]
                .to_string()
                .starts_with("ligne 2, colonne « 2090 »")
        );
    }

    #[test]
    fn counts_must_be_whole_and_positive() {
        for bad in ["-3", "2,5", "1e3", "9999999"] {
            let errors = parse_grid(
                &table(&["Indicateur", "2019"], &[&["Signalements", bad]]),
                2026,
            )
            .unwrap_err();
            assert_eq!(errors[0].column.as_deref(), Some("2019"), "{bad}");
        }
    }
}
