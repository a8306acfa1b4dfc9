//! Status-change e-mails to referring officers: composed from the outbox (status words and
//! dates only, never what the case holds) and sent over SMTP, or written as `.eml` files in
//! a folder (demonstration, tests). Nothing here ever writes to the person.

use crate::clock::french_day_of;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use passerelle_store::outbox::{self, DueMail};
use passerelle_store::{Db, StoreError};
use std::path::PathBuf;

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
        })
    }

    pub fn folder(folder: PathBuf, from: &str, public_url: &str) -> Result<Self, String> {
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("dossier des courriels {} : {e}", folder.display()))?;
        Ok(Self {
            transport: Transport::Folder(AsyncFileTransport::<Tokio1Executor>::new(folder)),
            from: sender(from)?,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
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
pub fn status_mail_text(mail: &DueMail, public_url: &str) -> (String, String) {
    let status = crate::referral::status_words(&mail.status, mail.closure_outcome.as_deref());
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
    (subject, body)
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
}

/// Sends the messages due now; a failure is recorded on its row and retried later.
pub async fn deliver_due(db: &Db, mailer: &Mailer) -> Result<Delivery, StoreError> {
    let mut delivery = Delivery::default();
    let now = time::OffsetDateTime::now_utc();
    for mail in outbox::due(db, now, 100).await? {
        if !outbox::claim(db, &mail.id, now).await? {
            continue;
        }
        let (subject, body) = status_mail_text(&mail, &mailer.public_url);
        let message = mail
            .to_address
            .parse()
            .map_err(|e| format!("adresse « {} » : {e}", mail.to_address))
            .and_then(|to| {
                Message::builder()
                    .from(mailer.from.clone())
                    .to(Mailbox::new(Some(mail.to_name.clone()), to))
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body)
                    .map_err(|e| e.to_string())
            });
        match message {
            Ok(message) => match mailer.send(message).await {
                Ok(()) => {
                    outbox::mark_sent(db, &mail.id, now).await?;
                    delivery.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(mail = %mail.id, attempts = mail.attempts + 1, %error, "status e-mail not sent");
                    outbox::mark_failed(db, &mail, &error, now).await?;
                    delivery.failed += 1;
                }
            },
            Err(error) => {
                tracing::warn!(mail = %mail.id, %error, "status e-mail not composed");
                outbox::mark_failed(db, &mail, &error, now).await?;
                delivery.failed += 1;
            }
        }
    }
    Ok(delivery)
}

/// The server's mail task: a round every `every`, until the process ends.
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
        let (subject, body) = status_mail_text(&due("in_contact", None), "https://p.fr");
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
    fn a_closed_referral_is_announced_by_its_outcome() {
        let (subject, _) = status_mail_text(&due("closed", Some("oriented")), "https://p.fr");
        let words = crate::referral::status_words("closed", Some("oriented"));
        assert!(subject.ends_with(&words), "{subject}");
        assert_ne!(words, "—");
    }
}
