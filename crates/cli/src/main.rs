//! The `passerelle` binary.

mod audit;
mod backup;
mod config;
mod demo;
mod keyfile;
mod purge;
mod rekey;
mod restore;
mod serve;
mod stats;
mod user;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "passerelle",
    version,
    about = "Passerelle — plateforme des intervenants sociaux en commissariat et gendarmerie"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (SQLite in the data folder by default, PostgreSQL with --database-url).
    Serve(Box<serve::ServeArgs>),
    /// Apply the database migrations and load the official referentials, then exit.
    Migrate(config::MigrateArgs),
    /// Fill an empty database with fictitious demonstration data.
    Demo(demo::DemoArgs),
    /// Check the tamper-evident journal.
    Audit(audit::AuditArgs),
    /// Manage accounts from the command line (the first administrator).
    User(user::UserArgs),
    /// Re-seal every sealed value under the newest key of the key file.
    Rekey(rekey::RekeyArgs),
    /// Erase the personal data of cases past retention (the server also does it daily).
    Purge(purge::PurgeArgs),
    /// Check the published statistics against a recount from the facts, or rebuild them.
    Stats(stats::StatsArgs),
    /// Write an encrypted, consistent backup of the database (while the server runs).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new data folder or an empty PostgreSQL database, then verify it.
    Restore(restore::RestoreArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    config::init_logging();
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
            Command::Serve(args) => serve::run(*args).await,
            Command::Migrate(args) => config::migrate(&args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Audit(args) => audit::run(args).await,
            Command::User(args) => user::run(args).await,
            Command::Rekey(args) => rekey::run(args).await,
            Command::Purge(args) => purge::run(args).await,
            Command::Stats(args) => stats::run(args).await,
            Command::Backup(args) => backup::run(args).await,
            Command::Restore(args) => restore::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, the causes joined: an operator reads it in a terminal or a journal.
            eprintln!("erreur : {}", error_chain(&error));
            ExitCode::FAILURE
        }
    }
}

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
