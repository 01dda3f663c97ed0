//! Webhooks: when a job with a `webhook_url` ends, a delivery is queued in the database and
//! POSTed with `X-Opusclip-Signature: sha256=HEX`, the HMAC-SHA256 of `TIMESTAMP.BODY` under
//! `WEBHOOK_SECRET` (`X-Opusclip-Timestamp` carries the timestamp). Failed deliveries are retried
//! with exponential backoff up to `WEBHOOK_MAX_ATTEMPTS`; the address rules apply and redirects
//! are not followed.

use crate::db::{column, database_error, Backend};
use crate::error::ServiceResult;
use crate::ssrf::guarded_agent;
use crate::state::Services;
use crate::util::{hex, hmac_sha256, new_id, now_ms};
use crate::views::job_view;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The signature header value for `body` sent at `timestamp` (seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes())))
}

/// Queue a delivery for job `id` when it asked for one.
pub async fn notify(services: &Services, id: &str) {
    let job = match services.jobs.get(id).await {
        Ok(Some(job)) => job,
        _ => return,
    };
    let Some(url) = job.request.webhook_url.clone() else { return };
    let event = format!("job.{}", job.state.as_str());
    let payload = json!({ "event": event, "job": job_view(&job) }).to_string();
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO webhook_deliveries (id, job_id, url, event, payload, attempts, next_attempt_at, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, 'pending', $6)",
    )
    .bind(new_id())
    .bind(&job.id)
    .bind(&url)
    .bind(&event)
    .bind(&payload)
    .bind(now)
    .execute(&services.jobs.db().pool)
    .await;
    if let Err(error) = inserted {
        tracing::warn!(job = %job.id, %error, "could not queue the webhook");
    }
}

struct Delivery {
    id: String,
    url: String,
    event: String,
    payload: String,
    attempts: i64,
}

/// Deliver due webhooks until `shutdown`.
pub async fn delivery_loop(services: Arc<Services>, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        match claim(&services).await {
            Ok(Some(delivery)) => deliver(&services, delivery).await,
            Ok(None) => {
                let _ = tokio::time::timeout(Duration::from_millis(300), shutdown.changed()).await;
            }
            Err(error) => {
                tracing::warn!(%error, "could not read webhook deliveries");
                let _ = tokio::time::timeout(Duration::from_secs(2), shutdown.changed()).await;
            }
        }
    }
}

/// Take a due delivery; pushing its next attempt a minute out works as a lease.
async fn claim(services: &Services) -> ServiceResult<Option<Delivery>> {
    let db = services.jobs.db();
    let now = now_ms();
    let lock = if db.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = attempts + 1 WHERE id = (SELECT id FROM \
         webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 1{lock}) \
         RETURNING id, url, event, payload, attempts"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(now + 60_000)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| database_error("claim a webhook delivery", e))?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Delivery {
        id: column(&row, "id")?,
        url: column(&row, "url")?,
        event: column(&row, "event")?,
        payload: column(&row, "payload")?,
        attempts: column(&row, "attempts")?,
    }))
}

async fn deliver(services: &Services, delivery: Delivery) {
    let secret = services.config.webhook_secret.clone().unwrap_or_default();
    let policy = crate::ssrf::UrlPolicy { timeout: Duration::from_secs(10), ..services.url_policy.clone() };
    let (url, event, payload) = (delivery.url.clone(), delivery.event.clone(), delivery.payload.clone());
    let sent = tokio::task::spawn_blocking(move || {
        let timestamp = now_ms() / 1000;
        let agent = guarded_agent(&policy, 0);
        let response = agent
            .post(&url)
            .header("content-type", "application/json")
            .header("x-opusclip-event", &event)
            .header("x-opusclip-timestamp", timestamp.to_string())
            .header("x-opusclip-signature", signature(&secret, timestamp, &payload))
            .send(payload.as_str());
        match response {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("answered HTTP {}", response.status())),
            Err(error) => Err(crate::ingest::fetch_error(&url, &error).message),
        }
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    let db = services.jobs.db();
    let now = now_ms();
    let outcome = match sent {
        Ok(()) => {
            tracing::info!(delivery = %delivery.id, url = %delivery.url, "webhook delivered");
            sqlx::query("UPDATE webhook_deliveries SET state = 'delivered', delivered_at = $2 WHERE id = $1")
                .bind(&delivery.id)
                .bind(now)
                .execute(&db.pool)
                .await
        }
        Err(error) if delivery.attempts >= i64::from(services.config.webhook_max_attempts) => {
            tracing::warn!(delivery = %delivery.id, %error, "webhook given up");
            sqlx::query("UPDATE webhook_deliveries SET state = 'failed', last_error = $2 WHERE id = $1")
                .bind(&delivery.id)
                .bind(&error)
                .execute(&db.pool)
                .await
        }
        Err(error) => {
            let delay =
                services.config.webhook_retry.as_millis() as i64 * (1i64 << (delivery.attempts - 1).clamp(0, 16));
            tracing::warn!(delivery = %delivery.id, %error, delay_ms = delay, "webhook failed; retrying");
            sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $2, last_error = $3 WHERE id = $1")
                .bind(&delivery.id)
                .bind(now + delay)
                .bind(&error)
                .execute(&db.pool)
                .await
        }
    };
    if let Err(error) = outcome {
        tracing::warn!(%error, "could not record the webhook outcome");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_timestamp_and_body() {
        let one = signature("s3cret", 1_700_000_000, "{\"a\":1}");
        assert!(one.starts_with("sha256=") && one.len() == 7 + 64);
        assert_ne!(one, signature("s3cret", 1_700_000_001, "{\"a\":1}"));
        assert_ne!(one, signature("other", 1_700_000_000, "{\"a\":1}"));
        let expected = hex(&hmac_sha256(b"s3cret", b"1700000000.{\"a\":1}"));
        assert_eq!(one, format!("sha256={expected}"));
    }
}
