//! Schema parity: the SQLite and the PostgreSQL migrations build the same schema.
//!
//! The two migration folders are kept in lockstep by hand, so the test compares what they
//! build, in full and not by names only: every table and column with its type, nullability,
//! default and place, the primary keys, the unique constraints, every index (columns in
//! order, unique, partial predicate), the foreign keys and their actions, the CHECK
//! constraints, the triggers and the views. Each backend's catalogue is read into one
//! vocabulary ([`Schema`]); what differs only because the engines differ is normalised where
//! it is read, with the reason beside it. A failure lists every difference, one a line.

use passerelle_store::testing::{self, TestDb};
use passerelle_store::{Backend, Db};
use std::collections::{BTreeMap, BTreeSet};

/// One backend's schema in a common vocabulary: for each kind of object, its key (what
/// names it across backends) and its description (what must be equal).
#[derive(Debug, Default, Clone)]
struct Schema(BTreeMap<&'static str, BTreeMap<String, String>>);

impl Schema {
    fn add(&mut self, kind: &'static str, key: impl Into<String>, description: impl Into<String>) {
        let key = key.into();
        let entries = self.0.entry(kind).or_default();
        // Two objects under one key (two identical foreign keys, say) stay two.
        let mut unique = key.clone();
        let mut n = 1;
        while entries.contains_key(&unique) {
            n += 1;
            unique = format!("{key} #{n}");
        }
        entries.insert(unique, description.into());
    }

    fn count(&self, kind: &str) -> usize {
        self.0.get(kind).map_or(0, BTreeMap::len)
    }

    fn remove(&mut self, kind: &str, key: &str) -> Option<String> {
        self.0.get_mut(kind)?.remove(key)
    }
}

/// Every difference between the two schemas, one readable line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let empty = BTreeMap::new();
    let kinds: BTreeSet<&str> = sqlite.0.keys().chain(postgres.0.keys()).copied().collect();
    let mut lines = Vec::new();
    for kind in kinds {
        let left = sqlite.0.get(kind).unwrap_or(&empty);
        let right = postgres.0.get(kind).unwrap_or(&empty);
        let keys: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
        for key in keys {
            match (left.get(key), right.get(key)) {
                (Some(l), None) => lines.push(format!("{kind} {key}: only in SQLite ({l})")),
                (None, Some(r)) => lines.push(format!("{kind} {key}: only in PostgreSQL ({r})")),
                (Some(l), Some(r)) if l != r => {
                    lines.push(format!("{kind} {key}: SQLite `{l}` ≠ PostgreSQL `{r}`"))
                }
                _ => {}
            }
        }
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// The common vocabulary

/// A column's type in one vocabulary. SQLite keeps the declared type's text; the codebase
/// declares TEXT (also for dates, timestamps and ids), BIGINT or INTEGER (also for booleans,
/// 0/1), DOUBLE PRECISION and BLOB. In SQLite every integer type is 64 bits, so INTEGER and
/// BIGINT both mean PostgreSQL's `bigint`; PostgreSQL's `integer` (32 bits) and `smallint`
/// stay apart, as they would refuse values SQLite accepts.
fn sqlite_type(declared: &str) -> String {
    let declared = declared.trim().to_ascii_lowercase();
    let declared = declared.split_whitespace().collect::<Vec<_>>().join(" ");
    match declared.as_str() {
        "integer" | "bigint" | "int" | "int8" => "bigint".into(),
        "text" => "text".into(),
        "blob" => "bytea".into(),
        "double precision" | "double" | "real" | "float" | "float8" => "double precision".into(),
        "" => "(no declared type)".into(),
        other => other.into(),
    }
}

fn postgres_type(data_type: &str) -> String {
    match data_type {
        "bigint" | "text" | "bytea" | "double precision" => data_type.into(),
        "integer" => "integer (32 bits)".into(),
        "smallint" => "smallint (16 bits)".into(),
        other => other.into(),
    }
}

/// A foreign key's action (SQLite spells it out, PostgreSQL keeps one letter).
fn postgres_action(code: &str) -> &'static str {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => "?",
    }
}

