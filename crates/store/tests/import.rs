//! Imports into the registry on both backends: dry run, real run, re-import, and bad files
//! refused line by line with nothing written.

use passerelle_store::registry::import::{ImportKind, import};
use passerelle_store::spreadsheet::read_table;

/// The day the imports are run (their dates are checked against it).
fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}
use passerelle_store::registry::territory::{Referentials, load_referentials};
use passerelle_store::testing::{self, TestDb};

/// Referentials, and the account that imports (steps record who wrote them).
async fn ready(test: &TestDb) {
    load_referentials(&test.db, &Referentials::embedded().unwrap())
        .await
        .unwrap();
    testing::execute(&test.db, "INSERT INTO accounts (id, email, display_name, disabled, created_at) VALUES ('tester', 'import@exemple.fr', 'Import', 0, '2026-01-01T00:00:00Z')").await;
}

async fn count(test: &TestDb, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    n
}

const EMPLOYERS: &str = "type;nom;departement;commune\nassociation;CIDFF d'Ille-et-Vilaine;35;35238\nconseil_departemental;Département du Morbihan;56;\n";
const POSTS: &str = "code;zone;departement;employeur;etp;statut;date\nISCG-35-900;gendarmerie;35;CIDFF d'Ille-et-Vilaine;0,8;filled;01/09/2021\nISCG-56-900;police;56;Département du Morbihan;1;project;15/03/2026\n";

