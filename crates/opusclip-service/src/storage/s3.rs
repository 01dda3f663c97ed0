//! S3-compatible storage (`s3://bucket/prefix`): the few calls the service needs — put, get
//! (whole or a byte range), head, list, copy, delete — signed with SigV4 over the blocking HTTP
//! client the project already uses, run on tokio's blocking pool. Path-style addressing, so any
//! S3-compatible server works (AWS, MinIO, moto). Credentials and endpoint come from the usual
//! AWS variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//! `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`).

use super::sigv4::{amz_date, canonical_query, uri_encode, Signer, Unsigned};
use super::{storage_error, ByteStream};
use crate::error::{ApiError, ServiceResult};
use axum::body::Bytes;
use futures_util::StreamExt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const CHUNK: usize = 256 * 1024;

/// `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl S3Location {
    pub fn parse(url: &str) -> ServiceResult<S3Location> {
        let rest = url.strip_prefix("s3://").unwrap_or(url);
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !bucket_ok {
            return Err(ApiError::configuration(format!(
                "storage {url:?}: the bucket name must be 3-63 lower-case letters, digits, '-' or '.'"
            )));
        }
        let prefix = prefix.trim_matches('/').to_string();
        if !prefix.is_empty() {
            super::check_key(&prefix)
                .map_err(|_| ApiError::configuration(format!("storage {url:?}: the prefix has unsafe characters")))?;
        }
        Ok(S3Location { bucket: bucket.to_string(), prefix })
    }
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

struct Inner {
    location: S3Location,
    endpoint: String,
    host: String,
    signer: Signer,
    agent: ureq::Agent,
}

/// An S3 bucket and prefix with credentials.
#[derive(Clone)]
pub struct S3Storage {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for S3Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Storage")
            .field("location", &self.inner.location)
            .field("endpoint", &self.inner.endpoint)
            .finish()
    }
}

enum Payload {
    Empty,
    File(PathBuf),
}

impl S3Storage {
    /// Credentials, region and endpoint from the environment.
    pub fn from_env(location: S3Location) -> ServiceResult<S3Storage> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let region = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".into());
        let endpoint = var("AWS_ENDPOINT_URL_S3")
            .or_else(|| var("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let (Some(access_key), Some(secret_key)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) else {
            return Err(ApiError::configuration(
                "S3 storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL_S3 for a non-AWS server)",
            ));
        };
        let signer =
            Signer { access_key, secret_key, session_token: var("AWS_SESSION_TOKEN"), region, service: "s3".into() };
        S3Storage::new(location, &endpoint, signer)
    }

    /// A bucket at `endpoint` (`http(s)://host[:port]`).
    pub fn new(location: S3Location, endpoint: &str, signer: Signer) -> ServiceResult<S3Storage> {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let host = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .ok_or_else(|| ApiError::configuration(format!("S3 endpoint {endpoint:?} must be http(s)://host[:port]")))?
            .to_string();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            .build();
        let agent = ureq::Agent::new_with_config(config);
        Ok(S3Storage { inner: Arc::new(Inner { location, endpoint, host, signer, agent }) })
    }

    pub fn location(&self) -> &S3Location {
        &self.inner.location
    }

    fn object_key(&self, key: &str) -> String {
        match self.inner.location.prefix.as_str() {
            "" => key.to_string(),
            prefix => format!("{prefix}/{key}"),
        }
    }

    /// One signed request, blocking.
    fn send(
        &self,
        method: &str,
        object_key: Option<&str>,
        query: &[(String, String)],
        headers: &[(String, String)],
        payload: Payload,
    ) -> ServiceResult<ureq::http::Response<ureq::Body>> {
        let inner = &self.inner;
        let mut path = format!("/{}", inner.location.bucket);
        if let Some(key) = object_key {
            path.push('/');
            path.push_str(&uri_encode(key, true));
        }
        let unsigned =
            Unsigned { method, host: &inner.host, encoded_path: &path, query, headers, payload_hash: UNSIGNED_PAYLOAD };
        let signed = inner.signer.sign(&unsigned, &amz_date(crate::util::now_ms() / 1000));
        let query_text = canonical_query(query);
        let url = if query_text.is_empty() {
            format!("{}{path}", inner.endpoint)
        } else {
            format!("{}{path}?{query_text}", inner.endpoint)
        };
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in &signed {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let outcome = match payload {
            Payload::Empty => builder.body(()).map(|request| inner.agent.run(request)),
            Payload::File(path) => {
                let file =
                    std::fs::File::open(&path).map_err(|e| storage_error(&format!("open {}", path.display()), e))?;
                builder.body(file).map(|request| inner.agent.run(request))
            }
        };
        let response = outcome
            .map_err(|e| storage_error(&format!("build {method} {url}"), e))?
            .map_err(|e| storage_error(&format!("{method} {url}"), e))?;
        Ok(response)
    }

    fn expect_success(
        action: &str,
        mut response: ureq::http::Response<ureq::Body>,
    ) -> ServiceResult<ureq::http::Response<ureq::Body>> {
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body = response.body_mut().with_config().limit(16 * 1024).read_to_string().unwrap_or_default();
        Err(storage_error(action, format!("S3 answered {status}: {}", body.trim())))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(S3Storage) -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || work(this)).await.map_err(|e| ApiError::internal(e.to_string()))?
    }

