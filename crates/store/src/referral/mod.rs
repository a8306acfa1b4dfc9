//! Referrals from the officers and the case files they open at the social worker's post.
//! Everything a person said or is (context, identities, safe contact, notes) is sealed; the
//! statuses, urgency, categories and dates stay clear for the officer's status view and for
//! the statistics.

pub mod case_work;
pub mod category;
mod inbox;
pub use inbox::{
    DayRow, INBOX_PAGE, InboxFilter, InboxRow, Named, PostDay, day_of_post, inbox, mark_opened,
    names_of_cases,
};
pub mod partner;
pub mod person;
pub mod record_journal;
pub mod referral_keys;
pub mod referrer;
pub mod retention;
pub mod subject_access;

use crate::db::time_text::now_text;
use crate::journal::read::Journaled;
use crate::journal::{Entry, append};
use crate::seal::{KeyRing, SealedColumn};
use crate::{Db, StoreError, WriteError};
use passerelle_domain::access::reads_note;
use passerelle_domain::ids::{AccountId, CaseId, PersonId, PostId, UnitId};
use passerelle_domain::referral::case::NoteVisibility;
use passerelle_domain::referral::danger::{DangerAssessment, DangerGridResult};
use passerelle_domain::referral::{
    ClosureOutcome, ReferralSource, ReferralStatus, Urgency, ValidReferral, check_transition,
};
use serde::{Deserialize, Serialize};

pub const CONTEXT: SealedColumn = SealedColumn {
    table: "cases",
    id_column: "id",
    column: "context_sealed",
};
pub const SAFE_CONTACT: SealedColumn = SealedColumn {
    table: "cases",
    id_column: "id",
    column: "safe_contact_sealed",
};
pub const PROCEDURE_REFERENCE: SealedColumn = SealedColumn {
    table: "cases",
    id_column: "id",
    column: "procedure_reference_sealed",
};
pub const IDENTITY: SealedColumn = SealedColumn {
    table: "case_persons",
    id_column: "id",
    column: "identity_sealed",
};
pub const NEXT_STEP: SealedColumn = SealedColumn {
    table: "cases",
    id_column: "id",
    column: "next_step_sealed",
};
/// The danger grid's whole result (with the number of alarm criteria), sealed with the facts.
pub const DANGER_ASSESSMENT: SealedColumn = SealedColumn {
    table: "cases",
    id_column: "id",
    column: "danger_assessment_sealed",
};
pub const NOTE: SealedColumn = SealedColumn {
    table: "case_notes",
    id_column: "id",
    column: "body_sealed",
};

fn seal(keys: &KeyRing, column: &SealedColumn, id: impl AsRef<str>, text: &str) -> Vec<u8> {
    keys.seal(text.as_bytes(), &column.associated_data(id.as_ref()))
}

fn open(
    keys: &KeyRing,
    column: &SealedColumn,
    id: impl AsRef<str>,
    sealed: &[u8],
) -> Result<String, StoreError> {
    let id = id.as_ref();
    keys.open_string(sealed, &column.associated_data(id))
        .map(|text| text.to_string())
        .map_err(|e| StoreError::Corrupt(format!("{}.{} {id} : {e}", column.table, column.column)))
}

/// The identity of a person of a case, sealed as one JSON value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub phone: Option<String>,
}

/// What a referral writes: the case, its persons and its first status.
pub struct NewReferral<'a> {
    pub id: CaseId,
    pub post_id: &'a PostId,
    /// The referring unit; none when the social worker opens the case directly.
    pub unit_id: Option<&'a UnitId>,
    pub referred_by: &'a AccountId,
    pub referral: &'a ValidReferral,
    /// The officer asked to be told of each status change by e-mail (status words only).
    pub notify_referrer: bool,
}

