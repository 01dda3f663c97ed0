//! Signed links to a job's downloads, for what cannot send the API key header (a `<video src>`,
//! a download link): `PATH?key=KEY_ID&expires=UNIX&sig=HEX`, where `sig` is HMAC-SHA256 of
//! `GET`, the exact path, the key id and the expiry under a server secret (`URL_SIGNING_SECRET`,
//! or a random one per process). A link opens one file of one job, read-only, until it expires
//! or its key is revoked; Range requests work through it like with the key.

use crate::error::ApiError;
use crate::util::{constant_time_eq, hex, hmac_sha256, random_hex};
use std::time::Duration;

/// How long a signed link works.
pub const LINK_TTL: Duration = Duration::from_secs(3600);

/// Signs and checks links with one secret.
#[derive(Clone)]
pub struct LinkSigner {
    secret: Vec<u8>,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(…)")
    }
}

/// Can this path be opened with a signed link? A job's files, its captions and its archive.
pub fn signable(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/jobs/") else { return false };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [id, "archive.zip" | "source"] => !id.is_empty(),
        [id, "files" | "captions" | "export", name] => !id.is_empty() && !name.is_empty(),
        _ => false,
    }
}

fn now_seconds() -> i64 {
    crate::util::now_ms() / 1000
}

impl LinkSigner {
    /// A signer with `secret`, or a random secret (links then work only on this process).
    pub fn new(secret: Option<&str>) -> LinkSigner {
        let secret = match secret.filter(|s| !s.is_empty()) {
            Some(secret) => secret.as_bytes().to_vec(),
            None => random_hex(32).into_bytes(),
        };
        LinkSigner { secret }
    }

    fn signature(&self, path: &str, key_id: &str, expires: i64) -> String {
        hex(&hmac_sha256(&self.secret, format!("GET\n{path}\n{key_id}\n{expires}").as_bytes()))
    }

    /// `path` signed for `key_id` until `expires` (Unix seconds).
    pub fn sign_until(&self, path: &str, key_id: &str, expires: i64) -> String {
        let key = url::form_urlencoded::byte_serialize(key_id.as_bytes()).collect::<String>();
        format!("{path}?key={key}&expires={expires}&sig={}", self.signature(path, key_id, expires))
    }

    /// `path` signed for `key_id` for [`LINK_TTL`].
    pub fn sign(&self, path: &str, key_id: &str) -> String {
        self.sign_until(path, key_id, now_seconds() + LINK_TTL.as_secs() as i64)
    }

    /// The key id a signed request for `path` with `query` speaks for, or `401` saying why not.
    pub fn verify(&self, path: &str, query: &str) -> Result<String, ApiError> {
        let (mut key, mut expires, mut sig) = (None, None, None);
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "key" => key = Some(value.into_owned()),
                "expires" => expires = value.parse::<i64>().ok(),
                "sig" => sig = Some(value.into_owned()),
                _ => {}
            }
        }
        let (Some(key), Some(expires), Some(sig)) = (key, expires, sig) else {
            return Err(ApiError::unauthorized("the link is incomplete: it needs key, expires and sig"));
        };
        if !signable(path) {
            return Err(ApiError::unauthorized("signed links open only a job's files, captions and archive"));
        }
        let expected = self.signature(path, &key, expires);
        if !constant_time_eq(expected.as_bytes(), sig.to_ascii_lowercase().as_bytes()) {
            return Err(ApiError::unauthorized(
                "the link's signature does not match (it was changed, or the server restarted without \
                 URL_SIGNING_SECRET): fetch the manifest again for fresh links",
            ));
        }
        if expires < now_seconds() {
            return Err(ApiError::unauthorized("the link has expired: fetch the manifest again for fresh links")
                .with_details(serde_json::json!({ "expired_at": expires })));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(link: &str) -> (&str, &str) {
        link.split_once('?').unwrap()
    }

    #[test]
    fn a_signed_link_opens_its_own_path_only_until_it_expires() {
        let signer = LinkSigner::new(Some("s3cret"));
        let link = signer.sign("/api/jobs/j1/files/clip-01.mp4", "k1");
        let (path, q) = query(&link);
        assert_eq!(signer.verify(path, q).unwrap(), "k1");
        assert!(signer.verify("/api/jobs/j1/files/clip-02.mp4", q).is_err(), "another file");
        assert!(signer.verify("/api/jobs/j2/files/clip-01.mp4", q).is_err(), "another job");
        assert!(signer.verify(path, &q.replace("key=k1", "key=k2")).is_err(), "another key");
        assert!(LinkSigner::new(Some("other")).verify(path, q).is_err(), "another secret");
        assert!(LinkSigner::new(None).verify(path, q).is_err(), "a random secret");
        let old = signer.sign_until(path, "k1", now_seconds() - 1);
        let error = signer.verify(path, query(&old).1).unwrap_err();
        assert!(error.message.contains("expired"), "{}", error.message);
        let later = signer.sign_until(path, "k1", now_seconds() + 100);
        let forged = query(&later).1.replace(&format!("expires={}", now_seconds() + 100), "expires=99999999999");
        assert!(signer.verify(path, &forged).is_err(), "a changed expiry");
        assert!(signer.verify(path, "key=k1").unwrap_err().message.contains("incomplete"));
    }

    #[test]
    fn only_downloads_can_be_signed() {
        assert!(signable("/api/jobs/j1/files/clip-01.mp4"));
        assert!(signable("/api/jobs/j1/captions/clip-01.srt"));
        assert!(signable("/api/jobs/j1/export/timeline.fcpxml"));
        assert!(signable("/api/jobs/j1/source"));
        assert!(signable("/api/jobs/j1/archive.zip"));
        for path in
            ["/api/jobs/j1", "/api/jobs/j1/manifest", "/api/jobs", "/api/jobs/j1/render", "/api/jobs//archive.zip"]
        {
            assert!(!signable(path), "{path}");
        }
        let signer = LinkSigner::new(Some("s"));
        let link = signer.sign("/api/jobs/j1/manifest", "k1");
        let (path, q) = query(&link);
        assert!(signer.verify(path, q).is_err(), "a signature cannot open the manifest");
    }
}
