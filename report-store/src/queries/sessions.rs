//! The team's sessions, and the sign-ins sent to the identity provider and not yet back.

use crate::sql::{Row, Sql, Turn, params};
use crate::team::{PendingSignIn, Session};
use crate::{MAX_PENDING_SIGN_INS, SIGN_IN_LIMIT_MS, StoreError};

const SESSION_COLUMNS: &str = "token_hash, email, name, csrf, id_token, created_at, last_seen";

fn session(row: &Row) -> Result<Session, StoreError> {
    Ok(Session {
        token_hash: row.text(0)?,
        email: row.text(1)?,
        name: row.text(2)?,
        csrf: row.text(3)?,
        id_token: row.opt_text(4)?,
        created_at_ms: row.int(5)?,
        last_seen_ms: row.int(6)?,
    })
}

pub(crate) async fn begin_session(sql: &impl Sql, session: &Session) -> Result<(), StoreError> {
    sql.execute(
        &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
        params![
            &session.token_hash,
            &session.email,
            &session.name,
            &session.csrf,
            &session.id_token,
            session.created_at_ms,
            session.last_seen_ms
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn touch_session(
    sql: &impl Sql,
    token_hash: &str,
    now_ms: i64,
    idle_after_ms: i64,
    absolute_ms: i64,
) -> Result<Option<Session>, StoreError> {
    sql.query_opt(
        &format!(
            "UPDATE sessions SET last_seen = $2
             WHERE token_hash = $1
               AND last_seen > CAST($2 AS BIGINT) - CAST($3 AS BIGINT)
               AND created_at > CAST($2 AS BIGINT) - CAST($4 AS BIGINT)
             RETURNING {SESSION_COLUMNS}"
        ),
        params![token_hash, now_ms, idle_after_ms, absolute_ms],
    )
    .await?
    .map(|row| session(&row))
    .transpose()
}

pub(crate) async fn end_session(
    sql: &impl Sql,
    token_hash: &str,
) -> Result<Option<Session>, StoreError> {
    sql.query_opt(
        &format!("DELETE FROM sessions WHERE token_hash = $1 RETURNING {SESSION_COLUMNS}"),
        params![token_hash],
    )
    .await?
    .map(|row| session(&row))
    .transpose()
}

pub(crate) async fn forget_sessions(
    sql: &impl Sql,
    now_ms: i64,
    idle_after_ms: i64,
    absolute_ms: i64,
) -> Result<u64, StoreError> {
    let sessions = sql
        .execute(
            "DELETE FROM sessions WHERE last_seen <= CAST($1 AS BIGINT) - CAST($2 AS BIGINT)
                OR created_at <= CAST($1 AS BIGINT) - CAST($3 AS BIGINT)",
            params![now_ms, idle_after_ms, absolute_ms],
        )
        .await?;
    let sign_ins = sql
        .execute(
            "DELETE FROM sign_ins WHERE created_at <= CAST($1 AS BIGINT) - CAST($2 AS BIGINT)",
            params![now_ms, SIGN_IN_LIMIT_MS],
        )
        .await?;
    Ok(sessions + sign_ins)
}

/// Stores the sign-in and, in the same transaction, ends the oldest others beyond
/// [`MAX_PENDING_SIGN_INS`] (never this one, whatever its clock says). Writers take turns, so
/// each sees the others' sign-ins and the bound holds across instances.
pub(crate) async fn begin_sign_in(
    sql: &impl Sql,
    sign_in: &PendingSignIn,
) -> Result<(), StoreError> {
    sql.take_turn(Turn::SignIn).await?;
    sql.execute(
        "INSERT INTO sign_ins (state, verifier, nonce, return_to, created_at, started_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            &sign_in.state,
            &sign_in.verifier,
            &sign_in.nonce,
            &sign_in.return_to,
            sign_in.created_at_ms,
            &sign_in.started_by
        ],
    )
    .await?;
    let waiting = sql
        .query_one("SELECT COUNT(*) FROM sign_ins", params![])
        .await?
        .int(0)?;
    let beyond = waiting.saturating_sub(MAX_PENDING_SIGN_INS);
    if beyond > 0 {
        // The oldest of whoever has the most unfinished: a flood from a few addresses ends its
        // own, not a team member's one sign-in.
        sql.execute(
            "DELETE FROM sign_ins WHERE state IN (
                SELECT state FROM sign_ins
                WHERE state <> $1 AND started_by = (
                    SELECT started_by FROM sign_ins GROUP BY started_by
                    ORDER BY COUNT(*) DESC, MIN(created_at) LIMIT 1)
                ORDER BY created_at, state
                LIMIT $2)",
            params![&sign_in.state, beyond],
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn take_sign_in(
    sql: &impl Sql,
    state: &str,
    now_ms: i64,
) -> Result<Option<PendingSignIn>, StoreError> {
    let Some(row) = sql
        .query_opt(
            "DELETE FROM sign_ins
             WHERE state = $1 AND created_at > CAST($2 AS BIGINT) - CAST($3 AS BIGINT)
             RETURNING state, verifier, nonce, return_to, created_at, started_by",
            params![state, now_ms, SIGN_IN_LIMIT_MS],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(PendingSignIn {
        state: row.text(0)?,
        verifier: row.text(1)?,
        nonce: row.text(2)?,
        return_to: row.text(3)?,
        created_at_ms: row.int(4)?,
        started_by: row.text(5)?,
    }))
}
