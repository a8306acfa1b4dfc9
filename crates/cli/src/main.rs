//! The `passerelle` binary.

mod audit;
mod backup;
mod config;
mod config_file;
#[cfg(feature = "demo")]
mod demo;
mod keyfile;
mod logs;
mod purge;
mod rekey;
mod restore;
mod serve;
mod stats;
mod user;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "passerelle",
    version,
    about = "Passerelle — plateforme des intervenants sociaux en commissariat et gendarmerie"
)]
struct Cli {
    /// TOML file of settings: a key per PASSERELLE_* variable, named without the prefix in
    /// lower case (database_url = "…"). Flags and variables win over it. See docs/deploy.md.
    #[arg(long, global = true, env = config_file::CONFIG_VARIABLE, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Log level, e.g. info, warn, passerelle_web=debug.
    #[arg(long, global = true, env = "PASSERELLE_LOG", value_name = "FILTER")]
    log: Option<String>,

    /// Log lines as text, or as JSON objects (one a line, with the request id).
    #[arg(long, global = true, env = "PASSERELLE_LOG_FORMAT", value_enum, ignore_case = true, default_value_t = config::LogFormat::Text)]
    log_format: config::LogFormat,

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
    #[cfg(feature = "demo")]
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
    /// Check a TOML configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Read a configuration file as the server would; name the key and line of each problem.
    Check {
        /// The TOML file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut command = Cli::command();
    // The file is read before the command line, whose defaults its values become.
    if let Some(path) = config_file::path_in(&args) {
        match config_file::load(&path, &command) {
            Ok(file) => {
                for warning in &file.warnings {
                    eprintln!("attention : {warning}");
                }
                command = file.apply(command);
            }
            Err(problems) => {
                for problem in &problems {
                    eprintln!("erreur : {}, {problem}", path.display());
                }
                return ExitCode::FAILURE;
            }
        }
    }
    let cli = match Cli::from_arg_matches(&command.get_matches_from(args)) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    config::init_logging(cli.log.as_deref(), cli.log_format);
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
            #[cfg(feature = "demo")]
            Command::Demo(args) => demo::run(args).await,
            Command::Audit(args) => audit::run(args).await,
            Command::User(args) => user::run(args).await,
            Command::Rekey(args) => rekey::run(args).await,
            Command::Purge(args) => purge::run(args).await,
            Command::Stats(args) => stats::run(args).await,
            Command::Backup(args) => backup::run(args).await,
            Command::Restore(args) => restore::run(args).await,
            Command::Config(ConfigCommand::Check { file }) => check_config(&file),
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

/// `passerelle config check FILE`: every problem on its own line, then a failure.
fn check_config(path: &std::path::Path) -> anyhow::Result<()> {
    match config_file::load(path, &Cli::command()) {
        Ok(file) => {
            for warning in &file.warnings {
                eprintln!("attention : {warning}");
            }
            let keys: Vec<&str> = file.keys().map(String::as_str).collect();
            println!(
                "Configuration « {} » valide : {} clé(s){}{}.",
                path.display(),
                keys.len(),
                if keys.is_empty() { "" } else { " — " },
                keys.join(", ")
            );
            Ok(())
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{}, {problem}", path.display());
            }
            anyhow::bail!(
                "{} problème(s) dans le fichier de configuration « {} »",
                problems.len(),
                path.display()
            )
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
