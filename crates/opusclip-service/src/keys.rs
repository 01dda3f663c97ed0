//! API keys: created with `opusclip keys create`, shown once, stored only as their SHA-256;
//! checked on every `/api/` request (a short in-memory cache keeps the database out of the hot
//! path; a revoked key stops working within [`KEY_CACHE_TTL`]).

use crate::db::{column, database_error, Db};
use crate::error::{ApiError, ServiceResult};
use crate::util::{constant_time_eq, now_ms, random_hex, sha256_hex};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Every key starts with this, so leaked keys are easy to find in logs and repositories.
pub const KEY_PREFIX: &str = "ock_";
/// How long a checked key is trusted without asking the database again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(2);

/// A key as listed (never the key itself).
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A key just made: `secret` is shown once and not stored.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    pub info: KeyInfo,
    pub secret: String,
}

/// The API key table and the cache of checked keys.
#[derive(Debug)]
pub struct KeyStore {
    db: Db,
    checked: Mutex<HashMap<String, (String, Instant)>>,
}

impl KeyStore {
    pub fn new(db: Db) -> Self {
        KeyStore { db, checked: Mutex::new(HashMap::new()) }
    }

    /// Make a key named `name`.
    pub async fn create(&self, name: &str) -> ServiceResult<CreatedKey> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(ApiError::invalid("a key needs a name of 1 to 100 characters (--name)"));
        }
        let secret = format!("{KEY_PREFIX}{}", random_hex(24));
        let info = KeyInfo {
            id: random_hex(6),
            name: name.to_string(),
            prefix: secret[..KEY_PREFIX.len() + 6].to_string(),
            created_at: now_ms(),
            revoked_at: None,
        };
        sqlx::query("INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&info.id)
            .bind(&info.name)
            .bind(sha256_hex(secret.as_bytes()))
            .bind(&info.prefix)
            .bind(info.created_at)
            .execute(&self.db.pool)
            .await
            .map_err(|e| database_error("store the key", e))?;
        Ok(CreatedKey { info, secret })
    }

    /// Every key, oldest first.
    pub async fn list(&self) -> ServiceResult<Vec<KeyInfo>> {
        let rows = sqlx::query("SELECT id, name, prefix, created_at, revoked_at FROM api_keys ORDER BY created_at, id")
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| database_error("list keys", e))?;
        rows.iter()
            .map(|row| {
                Ok(KeyInfo {
                    id: column(row, "id")?,
                    name: column(row, "name")?,
                    prefix: column(row, "prefix")?,
                    created_at: column(row, "created_at")?,
                    revoked_at: column(row, "revoked_at")?,
                })
            })
            .collect()
    }

    /// Revoke the key with this id (or shown prefix); `404` when there is none.
    pub async fn revoke(&self, id_or_prefix: &str) -> ServiceResult<KeyInfo> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE (id = $1 OR prefix = $1) AND revoked_at IS NULL")
                .bind(id_or_prefix)
                .bind(now_ms())
                .execute(&self.db.pool)
                .await
                .map_err(|e| database_error("revoke the key", e))?;
        if done.rows_affected() == 0 {
            return Err(ApiError::not_found(format!(
                "no active key with id or prefix {id_or_prefix:?}: see `opusclip keys list`"
            )));
        }
        self.checked.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let keys = self.list().await?;
        keys.into_iter()
            .find(|k| k.id == id_or_prefix || k.prefix == id_or_prefix)
            .ok_or_else(|| ApiError::internal("revoked key disappeared"))
    }

    /// The id of the active key `secret`, or `401`.
    pub async fn verify(&self, secret: &str) -> ServiceResult<String> {
        let hash = sha256_hex(secret.as_bytes());
        if let Some(id) = self.cached(&hash) {
            return Ok(id);
        }
        let row = sqlx::query("SELECT id, key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(&hash)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| database_error("check the key", e))?;
        let Some(row) = row else {
            return Err(ApiError::unauthorized("the API key is not valid (unknown or revoked)"));
        };
        let stored: String = column(&row, "key_hash")?;
        if !constant_time_eq(stored.as_bytes(), hash.as_bytes()) {
            return Err(ApiError::unauthorized("the API key is not valid (unknown or revoked)"));
        }
        let id: String = column(&row, "id")?;
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.len() > 10_000 {
            checked.clear();
        }
        checked.insert(hash, (id.clone(), Instant::now()));
        Ok(id)
    }

    /// `Ok` when the key with this id exists and is not revoked (signed links speak for a key
    /// id; a revoked key's links stop working within [`KEY_CACHE_TTL`]).
    pub async fn check_active_id(&self, id: &str) -> ServiceResult<()> {
        let cache_key = format!("id:{id}");
        if self.cached(&cache_key).is_some() {
            return Ok(());
        }
        let row = sqlx::query("SELECT id FROM api_keys WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| database_error("check the key", e))?;
        if row.is_none() {
            return Err(ApiError::unauthorized("the link's API key is not valid (unknown or revoked)"));
        }
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.len() > 10_000 {
            checked.clear();
        }
        checked.insert(cache_key, (id.to_string(), Instant::now()));
        Ok(())
    }

    fn cached(&self, hash: &str) -> Option<String> {
        let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        checked.get(hash).filter(|(_, at)| at.elapsed() < KEY_CACHE_TTL).map(|(id, _)| id.clone())
    }
}
