//! Finding the columns of a coordinator's spreadsheet: the header may sit below title lines,
//! and its names are written in many ways (« n° dépt », « Département », « ETP »…).

use super::values::fold;
use super::{LineError, Table};
use std::collections::HashMap;

/// The usual names of a column, folded (see [`fold`]); the column's own name is accepted too.
fn variants(column: &str) -> &'static [&'static str] {
    match column {
        "code" => &[
            "code poste",
            "code du poste",
            "identifiant",
            "identifiant du poste",
            "id",
            "reference",
            "ref",
        ],
        "zone" => &[
            "zone de competence",
            "type de zone",
            "zone police/gendarmerie",
            "zone p/g",
        ],
        "departement" => &[
            "dept",
            "dep",
            "dpt",
            "depart",
            "code departement",
            "code dept",
            "departement (code)",
        ],
        "employeur" => &[
            "structure employeuse",
            "employeur du poste",
            "nom de l'employeur",
            "porteur",
            "structure porteuse",
        ],
        "etp" => &[
            "e.t.p.",
            "quotite",
            "quotite de travail",
            "temps de travail",
            "equivalent temps plein",
            "taux d'emploi",
        ],
        "statut" => &["etat", "situation", "statut du poste", "etat du poste"],
        "date" => &[
            "date du statut",
            "date d'effet",
            "date de creation",
            "date de creation du poste",
            "depuis le",
        ],
        "unites" => &[
            "unites d'accueil",
            "unite d'accueil",
            "unite",
            "unites hotes",
            "unite hote",
            "lieux d'accueil",
            "lieu d'accueil",
            "lieu d'exercice",
            "lieux d'exercice",
            "brigades",
            "commissariats",
        ],
        "type" => &["type d'employeur", "type d'unite", "nature", "categorie"],
        "nom" => &[
            "nom de l'unite",
            "nom de l'employeur",
            "libelle",
            "raison sociale",
            "denomination",
        ],
        "commune" => &[
            "code commune",
            "code insee",
            "insee",
            "commune (code insee)",
        ],
        "rattachement" => &[
            "unite de rattachement",
            "rattachee a",
            "parent",
            "unite parente",
        ],
        _ => &[],
    }
}

/// A header cell folded, with its usual prefixes and notes taken off: « N° dépt* » → « dept ».
fn header_key(header: &str) -> String {
    let mut key = fold(header).replace(['*', ':'], "");
    if let Some(open) = key.find(" (")
        && key.ends_with(')')
        && !variants_contain(&key)
    {
        key.truncate(open);
    }
    for prefix in [
        "n° ",
        "no ",
        "n ",
        "num ",
        "numero de ",
        "numero du ",
        "numero ",
        "code du ",
        "nom du ",
    ] {
        if let Some(rest) = key.strip_prefix(prefix)
            && !rest.is_empty()
        {
            key = rest.to_string();
            break;
        }
    }
    key.trim().to_string()
}

fn variants_contain(key: &str) -> bool {
    ["departement (code)", "commune (code insee)"].contains(&key)
}

/// The known column a header names, if any.
fn column_of(
    header: &str,
    columns: &'static [(&'static str, bool, &'static str)],
) -> Option<&'static str> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    columns
        .iter()
        .map(|(name, _, _)| *name)
        .find(|name| fold(name) == key || variants(name).contains(&key.as_str()))
}

/// Finds the header among the first lines (title lines above it are common): the first line
/// naming at least two known columns (or all of them). The table is rebased on it.
pub fn find_header(columns: &'static [(&'static str, bool, &'static str)], table: &Table) -> Table {
    let needed = columns.len().min(2);
    let candidates = std::iter::once((table.header_line, &table.headers)).chain(
        table
            .rows
            .iter()
            .take(10)
            .map(|(line, cells)| (*line, cells)),
    );
    for (index, (line, cells)) in candidates.enumerate() {
        let known = cells
            .iter()
            .filter(|c| column_of(c, columns).is_some())
            .count();
        if known >= needed {
            if index == 0 {
                return table.clone();
            }
            return Table {
                header_line: line,
                headers: cells.iter().map(|h| h.trim().to_lowercase()).collect(),
                rows: table.rows[index..].to_vec(),
                notices: table.notices.clone(),
            };
        }
    }
    table.clone()
}

/// Where each known column is, every problem of the header at once (a required column
/// missing, a column named twice), and a notice for each column left aside.
pub fn locate_columns(
    columns: &'static [(&'static str, bool, &'static str)],
    table: &Table,
) -> (HashMap<&'static str, usize>, Vec<LineError>, Vec<String>) {
    let mut positions = HashMap::new();
    let (mut errors, mut notices) = (Vec::new(), Vec::new());
    let line = table.header_line;
    for (index, header) in table.headers.iter().enumerate() {
        if header.trim().is_empty() {
            continue;
        }
        match column_of(header, columns) {
            Some(name) => {
                if positions.insert(name, index).is_some() {
                    errors.push(LineError {
                        line,
                        column: Some(header.clone()),
                        reason: format!("la colonne « {name} » est nommée deux fois"),
                    });
                }
            }
            None => notices.push(format!(
                "ligne {line} : colonne « {} » ignorée (colonnes reconnues : {})",
                header.chars().take(60).collect::<String>(),
                columns
                    .iter()
                    .map(|(n, _, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    for (name, required, _) in columns {
        if *required && !positions.contains_key(name) {
            errors.push(LineError {
                line,
                column: Some((*name).to_string()),
                reason: format!(
                    "colonne obligatoire absente (colonnes attendues : {})",
                    columns
                        .iter()
                        .map(|(n, _, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    (positions, errors, notices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::import::ImportKind;

    #[test]
    fn census_headers_are_recognised() {
        let columns = ImportKind::Posts.columns();
        for (header, expected) in [
            ("n° dépt", "departement"),
            ("N° DEPT", "departement"),
            ("Département", "departement"),
            ("dept", "departement"),
            ("ETP", "etp"),
            ("Unités d'accueil", "unites"),
            ("Statut du poste", "statut"),
            ("Employeur", "employeur"),
            ("Zone", "zone"),
        ] {
            assert_eq!(column_of(header, columns), Some(expected), "{header}");
        }
        assert_eq!(column_of("Observations", columns), None);
    }

    #[test]
    fn the_header_is_found_below_a_title() {
        let table = Table {
            header_line: 1,
            headers: vec!["recensement national des iscg".into()],
            rows: vec![
                (2, vec!["n° dépt".into(), "Zone".into(), "ETP".into()]),
                (3, vec!["1".into(), "G".into(), "100%".into()]),
            ],
            notices: Vec::new(),
        };
        let found = find_header(ImportKind::Posts.columns(), &table);
        assert_eq!(found.header_line, 2);
        assert_eq!(found.rows.len(), 1);
        assert_eq!(found.rows[0].0, 3);
    }
}
