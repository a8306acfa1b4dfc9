//! Instants as stored are text of one width (`2026-12-04T23:15:00.120000Z`), so that SQL's
//! text order and comparisons are time order on both backends; migration 0026 rewrites the
//! instants written before in the old, shorter forms. On SQLite and PostgreSQL.

mod common;

use passerelle_store::Backend;
use passerelle_store::db::time_text::{instant_to_text, text_to_instant};
use passerelle_store::testing::{self, TestDb};
use time::OffsetDateTime;
use time::macros::datetime;

const SQLITE_MIGRATION: &str = include_str!("../migrations/sqlite/0026_fixed_width_instants.sql");
const POSTGRES_MIGRATION: &str =
    include_str!("../migrations/postgres/0026_fixed_width_instants.sql");

fn migration(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => SQLITE_MIGRATION,
        Backend::Postgres => POSTGRES_MIGRATION,
    }
}

/// Runs migration 0026 again on a database already migrated (it is idempotent).
async fn run_migration(test: &TestDb) {
    for statement in common::statements(migration(test.backend())) {
        testing::execute(&test.db, &statement).await;
    }
}

/// Runs the statement of migration 0026 that rewrites one column.
async fn run_column(test: &TestDb, table: &str, column: &str) {
    let head = format!("UPDATE {table} SET {column} = ");
    let statement = common::statements(migration(test.backend()))
        .into_iter()
        .find(|statement| statement.starts_with(&head))
        .unwrap();
    testing::execute(&test.db, &statement).await;
}

/// The (table, column) pairs the migration rewrites.
fn rewritten_columns() -> Vec<(String, String)> {
    common::statements(SQLITE_MIGRATION)
        .iter()
        .map(|statement| {
            let mut words = statement.split_whitespace();
            assert_eq!(words.next(), Some("UPDATE"), "{statement}");
            let table = words.next().unwrap().to_string();
            assert_eq!(words.next(), Some("SET"));
            (table, words.next().unwrap().to_string())
        })
        .collect()
}

/// The fixed width: date, time to the second, six fraction digits, `Z`.
fn is_fixed_width(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 27
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            19 => *b == b'.',
            26 => *b == b'Z',
            _ => b.is_ascii_digit(),
        })
}

/// The fixed-width text of an instant, written here independently of the store's writer.
fn fixed_text(instant: OffsetDateTime) -> String {
    let utc = instant.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
        utc.microsecond()
    )
}

/// Four instants within one second, in time order: .0, .1, .12, .120001.
fn within_one_second() -> [OffsetDateTime; 4] {
    let second = datetime!(2026-12-04 23:15:00 UTC);
    [0, 100_000_000, 120_000_000, 120_001_000].map(|n| second.replace_nanosecond(n).unwrap())
}

#[test]
fn instants_have_one_width_and_old_forms_still_parse() {
    for instant in within_one_second() {
        let text = instant_to_text(instant);
        assert!(is_fixed_width(&text), "{text}");
        assert_eq!(text_to_instant(&text).unwrap(), instant);
    }
    assert_eq!(
        instant_to_text(within_one_second()[2]),
        "2026-12-04T23:15:00.120000Z"
    );
    // Nanoseconds are cut (never rounded up): the text never comes after the instant.
    let nanos = datetime!(2026-12-04 23:15:00.123456789 UTC);
    assert_eq!(instant_to_text(nanos), "2026-12-04T23:15:00.123456Z");
    // Another offset is written in UTC.
    let paris = datetime!(2026-12-05 00:15:00.5 +1);
    assert_eq!(instant_to_text(paris), "2026-12-04T23:15:00.500000Z");
    // The forms written before still read.
    for (old, nanosecond) in [
        ("2026-12-04T23:15:00Z", 0),
        ("2026-12-04T23:15:00.1Z", 100_000_000),
        ("2026-12-04T23:15:00.123456789Z", 123_456_789),
    ] {
        let read = text_to_instant(old).unwrap();
        assert_eq!(
            read,
            datetime!(2026-12-04 23:15:00 UTC)
                .replace_nanosecond(nanosecond)
                .unwrap()
        );
    }
    assert!(text_to_instant("2026-12-04").is_err());
    assert!(text_to_instant("demain").is_err());
}