/// The tokens of an SQL text: words lowercased (quoted identifiers unquoted), string
/// literals kept whole, operators grouped, comments dropped.
fn tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i = (i + 1).min(chars.len());
            out.push(chars[start..i].iter().collect());
        } else if c == '"' || c == '`' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else if "<>=!~+-*/|%&:".contains(c) {
            let start = i;
            while i < chars.len() && "<>=!~+-*/|%&:".contains(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

fn is_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// An expression (CHECK, index predicate, default) in one spelling. PostgreSQL stores its
/// own rewrite of what the migration said: casts on every literal (`'role'::text`), `IN (…)`
/// as `= ANY (ARRAY[…])`, `LIKE` as `~~`, `!=` as `<>`, and parentheses around every term.
/// Casts are dropped, the operators spelt one way, and the parentheses left out (both sides
/// come from the same migration text, so a difference of grouping alone is not expected).
fn normalise_expression(sql: &str) -> String {
    let tokens = tokens(sql);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        i += 1;
        match token {
            "(" | ")" | "[" | "]" => {}
            "::" => {
                // The cast's type: one word, or two for `character varying`, `double precision`…
                if tokens.get(i).is_some_and(|t| is_word(t)) {
                    i += 1;
                }
                while tokens
                    .get(i)
                    .is_some_and(|t| matches!(t.as_str(), "varying" | "precision" | "zone"))
                {
                    i += 1;
                }
                while tokens.get(i).is_some_and(|t| t == "[" || t == "]") {
                    i += 1;
                }
            }
            "!=" => out.push("<>".into()),
            "~~" => out.push("like".into()),
            "!~~" => out.push("not like".into()),
            _ => out.push(token.to_string()),
        }
    }
    out.join(" ")
        .replace("= any array", "in")
        .replace("<> all array", "not in")
}

/// The CHECK constraints in a `CREATE TABLE` text, each as its tokens between the parentheses.
fn sqlite_checks(create_table: &str) -> Vec<String> {
    let tokens = tokens(create_table);
    let mut checks = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if token != "check" || tokens.get(at + 1).map(String::as_str) != Some("(") {
            continue;
        }
        let mut depth = 0;
        let mut end = at + 1;
        for (offset, t) in tokens[at + 1..].iter().enumerate() {
            match t.as_str() {
                "(" => depth += 1,
                ")" => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = at + 1 + offset;
                break;
            }
        }
        checks.push(tokens[at + 2..end].join(" "));
    }
    checks
}

/// A CHECK constraint: its normalised text is its key, the columns it reads its description.
fn add_check(schema: &mut Schema, table: &str, columns: &BTreeSet<String>, text: &str) {
    let text = normalise_expression(text);
    let read: BTreeSet<String> = tokens(&text)
        .into_iter()
        .filter(|t| columns.contains(t))
        .collect();
    let read: Vec<String> = read.into_iter().collect();
    schema.add(
        "check",
        format!("{table}: {text}"),
        format!("reads {}", read.join(", ")),
    );
}

/// An index: its name is its key (both backends keep the name the migration gives).
struct Index {
    table: String,
    unique: bool,
    /// Key columns in order; an expression column is `<expression>` (SQLite's catalogue does
    /// not keep an index column's expression text apart).
    columns: Vec<String>,
    predicate: Option<String>,
}

/// One key column of an index: its name, or `<expression>`, and DESC if it sorts downwards.
fn index_column(column: &Option<String>, descending: i64) -> String {
    let column = column.clone().unwrap_or_else(|| "<expression>".into());
    if descending == 1 {
        format!("{column} DESC")
    } else {
        column
    }
}