/// Records a referral in one transaction with its journal entry. Without consent only an
/// anonymous count is kept: a closed case without persons, context or contact.
pub async fn create_referral(
    db: &Db,
    keys: &KeyRing,
    new: &NewReferral<'_>,
    entry: Entry,
) -> Result<(), StoreError> {
    let referral = new.referral;
    let counted_only = referral.anonymous_count_only();
    let (status, outcome) = if counted_only {
        (ReferralStatus::Closed, Some(ClosureOutcome::NoFollowUp))
    } else {
        (ReferralStatus::Received, None)
    };
    let categories = referral.categories();
    let at = now_text();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO cases (id, post_id, referral_unit_id, referred_by, source, urgency, consent, status, closure_outcome, \
         context_sealed, safe_contact_sealed, procedure_reference_sealed, received_at, status_changed_at, created_at, notify_referrer, \
         danger_grid, danger_assessment_sealed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $14, $15, $16)",
    )
    .bind(&new.id)
    .bind(new.post_id)
    .bind(new.unit_id)
    .bind(new.referred_by)
    .bind(referral.source().code())
    .bind(referral.urgency().code())
    .bind(referral.consent() as i64)
    .bind(status.code())
    .bind(outcome.map(|o| o.code()))
    .bind((!counted_only).then(|| seal(keys, &CONTEXT, &new.id, referral.context())))
    .bind(referral.safe_contact().map(|contact| {
        let text = match contact.hours() {
            Some(hours) => format!("{} — {hours}", contact.channel().label()),
            None => contact.channel().label().to_string(),
        };
        seal(keys, &SAFE_CONTACT, &new.id, &text)
    }))
    .bind(referral.procedure_reference().filter(|_| !counted_only).map(|r| seal(keys, &PROCEDURE_REFERENCE, &new.id, r)))
    .bind(&at)
    .bind((new.notify_referrer && !counted_only) as i64)
    // An anonymous count keeps the result's code (it is counted), never the sealed detail.
    .bind(referral.danger().map(|danger| danger.result().code()))
    .bind(referral.danger().filter(|_| !counted_only).map(|danger| seal(keys, &DANGER_ASSESSMENT, &new.id, &danger.stored())))
    .execute(&mut *tx)
    .await?;
    category::write_of_case(&mut tx, &new.id, categories).await?;
    for person in referral.persons() {
        let id = uuid::Uuid::now_v7().to_string();
        let identity = (!counted_only).then(|| Identity {
            last_name: person.last_name().map(str::to_string),
            first_name: person.first_name().map(str::to_string),
            phone: person.phone().map(|p| p.as_str().to_string()),
        });
        sqlx::query("INSERT INTO case_persons (id, case_id, role, identity_sealed, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(&new.id)
            .bind(person.role().code())
            .bind(identity.as_ref().map(|identity| {
                seal(keys, &IDENTITY, &id, &serde_json::to_string(identity).unwrap_or_default())
            }))
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        if let Some(identity) = &identity {
            referral_keys::index_line(&mut tx, keys, new.post_id, &id, identity).await?;
        }
    }
    record_status(&mut tx, &new.id, status, new.referred_by, &at).await?;
    crate::statistics::rollup::refresh_case(&mut tx, new.id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The one place a status is recorded: its history line and, when the referring officer
/// asked for it, the e-mail announcing it. Call it inside the change's transaction, after it.
pub(crate) async fn record_status(
    connection: &mut sqlx::AnyConnection,
    case_id: &CaseId,
    status: ReferralStatus,
    by: &AccountId,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO case_status_history (id, case_id, status, at, by_account) VALUES ($1, $2, $3, $4, $5)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id)
        .bind(status.code())
        .bind(at)
        .bind(by)
        .execute(&mut *connection)
        .await?;
    crate::mail::outbox::queue_status_mail(connection, case_id.as_str(), by.as_str()).await
}

/// A referral as its officer sees it: when, how urgent, and its status. Never content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusRow {
    pub id: CaseId,
    pub received_at: String,
    pub urgency: Urgency,
    pub status: ReferralStatus,
    pub closure_outcome: Option<ClosureOutcome>,
    pub status_changed_at: String,
}

/// The referrals a unit sent, newest first.
pub async fn referrals_of_unit(
    db: &Db,
    unit_id: &str,
    // The account whose own referrals are listed apart, left out here.
    except_by: &str,
    limit: i64,
) -> Result<Vec<StatusRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, received_at, urgency, status, closure_outcome, status_changed_at FROM cases \
         WHERE referral_unit_id = $1 AND (referred_by IS NULL OR referred_by <> $2) \
         ORDER BY received_at DESC, id DESC LIMIT $3",
    )
    .bind(unit_id)
    .bind(except_by)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// A case file with its sealed fields.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: CaseId,
    pub post_id: PostId,
    pub referral_unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub source: Option<ReferralSource>,
    pub urgency: Urgency,
    /// Category codes in order, read after the row (`case_categories`).
    #[sqlx(skip)]
    pub categories: Vec<String>,
    pub consent: i64,
    pub status: ReferralStatus,
    pub closure_outcome: Option<ClosureOutcome>,
    pub context_sealed: Option<Vec<u8>>,
    pub safe_contact_sealed: Option<Vec<u8>>,
    pub procedure_reference_sealed: Option<Vec<u8>>,
    pub received_at: String,
    pub criminal: Option<i64>,
    pub next_step_sealed: Option<Vec<u8>>,
    pub next_step_on: Option<String>,
    /// The danger grid's result, clear (domestic violence only, when the officer gave it).
    pub danger_grid: Option<DangerGridResult>,
    pub danger_assessment_sealed: Option<Vec<u8>>,
}

