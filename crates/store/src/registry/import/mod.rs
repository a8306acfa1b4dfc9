//! Imports into the registry (employers, posts) from CSV, XLSX or ODS. Every line is checked
//! first; any error and nothing is written. A dry run reports what would happen. Re-importing
//! a file updates the rows it names instead of duplicating them.

mod columns;
mod posts;
mod registry;
pub mod values;

use crate::spreadsheet::{LineError, Table, cell};
use crate::{Db, StoreError};

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

    /// The word of the import form and of the template's file name.
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Units => "unites",
            ImportKind::Employers => "employeurs",
            ImportKind::Posts => "postes",
        }
    }

    /// The values a column accepts, as the template's drop-down lists offer them (French
    /// labels; codes and usual abbreviations are read too). Empty: free text.
    pub fn choices(self, column: &str) -> Vec<&'static str> {
        use passerelle_domain::registry::employer::EmployerKind;
        use passerelle_domain::registry::post::{PostStatus, Zone};
        use passerelle_domain::registry::unit::UnitKind;
        match (self, column) {
            (ImportKind::Units, "type") => UnitKind::ALL.iter().map(|k| k.label()).collect(),
            (ImportKind::Employers, "type") => {
                EmployerKind::ALL.iter().map(|k| k.label()).collect()
            }
            (ImportKind::Posts, "zone") => Zone::ALL.iter().map(|z| z.label()).collect(),
            (ImportKind::Posts, "statut") => PostStatus::ALL
                .iter()
                .filter(|s| **s != PostStatus::Closed)
                .map(|s| s.label())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// One line of the templates, a value per column of [`Self::columns`]: the post's names the
    /// employers' example, so the templates imported in order go in without an error.
    pub fn example(self) -> &'static [&'static str] {
        match self {
            // The one kind with no unit above it in the gendarmerie (see
            // `UnitKind::allowed_parents`): a line that stands alone.
            ImportKind::Units => &["Région de gendarmerie", "Région d'exemple", "01", "", ""],
            ImportKind::Employers => &["Association", "Association d'exemple", "01", ""],
            ImportKind::Posts => &[
                "",
                "Zone gendarmerie",
                "01",
                "Association d'exemple",
                "1",
                "En recrutement",
                "01/09/2025",
                "",
            ],
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
                    "Conseil départemental, Commune, Intercommunalité (EPCI) ou Association",
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
                    false,
                    "identifiant du poste (un nouvel import du même code met le poste à jour) ; sans code, le poste est reconnu par son employeur, son département et ses unités d'accueil",
                ),
                (
                    "zone",
                    true,
                    "Police, Gendarmerie ou Mixte (aussi : P, G, P/G, zone police…)",
                ),
                (
                    "departement",
                    true,
                    "code du département (« n° dépt » ; 1 est lu 01)",
                ),
                (
                    "employeur",
                    true,
                    "nom d'un employeur déjà enregistré dans ce département",
                ),
                (
                    "etp",
                    true,
                    "équivalent temps plein, de 0,1 à 1 : 1, 0,5, 100 %, 50 %",
                ),
                (
                    "statut",
                    true,
                    "pour un nouveau poste : En projet, Financé, En recrutement, Pourvu ou Vacant",
                ),
                ("date", true, "date du statut, jj/mm/aaaa"),
                (
                    "unites",
                    false,
                    "unités d'accueil du département, par leur nom, séparées par « ; » ou « , »",
                ),
            ],
        }
    }
}

/// Ends an import's transaction: its journal row (what it did, never the lines), the nation's
/// groupings counted again when posts or employers were updated (a zone, an employer or an
/// employer's type may have changed), the commit.
async fn finish_import(
    mut tx: crate::db::WriteTx,
    report: &mut ImportReport,
    by: &str,
    detail: String,
    regroup_when_updated: bool,
) -> Result<(), StoreError> {
    crate::journal::append(
        &mut tx,
        crate::journal::Entry::new(passerelle_domain::journal::JournalAction::RegistryImport)
            .by(by, None)
            .detail(detail),
    )
    .await?;
    if regroup_when_updated && report.updated > 0 {
        crate::statistics::rollup::regroup_nation(&mut tx).await?;
    }
    tx.commit().await?;
    report.written = true;
    Ok(())
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<LineError>,
    /// What was read differently from what the file says (an encoding, « 1 » for « 01 »).
    pub notices: Vec<String>,
    pub written: bool,
}

/// Checks every line, then writes everything in one transaction unless a line is wrong or
/// it is a dry run.
pub async fn import(
    db: &Db,
    kind: ImportKind,
    table: &Table,
    dry_run: bool,
    by: &str,
    // The importer's day (Paris): a post's step may not be dated after it.
    today: time::Date,
) -> Result<ImportReport, StoreError> {
    let table = columns::find_header(kind.columns(), table);
    let (positions, errors, mut notices) = columns::locate_columns(kind.columns(), &table);
    notices.splice(0..0, table.notices.iter().cloned());
    if !errors.is_empty() {
        return Ok(ImportReport {
            errors,
            notices,
            ..ImportReport::default()
        });
    }
    let mut report = match kind {
        ImportKind::Units => registry::import_units(db, &table, &positions, dry_run, by).await?,
        ImportKind::Employers => {
            registry::import_employers(db, &table, &positions, dry_run, by).await?
        }
        ImportKind::Posts => {
            posts::import_posts(db, &table, &positions, dry_run, by, today).await?
        }
    };
    notices.append(&mut report.notices);
    report.notices = notices;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spreadsheet::read_table;
    use proptest::prelude::*;

    #[test]
    fn csv_lines_are_numbered_and_latin1_is_decoded_with_a_notice() {
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
        let latin1 = read_table("a.csv", b"type;nom\nassociation;Vall\xe9e\n").unwrap();
        assert_eq!(latin1.rows[0].1[1], "Vallée");
        assert!(latin1.notices[0].contains("Windows-1252"));
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

    /// What a refused file says: French, naming the file or the line.
    fn is_french_refusal(error: &LineError) -> bool {
        let text = error.to_string();
        (text.starts_with("fichier ") || text.starts_with("ligne "))
            && error
                .reason
                .chars()
                .any(|c| "éèàçêô«".contains(c) || c == ' ')
    }

    fn workbook() -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (column, header) in ["code", "zone", "departement", "etp"].iter().enumerate() {
            sheet.write_string(0, column as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "ISCG-01-001").unwrap();
        sheet.write_string(1, 1, "Gendarmerie").unwrap();
        sheet.write_number(1, 2, 1).unwrap();
        sheet.write_number(1, 3, 0.5).unwrap();
        workbook.save_to_buffer().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn reading_random_bytes_never_panics_and_refuses_in_french(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
            extension in "(csv|xlsx|ods)",
            zip_magic in any::<bool>(),
        ) {
            let mut bytes = bytes;
            if zip_magic {
                bytes.splice(0..0, *b"PK\x03\x04");
            }
            if let Err(error) = read_table(&format!("f.{extension}"), &bytes) {
                prop_assert!(is_french_refusal(&error), "{error}");
            }
        }

        #[test]
        fn a_damaged_workbook_never_panics_and_refuses_in_french(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
        ) {
            let mut bytes = workbook();
            for (at, value) in flips {
                let index = at.index(bytes.len());
                bytes[index] = value;
            }
            if let Err(error) = read_table("f.xlsx", &bytes) {
                prop_assert!(is_french_refusal(&error), "{error}");
            }
        }
    }
}
