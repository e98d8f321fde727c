//! One way to run SQL on either backend, so that each query is written once (in `queries`):
//! parameters and columns are [`Value`]s, placeholders are `$1`, `$2` … on both (SQLite is given
//! them as `?1`, `?2` …), and the few things the two do differently — taking turns, drawing
//! numbers, locking the rows a claim takes, a list passed as one parameter — are the methods of
//! [`Sql`], one small implementation per backend.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use deadpool_postgres::GenericClient;
use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::StoreError;

/// Our advisory lock space on PostgreSQL (two-key form): key 0 is migrations, then one key for
/// each [`Turn`], and key `hashtext(id)` a report (a report whose hash is one of the small keys
/// only waits a moment longer now and then).
pub(crate) const LOCKS: i32 = 0x4c44; // "LD"

/// What writers take turns at, so that each sees every row written before its own.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Turn {
    /// Held from before an audit row's seq is drawn until its transaction ends: the chain
    /// follows seq order.
    Audit = 1,
    /// Held while a sign-in is stored and the oldest beyond the bound are ended.
    SignIn = 2,
}

/// A parameter or a column: the only kinds the schema holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&Option<String>> for Value {
    fn from(value: &Option<String>) -> Self {
        value.as_ref().into()
    }
}

impl<T: Into<Self>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// The parameters of one statement, in order: `params![a, b]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::sql::Value::from($value)),*]
    };
}
pub(crate) use params;

/// One row of a result, read by column index.
#[derive(Debug)]
pub(crate) struct Row(Vec<Value>);

impl Row {
    fn column(&self, index: usize) -> Result<&Value, StoreError> {
        self.0
            .get(index)
            .ok_or_else(|| StoreError::Unreadable(format!("no column {index}")))
    }

    pub(crate) fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.column(index)? {
            Value::Null => Ok(None),
            Value::Int(value) => Ok(Some(*value)),
            Value::Text(_) => Err(StoreError::Unreadable(format!(
                "column {index} holds text, not a number"
            ))),
        }
    }

    pub(crate) fn int(&self, index: usize) -> Result<i64, StoreError> {
        self.opt_int(index)?
            .ok_or_else(|| StoreError::Unreadable(format!("column {index} is empty")))
    }

    pub(crate) fn opt_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        match self.column(index)? {
            Value::Null => Ok(None),
            Value::Text(value) => Ok(Some(value.clone())),
            Value::Int(_) => Err(StoreError::Unreadable(format!(
                "column {index} holds a number, not text"
            ))),
        }
    }

    pub(crate) fn text(&self, index: usize) -> Result<String, StoreError> {
        self.opt_text(index)?
            .ok_or_else(|| StoreError::Unreadable(format!("column {index} is empty")))
    }
}

/// A connection or transaction of either backend. Writes are called inside a transaction that
/// holds SQLite's write lock from its start (IMMEDIATE), or on PostgreSQL inside one where
/// [`Sql::take_turn`] and row locks order writers.
pub(crate) trait Sql {
    /// Every row `sql` gives.
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// How many rows `sql` changed.
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;

    /// The first row `sql` gives, if any.
    async fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    /// The one row `sql` gives (an aggregate's).
    async fn query_one(&self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)
            .await?
            .ok_or_else(|| StoreError::Unreadable("no row where one was expected".to_owned()))
    }

    /// Takes report `id` for this transaction; false when another transaction (perhaps on
    /// another instance) has it.
    async fn take_report(&self, id: &str) -> Result<bool, StoreError>;

    /// The number for a new report's reference: above every number given before, and above the
    /// floor the high-water mark set.
    async fn next_report_seq(&self) -> Result<i64, StoreError>;

    /// Waits for this transaction's turn at `turn`, held until it ends.
    async fn take_turn(&self, turn: Turn) -> Result<(), StoreError>;

    /// The seq for a new audit row, the newest being `newest` (read after [`Sql::take_turn`]).
    async fn next_audit_seq(&self, newest: Option<i64>) -> Result<i64, StoreError>;

    /// What follows a claim's `SELECT` so that no two transactions take the same rows.
    fn lock_claimed(&self) -> &'static str;

    /// A subquery of the texts in the JSON array that parameter `param` holds.
    fn texts_of_json(&self, param: &str) -> String;
}

/// SQLite: one connection, used by one caller at a time (the store's lock), so writers already
/// take turns and the IMMEDIATE transaction holds the write lock from its start.
pub(crate) struct Sqlite<'c> {
    pub(crate) connection: &'c Connection,
    /// New references are above this (see `Mark::floor`).
    pub(crate) floor: i64,
}

/// `$1` … as SQLite's `?1` ….
fn numbered_as_sqlite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null => ValueRef::Null,
            Self::Int(value) => ValueRef::Integer(*value),
            Self::Text(value) => ValueRef::Text(value.as_bytes()),
        }))
    }
}

fn sqlite_value(value: ValueRef<'_>) -> Result<Value, StoreError> {
    match value {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(value) => Ok(Value::Int(value)),
        ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
            .map(Value::Text)
            .map_err(|_| StoreError::Unreadable("text that is not UTF-8".to_owned())),
        ValueRef::Real(_) | ValueRef::Blob(_) => Err(StoreError::Unreadable(
            "a column of a kind the schema does not hold".to_owned(),
        )),
    }
}