impl CaseRow {
    /// Opens one sealed field of the case, under `read`, the journaled read of its post.
    fn opened(
        &self,
        keys: &KeyRing,
        column: &SealedColumn,
        value: &Option<Vec<u8>>,
        read: &Journaled,
    ) -> Result<Option<String>, StoreError> {
        read.covers(&self.post_id)?;
        value
            .as_deref()
            .map(|sealed| open(keys, column, &self.id, sealed))
            .transpose()
    }

    pub fn context(&self, keys: &KeyRing, read: &Journaled) -> Result<Option<String>, StoreError> {
        self.opened(keys, &CONTEXT, &self.context_sealed, read)
    }

    pub fn safe_contact(
        &self,
        keys: &KeyRing,
        read: &Journaled,
    ) -> Result<Option<String>, StoreError> {
        self.opened(keys, &SAFE_CONTACT, &self.safe_contact_sealed, read)
    }

    pub fn procedure_reference(
        &self,
        keys: &KeyRing,
        read: &Journaled,
    ) -> Result<Option<String>, StoreError> {
        self.opened(
            keys,
            &PROCEDURE_REFERENCE,
            &self.procedure_reference_sealed,
            read,
        )
    }

    /// The danger grid's whole result, opened under `read` like the facts.
    pub fn danger_assessment(
        &self,
        keys: &KeyRing,
        read: &Journaled,
    ) -> Result<Option<DangerAssessment>, StoreError> {
        self.opened(
            keys,
            &DANGER_ASSESSMENT,
            &self.danger_assessment_sealed,
            read,
        )?
        .map(|text| {
            DangerAssessment::from_stored(&text).map_err(|e| {
                StoreError::Corrupt(format!("cases.danger_assessment_sealed {} : {e}", self.id))
            })
        })
        .transpose()
    }

    pub fn next_step(
        &self,
        keys: &KeyRing,
        read: &Journaled,
    ) -> Result<Option<String>, StoreError> {
        self.opened(keys, &NEXT_STEP, &self.next_step_sealed, read)
    }
}

pub async fn find_case(db: &Db, id: &CaseId) -> Result<Option<CaseRow>, StoreError> {
    let found: Option<CaseRow> = sqlx::query_as(
        "SELECT c.id, c.post_id, c.referral_unit_id, u.name AS unit_name, c.source, c.urgency, c.consent, c.status, \
         c.closure_outcome, c.context_sealed, c.safe_contact_sealed, c.procedure_reference_sealed, c.received_at, c.criminal, c.next_step_sealed, c.next_step_on, \
         c.danger_grid, c.danger_assessment_sealed \
         FROM cases c LEFT JOIN units u ON u.id = c.referral_unit_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some(mut case) = found else {
        return Ok(None);
    };
    let mut connection = db.pool().acquire().await?;
    case.categories = category::of_case(&mut connection, &case.id).await?;
    Ok(Some(case))
}

/// A person line of a case: the identity the referral transmitted (if any) and, once the
/// social worker identified them, the post's person.
#[derive(Debug, Clone)]
pub struct CasePerson {
    pub id: String,
    pub role: String,
    pub transmitted: Identity,
    pub person_id: Option<PersonId>,
}

/// The person lines of a case, in the order they came, opened under `read`, the journaled
/// read of the case's post.
pub async fn persons_of(
    db: &Db,
    keys: &KeyRing,
    case_id: &CaseId,
    read: &Journaled,
) -> Result<Vec<CasePerson>, StoreError> {
    let rows: Vec<(String, String, Option<Vec<u8>>, Option<PersonId>, PostId)> = sqlx::query_as(
        "SELECT p.id, p.role, p.identity_sealed, p.person_id, c.post_id FROM case_persons p JOIN cases c ON c.id = p.case_id \
         WHERE p.case_id = $1 ORDER BY p.created_at, p.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, role, sealed, person_id, post_id)| {
            read.covers(&post_id)?;
            let transmitted = match sealed {
                Some(sealed) => serde_json::from_str(&open(keys, &IDENTITY, &id, &sealed)?)
                    .map_err(|e| StoreError::Corrupt(format!("identité {id} : {e}")))?,
                None => Identity::default(),
            };
            Ok(CasePerson {
                id,
                role,
                transmitted,
                person_id,
            })
        })
        .collect()
}