#[tokio::test]
async fn instants_within_one_second_sort_and_compare_in_sql() {
    for test in testing::all_backends().await {
        let instants = within_one_second();
        // Written in another order than time's.
        for index in [2, 0, 3, 1] {
            sqlx::query("INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ($1, 1, $2, $2)")
                .bind(format!("h{index}"))
                .bind(instant_to_text(instants[index]))
                .execute(test.db.pool())
                .await
                .unwrap();
        }
        let latest_first: Vec<(String,)> =
            sqlx::query_as("SELECT login_hash FROM login_failures ORDER BY updated_at DESC")
                .fetch_all(test.db.pool())
                .await
                .unwrap();
        let latest_first: Vec<String> = latest_first.into_iter().map(|(h,)| h).collect();
        assert_eq!(
            latest_first,
            ["h3", "h2", "h1", "h0"],
            "{:?}",
            test.backend()
        );
        for (index, instant) in instants.iter().enumerate() {
            let (before,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE updated_at < $1")
                    .bind(instant_to_text(*instant))
                    .fetch_one(test.db.pool())
                    .await
                    .unwrap();
            assert_eq!(
                before,
                index as i64,
                "{:?} before {instant}",
                test.backend()
            );
            let (still_locked,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE locked_until > $1")
                    .bind(instant_to_text(*instant))
                    .fetch_one(test.db.pool())
                    .await
                    .unwrap();
            assert_eq!(
                still_locked,
                3 - index as i64,
                "{:?} after {instant}",
                test.backend()
            );
        }
        // The text comparison the lockout makes in Rust agrees.
        for pair in instants.windows(2) {
            assert!(instant_to_text(pair[0]) < instant_to_text(pair[1]));
        }
        test.finish().await;
    }
}

#[tokio::test]
async fn the_migration_rewrites_old_forms_and_leaves_what_is_not_an_instant() {
    for test in testing::all_backends().await {
        let rows = [
            (
                "whole",
                "2026-12-04T23:15:00Z",
                "2026-12-04T23:15:00.000000Z",
            ),
            (
                "tenth",
                "2026-12-04T23:15:00.1Z",
                "2026-12-04T23:15:00.100000Z",
            ),
            (
                "hundredths",
                "2026-12-04T23:15:00.12Z",
                "2026-12-04T23:15:00.120000Z",
            ),
            (
                "nanos",
                "2026-12-04T23:15:00.120001999Z",
                "2026-12-04T23:15:00.120001Z",
            ),
            (
                "fixed",
                "2026-12-04T23:15:00.120002Z",
                "2026-12-04T23:15:00.120002Z",
            ),
            ("not an instant", "pas une date", "pas une date"),
            ("day", "2026-12-04", "2026-12-04"),
            (
                "empty fraction",
                "2026-12-04T23:15:00.Z",
                "2026-12-04T23:15:00.Z",
            ),
        ];
        for (hash, old, _) in rows {
            sqlx::query("INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ($1, 1, $2, $2)")
                .bind(hash)
                .bind(old)
                .execute(test.db.pool())
                .await
                .unwrap();
        }
        sqlx::query("INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ('never locked', 1, NULL, '2026-12-04T23:14:59.9Z')")
            .execute(test.db.pool())
            .await
            .unwrap();
        // Twice: a second run changes nothing.
        for _ in 0..2 {
            run_migration(&test).await;
            for (hash, _, new) in rows {
                let (locked_until, updated_at): (Option<String>, String) = sqlx::query_as(
                    "SELECT locked_until, updated_at FROM login_failures WHERE login_hash = $1",
                )
                .bind(hash)
                .fetch_one(test.db.pool())
                .await
                .unwrap();
                assert_eq!(
                    locked_until.as_deref(),
                    Some(new),
                    "{:?} {hash}",
                    test.backend()
                );
                assert_eq!(updated_at, new, "{:?} {hash}", test.backend());
            }
            let never: (Option<String>, String) = sqlx::query_as(
                "SELECT locked_until, updated_at FROM login_failures WHERE login_hash = 'never locked'",
            )
            .fetch_one(test.db.pool())
            .await
            .unwrap();
            assert_eq!(never, (None, "2026-12-04T23:14:59.900000Z".to_string()));
        }
        let latest_first: Vec<(String,)> = sqlx::query_as(
            "SELECT login_hash FROM login_failures WHERE length(updated_at) = 27 ORDER BY updated_at DESC",
        )
        .fetch_all(test.db.pool())
        .await
        .unwrap();
        let latest_first: Vec<&str> = latest_first.iter().map(|(h,)| h.as_str()).collect();
        assert_eq!(
            latest_first,
            [
                "fixed",
                "nanos",
                "hundredths",
                "tenth",
                "whole",
                "never locked"
            ],
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}

/// Every column named like an instant is rewritten by the migration, but the journal
/// (append-only, hash-chained) and the civil times of the presence slots.
#[tokio::test]
async fn the_migration_names_every_instant_column() {
    let test = testing::sqlite().await;
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND (p.name = 'at' OR p.name LIKE '%\\_at' ESCAPE '\\' OR p.name = 'locked_until') \
         ORDER BY 1, 2",
    )
    .fetch_all(test.db.pool())
    .await
    .unwrap();
    // Columns added after it are written in the fixed width from the start (0028's
    // `cases.opened_at`, by `now_text`, or copied from a rewritten column; 0030's forgotten
    // passwords and trusted devices, and 0034's scheduled runs, by `instant_to_text`).
    let not_rewritten = [
        ("cases", "opened_at"),
        ("journal", "at"),
        ("password_reset_requests", "requested_at"),
        ("password_resets", "created_at"),
        ("password_resets", "expires_at"),
        ("password_resets", "next_attempt_at"),
        ("password_resets", "sent_at"),
        ("password_resets", "used_at"),
        ("trusted_devices", "expires_at"),
        ("trusted_devices", "second_factor_at"),
        ("presence_slots", "ends_at"),
        ("presence_slots", "starts_at"),
        ("scheduled_runs", "started_at"),
        ("api_tokens", "created_at"),
        ("api_tokens", "expires_at"),
        ("api_tokens", "last_used_at"),
        ("api_tokens", "revoked_at"),
        // 0038's announcements and their reads, by `now_text`.
        ("network_announcement_reads", "read_at"),
        ("network_announcements", "created_at"),
    ];
    let mut expected: Vec<(String, String)> = columns
        .into_iter()
        .filter(|(t, c)| !not_rewritten.contains(&(t.as_str(), c.as_str())))
        .collect();
    let mut rewritten = rewritten_columns();
    expected.sort();
    rewritten.sort();
    assert_eq!(rewritten, expected);
    // Both files rewrite the same columns, in the same order.
    let postgres: Vec<String> = common::statements(POSTGRES_MIGRATION)
        .iter()
        .map(|s| {
            s.lines()
                .next()
                .unwrap()
                .split(" = ")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let sqlite: Vec<String> = common::statements(SQLITE_MIGRATION)
        .iter()
        .map(|s| {
            s.lines()
                .next()
                .unwrap()
                .split(" = ")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(postgres, sqlite);
    test.finish().await;
}

/// The demonstration data (registry, accounts, a month of case work): every instant it
/// holds is one the migration rewrites (none is left behind unparsed), and after it every
/// instant has the fixed width and the same time, to the microsecond.
#[tokio::test]
async fn every_instant_of_the_demo_data_is_rewritten_to_the_fixed_width() {
    for test in testing::all_backends().await {
        common::demo_activity(&test, 2).await;
        let mut values_before = 0;
        for (table, column) in rewritten_columns() {
            let select = format!("SELECT {column} FROM {table} WHERE {column} IS NOT NULL");
            let before: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(select.clone()))
                .fetch_all(test.db.pool())
                .await
                .unwrap();
            values_before += before.len();
            let mut expected: Vec<String> = before
                .into_iter()
                .map(|(value,)| {
                    let instant = text_to_instant(&value).unwrap_or_else(|_| {
                        panic!("{table}.{column}: « {value} » is not an instant")
                    });
                    fixed_text(instant)
                })
                .collect();
            run_column(&test, &table, &column).await;
            let mut after: Vec<String> =
                sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(select))
                    .fetch_all(test.db.pool())
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|(value,)| value)
                    .collect();
            expected.sort();
            after.sort();
            assert_eq!(after, expected, "{:?} {table}.{column}", test.backend());
            assert!(after.iter().all(|value| is_fixed_width(value)));
        }
        assert!(
            values_before > 100,
            "the demo data holds instants: {values_before}"
        );
        test.finish().await;
    }
}