#[expect(
    clippy::unused_async_trait_impl,
    reason = "SQLite's calls finish at once; the trait is async for PostgreSQL's"
)]
impl Sql for Sqlite<'_> {
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.connection.prepare_cached(&numbered_as_sqlite(sql))?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        let mut all = Vec::new();
        while let Some(row) = rows.next()? {
            let values = (0..columns)
                .map(|index| sqlite_value(row.get_ref(index)?))
                .collect::<Result<_, _>>()?;
            all.push(Row(values));
        }
        Ok(all)
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let changed = self
            .connection
            .prepare_cached(&numbered_as_sqlite(sql))?
            .execute(rusqlite::params_from_iter(params))?;
        Ok(u64::try_from(changed).unwrap_or(0))
    }

    async fn take_report(&self, _id: &str) -> Result<bool, StoreError> {
        Ok(true)
    }

    async fn next_report_seq(&self) -> Result<i64, StoreError> {
        self.query_one(
            "SELECT MAX(COALESCE(MAX(seq), 0), $1) + 1 FROM reports",
            params![self.floor],
        )
        .await?
        .int(0)
    }

    async fn take_turn(&self, _turn: Turn) -> Result<(), StoreError> {
        Ok(())
    }

    async fn next_audit_seq(&self, newest: Option<i64>) -> Result<i64, StoreError> {
        // At the largest seq the insert is refused (that seq is taken) rather than overflowing.
        Ok(newest.map_or(1, |seq| seq.saturating_add(1)))
    }

    fn lock_claimed(&self) -> &'static str {
        ""
    }

    fn texts_of_json(&self, param: &str) -> String {
        format!("SELECT value FROM json_each({param})")
    }
}

/// PostgreSQL: a pooled connection or a transaction on one. Statements are prepared once per
/// connection.
pub(crate) struct Postgres<'c, C> {
    pub(crate) client: &'c C,
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            Self::Int(value) => match *ty {
                Type::INT2 => i16::try_from(*value)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*value)?.to_sql(ty, out),
                Type::INT8 => value.to_sql(ty, out),
                _ => Err(format!("a number given where {ty} was wanted").into()),
            },
            Self::Text(value) if <String as ToSql>::accepts(ty) => value.to_sql(ty, out),
            Self::Text(_) => Err(format!("text given where {ty} was wanted").into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8) || <String as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::BOOL => Self::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Self::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Self::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Self::Int(i64::from_sql(ty, raw)?),
            _ => Self::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Self::Null)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::BOOL | Type::INT2 | Type::INT4 | Type::INT8)
            || <String as FromSql>::accepts(ty)
    }
}

impl<C: GenericClient> Postgres<'_, C> {
    async fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement, StoreError> {
        Ok(self.client.prepare_cached(sql).await?)
    }
}

fn postgres_params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect()
}

impl<C: GenericClient> Sql for Postgres<'_, C> {
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql).await?;
        let rows = self
            .client
            .query(&statement, &postgres_params(params))
            .await?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|index| row.try_get::<_, Value>(index))
                    .collect::<Result<_, _>>()
                    .map(Row)
                    .map_err(StoreError::from)
            })
            .collect()
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let statement = self.statement(sql).await?;
        Ok(self
            .client
            .execute(&statement, &postgres_params(params))
            .await?)
    }

    async fn take_report(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .query_one(
                "SELECT pg_try_advisory_xact_lock($1, hashtext($2))",
                params![i64::from(LOCKS), id],
            )
            .await?
            .int(0)?
            == 1)
    }

    async fn next_report_seq(&self) -> Result<i64, StoreError> {
        // The floor is kept in the sequence itself (see `PostgresStore::raise_floor`).
        self.query_one("SELECT nextval('report_references')", params![])
            .await?
            .int(0)
    }

    async fn take_turn(&self, turn: Turn) -> Result<(), StoreError> {
        self.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            params![i64::from(LOCKS), turn as i64],
        )
        .await?;
        Ok(())
    }

    async fn next_audit_seq(&self, _newest: Option<i64>) -> Result<i64, StoreError> {
        self.query_one(
            "SELECT nextval(pg_get_serial_sequence('audit', 'seq'))",
            params![],
        )
        .await?
        .int(0)
    }

    fn lock_claimed(&self) -> &'static str {
        "FOR UPDATE OF d SKIP LOCKED"
    }

    fn texts_of_json(&self, param: &str) -> String {
        format!("SELECT json_array_elements_text(CAST({param} AS TEXT)::json)")
    }
}

/// The output of `future`, which must finish without waiting: a SQLite call's, which never
/// waits (it runs on a blocking thread, holding the connection).
pub(crate) fn at_once<T>(
    future: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => Err(StoreError::Task(
            "a SQLite call waited, which it never should".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_as_sqlite;

    #[test]
    fn placeholders_are_numbered_the_sqlite_way() {
        assert_eq!(
            numbered_as_sqlite("SELECT $1, $12 || '$' FROM t WHERE a = $2"),
            "SELECT ?1, ?12 || '$' FROM t WHERE a = ?2"
        );
    }
}
