//! The database behind jobs, API keys and webhook deliveries: an embedded SQLite file by default,
//! PostgreSQL for scale-out. One set of SQL (numbered `$N` parameters, portable types) runs on
//! both through sqlx's `Any` driver; only the job claim differs (`FOR UPDATE SKIP LOCKED`).

use crate::error::ApiError;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use std::path::Path;
use std::time::Duration;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool and the backend it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// The tables, written once for both backends (`BIGINT` and `DOUBLE PRECISION` are valid
/// SQLite type names with the right affinities).
const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        stage TEXT,
        percent DOUBLE PRECISION NOT NULL DEFAULT 0,
        eta_seconds DOUBLE PRECISION,
        request TEXT NOT NULL,
        owner_key TEXT NOT NULL,
        idempotency_key TEXT,
        request_hash TEXT,
        attempts BIGINT NOT NULL DEFAULT 0,
        max_attempts BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        run_after BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        output_prefix TEXT,
        result TEXT,
        error TEXT,
        from_cache BIGINT NOT NULL DEFAULT 0,
        stage_seconds TEXT
    )",
    "CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs (owner_key, idempotency_key)",
    "CREATE INDEX IF NOT EXISTS jobs_claim ON jobs (state, run_after)",
    "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner_key, created_at)",
    "CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
    )",
    "CREATE TABLE IF NOT EXISTS webhook_deliveries (
        id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        url TEXT NOT NULL,
        event TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT
    )",
    "CREATE INDEX IF NOT EXISTS webhook_due ON webhook_deliveries (state, next_attempt_at)",
];

/// A lock number that serialises schema creation between processes on PostgreSQL.
const SCHEMA_LOCK: i64 = 0x6f70_7573_636c;

impl Db {
    /// Connect to `url` (`sqlite://PATH` or `postgres://…`; a `schema=NAME` query parameter on a
    /// PostgreSQL URL selects, and creates, a schema) and create the tables when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, ApiError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let (url, schema) = split_schema(url);
        if backend == Backend::Sqlite {
            ensure_sqlite_parent(&url)?;
        }
        let mut options =
            AnyPoolOptions::new().max_connections(max_connections.max(2)).acquire_timeout(Duration::from_secs(30));
        if let Some(schema) = schema.clone() {
            options = options.after_connect(move |connection, _| {
                let statement = format!("SET search_path TO \"{schema}\"");
                Box::pin(async move {
                    connection.execute(AssertSqlSafe(statement)).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await.map_err(|e| database_error("connect to the database", e))?;
        let db = Db { pool, backend };
        db.migrate(schema.as_deref()).await?;
        Ok(db)
    }

    async fn migrate(&self, schema: Option<&str>) -> Result<(), ApiError> {
        let mut connection = self.pool.acquire().await.map_err(|e| database_error("open a connection", e))?;
        match self.backend {
            Backend::Postgres => {
                let lock = format!("SELECT pg_advisory_lock({SCHEMA_LOCK})");
                connection.execute(AssertSqlSafe(lock)).await.map_err(|e| database_error("lock the schema", e))?;
                if let Some(schema) = schema {
                    let create = format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
                    connection
                        .execute(AssertSqlSafe(create))
                        .await
                        .map_err(|e| database_error("create the schema", e))?;
                }
            }
            Backend::Sqlite => {
                connection
                    .execute("PRAGMA journal_mode=WAL")
                    .await
                    .map_err(|e| database_error("switch SQLite to WAL", e))?;
            }
        }
        let mut outcome = Ok(());
        for statement in SCHEMA {
            if let Err(error) = connection.execute(*statement).await {
                outcome = Err(database_error("create the tables", error));
                break;
            }
        }
        if self.backend == Backend::Postgres {
            let unlock = format!("SELECT pg_advisory_unlock({SCHEMA_LOCK})");
            connection.execute(AssertSqlSafe(unlock)).await.map_err(|e| database_error("unlock the schema", e))?;
        }
        outcome
    }

    /// Is the database answering?
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The backend named by a database URL.
pub fn backend_of(url: &str) -> Result<Backend, ApiError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(ApiError::configuration(format!(
            "database URL {url:?} is neither sqlite://PATH nor postgres://USER@HOST/DB"
        )))
    }
}

/// Remove our own `schema=NAME` parameter from a PostgreSQL URL. Schema names are restricted to
/// letters, digits and `_` so they can be quoted safely.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), None) };
    let mut schema = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(name) if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                schema = Some(name.to_string());
                false
            }
            _ => true,
        })
        .collect();
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    (url, schema)
}

fn ensure_sqlite_parent(url: &str) -> Result<(), ApiError> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| ApiError::from(opusclip_core::Error::io("create the database folder", parent, e)))?;
    }
    Ok(())
}

/// A database failure as an API error (503: the store is unavailable).
pub fn database_error(action: &str, error: sqlx::Error) -> ApiError {
    ApiError::unavailable("DATABASE_ERROR", format!("database: could not {action}: {error}"))
}

/// Read a column, mapping decode failures to an internal error naming the column.
pub fn column<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, ApiError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get(name).map_err(|e| ApiError::internal(format!("database column {name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_parameter_is_taken_out_of_the_url() {
        let (url, schema) = split_schema("postgres://root@127.0.0.1/test?schema=t_1&sslmode=disable");
        assert_eq!(url, "postgres://root@127.0.0.1/test?sslmode=disable");
        assert_eq!(schema.as_deref(), Some("t_1"));
        let (url, schema) = split_schema("postgres://root@127.0.0.1/test?schema=x;drop");
        assert_eq!(schema, None, "unsafe names are not used");
        assert!(url.contains("schema=x;drop"));
        assert_eq!(split_schema("postgres://h/db").1, None);
    }

    #[test]
    fn backends_are_named_by_scheme() {
        assert_eq!(backend_of("sqlite://a.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgres://h/db").unwrap(), Backend::Postgres);
        assert!(backend_of("mysql://h/db").is_err());
    }
}
