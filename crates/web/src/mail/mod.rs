//! E-mails: status changes to referring officers (status words and dates only, never what the
//! case holds), notices to a post's social workers when someone is proposed for, or given,
//! access to its cases, and the links of forgotten passwords (`password_reset`). Sent over
//! SMTP, or written as `.eml` files in a folder (demonstration, tests). Nothing here ever
//! writes to the person.

use crate::http::clock::french_day_of;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use passerelle_store::identity::case_access;
use passerelle_store::mail::outbox::{self, DueMail, Outbox};
use passerelle_store::{Db, StoreError};
use std::path::PathBuf;

pub mod password_reset;

/// Where messages go.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message.
    Folder(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Links in the messages point here.
    public_url: String,
    /// What computes the links of forgotten passwords; without it they wait in the outbox.
    keys: Option<std::sync::Arc<passerelle_store::seal::KeyRing>>,
}

fn sender(from: &str) -> Result<Mailbox, String> {
    from.parse::<Mailbox>()
        .map_err(|e| format!("expéditeur des courriels « {from} » invalide : {e}"))
}

impl Mailer {
    /// SMTP from an address such as `smtps://user:password@smtp.example.org:465` or
    /// `smtp://localhost:25` (see lettre's `from_url`).
    pub fn smtp(url: &str, from: &str, public_url: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("adresse du serveur de courriel invalide : {e}"))?
            .build();
        Ok(Self {
            transport: Transport::Smtp(transport),
            from: sender(from)?,
            public_url: public_url.trim_end_matches('/').to_string(),
            keys: None,
        })
    }

    pub fn folder(folder: PathBuf, from: &str, public_url: &str) -> Result<Self, String> {
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("dossier des courriels {} : {e}", folder.display()))?;
        Ok(Self {
            transport: Transport::Folder(AsyncFileTransport::<Tokio1Executor>::new(folder)),
            from: sender(from)?,
            public_url: public_url.trim_end_matches('/').to_string(),
            keys: None,
        })
    }

    /// The key ring the links of forgotten passwords are computed with (the server's).
    pub fn with_keys(mut self, keys: std::sync::Arc<passerelle_store::seal::KeyRing>) -> Self {
        self.keys = Some(keys);
        self
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Transport::Folder(folder) => folder
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

/// Subject and body of the announcement of a status change: the referral's day, its unit,
/// the status words the officer's list shows. Nothing else is known here.
/// A status the database does not know is an error (logged by the caller), never a message
/// announcing something else than what was recorded.
pub fn status_mail_text(
    mail: &DueMail,
    public_url: &str,
) -> crate::http::error::WebResult<(String, String)> {
    let status =
        crate::referral::stored_status_words(&mail.status, mail.closure_outcome.as_deref())?;
    let day = french_day_of(&mail.received_at);
    let unit = mail
        .unit_name
        .as_deref()
        .map(|name| format!(" ({name})"))
        .unwrap_or_default();
    let subject = format!("Passerelle — votre signalement du {day} : {status}");
    let body = format!(
        "Bonjour {name},\n\n\
         Le signalement que vous avez transmis le {day}{unit} est maintenant : {status}.\n\n\
         Passerelle ne communique que le statut : le suivi relève du secret professionnel \
         de l'intervenant social.\n\n\
         Les signalements de votre unité : {public_url}/signalements\n\n\
         Vous recevez ce message parce que vous l'avez demandé en transmettant le signalement.\n",
        name = mail.to_name,
    );
    Ok((subject, body))
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
}

/// One message to send, from either outbox.
struct Outgoing {
    outbox: Outbox,
    id: String,
    attempts: i64,
    to_address: String,
    to_name: String,
    subject: String,
    body: String,
}

/// Sends the messages due now; a failure is recorded on its row and retried later. One round
/// of the server's mail task (`deliver_forever`); a test calls it instead of waiting for one.
pub async fn deliver_due(db: &Db, mailer: &Mailer) -> Result<Delivery, StoreError> {
    let mut delivery = Delivery::default();
    // The database's clock: a test moves it past a failure's wait to see the retry.
    let now = db.clock().now();
    let mut outgoing = Vec::new();
    for mail in outbox::due(db, now, 100).await? {
        let (subject, body) = match status_mail_text(&mail, &mailer.public_url) {
            Ok(text) => text,
            // A corrupt row: logged and failed on its row (retried later, as a send error
            // is), the other messages go on.
            Err(error) => {
                tracing::error!(mail = %mail.id, %error, "status e-mail not written");
                if outbox::claim(db, Outbox::Status, &mail.id, now).await? {
                    let error = error.to_string();
                    outbox::mark_failed(db, Outbox::Status, (&mail.id, mail.attempts), &error, now)
                        .await?;
                    delivery.failed += 1;
                }
                continue;
            }
        };
        outgoing.push(Outgoing {
            outbox: Outbox::Status,
            id: mail.id,
            attempts: mail.attempts,
            to_address: mail.to_address,
            to_name: mail.to_name,
            subject,
            body,
        });
    }
    for notice in case_access::due_notices(db, &outbox::instant(now), 100).await? {
        let (subject, body) = access_notice_text(&notice, &mailer.public_url);
        outgoing.push(Outgoing {
            outbox: Outbox::Access,
            id: notice.id,
            attempts: notice.attempts,
            to_address: notice.to_address,
            to_name: notice.to_name,
            subject,
            body,
        });
    }
    if let Some(keys) = &mailer.keys {
        for reset in password_reset::due(db, now, 100).await? {
            let (subject, body) = password_reset::text(&reset, keys, &mailer.public_url);
            outgoing.push(Outgoing {
                outbox: Outbox::PasswordReset,
                id: reset.id,
                attempts: reset.attempts,
                to_address: reset.to_address,
                to_name: reset.to_name,
                subject,
                body,
            });
        }
    }
    for mail in outgoing {
        if !outbox::claim(db, mail.outbox, &mail.id, now).await? {
            continue;
        }
        let message = mail
            .to_address
            .parse()
            .map_err(|e| format!("adresse « {} » : {e}", mail.to_address))
            .and_then(|to| {
                Message::builder()
                    .from(mailer.from.clone())
                    .to(Mailbox::new(Some(mail.to_name.clone()), to))
                    .subject(mail.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body)
                    .map_err(|e| e.to_string())
            });
        let sent = match message {
            Ok(message) => mailer.send(message).await,
            Err(error) => Err(error),
        };
        match sent {
            Ok(()) => {
                outbox::mark_sent(db, mail.outbox, &mail.id, now).await?;
                delivery.sent += 1;
            }
            Err(error) => {
                tracing::warn!(mail = %mail.id, outbox = ?mail.outbox, attempts = mail.attempts + 1, %error, "e-mail not sent");
                outbox::mark_failed(db, mail.outbox, (&mail.id, mail.attempts), &error, now)
                    .await?;
                delivery.failed += 1;
            }
        }
    }
    Ok(delivery)
}

/// Subject and body of a notice to a post's social worker: who was proposed, or who can now
/// open the post's cases, by whom; the names and the period, nothing of any case.
pub fn access_notice_text(notice: &case_access::DueNotice, public_url: &str) -> (String, String) {
    let what = match (notice.kind.as_str(), &notice.starts_on, &notice.ends_on) {
        ("replacement", Some(starts), Some(ends)) => format!(
            "un remplacement sur le poste {} du {} au {}",
            notice.post_code,
            french_day_of(starts),
            french_day_of(ends)
        ),
        _ => format!("le rôle d'intervenant social du poste {}", notice.post_code),
    };
    let (subject, sentence) = if notice.event == "confirmed" {
        (
            format!(
                "Passerelle — {} peut désormais ouvrir les dossiers du poste {}",
                notice.grantee_name, notice.post_code
            ),
            format!(
                "{} a reçu {what}, proposé par {} et confirmé : cette personne peut désormais \
                 ouvrir les dossiers du poste.",
                notice.grantee_name, notice.proposer_name
            ),
        )
    } else {
        (
            format!(
                "Passerelle — accès aux dossiers du poste {} proposé pour {}",
                notice.post_code, notice.grantee_name
            ),
            format!(
                "{} propose que {} reçoive {what}. Cet accès n'est ouvert qu'après la \
                 confirmation d'une seconde personne : un intervenant social du poste ou le \
                 pilotage national. Si vous ne le reconnaissez pas, refusez-le.",
                notice.proposer_name, notice.grantee_name
            ),
        )
    };
    let body = format!(
        "Bonjour {name},\n\n{sentence}\n\n\
         Les accès au poste : {public_url}/postes/{post}#acces-dossiers\n\n\
         Vous recevez ce message parce que vous êtes intervenant social de ce poste : \
         chaque nouvel accès à ses dossiers vous est annoncé.\n",
        name = notice.to_name,
        post = notice.post_id,
    );
    (subject, body)
}

/// The server's mail task: a round every `every` (`--mail-interval-secs`, never zero), until
/// the process ends.
pub async fn deliver_forever(db: Db, mailer: Mailer, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match deliver_due(&db, &mailer).await {
            Ok(Delivery { sent: 0, failed: 0 }) => {}
            Ok(delivery) => tracing::info!(
                sent = delivery.sent,
                failed = delivery.failed,
                "status e-mails"
            ),
            Err(error) => tracing::error!(%error, "status e-mails: outbox unreadable"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(status: &str, outcome: Option<&str>) -> DueMail {
        DueMail {
            id: "m".into(),
            attempts: 0,
            to_address: "officier@interieur.gouv.fr".into(),
            to_name: "Claire Martin".into(),
            status: status.into(),
            closure_outcome: outcome.map(str::to_string),
            received_at: "2026-11-27T09:15:00Z".into(),
            unit_name: Some("Brigade de Pont-l'Abbé".into()),
        }
    }

    #[test]
    fn the_message_says_the_day_the_unit_and_the_status_words() {
        let (subject, body) = status_mail_text(&due("in_contact", None), "https://p.fr").unwrap();
        assert_eq!(
            subject,
            "Passerelle — votre signalement du 27/11/2026 : En contact"
        );
        assert!(
            body.contains(
                "transmis le 27/11/2026 (Brigade de Pont-l'Abbé) est maintenant : En contact."
            ),
            "{body}"
        );
        assert!(body.contains("https://p.fr/signalements"), "{body}");
    }

    #[test]
    fn an_unknown_status_announces_nothing() {
        assert!(status_mail_text(&due("egare", None), "https://p.fr").is_err());
        assert!(status_mail_text(&due("closed", Some("egare")), "https://p.fr").is_err());
    }

    #[test]
    fn a_closed_referral_is_announced_by_its_outcome() {
        let (subject, _) =
            status_mail_text(&due("closed", Some("oriented")), "https://p.fr").unwrap();
        let words = crate::referral::stored_status_words("closed", Some("oriented")).unwrap();
        assert!(subject.ends_with(&words), "{subject}");
        assert_ne!(words, "—");
    }
}
