//! A journal page's rows as CSV for a spreadsheet (`;`, UTF-8 BOM, French headers), the
//! page's filters applied, the newest first, bounded; the export is itself journaled.

use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::downloads::{csv_download, french_csv};
use crate::http::error::{WebError, WebResult};
use crate::journal::filter::JournalQuery;
use crate::journal::pages::{Journal, filter_of};
use crate::journal::words::event_lines;
use axum::response::Response;
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::Entry;
use passerelle_store::journal::page::{self, Cursor};

/// Rows an export holds at most: the newest of the filter (narrow it for older ones).
pub const EXPORT_ROWS: usize = 50_000;
/// Rows read at a time.
const CHUNK: i64 = 1_000;

const HEADERS: [&str; 8] = [
    "N°",
    "Date (heure de Paris)",
    "Événement",
    "Par",
    "Rôle",
    "Sur",
    "Détail",
    "Adresse IP",
];

pub(crate) async fn export(
    state: &AppState,
    auth: &Authenticated,
    ip: Option<&str>,
    journal: Journal,
    query: JournalQuery,
) -> WebResult<Response> {
    let (filter, _) = match filter_of(state, &query).await? {
        Ok(filtered) => filtered,
        Err(errors) => {
            let messages: Vec<String> = errors.into_iter().map(|error| error.message).collect();
            return Err(WebError::BadRequest(messages.join(" ")));
        }
    };
    let mut csv = french_csv();
    csv.write_record(HEADERS).map_err(csv_error)?;
    let mut written = 0;
    let mut cursor = Cursor::Newest;
    loop {
        let wanted = CHUNK.min((EXPORT_ROWS - written) as i64);
        let found = page::page(&state.db, &journal.reach, &filter, cursor, wanted).await?;
        let last = found.rows.last().map(|row| row.seq);
        for line in event_lines(state, found.rows).await? {
            csv.write_record([
                line.seq.to_string(),
                line.at,
                line.action,
                line.actor,
                line.role.to_string(),
                line.target,
                line.detail,
                line.ip,
            ])
            .map_err(csv_error)?;
            written += 1;
        }
        match last {
            Some(seq) if found.older && written < EXPORT_ROWS => cursor = Cursor::Before(seq),
            _ => break,
        }
    }
    let body = csv
        .into_inner()
        .map_err(|error| WebError::Internal(anyhow::anyhow!("export du journal : {error}")))?;
    let filters = if query.is_filtered() {
        "filtré"
    } else {
        "sans filtre"
    };
    let entry = Entry::new(JournalAction::Export)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .detail(format!(
            "{} ({filters}) : {written} ligne(s)",
            journal.exported
        ))
        .from_ip(ip)
        .in_employer(journal.employer.as_deref())
        .in_post(journal.post.as_deref());
    passerelle_store::journal::record(&state.db, entry).await?;
    Ok(csv_download(
        &format!(
            "{}.csv",
            journal.path.trim_start_matches('/').replace('/', "-")
        ),
        body,
    ))
}

fn csv_error(error: csv::Error) -> WebError {
    WebError::Internal(anyhow::Error::new(error))
}
