//! Multi-row INSERT for both backends: `$N` placeholders on PostgreSQL, `?` on SQLite.
//! SQLite looks up a named `$N` parameter by a linear scan, so binding thousands of them is
//! quadratic (measured: 27 ms for one 4,000-parameter statement); positional `?` is not.

use crate::Backend;
use sqlx::AnyConnection;

/// One value to bind. `Any` maps only these kinds on both backends.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    /// Sealed bytes (or none).
    Blob(Option<Vec<u8>>),
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}
impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(value.to_string())
    }
}
impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        Value::OptText(value)
    }
}
impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}
impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Real(value)
    }
}

/// `INSERT INTO table (c1, c2) VALUES ($1, $2), ($3, $4) …` for `rows` rows (`?` on SQLite).
pub fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut parameter = 1;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&parameter.to_string());
                }
            }
            parameter += 1;
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` in as few statements as the backend's parameter limit allows.
/// Returns the number of rows written. Runs on the caller's connection or transaction, so a
/// failure leaves nothing half-written when the caller uses a transaction.
pub async fn insert_rows(
    connection: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<u64, sqlx::Error> {
    // Keep statements moderate: very long statements cost more to parse than they save.
    let rows_per_statement = (backend.max_bind_parameters().min(8_000) / columns.len()).max(1);
    let mut written = 0;
    let mut full_chunk_sql: Option<String> = None;
    for chunk in rows.chunks(rows_per_statement) {
        let sql = if chunk.len() == rows_per_statement {
            full_chunk_sql
                .get_or_insert_with(|| insert_sql(backend, table, columns, rows_per_statement))
                .clone()
        } else {
            insert_sql(backend, table, columns, chunk.len())
        };
        // Built only from our own table and column names and `$N` placeholders: no user text.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(
                row.len(),
                columns.len(),
                "row width differs from columns of {table}"
            );
            for value in row {
                query = match value {
                    Value::Text(text) => query.bind(text.as_str()),
                    Value::OptText(text) => query.bind(text.as_deref()),
                    Value::Int(int) => query.bind(*int),
                    Value::Real(real) => query.bind(*real),
                    Value::OptInt(int) => query.bind(*int),
                    Value::Blob(bytes) => query.bind(bytes.clone()),
                };
            }
        }
        written += query.execute(&mut *connection).await?.rows_affected();
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(
            insert_sql(Backend::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(Backend::Sqlite, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