    /// Create the bucket when it does not exist (for test set-ups and first runs).
    pub async fn ensure_bucket(&self) -> ServiceResult<()> {
        self.blocking(|s3| {
            let response = s3.send("PUT", None, &[], &[], Payload::Empty)?;
            if response.status().is_success() || response.status().as_u16() == 409 {
                Ok(())
            } else {
                Self::expect_success("create the bucket", response).map(|_| ())
            }
        })
        .await
    }

    pub async fn put_file(&self, key: &str, source: &Path) -> ServiceResult<()> {
        let object = self.object_key(key);
        let source = source.to_path_buf();
        self.blocking(move |s3| {
            let response = s3.send("PUT", Some(&object), &[], &[], Payload::File(source))?;
            Self::expect_success(&format!("put {object}"), response).map(|_| ())
        })
        .await
    }

    pub async fn fetch_to(&self, key: &str, dest: &Path) -> ServiceResult<()> {
        let object = self.object_key(key);
        let dest = dest.to_path_buf();
        self.blocking(move |s3| {
            let response = s3.send("GET", Some(&object), &[], &[], Payload::Empty)?;
            let response = Self::expect_success(&format!("get {object}"), response)?;
            let partial = dest.with_extension("partial");
            let mut file = std::fs::File::create(&partial).map_err(|e| storage_error("create a local copy", e))?;
            std::io::copy(&mut response.into_body().into_reader(), &mut file)
                .map_err(|e| storage_error(&format!("download {object}"), e))?;
            std::fs::rename(&partial, &dest).map_err(|e| storage_error("rename the local copy", e))
        })
        .await
    }

    pub async fn size(&self, key: &str) -> ServiceResult<Option<u64>> {
        let object = self.object_key(key);
        self.blocking(move |s3| {
            let response = s3.send("HEAD", Some(&object), &[], &[], Payload::Empty)?;
            if response.status().as_u16() == 404 {
                return Ok(None);
            }
            let response = Self::expect_success(&format!("head {object}"), response)?;
            let length = response.headers().get("content-length").and_then(|v| v.to_str().ok());
            Ok(length.and_then(|v| v.parse().ok()))
        })
        .await
    }

