//! Hand-written SQL for both databases: placeholders in each one's own spelling. Used where a
//! statement does what the query builder cannot say (multi-row `UPDATE … FROM (VALUES …)`,
//! set-based passes); the tenant filter of such statements is the caller's, as noted there.
use sea_orm::DbBackend;

/// `$n` or `?n`: the n-th bound value.
pub fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

/// `(?, ?), (?, ?)` or `($1, $2), ($3, $4)`: `rows` rows of `cols` placeholders for a
/// `VALUES` list, whose columns both databases name `column1`, `column2`, ... On SQLite the
/// placeholders stay unnumbered: binding thousands of numbered ones costs time quadratic in
/// their count (a multi-row write went from 2.7 s to 36 s in the benchmark).
pub fn values_list(backend: DbBackend, rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                DbBackend::Postgres => sql.push_str(&placeholder(backend, r * cols + c + 1)),
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// Rows per multi-row statement on the write paths that run all day (ingest): a prepared
/// statement for this many rows stays small, and the handful of row counts a busy group commit
/// sees stay in the writer's statement cache.
pub const MAX_RUN: usize = 128;