impl Index {
    fn describe(&self) -> String {
        format!(
            "{}ON {} ({}){}",
            if self.unique { "UNIQUE " } else { "" },
            self.table,
            self.columns.join(", "),
            self.predicate
                .as_ref()
                .map(|p| format!(" WHERE {}", normalise_expression(p)))
                .unwrap_or_default()
        )
    }
}

/// A column: type, nullability, default.
fn describe_column(kind: &str, nullable: bool, default: Option<&str>) -> String {
    format!(
        "{kind} {}{}",
        if nullable { "NULL" } else { "NOT NULL" },
        default
            .map(|d| format!(" DEFAULT {}", normalise_expression(d)))
            .unwrap_or_default()
    )
}

/// A trigger: when it fires, on what event, for which updated columns, and whether it has
/// a WHEN condition (its body is the backend's own language and is not compared).
fn describe_trigger(timing: &str, event: &str, update_of: &BTreeSet<String>, when: bool) -> String {
    let mut text = format!(
        "{} {} FOR EACH ROW",
        timing.to_uppercase(),
        event.to_uppercase()
    );
    if !update_of.is_empty() {
        let columns: Vec<&str> = update_of.iter().map(String::as_str).collect();
        text = format!(
            "{} {} OF {} FOR EACH ROW",
            timing.to_uppercase(),
            event.to_uppercase(),
            columns.join(", ")
        );
    }
    if when {
        text.push_str(" WHEN …");
    }
    text
}

// ---------------------------------------------------------------------------------------------
// SQLite's catalogue

async fn rows<T>(db: &Db, sql: &'static str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .fetch_all(db.pool())
        .await
        .unwrap_or_else(|error| panic!("catalogue query fails: {error}\n{sql}"))
}

/// pragma_table_info: table, cid, name, declared type, notnull, default, pk ordinal.
type SqliteColumn = (String, i64, String, String, i64, Option<String>, i64);
/// pragma_index_list × pragma_index_xinfo: table, index, unique, origin, desc, column, CREATE INDEX.
type SqliteIndexColumn = (
    String,
    String,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
);
/// pragma_foreign_key_list: table, id, seq, referenced table, from, to, on update, on delete.
type SqliteForeignKeyColumn = (
    String,
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
);