/// Whether `line_id` is a person line of the case still waiting to be identified (nothing
/// sealed is read).
pub async fn line_is_open(db: &Db, case_id: &CaseId, line_id: &str) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM case_persons WHERE case_id = $1 AND id = $2 AND person_id IS NULL",
    )
    .bind(case_id)
    .bind(line_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// The statuses of a case, oldest first: (status code, at).
pub async fn status_history(
    db: &Db,
    case_id: &CaseId,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT status, at FROM case_status_history WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?)
}

/// Moves a case to its next status (the closure with its outcome), checked in the write
/// transaction against the status it has then.
pub async fn move_case(
    db: &Db,
    case_id: &CaseId,
    next: ReferralStatus,
    outcome: Option<ClosureOutcome>,
    by: &AccountId,
    entry: Entry,
) -> Result<(), WriteError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE cases SET id = id WHERE id = $1")
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    let (current,): (String,) = sqlx::query_as("SELECT status FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
    let current =
        ReferralStatus::parse(&current).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    check_transition(current, next)?;
    if next == ReferralStatus::Closed && outcome.is_none() {
        return Err(passerelle_domain::ParseError::new(
            "issue",
            "choisissez l'issue de la clôture",
        )
        .into());
    }
    let at = now_text();
    // A contact with the person (or the attempt) dates the retention period.
    let contact = matches!(
        next,
        ReferralStatus::ContactAttempted | ReferralStatus::InContact
    );
    sqlx::query(
        "UPDATE cases SET status = $1, closure_outcome = $2, status_changed_at = $3, \
         last_contact_at = CASE WHEN $4 = 1 THEN $3 ELSE last_contact_at END WHERE id = $5",
    )
    .bind(next.code())
    .bind(
        outcome
            .filter(|_| next == ReferralStatus::Closed)
            .map(|o| o.code()),
    )
    .bind(&at)
    .bind(contact as i64)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    record_status(&mut tx, case_id, next, by, &at).await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A note as its reader sees it.
#[derive(Debug, Clone)]
pub struct Note {
    pub author: String,
    pub at: String,
    pub visibility: NoteVisibility,
    pub text: String,
}

/// The notes of a case `reader` may read (the policy's [`reads_note`]), opened under `read`,
/// the journaled read of the case's post; the others are never unsealed.
pub async fn notes_for(
    db: &Db,
    keys: &KeyRing,
    case_id: &CaseId,
    reader: &AccountId,
    read: &Journaled,
) -> Result<Vec<Note>, StoreError> {
    type NoteRow = (String, AccountId, String, String, String, Vec<u8>, PostId);
    let rows: Vec<NoteRow> = sqlx::query_as(
        "SELECT n.id, n.author_id, a.display_name, n.created_at, n.visibility, n.body_sealed, c.post_id \
         FROM case_notes n JOIN accounts a ON a.id = n.author_id JOIN cases c ON c.id = n.case_id \
         WHERE n.case_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let mut notes = Vec::new();
    for (id, author_id, author, at, visibility, sealed, post_id) in rows {
        read.covers(&post_id)?;
        let visibility =
            NoteVisibility::parse(&visibility).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if !reads_note(reader, &author_id, visibility) {
            continue;
        }
        notes.push(Note {
            author,
            at,
            visibility,
            text: open(keys, &NOTE, &id, &sealed)?,
        });
    }
    Ok(notes)
}

pub async fn add_note(
    db: &Db,
    keys: &KeyRing,
    case_id: &CaseId,
    author: &AccountId,
    visibility: NoteVisibility,
    text: &str,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    insert_note(&mut tx, keys, case_id, author, visibility, text).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a sealed note inside the caller's transaction.
pub(crate) async fn insert_note(
    connection: &mut sqlx::AnyConnection,
    keys: &KeyRing,
    case_id: &CaseId,
    author: &AccountId,
    visibility: NoteVisibility,
    text: &str,
) -> Result<(), StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO case_notes (id, case_id, author_id, visibility, body_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(case_id)
        .bind(author)
        .bind(visibility.code())
        .bind(seal(keys, &NOTE, &id, text))
        .bind(now_text())
        .execute(connection)
        .await?;
    Ok(())
}
