//! Whether this replica can do its work, for `/healthz`: a database that answers reads but
//! refuses writes (a full disk, a lost file) must take the replica out of the load balancer,
//! not keep answering 200 while every ingest fails.
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a storage failure seen by real work counts before a health check tries a write of
/// its own again.
pub const FAILURE_HOLDS: Duration = Duration::from_secs(15);

#[derive(Default, Debug)]
pub struct Health {
    /// The newest storage failure of real work (ingest commits, evaluator writes), if no write
    /// has succeeded since.
    storage: Mutex<Option<(Instant, String)>>,
    /// A fault found at start-up or by a check that only an operator can mend.
    fatal: Mutex<Option<String>>,
    /// The SQLite file this replica opened (none on PostgreSQL).
    db_file: Mutex<Option<DbFile>>,
}

impl Health {
    /// A write failed for a reason of the storage, not of the data written.
    pub fn storage_failed(&self, why: impl Into<String>) {
        let why = why.into();
        let mut s = self.lock_storage();
        if s.is_none() {
            tracing::error!(error = %why, "storage refuses writes: this replica reports unhealthy");
        }
        *s = Some((Instant::now(), why));
    }

    /// A write went through: whatever failed before has cleared.
    pub fn storage_ok(&self) {
        let mut s = self.lock_storage();
        if let Some((_, why)) = s.take() {
            tracing::warn!(was = %why, "storage takes writes again");
        }
    }

    /// The storage failure that still holds: seen within `FAILURE_HOLDS` and not cleared.
    pub fn recent_storage_failure(&self) -> Option<String> {
        self.lock_storage()
            .as_ref()
            .filter(|(at, _)| at.elapsed() < FAILURE_HOLDS)
            .map(|(_, why)| why.clone())
    }

    /// Any storage failure not cleared by a later write, however old.
    pub fn uncleared_storage_failure(&self) -> Option<String> {
        self.lock_storage().as_ref().map(|(_, why)| why.clone())
    }

    pub fn fatal(&self, why: impl Into<String>) {
        *self.fatal.lock().unwrap_or_else(|e| e.into_inner()) = Some(why.into());
    }

    pub fn fatal_fault(&self) -> Option<String> {
        self.fatal.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn watch_file(&self, file: DbFile) {
        *self.db_file.lock().unwrap_or_else(|e| e.into_inner()) = Some(file);
    }

    pub fn db_file(&self) -> Option<DbFile> {
        self.db_file
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn lock_storage(&self) -> std::sync::MutexGuard<'_, Option<(Instant, String)>> {
        self.storage.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a database error is the storage's fault (full disk, I/O, lost connection, a lock
/// that never frees) rather than the data's (a constraint a row broke). Only the first kind
/// says anything about the replica's health; the second is one request's problem.
pub fn is_storage_failure(e: &sea_orm::DbErr) -> bool {
    use sea_orm::SqlErr;
    if matches!(
        e.sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_) | SqlErr::ForeignKeyConstraintViolation(_))
    ) {
        return false;
    }
    let text = e.to_string().to_ascii_lowercase();
    // CHECK and NOT NULL violations are the data's fault too.
    !(text.contains("constraint failed") || text.contains("violates"))
}

/// The SQLite file a replica opened. Deleted under a running server, SQLite goes on writing
/// into the unlinked file (and loses it all at the next restart), so its absence must be
/// looked for rather than waited for.
#[derive(Debug, Clone)]
pub struct DbFile {
    path: std::path::PathBuf,
    identity: Option<(u64, u64)>,
}

impl DbFile {
    pub fn of(path: &std::path::Path) -> DbFile {
        DbFile {
            path: path.to_path_buf(),
            identity: identity(path),
        }
    }

    /// Whether the path still names the file this replica opened, on a disk with room left.
    pub fn check(&self) -> Result<(), String> {
        if let Some(free) = self.path.parent().and_then(free_bytes) {
            if free < MIN_FREE_BYTES {
                return Err(format!(
                    "the disk of the database {} is full ({} KB free): writes fail",
                    self.path.display(),
                    free / 1024
                ));
            }
        }
        match (std::fs::metadata(&self.path), self.identity) {
            (Err(_), _) => Err(format!(
                "the database file {} is gone: writes go to a deleted file and will be lost",
                self.path.display()
            )),
            (Ok(_), Some(id)) if identity(&self.path) != Some(id) => Err(format!(
                "the database file {} was replaced by another file while the server ran",
                self.path.display()
            )),
            _ => Ok(()),
        }
    }
}

/// Below this much free space on the database's disk the replica reports unhealthy: SQLite's
/// next commit may need more than that and fail halfway.
pub const MIN_FREE_BYTES: u64 = 8 * 1024 * 1024;

/// Bytes an unprivileged process may still write on the filesystem holding `dir`.
#[cfg(unix)]
fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let dir = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    #[allow(clippy::useless_conversion)] // the field types differ between platforms
    (rc == 0).then(|| u64::from(st.f_bavail).saturating_mul(u64::from(st.f_frsize)))
}

#[cfg(not(unix))]
fn free_bytes(_: &std::path::Path) -> Option<u64> {
    None
}

#[cfg(unix)]
fn identity(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::path::Path) -> Option<(u64, u64)> {
    None
}

/// A health check's test write must finish within this.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What `/healthz` answers: `Ok` when this replica can read and write its database, else why not.
pub async fn check(state: &crate::ssr::state::AppState) -> Result<(), String> {
    use sea_orm::{ConnectionTrait, Statement};
    let health = &state.health;
    if let Some(why) = health.fatal_fault() {
        return Err(why);
    }
    if let Some(file) = health.db_file() {
        file.check()?;
    }
    if let Some(why) = health.recent_storage_failure() {
        return Err(format!("writes fail: {why}"));
    }
    let backend = state.db.get_database_backend();
    let sql = format!(
        "UPDATE health_probe SET checked_at = {} WHERE id = 1",
        crate::ssr::sql::placeholder(backend, 1)
    );
    let now = chrono::Utc::now().timestamp_millis();
    let probe = async {
        let _turn = state.write_turn().await;
        state
            .db
            .execute_raw(Statement::from_sql_and_values(backend, sql, [now.into()]))
            .await
    };
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Ok(_)) => {
            health.storage_ok();
            Ok(())
        }
        Ok(Err(e)) => {
            if is_storage_failure(&e) {
                health.storage_failed(e.to_string());
            }
            Err(format!("a test write failed: {e}"))
        }
        Err(_) => Err(format!(
            "a test write did not finish within {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}