async fn sqlite_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<(String, String)> = rows(
        db,
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
    )
    .await;
    let without_rowid: BTreeSet<String> = tables
        .iter()
        .filter(|(_, sql)| tokens(sql).ends_with(&["without".into(), "rowid".into()]))
        .map(|(name, _)| name.clone())
        .collect();
    for (table, _) in &tables {
        schema.add("table", table, "");
    }

    let columns: Vec<SqliteColumn> = rows(
        db,
        "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk \
         FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' ORDER BY m.name, p.cid",
    )
    .await;
    let mut order: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut primary_keys: BTreeMap<&str, BTreeMap<i64, &str>> = BTreeMap::new();
    let mut names: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let pk_width: BTreeMap<&str, usize> = columns.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.0.as_str()).or_default() += usize::from(c.6 > 0);
        m
    });
    for (table, _, column, declared, not_null, default, pk) in &columns {
        let kind = sqlite_type(declared);
        // SQLite lets a PRIMARY KEY column hold NULL (a compatibility quirk it keeps), except
        // in a WITHOUT ROWID table and for an INTEGER PRIMARY KEY, the rowid itself.
        let rowid_alias =
            *pk > 0 && pk_width[table.as_str()] == 1 && declared.eq_ignore_ascii_case("integer");
        let nullable =
            *not_null == 0 && !(*pk > 0 && (without_rowid.contains(table) || rowid_alias));
        schema.add(
            "column",
            format!("{table}.{column}"),
            describe_column(&kind, nullable, default.as_deref()),
        );
        order.entry(table).or_default().push(column);
        names.entry(table).or_default().insert(column.clone());
        if *pk > 0 {
            primary_keys.entry(table).or_default().insert(*pk, column);
        }
    }
    for (table, columns) in order {
        schema.add("column order", table, columns.join(", "));
    }
    for (table, columns) in &primary_keys {
        let columns: Vec<&str> = columns.values().copied().collect();
        schema.add("primary key", *table, columns.join(", "));
    }

    // Indexes. SQLite makes one for each PRIMARY KEY (origin `pk`) and UNIQUE constraint
    // (origin `u`), named sqlite_autoindex_…, where PostgreSQL names them after the table:
    // the primary keys are compared above and the unique constraints by their columns;
    // indexes the migrations create (origin `c`) by their names.
    let index_columns: Vec<SqliteIndexColumn> = rows(
        db,
        "SELECT m.name, il.name, il.\"unique\", il.origin, ii.\"desc\", ii.name, s.sql \
         FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_xinfo(il.name) ii \
         LEFT JOIN sqlite_master s ON s.type = 'index' AND s.name = il.name \
         WHERE m.type = 'table' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND ii.key = 1 ORDER BY il.name, ii.seqno",
    )
    .await;
    let mut indexes: BTreeMap<&str, (Index, &str)> = BTreeMap::new();
    for (table, name, unique, origin, descending, column, sql) in &index_columns {
        let entry = indexes.entry(name).or_insert_with(|| {
            (
                Index {
                    table: table.clone(),
                    unique: *unique == 1,
                    columns: Vec::new(),
                    predicate: sql.as_deref().and_then(sqlite_index_predicate),
                },
                origin,
            )
        });
        entry.0.columns.push(index_column(column, *descending));
    }
    for (name, (index, origin)) in &indexes {
        match *origin {
            "pk" => {}
            "u" => schema.add(
                "unique constraint",
                format!("{} ({})", index.table, index.columns.join(", ")),
                "",
            ),
            _ => schema.add("index", *name, index.describe()),
        }
    }

    let foreign_keys: Vec<SqliteForeignKeyColumn> = rows(
        db,
        "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
         FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' ORDER BY m.name, f.id, f.seq",
    )
    .await;
    let mut grouped: BTreeMap<(&str, i64), Vec<_>> = BTreeMap::new();
    for row in &foreign_keys {
        grouped
            .entry((row.0.as_str(), row.1))
            .or_default()
            .push(row);
    }
    for ((table, _), parts) in grouped {
        let referenced = &parts[0].3;
        let from: Vec<&str> = parts.iter().map(|p| p.4.as_str()).collect();
        // `REFERENCES t` without columns means t's primary key.
        let to: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| match &p.5 {
                Some(column) => column.clone(),
                None => primary_keys
                    .get(referenced.as_str())
                    .and_then(|pk| pk.values().nth(i))
                    .map_or_else(|| "?".into(), |c| c.to_string()),
            })
            .collect();
        schema.add(
            "foreign key",
            format!(
                "{table} ({}) → {referenced} ({})",
                from.join(", "),
                to.join(", ")
            ),
            format!("ON DELETE {} ON UPDATE {}", parts[0].7, parts[0].6),
        );
    }

    for (table, sql) in &tables {
        for check in sqlite_checks(sql) {
            add_check(&mut schema, table, &names[table.as_str()], &check);
        }
    }

    let triggers: Vec<(String, String, String)> = rows(
        db,
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'",
    )
    .await;
    for (table, name, sql) in &triggers {
        schema.add("trigger", format!("{table}.{name}"), sqlite_trigger(sql));
    }
    let views: Vec<(String,)> =
        rows(db, "SELECT name FROM sqlite_master WHERE type = 'view'").await;
    for (view,) in views {
        schema.add("view", view, "");
    }
    schema
}

