//! Sign-in attempts counted per key and window, one row per key. An attempt is counted before
//! the password is checked, in one statement that both counts and answers the count, so of
//! many parallel guesses only as many as the limit allows get as far as the password check.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement, Value};

use crate::ssr::error::AppResult;
use crate::ssr::sql::placeholder;

/// The key of an e-mail address: its hash, so the table holds no addresses and every key has
/// the same small size whatever was typed.
pub fn email_key(email: &str) -> String {
    format!("e:{}", &crate::ssr::auth::sha256_hex(email)[..40])
}

pub fn ip_key(ip: &str) -> String {
    let ip: String = ip.chars().take(60).collect();
    format!("ip:{ip}")
}

/// Counts one attempt for `key` and returns the attempts of its window so far, this one
/// included. A window starts at its first attempt and lasts `window_ms`.
pub async fn count_attempt(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
    window_ms: i64,
) -> AppResult<i64> {
    let backend = db.get_database_backend();
    let p = |n| placeholder(backend, n);
    let sql = format!(
        "INSERT INTO login_throttle (subject, window_start, failures) VALUES ({k}, {now}, 1) \
         ON CONFLICT (subject) DO UPDATE SET \
         failures = CASE WHEN login_throttle.window_start <= {old} THEN 1 ELSE login_throttle.failures + 1 END, \
         window_start = CASE WHEN login_throttle.window_start <= {old} THEN {now} ELSE login_throttle.window_start END \
         RETURNING failures",
        k = p(1),
        now = p(2),
        old = p(3),
    );
    let now_ms = now.timestamp_millis();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(key),
                Value::from(now_ms),
                Value::from(now_ms.saturating_sub(window_ms)),
            ],
        ))
        .await?;
    Ok(match row {
        Some(r) => i64::from(r.try_get_by_index::<i32>(0)?),
        None => 1,
    })
}

/// Takes back one counted attempt (it turned out not to be a failure).
pub async fn uncount(db: &impl ConnectionTrait, key: &str) -> AppResult<()> {
    let backend = db.get_database_backend();
    let sql = format!(
        "UPDATE login_throttle SET failures = failures - 1 WHERE subject = {} AND failures > 0",
        placeholder(backend, 1)
    );
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [Value::from(key)],
    ))
    .await?;
    Ok(())
}

/// Removes windows that ended: the table holds only keys seen within the last window.
pub async fn prune(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    window_ms: i64,
) -> AppResult<u64> {
    let backend = db.get_database_backend();
    let sql = format!(
        "DELETE FROM login_throttle WHERE window_start <= {}",
        placeholder(backend, 1)
    );
    Ok(db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(
                now.timestamp_millis().saturating_sub(window_ms),
            )],
        ))
        .await?
        .rows_affected())
}