#[tokio::test]
async fn a_dry_run_writes_nothing_then_the_import_writes_and_a_reimport_updates() {
    for test in testing::all_backends().await {
        ready(&test).await;
        let employers = read_table("employeurs.csv", EMPLOYERS.as_bytes()).unwrap();
        let dry = import(
            &test.db,
            ImportKind::Employers,
            &employers,
            true,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert_eq!(
            (dry.created, dry.updated, dry.written, dry.errors.len()),
            (2, 0, false, 0)
        );
        assert_eq!(
            count(&test, "employers").await,
            0,
            "dry run on {:?}",
            test.backend()
        );
        let real = import(
            &test.db,
            ImportKind::Employers,
            &employers,
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert!(real.written);
        let again = import(
            &test.db,
            ImportKind::Employers,
            &employers,
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert_eq!((again.created, again.updated), (0, 2));
        assert_eq!(count(&test, "employers").await, 2, "no duplicate");

        // A step dated before 2000 or after today is refused, as on the post's page.
        let out_of_window = read_table(
            "postes.csv",
            "code;zone;departement;employeur;etp;statut;date\nISCG-35-901;gendarmerie;35;CIDFF d'Ille-et-Vilaine;1;filled;01/09/1999\nISCG-35-902;gendarmerie;35;CIDFF d'Ille-et-Vilaine;1;filled;01/09/2199\n".as_bytes(),
        )
        .unwrap();
        let refused = import(
            &test.db,
            ImportKind::Posts,
            &out_of_window,
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        let messages: Vec<String> = refused.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(refused.created, 0);
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("ligne 2, colonne « date »") && m.contains("2000"))
                && messages
                    .iter()
                    .any(|m| m.starts_with("ligne 3, colonne « date »")),
            "{messages:?}"
        );

        let posts = read_table("postes.csv", POSTS.as_bytes()).unwrap();
        let real = import(
            &test.db,
            ImportKind::Posts,
            &posts,
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert_eq!(
            (real.created, real.errors.len()),
            (2, 0),
            "{:?}",
            real.errors
        );
        let history = passerelle_store::registry::post::history(
            &test.db,
            &passerelle_store::registry::post::posts_in(
                &test.db,
                &passerelle_store::registry::post::PostScope::Departement("35".into()),
                None,
            )
            .await
            .unwrap()[0]
                .id
                .as_str(),
        )
        .await
        .unwrap();
        assert_eq!(history, [("filled".to_string(), "2021-09-01".to_string())]);
        let changed = POSTS.replace(";0,8;", ";0,5;");
        let again = import(
            &test.db,
            ImportKind::Posts,
            &read_table("postes.csv", changed.as_bytes()).unwrap(),
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert_eq!((again.created, again.updated), (0, 2));
        let (fte,): (f64,) = sqlx::query_as("SELECT fte FROM posts WHERE code = 'ISCG-35-900'")
            .fetch_one(test.db.pool())
            .await
            .unwrap();
        assert_eq!(fte, 0.5);
        test.finish().await;
    }
}

#[tokio::test]
async fn bad_files_are_refused_line_by_line_and_nothing_is_written() {
    for test in testing::all_backends().await {
        ready(&test).await;
        import(
            &test.db,
            ImportKind::Employers,
            &read_table("e.csv", EMPLOYERS.as_bytes()).unwrap(),
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        let (employers, posts, journal) = (
            count(&test, "employers").await,
            count(&test, "posts").await,
            count(&test, "journal").await,
        );

        let wrong_columns = import(
            &test.db,
            ImportKind::Employers,
            &read_table("e.csv", b"type;nom;region\nassociation;X;53\n").unwrap(),
            false,
            "t",
            today(),
        )
        .await
        .unwrap();
        // A column of its own is set aside (with a notice); a required one missing is an error.
        assert_eq!(
            wrong_columns.errors[0].to_string(),
            "ligne 1, colonne « departement » : colonne obligatoire absente (colonnes attendues : type, nom, departement, commune)"
        );
        assert!(wrong_columns.notices[0].contains("colonne « region » ignorée"));

        let bad_departement =
            "type;nom;departement\nassociation;A;35\nassociation;B;99\ncommune;C;2C\n";
        let report = import(
            &test.db,
            ImportKind::Employers,
            &read_table("e.csv", bad_departement.as_bytes()).unwrap(),
            false,
            "t",
            today(),
        )
        .await
        .unwrap();
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages.len(),
            2,
            "every bad line is reported: {messages:?}"
        );
        assert!(
            messages[0].starts_with(
                "ligne 3, colonne « departement » : « 99 » n'est pas un code de département"
            ),
            "{messages:?}"
        );
        assert!(messages[1].starts_with("ligne 4, colonne « departement »"));

        let duplicated = "code;zone;departement;employeur;etp;statut;date\nISCG-35-901;police;35;CIDFF d'Ille-et-Vilaine;1;funded;01/01/2026\nISCG-35-901;police;35;CIDFF d'Ille-et-Vilaine;1;funded;01/01/2026\n";
        let report = import(
            &test.db,
            ImportKind::Posts,
            &read_table("p.csv", duplicated.as_bytes()).unwrap(),
            false,
            "t",
            today(),
        )
        .await
        .unwrap();
        assert_eq!(
            report.errors[0].to_string(),
            "ligne 3, colonne « code » : poste « ISCG-35-901 » en double avec la ligne 2"
        );
        assert!(!report.written);

        let latin1 = b"type;nom;departement\nassociation;Soci\xe9t\xe9;35\n";
        // Not UTF-8: read as Windows-1252, and the person is told.
        let decoded = read_table("e.csv", latin1).unwrap();
        assert_eq!(decoded.rows[0].1[1], "Société");
        assert!(decoded.notices[0].contains("Windows-1252"));

        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (column, header) in ["type", "nom", "departement"].iter().enumerate() {
            sheet.write_string(0, column as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "association").unwrap();
        sheet.write_string(1, 1, "Association du classeur").unwrap();
        sheet.write_string(1, 2, "22").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let truncated = &bytes[..bytes.len() / 2];
        assert_eq!(
            read_table("e.xlsx", truncated).unwrap_err().to_string(),
            "fichier « e.xlsx » : classeur XLSX illisible (fichier tronqué ou abîmé)"
        );
        let whole = read_table("e.xlsx", &bytes).unwrap();
        assert_eq!(
            whole.rows[0].1,
            ["association", "Association du classeur", "22"]
        );

        assert_eq!(
            (
                count(&test, "employers").await,
                count(&test, "posts").await,
                count(&test, "journal").await
            ),
            (employers, posts, journal),
            "nothing written on {:?}",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn units_are_imported_under_their_parents_from_the_same_file() {
    for test in testing::all_backends().await {
        ready(&test).await;
        let file = "type;nom;departement;commune;rattachement\n\
                    region_gendarmerie;Région de test;35;;\n\
                    groupement;Groupement de test;35;35238;Région de test\n\
                    compagnie;Compagnie de test;35;;Groupement de test\n\
                    bta;Brigade de test;35;35047;Compagnie de test\n";
        let table = read_table("u.csv", file.as_bytes()).unwrap();
        let report = import(
            &test.db,
            ImportKind::Units,
            &table,
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert_eq!(
            (report.created, report.errors.len()),
            (4, 0),
            "{:?}",
            report.errors
        );
        let again = import(
            &test.db,
            ImportKind::Units,
            &table,
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert_eq!((again.created, again.updated), (0, 4), "re-import updates");
        let misplaced =
            "type;nom;departement;rattachement\nbrigade_proximite;BP;35;Compagnie de test\n";
        let report = import(
            &test.db,
            ImportKind::Units,
            &read_table("u.csv", misplaced.as_bytes()).unwrap(),
            false,
            "tester",
            today(),
        )
        .await
        .unwrap();
        assert!(report.errors[0].to_string().starts_with("ligne 2, colonne « rattachement » : une unité de type « Brigade de proximité » ne peut pas être rattachée"), "{:?}", report.errors);
        assert_eq!(count(&test, "units").await, 4);
        test.finish().await;
    }
}

/// The lines that error messages name are those of a text editor, blank lines, Windows line
/// ends and a name over two lines included (the reader counts them in one pass).
#[tokio::test]
async fn error_messages_name_the_lines_of_the_file_as_written() {
    let file = "type;nom;departement\r\n\r\nassociation;A;35\r\nassociation;\"B\nsur deux lignes\";99\n\n\n\ncommune;C;2C\n";
    for test in testing::all_backends().await {
        ready(&test).await;
        let report = import(
            &test.db,
            ImportKind::Employers,
            &read_table("e.csv", file.as_bytes()).unwrap(),
            false,
            "t",
            today(),
        )
        .await
        .unwrap();
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("ligne 4, colonne « departement » : « 99 »"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("ligne 9, colonne « departement » : « 2C »"),
            "{messages:?}"
        );
        test.finish().await;
    }
}