/// The WHERE clause of a `CREATE INDEX` text, if the index is partial.
fn sqlite_index_predicate(create_index: &str) -> Option<String> {
    let tokens = tokens(create_index);
    let mut depth = 0;
    for (at, token) in tokens.iter().enumerate() {
        match token.as_str() {
            "(" => depth += 1,
            ")" => depth -= 1,
            "where" if depth == 0 => return Some(tokens[at + 1..].join(" ")),
            _ => {}
        }
    }
    None
}

/// A `CREATE TRIGGER` text's header: `[BEFORE|AFTER|INSTEAD OF] event [OF columns] ON table
/// [FOR EACH ROW] [WHEN …] BEGIN`. SQLite's triggers are all FOR EACH ROW; BEFORE is the default.
fn sqlite_trigger(create_trigger: &str) -> String {
    let tokens = tokens(create_trigger);
    let mut at = tokens
        .iter()
        .position(|t| t == "trigger")
        .expect("CREATE TRIGGER")
        + 1;
    if tokens[at] == "if" {
        at += 3;
    }
    at += 1; // the name
    let timing = match tokens[at].as_str() {
        "before" | "after" => {
            at += 1;
            tokens[at - 1].clone()
        }
        "instead" => {
            at += 2;
            "instead of".into()
        }
        _ => "before".into(),
    };
    let event = tokens[at].clone();
    at += 1;
    let mut update_of = BTreeSet::new();
    if tokens[at] == "of" {
        at += 1;
        while tokens[at] != "on" {
            if tokens[at] != "," {
                update_of.insert(tokens[at].clone());
            }
            at += 1;
        }
    }
    let begin = tokens
        .iter()
        .position(|t| t == "begin")
        .unwrap_or(tokens.len());
    let when = tokens[at..begin].iter().any(|t| t == "when");
    describe_trigger(&timing, &event, &update_of, when)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL's catalogue

/// pg_index: table, index, unique, predicate, desc, column (None for an expression).
type PostgresIndexColumn = (String, String, i64, Option<String>, i64, Option<String>);
/// pg_constraint (f): table, name, referenced table, ordinal, column, referenced column,
/// on delete, on update.
type PostgresForeignKeyColumn = (String, String, String, i64, String, String, String, String);

async fn postgres_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<(String,)> = rows(
        db,
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name NOT LIKE '\\_sqlx%'",
    )
    .await;
    for (table,) in &tables {
        schema.add("table", table, "");
    }

    let columns: Vec<(String, String, String, String, Option<String>)> = rows(
        db,
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text, \
                c.column_default::text \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
         AND c.table_name NOT LIKE '\\_sqlx%' ORDER BY c.table_name, c.ordinal_position",
    )
    .await;
    let mut order: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut names: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (table, column, data_type, nullable, default) in &columns {
        schema.add(
            "column",
            format!("{table}.{column}"),
            describe_column(
                &postgres_type(data_type),
                nullable == "YES",
                default.as_deref(),
            ),
        );
        order.entry(table).or_default().push(column);
        names.entry(table).or_default().insert(column.clone());
    }
    for (table, columns) in order {
        schema.add("column order", table, columns.join(", "));
    }

    let keys: Vec<(String, String, String, i64, String)> = rows(
        db,
        "SELECT t.relname::text, con.contype::text, con.conname::text, k.ord::bigint, a.attname::text \
         FROM pg_constraint con \
         JOIN pg_class t ON t.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '\\_sqlx%' AND con.contype IN ('p', 'u') \
         ORDER BY t.relname, con.conname, k.ord",
    )
    .await;
    let mut constraints: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for (table, kind, name, _, column) in &keys {
        constraints
            .entry((kind, table, name))
            .or_default()
            .push(column);
    }
    for ((kind, table, _), columns) in constraints {
        match kind {
            "p" => schema.add("primary key", table, columns.join(", ")),
            _ => schema.add(
                "unique constraint",
                format!("{table} ({})", columns.join(", ")),
                "",
            ),
        }
    }

    // The indexes the migrations create: not those behind a PRIMARY KEY or UNIQUE constraint
    // (compared above). Key columns only: PostgreSQL's INCLUDE columns are a storage choice
    // SQLite has no syntax for (a WITHOUT ROWID table holds every column in its key).
    let index_columns: Vec<PostgresIndexColumn> = rows(
        db,
        "SELECT t.relname::text, i.relname::text, (CASE WHEN ix.indisunique THEN 1 ELSE 0 END)::bigint, \
                pg_get_expr(ix.indpred, ix.indrelid)::text, \
                (CASE WHEN pg_index_column_has_property(ix.indexrelid, k.ord::int, 'desc') \
                 THEN 1 ELSE 0 END)::bigint, a.attname::text \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '\\_sqlx%' AND k.ord <= ix.indnkeyatts \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = ix.indrelid \
                         AND c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x')) \
         ORDER BY i.relname, k.ord",
    )
    .await;
    let mut indexes: BTreeMap<&str, Index> = BTreeMap::new();
    for (table, name, unique, predicate, descending, column) in &index_columns {
        indexes
            .entry(name)
            .or_insert_with(|| Index {
                table: table.clone(),
                unique: *unique == 1,
                columns: Vec::new(),
                predicate: predicate.clone(),
            })
            .columns
            .push(index_column(column, *descending));
    }
    for (name, index) in &indexes {
        schema.add("index", *name, index.describe());
    }

    let foreign_keys: Vec<PostgresForeignKeyColumn> = rows(
        db,
        "SELECT t.relname::text, con.conname::text, r.relname::text, k.ord::bigint, \
                a.attname::text, ra.attname::text, con.confdeltype::text, con.confupdtype::text \
         FROM pg_constraint con \
         JOIN pg_class t ON t.oid = con.conrelid \
         JOIN pg_class r ON r.oid = con.confrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refnum, ord) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attnum = k.refnum \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '\\_sqlx%' AND con.contype = 'f' \
         ORDER BY t.relname, con.conname, k.ord",
    )
    .await;
    let mut grouped: BTreeMap<(&str, &str), Vec<_>> = BTreeMap::new();
    for row in &foreign_keys {
        grouped
            .entry((row.0.as_str(), row.1.as_str()))
            .or_default()
            .push(row);
    }
    for ((table, _), parts) in grouped {
        let from: Vec<&str> = parts.iter().map(|p| p.4.as_str()).collect();
        let to: Vec<&str> = parts.iter().map(|p| p.5.as_str()).collect();
        schema.add(
            "foreign key",
            format!(
                "{table} ({}) → {} ({})",
                from.join(", "),
                parts[0].2,
                to.join(", ")
            ),
            format!(
                "ON DELETE {} ON UPDATE {}",
                postgres_action(&parts[0].6),
                postgres_action(&parts[0].7)
            ),
        );
    }

    let checks: Vec<(String, String)> = rows(
        db,
        "SELECT t.relname::text, pg_get_constraintdef(con.oid)::text \
         FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '\\_sqlx%' AND con.contype = 'c'",
    )
    .await;
    for (table, definition) in &checks {
        let text = definition.trim_start_matches("CHECK").trim();
        add_check(&mut schema, table, &names[table.as_str()], text);
    }

    // One PostgreSQL trigger may fire on several events (`AFTER INSERT OR UPDATE OR DELETE`)
    // where SQLite needs one trigger per event: the house names those `<name>_<event>`, so a
    // PostgreSQL trigger on several events counts as one `<name>_<event>` per event.
    let events: Vec<(String, String, String, String, String, Option<String>)> = rows(
        db,
        "SELECT event_object_table::text, trigger_name::text, action_timing::text, \
                event_manipulation::text, action_orientation::text, action_condition::text \
         FROM information_schema.triggers WHERE trigger_schema = 'public'",
    )
    .await;
    let update_columns: Vec<(String, String, String)> = rows(
        db,
        "SELECT event_object_table::text, trigger_name::text, event_object_column::text \
         FROM information_schema.triggered_update_columns WHERE trigger_schema = 'public'",
    )
    .await;
    let mut fired_on: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (table, name, ..) in &events {
        *fired_on.entry((table, name)).or_default() += 1;
    }
    for (table, trigger, timing, event, orientation, condition) in &events {
        let name = if fired_on[&(table.as_str(), trigger.as_str())] > 1 {
            format!("{trigger}_{}", event.to_lowercase())
        } else {
            trigger.clone()
        };
        let update_of: BTreeSet<String> = update_columns
            .iter()
            .filter(|(t, n, _)| event == "UPDATE" && t == table && n == trigger)
            .map(|(_, _, column)| column.clone())
            .collect();
        let mut description = describe_trigger(timing, event, &update_of, condition.is_some());
        if orientation != "ROW" {
            description = description.replace("FOR EACH ROW", "FOR EACH STATEMENT");
        }
        schema.add("trigger", format!("{table}.{name}"), description);
    }

    let views: Vec<(String,)> = rows(
        db,
        "SELECT table_name::text FROM information_schema.views WHERE table_schema = 'public'",
    )
    .await;
    for (view,) in views {
        schema.add("view", view, "");
    }
    schema
}

