//! The result cache in Redis (`REDIS_URL`): a tiny RESP client (AUTH, SELECT, GET, SET EX, PING)
//! over a TCP connection per call — the cache is touched twice per job.

use crate::error::ApiError;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the Redis server is and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisTarget {
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
        Ok(RedisTarget { host: host.to_string(), port, username, password, database })
    }
}

fn bad(url: &str, problem: &str) -> ApiError {
    ApiError::configuration(format!("REDIS_URL {url:?}: {problem}"))
}

/// One RESP reply.
#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Simple(String),
    Bulk(Option<Vec<u8>>),
    Integer(i64),
    Error(String),
}

/// The manifest cache in Redis.
#[derive(Debug, Clone)]
pub struct RedisCache {
    target: RedisTarget,
    ttl: Duration,
}

impl RedisCache {
    pub fn new(target: RedisTarget, ttl: Duration) -> Self {
        RedisCache { target, ttl }
    }

    /// Where the server is, for logs.
    pub fn target(&self) -> &RedisTarget {
        &self.target
    }

    async fn connect(&self) -> Result<BufReader<TcpStream>, String> {
        let address = (self.target.host.as_str(), self.target.port);
        let stream = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(address))
            .await
            .map_err(|_| "connect timed out".to_string())?
            .map_err(|e| e.to_string())?;
        let mut connection = BufReader::new(stream);
        if let Some(password) = &self.target.password {
            let mut command = vec!["AUTH".to_string()];
            command.extend(self.target.username.clone());
            command.push(password.clone());
            expect_ok(command_on(&mut connection, &command).await?)?;
        }
        if self.target.database != 0 {
            expect_ok(command_on(&mut connection, &["SELECT".into(), self.target.database.to_string()]).await?)?;
        }
        Ok(connection)
    }

    async fn command(&self, parts: &[String]) -> Result<Reply, String> {
        let mut connection = self.connect().await?;
        tokio::time::timeout(IO_TIMEOUT, command_on(&mut connection, parts))
            .await
            .map_err(|_| "timed out".to_string())?
    }

    /// The cached value, `None` on a miss or when Redis is unreachable (logged).
    pub async fn get(&self, key: &str) -> Option<String> {
        match self.command(&["GET".into(), key.into()]).await {
            Ok(Reply::Bulk(Some(bytes))) => String::from_utf8(bytes).ok(),
            Ok(Reply::Bulk(None)) => None,
            Ok(other) => {
                tracing::warn!(?other, "unexpected Redis reply to GET");
                None
            }
            Err(error) => {
                tracing::warn!(%error, "Redis cache unavailable");
                None
            }
        }
    }

    /// Store `value` for the cache's TTL (errors are logged: the cache is an optimisation).
    pub async fn set(&self, key: &str, value: &str) -> bool {
        let ttl = self.ttl.as_secs().max(1).to_string();
        match self.command(&["SET".into(), key.into(), value.into(), "EX".into(), ttl]).await {
            Ok(Reply::Simple(ok)) if ok == "OK" => true,
            outcome => {
                tracing::warn!(?outcome, "Redis cache write failed");
                false
            }
        }
    }

    /// Is Redis answering?
    pub async fn ping(&self) -> bool {
        matches!(self.command(&["PING".into()]).await, Ok(Reply::Simple(pong)) if pong == "PONG")
    }
}

fn expect_ok(reply: Reply) -> Result<(), String> {
    match reply {
        Reply::Simple(_) => Ok(()),
        other => Err(format!("Redis refused: {other:?}")),
    }
}

/// Encode a command as a RESP array of bulk strings.
fn encode(parts: &[String]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", parts.len()).into_bytes();
    for part in parts {
        out.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

async fn command_on(connection: &mut BufReader<TcpStream>, parts: &[String]) -> Result<Reply, String> {
    connection.get_mut().write_all(&encode(parts)).await.map_err(|e| e.to_string())?;
    let reply = read_reply(connection).await?;
    match reply {
        Reply::Error(message) => Err(format!("Redis error: {message}")),
        reply => Ok(reply),
    }
}

async fn read_reply(connection: &mut BufReader<TcpStream>) -> Result<Reply, String> {
    let mut line = String::new();
    connection.read_line(&mut line).await.map_err(|e| e.to_string())?;
    let line = line.trim_end_matches(['\r', '\n']);
    let (kind, rest) = line.split_at(line.len().min(1));
    match kind {
        "+" => Ok(Reply::Simple(rest.to_string())),
        "-" => Ok(Reply::Error(rest.to_string())),
        ":" => rest.parse().map(Reply::Integer).map_err(|_| format!("bad integer reply {rest:?}")),
        "$" => {
            let length: i64 = rest.parse().map_err(|_| format!("bad bulk length {rest:?}"))?;
            if length < 0 {
                return Ok(Reply::Bulk(None));
            }
            let mut data = vec![0u8; length as usize + 2];
            connection.read_exact(&mut data).await.map_err(|e| e.to_string())?;
            data.truncate(length as usize);
            Ok(Reply::Bulk(Some(data)))
        }
        other => Err(format!("unsupported Redis reply type {other:?}")),
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

    #[test]
    fn commands_are_resp_arrays() {
        assert_eq!(encode(&["GET".into(), "k".into()]), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    }
}
