//! `passerelle stats verify | rebuild` as an operator runs them: exact figures pass, a
//! tampered cell is named with an exit code, a rebuild repairs it.

mod common;

use common::{passerelle, run};

#[test]
fn stats_verify_names_a_drifted_cell_and_rebuild_repairs_it() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    let (ok, _, stderr) =
        run(passerelle().args(["demo", "--data-dir", data, "--seed", "5", "--months", "1"]));
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = run(passerelle().args(["stats", "verify", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Statistiques exactes"), "{stdout}");

    // Someone (or a bug) inflates one published cell.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = passerelle_store::Db::open_sqlite_in(folder.path()).await.unwrap();
        passerelle_store::testing::execute(
            &db,
            "UPDATE activity_rollups SET count = count + 7 WHERE rowid = (SELECT MIN(rowid) FROM activity_rollups WHERE indicator = 'interviews')",
        )
        .await;
        db.close().await;
    });
    let (ok, _, stderr) = run(passerelle().args(["stats", "verify", "--data-dir", data]));
    assert!(!ok, "a drifted cell fails the verification");
    assert!(
        stderr.contains("interviews") && stderr.contains("publié"),
        "{stderr}"
    );
    assert!(stderr.contains("diffèrent du recomptage"), "{stderr}");
    assert!(!stderr.contains("panicked"));

    let (ok, stdout, stderr) = run(passerelle().args(["stats", "rebuild", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("recomptées"), "{stdout}");
    let (ok, stdout, stderr) = run(passerelle().args(["stats", "verify", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Statistiques exactes"), "{stdout}");
}