async fn schema_of(test: &TestDb) -> Schema {
    match test.backend() {
        Backend::Sqlite => sqlite_schema(&test.db).await,
        Backend::Postgres => postgres_schema(&test.db).await,
    }
}

async fn both_schemas() -> (TestDb, TestDb) {
    let url = testing::postgres_url();
    (testing::sqlite().await, testing::postgres(&url).await)
}

// ---------------------------------------------------------------------------------------------
// The tests

#[tokio::test]
async fn both_backends_build_the_same_schema() {
    let (sqlite, postgres) = both_schemas().await;
    let (left, right) = (schema_of(&sqlite).await, schema_of(&postgres).await);
    assert!(
        left.count("table") > 30,
        "the schema has its tables: {left:?}"
    );
    for kind in [
        "column",
        "index",
        "foreign key",
        "check",
        "trigger",
        "unique constraint",
    ] {
        assert!(
            left.count(kind) > 0,
            "SQLite's catalogue gives no {kind}: {left:?}"
        );
        assert!(
            right.count(kind) > 0,
            "PostgreSQL's catalogue gives no {kind}: {right:?}"
        );
    }
    let differences = differences(&left, &right);
    assert!(
        differences.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas ({} differences):\n{}",
        differences.len(),
        differences.join("\n")
    );
    sqlite.finish().await;
    postgres.finish().await;
}

