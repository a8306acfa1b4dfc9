//! `passerelle user invite`: the first administrator of an installation (and any account,
//! when the web pages are not at hand) is invited from the command line.

use crate::config::{DatabaseArgs, open_and_migrate};
use anyhow::Context;
use clap::{Args, Subcommand};
use passerelle_domain::identity::account::{DisplayName, Email};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::AccountId;
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::{account, session};
use passerelle_store::journal::{self, Entry};

#[derive(Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Invite a person with a national role (admin or national); prints the invitation link.
    Invite {
        #[command(flatten)]
        database: DatabaseArgs,
        /// E-mail address (the login).
        #[arg(long)]
        email: String,
        /// Name shown in the interface.
        #[arg(long)]
        name: String,
        /// admin or national.
        #[arg(long, default_value = "admin")]
        role: String,
        /// The address people reach Passerelle at, for the link.
        #[arg(
            long,
            env = "PASSERELLE_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// Key file (default: passerelle.key in the data folder, created if missing): its
        /// current key signs the invitation's journal row.
        #[arg(long, env = "PASSERELLE_KEY_FILE")]
        key_file: Option<std::path::PathBuf>,
    },
}

pub async fn run(args: UserArgs) -> anyhow::Result<()> {
    let UserCommand::Invite {
        database,
        email,
        name,
        role,
        public_url,
        key_file,
    } = args.command;
    let email = Email::parse(&email)?;
    let name = DisplayName::parse(&name)?;
    let role = Role::parse(&role)?;
    anyhow::ensure!(
        matches!(role, Role::Admin | Role::National),
        "rôle : seuls admin et national s'invitent en ligne de commande ; les autres rôles se donnent depuis la page « Comptes »"
    );
    let key_file = crate::keyfile::key_file_path(key_file.as_deref(), &database);
    let db = open_and_migrate(&database).await?;
    let keys =
        crate::keyfile::open_key_ring(&db, &key_file, crate::keyfile::Missing::CreateIfEmpty)
            .await?;
    let db = db.with_journal_key(keys.journal_key());
    anyhow::ensure!(
        account::find_by_email(&db, email.as_str()).await?.is_none(),
        "adresse électronique : un compte existe déjà avec {}",
        email.as_str()
    );
    let (token, token_hash) = session::new_token();
    let expires = passerelle_store::db::time_text::instant_to_text(
        time::OffsetDateTime::now_utc() + time::Duration::days(7),
    );
    let mut tx = db.begin_write().await?;
    let id = account::invite(
        &mut tx,
        email.as_str(),
        name.as_str(),
        None,
        &token_hash,
        &expires,
    )
    .await?;
    account::grant_role(&mut tx, &AccountId::new(&id), role, None).await?;
    journal::append(
        &mut tx,
        Entry::new(JournalAction::AccountInvited)
            .on("account", &id)
            .detail("ligne de commande"),
    )
    .await?;
    tx.commit()
        .await
        .context("enregistrement de l'invitation")?;
    db.close().await;
    println!(
        "Invitation créée pour {} ({}), valable 7 jours :",
        email.as_str(),
        role.label()
    );
    println!("{}/invitation/{token}", public_url.trim_end_matches('/'));
    Ok(())
}
