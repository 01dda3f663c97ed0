//! The result cache in Redis (`REDIS_URL`): GET, SET EX and PING through the `redis` crate.

use crate::error::ApiError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the Redis server is and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisTarget {
    /// The URL as given (the client reads it).
    pub url: String,
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub database: u32,
}

impl RedisTarget {
    /// `redis://[[user]:password@]host[:port][/db]`; `rediss://` (TLS) is refused.
    pub fn parse(url: &str) -> Result<RedisTarget, ApiError> {
        let Some(rest) = url.strip_prefix("redis://") else {
            return Err(ApiError::configuration(format!(
                "REDIS_URL {url:?}: only redis:// is supported (no TLS): use a local or tunnelled Redis"
            )));
        };
        let (credentials, location) = match rest.rsplit_once('@') {
            Some((credentials, location)) => (Some(credentials), location),
            None => (None, rest),
        };
        let (address, database) = location.split_once('/').unwrap_or((location, ""));
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().map_err(|_| bad(url, "the port is not a number"))?),
            None => (address, 6379),
        };
        let database =
            if database.is_empty() { 0 } else { database.parse().map_err(|_| bad(url, "the db is not a number"))? };
        let (username, password) = match credentials {
            Some(text) => match text.split_once(':') {
                Some((user, password)) => {
                    (Some(user.to_string()).filter(|u| !u.is_empty()), Some(password.to_string()))
                }
                None => (None, Some(text.to_string())),
            },
            None => (None, None),
        };
        if host.is_empty() {
            return Err(bad(url, "no host"));
        }
        Ok(RedisTarget { url: url.to_string(), host: host.to_string(), port, username, password, database })
    }
}

fn bad(url: &str, problem: &str) -> ApiError {
    ApiError::configuration(format!("REDIS_URL {url:?}: {problem}"))
}

/// The manifest cache in Redis, through the `redis` crate's connection manager (one multiplexed
/// connection, reconnected when it drops), made on first use.
#[derive(Clone)]
pub struct RedisCache {
    target: RedisTarget,
    ttl: Duration,
    client: Option<redis::Client>,
    connection: Arc<OnceCell<ConnectionManager>>,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache").field("target", &self.target).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl RedisCache {
    pub fn new(target: RedisTarget, ttl: Duration) -> Self {
        let client = redis::Client::open(target.url.as_str())
            .map_err(|error| tracing::warn!(%error, "REDIS_URL is not usable; the cache will miss"))
            .ok();
        RedisCache { target, ttl, client, connection: Arc::new(OnceCell::new()) }
    }

    /// Where the server is, for logs.
    pub fn target(&self) -> &RedisTarget {
        &self.target
    }

    async fn connection(&self) -> Result<ConnectionManager, String> {
        let client = self.client.as_ref().ok_or("REDIS_URL is not usable")?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(IO_TIMEOUT))
            .set_response_timeout(Some(IO_TIMEOUT))
            .set_number_of_retries(1);
        let manager = self
            .connection
            .get_or_try_init(|| client.get_connection_manager_with_config(config))
            .await
            .map_err(|error| error.to_string())?;
        Ok(manager.clone())
    }

    /// The cached value, `None` on a miss or when Redis is unreachable (logged).
    pub async fn get(&self, key: &str) -> Option<String> {
        let outcome = match self.connection().await {
            Ok(mut connection) => connection.get::<_, Option<String>>(key).await.map_err(|e| e.to_string()),
            Err(error) => Err(error),
        };
        outcome.unwrap_or_else(|error| {
            tracing::warn!(%error, "Redis cache unavailable");
            None
        })
    }

    /// Store `value` for the cache's TTL (errors are logged: the cache is an optimisation).
    pub async fn set(&self, key: &str, value: &str) -> bool {
        let seconds = self.ttl.as_secs().max(1);
        let outcome = match self.connection().await {
            Ok(mut connection) => connection.set_ex::<_, _, ()>(key, value, seconds).await.map_err(|e| e.to_string()),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "Redis cache write failed");
                false
            }
        }
    }

    /// Is Redis answering?
    pub async fn ping(&self) -> bool {
        match self.connection().await {
            Ok(mut connection) => {
                redis::cmd("PING").query_async::<String>(&mut connection).await.is_ok_and(|pong| pong == "PONG")
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        let target = RedisTarget::parse("redis://:secret@cache.internal:6380/2").unwrap();
        assert_eq!(target.host, "cache.internal");
        assert_eq!((target.port, target.database), (6380, 2));
        assert_eq!((target.username, target.password.as_deref()), (None, Some("secret")));
        let plain = RedisTarget::parse("redis://127.0.0.1").unwrap();
        assert_eq!((plain.port, plain.database, plain.password), (6379, 0, None));
        assert!(RedisTarget::parse("rediss://x").is_err());
        assert!(RedisTarget::parse("redis://h:port").is_err());
    }
}
