//! Small helpers to run portable SQL with positional `$N` parameters on either backend.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement, TryGetableFromJson, Value};
use serde::{Deserialize, Serialize};

use crate::Result;

/// A list of strings stored as a JSON array (jsonb on PostgreSQL, TEXT on SQLite).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StrList(pub Vec<String>);

impl TryGetableFromJson for StrList {}

impl From<StrList> for Value {
    fn from(list: StrList) -> Value {
        json_value(&list.0)
    }
}

/// Binds a serialisable value as JSON.
pub(crate) fn json_value<T: Serialize>(v: &T) -> Value {
    Value::Json(Some(Box::new(
        serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
    )))
}

/// A page request: 1-based page number and page size.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: u64,
    pub size: u64,
}

impl Page {
    pub(crate) fn offset(self) -> u64 {
        (self.number.saturating_sub(1)).saturating_mul(self.size)
    }
}

fn stmt<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(c.get_database_backend(), sql, values)
}

/// Runs a query and decodes every row.
pub(crate) async fn all<T: FromQueryResult, C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>> {
    let rows = c.query_all_raw(stmt(c, sql, values)).await?;
    rows.iter()
        .map(|r| T::from_query_result(r, "").map_err(Into::into))
        .collect()
}

/// Runs a query and decodes the first row, if any.
pub(crate) async fn one<T: FromQueryResult, C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<T>> {
    match c.query_one_raw(stmt(c, sql, values)).await? {
        Some(r) => Ok(Some(T::from_query_result(&r, "")?)),
        None => Ok(None),
    }
}

/// Runs a query returning a single integer (a count).
pub(crate) async fn count<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> Result<u64> {
    let row = c.query_one_raw(stmt(c, sql, values)).await?;
    let n: i64 = match row {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

/// Executes a statement and returns the number of rows it changed.
pub(crate) async fn exec<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> Result<u64> {
    Ok(c.execute_raw(stmt(c, sql, values)).await?.rows_affected())
}

/// Builds `($k, $k+1, …)` for an IN list starting at parameter `first`.
pub(crate) fn in_list(first: usize, n: usize) -> String {
    let items: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!("({})", items.join(", "))
}

/// Collects values for a statement built piece by piece, handing out `$N` placeholders.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub(crate) values: Vec<Value>,
}

impl Params {
    /// Adds a value and returns its placeholder.
    pub(crate) fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("${}", self.values.len())
    }

    /// Adds several values and returns `($a, $b, …)`.
    pub(crate) fn list<V: Into<Value> + Clone>(&mut self, items: &[V]) -> String {
        let ph: Vec<String> = items.iter().map(|v| self.push(v.clone())).collect();
        format!("({})", ph.join(", "))
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// SQL for the seconds from `start` to `end` (two timestamp expressions). Date arithmetic is
/// the one place the engines' SQL differs, so it is spelled here once.
pub(crate) fn seconds_between(backend: sea_orm::DbBackend, start: &str, end: &str) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => format!("EXTRACT(EPOCH FROM ({end} - {start}))"),
        _ => format!("((julianday({end}) - julianday({start})) * 86400.0)"),
    }
}

/// Most parameters one statement may carry (SQLite's limit is 32766, PostgreSQL's 65535).
const MAX_PARAMS: usize = 30_000;

/// Runs `head VALUES (…), (…) tail` over `rows` of `width` values, in as few statements as
/// the parameter limits allow.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    c: &C,
    head: &str,
    tail: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    // sqlx's SQLite driver slows down more than linearly with the parameters of one
    // statement (measured: 15k seeded tasks took 24 s at 30 000 parameters a statement), so
    // SQLite gets short statements; they cost it nothing since it has no network round trip.
    let per = match c.get_database_backend() {
        sea_orm::DbBackend::Sqlite => 50,
        _ => MAX_PARAMS / width.max(1),
    };
    insert_rows_batched(c, head, tail, width, rows, per).await
}

/// As [`insert_rows`], at most `per` rows a statement.
pub(crate) async fn insert_rows_batched<C: ConnectionTrait>(
    c: &C,
    head: &str,
    tail: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
    per: usize,
) -> Result<()> {
    let mut iter = rows.into_iter().peekable();
    while iter.peek().is_some() {
        let chunk: Vec<Vec<Value>> = iter.by_ref().take(per.max(1)).collect();
        let mut values = Vec::with_capacity(chunk.len() * width);
        let mut groups = Vec::with_capacity(chunk.len());
        for row in chunk {
            groups.push(in_list(values.len() + 1, width));
            values.extend(row);
        }
        exec(
            c,
            &format!("{head} VALUES {} {tail}", groups.join(", ")),
            values,
        )
        .await?;
    }
    Ok(())
}