/// The comparison itself fails when one backend's schema drifts: an index dropped or sorted
/// otherwise on one side; a column loosened, retyped or without its default, a CHECK, a
/// foreign key and a trigger gone on the other.
#[tokio::test]
async fn the_comparison_sees_a_schema_that_drifted() {
    let (sqlite, postgres) = both_schemas().await;
    for statement in [
        "DROP INDEX posts_dates",
        "CREATE INDEX posts_zone ON posts (zone DESC, status)",
    ] {
        testing::execute(&sqlite.db, statement).await;
    }
    for statement in [
        "CREATE INDEX posts_zone ON posts (zone, status)",
        "ALTER TABLE posts ALTER COLUMN status DROP NOT NULL",
        "ALTER TABLE mail_outbox ALTER COLUMN attempts TYPE integer",
        "ALTER TABLE accounts ALTER COLUMN disabled DROP DEFAULT",
        "ALTER TABLE case_transfers DROP CONSTRAINT case_transfers_check",
        "ALTER TABLE units DROP CONSTRAINT units_parent_id_fkey",
        "DROP TRIGGER posts_stamp ON posts",
    ] {
        testing::execute(&postgres.db, statement).await;
    }
    let differences = differences(&schema_of(&sqlite).await, &schema_of(&postgres).await);
    let text = differences.join("\n");
    let expected = [
        "check case_transfers: from_post <> to_post: only in SQLite (reads from_post, to_post)",
        "column accounts.disabled: SQLite `bigint NOT NULL DEFAULT 0` ≠ PostgreSQL `bigint NOT NULL`",
        "column mail_outbox.attempts: SQLite `bigint NOT NULL DEFAULT 0` \
         ≠ PostgreSQL `integer (32 bits) NOT NULL DEFAULT 0`",
        "column posts.status: SQLite `text NOT NULL` ≠ PostgreSQL `text NULL`",
        "foreign key units (parent_id) → units (id): only in SQLite \
         (ON DELETE NO ACTION ON UPDATE NO ACTION)",
        "index posts_dates: only in PostgreSQL (ON posts (created_on, closed_on))",
        "index posts_zone: SQLite `ON posts (zone DESC, status)` ≠ PostgreSQL `ON posts (zone, status)`",
        "trigger posts.posts_stamp_delete: only in SQLite (AFTER DELETE FOR EACH ROW)",
        "trigger posts.posts_stamp_update: only in SQLite \
         (AFTER UPDATE OF code, departement_code, employer_id FOR EACH ROW)",
    ];
    assert_eq!(differences, expected, "\n{text}");
    sqlite.finish().await;
    postgres.finish().await;
}

