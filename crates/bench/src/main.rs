//! The `passerelle-bench` binary: the benchmarks, with their demo data and HTTP load client,
//! outside the production binary `passerelle`. Figures go to docs/benchmarks.md.

mod bench;
mod bench_import;
mod bench_journal;
mod bench_report;
mod load_client;
mod soak;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "passerelle-bench",
    version,
    about = "Passerelle — mesures de performance (hors du binaire de production)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure throughput and insertion speed; prints ratios from one run.
    Bench(bench::BenchArgs),
    /// Measure the national annual report over years of national activity, against DuckDB.
    BenchReport(bench_report::BenchReportArgs),
    /// Measure an XLSX import at the import's bound: reading, dry run, writing.
    BenchImport(bench_import::BenchImportArgs),
    /// Measure the journal pages over millions of journal rows.
    BenchJournal(bench_journal::BenchJournalArgs),
    /// Run the production binary on a demo database: idle memory, then minutes of load.
    Soak(soak::SoakArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("erreur : impossible de démarrer le moteur d'exécution : {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Bench(args) => bench::run(args).await,
            Command::BenchReport(args) => bench_report::run(args).await,
            Command::BenchImport(args) => bench_import::run(args).await,
            Command::BenchJournal(args) => bench_journal::run(args).await,
            Command::Soak(args) => soak::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("erreur : {}", error_chain(&error));
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by PASSERELLE_LOG (default: warnings), as `passerelle` does.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("PASSERELLE_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("PASSERELLE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// One line, the causes joined, as `passerelle` prints its errors.
fn error_chain(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(" : ")
}