    pub async fn read_range(&self, key: &str, start: u64, end: u64) -> ServiceResult<ByteStream> {
        let object = self.object_key(key);
        let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
        let reader = self
            .blocking(move |s3| {
                let range = [("range".to_string(), format!("bytes={start}-{end}"))];
                let response = s3.send("GET", Some(&object), &[], &range, Payload::Empty)?;
                let response = Self::expect_success(&format!("get {object}"), response)?;
                Ok(response.into_body().into_reader())
            })
            .await?;
        tokio::task::spawn_blocking(move || pump(reader, sender));
        let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|chunk| (chunk, receiver))
        });
        Ok(stream.boxed())
    }

    pub async fn read_bytes(&self, key: &str) -> ServiceResult<Option<Vec<u8>>> {
        let object = self.object_key(key);
        self.blocking(move |s3| {
            let response = s3.send("GET", Some(&object), &[], &[], Payload::Empty)?;
            if response.status().as_u16() == 404 {
                return Ok(None);
            }
            let mut response = Self::expect_success(&format!("get {object}"), response)?;
            let bytes = response.body_mut().with_config().limit(256 << 20).read_to_vec();
            bytes.map(Some).map_err(|e| storage_error(&format!("read {object}"), e))
        })
        .await
    }

    pub async fn publish_dir(&self, dir: &Path, prefix: &str) -> ServiceResult<()> {
        for file in super::publish_order(dir)? {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            self.put_file(&format!("{prefix}/{name}"), &file).await?;
        }
        tokio::fs::remove_dir_all(dir).await.ok();
        Ok(())
    }

    /// Object keys (relative to the storage prefix) under `prefix/`.
    pub async fn list(&self, prefix: &str) -> ServiceResult<Vec<String>> {
        let object_prefix = format!("{}/", self.object_key(prefix));
        let strip = self.object_key("").len();
        self.blocking(move |s3| {
            let mut keys = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let mut query =
                    vec![("list-type".to_string(), "2".to_string()), ("prefix".to_string(), object_prefix.clone())];
                if let Some(token) = &token {
                    query.push(("continuation-token".to_string(), token.clone()));
                }
                let response = s3.send("GET", None, &query, &[], Payload::Empty)?;
                let mut response = Self::expect_success("list objects", response)?;
                let text = response.body_mut().with_config().limit(32 << 20).read_to_string().unwrap_or_default();
                keys.extend(
                    xml_values(&text, "Key").into_iter().map(|k| k.get(strip..).unwrap_or_default().to_string()),
                );
                token = xml_values(&text, "NextContinuationToken").into_iter().next();
                if token.is_none() || !text.contains("<IsTruncated>true</IsTruncated>") {
                    return Ok(keys);
                }
            }
        })
        .await
    }

    pub async fn copy_prefix(&self, from: &str, to: &str) -> ServiceResult<()> {
        let mut keys = self.list(from).await?;
        keys.sort_by_key(|k| (k.ends_with("/manifest.json"), k.clone()));
        for key in keys {
            let Some(rest) = key.strip_prefix(from) else { continue };
            let source = format!("/{}/{}", self.inner.location.bucket, uri_encode(&self.object_key(&key), true));
            let target = self.object_key(&format!("{to}{rest}"));
            self.blocking(move |s3| {
                let headers = [("x-amz-copy-source".to_string(), source)];
                let response = s3.send("PUT", Some(&target), &[], &headers, Payload::Empty)?;
                Self::expect_success(&format!("copy to {target}"), response).map(|_| ())
            })
            .await?;
        }
        Ok(())
    }

    pub async fn delete_prefix(&self, prefix: &str) -> ServiceResult<()> {
        let mut keys = self.list(prefix).await?;
        keys.push(prefix.to_string());
        for key in keys {
            let object = self.object_key(&key);
            self.blocking(move |s3| {
                let response = s3.send("DELETE", Some(&object), &[], &[], Payload::Empty)?;
                if response.status().as_u16() == 404 {
                    return Ok(());
                }
                Self::expect_success(&format!("delete {object}"), response).map(|_| ())
            })
            .await?;
        }
        Ok(())
    }

    pub async fn ready(&self) -> bool {
        self.blocking(|s3| {
            let query = [("list-type".to_string(), "2".to_string()), ("max-keys".to_string(), "1".to_string())];
            Ok(s3.send("GET", None, &query, &[], Payload::Empty)?.status().is_success())
        })
        .await
        .unwrap_or(false)
    }
}

/// Send a blocking reader's bytes into an async channel until it ends or the reader is gone.
fn pump(mut reader: impl Read, sender: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>) {
    loop {
        let mut buffer = vec![0u8; CHUNK];
        match reader.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                buffer.truncate(n);
                if sender.blocking_send(Ok(Bytes::from(buffer))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = sender.blocking_send(Err(e));
                return;
            }
        }
    }
}

/// The texts of every `<tag>…</tag>` in a small XML answer (keys are our own safe names).
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut values = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        values.push(after[..end].replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"));
        rest = &after[end + close.len()..];
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_refuse_bad_buckets() {
        let location = S3Location::parse("s3://clips-bucket/service/prod/").unwrap();
        assert_eq!((location.bucket.as_str(), location.prefix.as_str()), ("clips-bucket", "service/prod"));
        assert_eq!(S3Location::parse("s3://b-1").unwrap().prefix, "");
        assert!(S3Location::parse("s3://Bad_Bucket/x").is_err());
        assert!(S3Location::parse("s3://bucket/../x").is_err());
    }

    #[test]
    fn list_answers_are_read() {
        let xml = "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/jobs/a/x.mp4</Key></Contents>\
                   <Contents><Key>p/jobs/a/manifest.json</Key></Contents><NextContinuationToken>t1</NextContinuationToken>";
        assert_eq!(xml_values(xml, "Key"), ["p/jobs/a/x.mp4", "p/jobs/a/manifest.json"]);
        assert_eq!(xml_values(xml, "NextContinuationToken"), ["t1"]);
    }
}