#[test]
fn postgresql_rewrites_of_an_expression_read_as_the_migration_wrote_it() {
    for (sqlite, postgres) in [
        (
            "kind IN ('role', 'replacement')",
            "((kind = ANY (ARRAY['role'::text, 'replacement'::text])))",
        ),
        (
            "(outcome IS NULL) = (decided_at IS NULL)",
            "(((outcome IS NULL) = (decided_at IS NULL)))",
        ),
        ("status <> 'closed'", "(status <> 'closed'::text)"),
        (
            "name != 'x' AND code LIKE 'a%'",
            "((name <> 'x'::character varying) AND (code ~~ 'a%'::text))",
        ),
        ("0", "0"),
    ] {
        assert_eq!(
            normalise_expression(sqlite),
            normalise_expression(postgres),
            "{sqlite}"
        );
    }
    assert_ne!(
        normalise_expression("kind IN ('role')"),
        normalise_expression("kind IN ('rôle')")
    );
}

#[test]
fn a_difference_names_its_object_and_both_sides() {
    let mut sqlite = Schema::default();
    sqlite.add("column", "posts.fte", "double precision NOT NULL");
    sqlite.add("index", "posts_dates", "ON posts (created_on, closed_on)");
    let mut postgres = sqlite.clone();
    postgres.add("column", "posts.extra", "text NULL");
    postgres.remove("index", "posts_dates");
    postgres.remove("column", "posts.fte");
    postgres.add("column", "posts.fte", "double precision NULL");
    assert_eq!(
        differences(&sqlite, &postgres),
        [
            "column posts.extra: only in PostgreSQL (text NULL)",
            "column posts.fte: SQLite `double precision NOT NULL` ≠ PostgreSQL `double precision NULL`",
            "index posts_dates: only in SQLite (ON posts (created_on, closed_on))",
        ]
    );
}

#[test]
fn sqlite_trigger_headers_are_read() {
    assert_eq!(
        sqlite_trigger(
            "CREATE TRIGGER units_stamp_update AFTER UPDATE OF name ON units\nBEGIN SELECT 1; END"
        ),
        "AFTER UPDATE OF name FOR EACH ROW"
    );
    assert_eq!(
        sqlite_trigger(
            "CREATE TRIGGER IF NOT EXISTS t DELETE ON x WHEN OLD.a = 1 BEGIN SELECT 1; END"
        ),
        "BEFORE DELETE FOR EACH ROW WHEN …"
    );
}
