//! A resumable HTTP download into a `.partial` file: it continues an earlier partial file with
//! `Range: bytes=N-`, restarts when the server ignores the range, and hashes every byte of the
//! file (the kept prefix and the new body) with SHA-1 on the way.
//!
//! What it does not do — compare the checksum, rename the file into place — is the caller's
//! ([`super::store`]), so this module only knows URLs, paths and bytes.

use opusclip_core::{Error, Result};
use serde_json::json;
use sha1::{Digest, Sha1};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

/// Progress of a download: bytes of the file present so far, and the full size when known.
pub type DownloadProgress<'a> = &'a mut dyn FnMut(u64, Option<u64>);

/// One file to download.
pub struct DownloadRequest<'a> {
    /// The URL to fetch.
    pub url: &'a str,
    /// The `.partial` file written (and resumed when it exists).
    pub partial: &'a Path,
    /// The final path, named in the hint on how to place the file by hand.
    pub destination: &'a Path,
    /// The size the file must have, when known.
    pub expected_size: Option<u64>,
    /// How else to get the file, said in errors (`None`: the whisper hint, `--whisper-model PATH`).
    pub alternative: Option<&'a str>,
}

/// A finished download (its checksum not yet compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Bytes in the partial file.
    pub bytes: u64,
    /// SHA-1 of the whole partial file, lower-case hex.
    pub sha1: String,
    /// Bytes of an earlier partial file that were kept (0 when it started from scratch).
    pub resumed_from: u64,
}

/// How the server answered a request.
enum Answer {
    /// Stream the body, appending after `offset` bytes already in the partial file.
    Body { offset: u64, total: Option<u64>, response: ureq::http::Response<ureq::Body> },
    /// The partial file already holds all `total` bytes.
    AlreadyComplete,
    /// The partial file cannot be resumed: start again without a range.
    Restart,
}

const BUFFER_BYTES: usize = 64 * 1024;

/// Download `request.url` into `request.partial`, resuming it when it exists.
pub fn download(request: &DownloadRequest<'_>, progress: DownloadProgress<'_>) -> Result<Downloaded> {
    let agent = agent();
    let mut existing = partial_length(request.partial)?;
    if request.expected_size.is_some_and(|size| existing > size) {
        remove_partial(request.partial)?;
        existing = 0;
    }
    if existing > 0 && request.expected_size == Some(existing) {
        return finish_complete_partial(request.partial, existing);
    }
    for _attempt in 0..2 {
        match ask(&agent, request, existing)? {
            Answer::Body { offset, total, response } => {
                let total = total.or(request.expected_size);
                return receive(request, response, offset, total, progress);
            }
            Answer::AlreadyComplete => return finish_complete_partial(request.partial, existing),
            Answer::Restart => {
                remove_partial(request.partial)?;
                existing = 0;
            }
        }
    }
    Err(Error::model(format!(
        "{} answered a resumed download inconsistently twice; delete {} and try again",
        request.url,
        request.partial.display()
    )))
}

/// An agent that reports HTTP error statuses as responses and gives up on dead connections.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .tls_config(tls_config())
        .build()
        .into()
}

/// The TLS roots downloads trust: the PEM bundle named by `SSL_CERT_FILE` when it is set and
/// holds certificates (as OpenSSL and pip do; e.g. a proxy's CA), else the bundled Mozilla roots.
pub fn tls_config() -> ureq::tls::TlsConfig {
    let certificates: Vec<ureq::tls::Certificate<'static>> = std::env::var_os("SSL_CERT_FILE")
        .filter(|path| !path.is_empty())
        .and_then(|path| std::fs::read(path).ok())
        .map(|pem| {
            ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(certificate)) => Some(certificate),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if certificates.is_empty() {
        return ureq::tls::TlsConfig::default();
    }
    ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certificates)).build()
}

/// Send the request (with a range when `existing > 0`) and decide what its answer means.
fn ask(agent: &ureq::Agent, request: &DownloadRequest<'_>, existing: u64) -> Result<Answer> {
    let mut builder = agent.get(request.url).header("User-Agent", concat!("opusclip/", env!("CARGO_PKG_VERSION")));
    if existing > 0 {
        builder = builder.header("Range", format!("bytes={existing}-"));
    }
    let response = builder.call().map_err(|error| unreachable_error(request, &error.to_string()))?;
    let status = response.status().as_u16();
    let content_range = header(&response, "content-range");
    let body_length = response.body().content_length();
    match status {
        200 => Ok(Answer::Body { offset: 0, total: body_length, response }),
        206 => match content_range.as_deref().and_then(parse_content_range) {
            Some((Some(start), total)) if start == existing => {
                let total = total.or(body_length.map(|length| existing + length));
                Ok(Answer::Body { offset: existing, total, response })
            }
            _ => Ok(Answer::Restart),
        },
        416 => match content_range.as_deref().and_then(parse_content_range) {
            Some((None, Some(total))) if total == existing && existing > 0 => Ok(Answer::AlreadyComplete),
            _ => Ok(Answer::Restart),
        },
        404 | 410 => Err(Error::model(match request.alternative {
            Some(alternative) => format!("{} was not found (HTTP {status}); {alternative}", request.url),
            None => format!(
                "{} was not found (HTTP {status}); the model may have moved: check the URL, or set \
                 OPUSCLIP_MODEL_BASE_URL to a mirror",
                request.url
            ),
        })
        .with_details(json!({ "url": request.url, "status": status }))),
        _ => Err(Error::model(format!(
            "downloading {} failed: the server answered HTTP {status}; try again later, or {}",
            request.url,
            place_by_hand(request)
        ))
        .with_details(json!({ "url": request.url, "status": status }))),
    }
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_string)
}

/// `bytes START-END/TOTAL` → `(Some(START), Some(TOTAL))`; `bytes */TOTAL` → `(None, Some(TOTAL))`;
/// a `*` total is `None`. Anything else is `None`.
pub(crate) fn parse_content_range(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        digits => Some(digits.parse().ok()?),
    };
    let start = match range.trim() {
        "*" => None,
        span => Some(span.split_once('-')?.0.trim().parse().ok()?),
    };
    Some((start, total))
}

/// Stream the body into the partial file (appending after `offset` bytes), hashing as it goes.
fn receive(
    request: &DownloadRequest<'_>,
    response: ureq::http::Response<ureq::Body>,
    offset: u64,
    total: Option<u64>,
    progress: DownloadProgress<'_>,
) -> Result<Downloaded> {
    let mut hasher = Sha1::new();
    if offset > 0 {
        hash_file_into(request.partial, &mut hasher)?;
    }
    let mut file = open_partial(request.partial, offset > 0)?;
    let mut reader = response.into_body().into_reader();
    let mut buffer = vec![0u8; BUFFER_BYTES];
    let mut done = offset;
    progress(done, total);
    loop {
        let count = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => {
                flush(&mut file, request.partial)?;
                return Err(truncated_error(request, done, total, &error.to_string()));
            }
        };
        file.write_all(&buffer[..count]).map_err(|error| Error::io("write", request.partial, error))?;
        hasher.update(&buffer[..count]);
        done += count as u64;
        progress(done, total);
    }
    flush(&mut file, request.partial)?;
    check_length(request, done, total)?;
    Ok(Downloaded { bytes: done, sha1: hex(&hasher.finalize()), resumed_from: offset })
}

/// A body that ended early keeps its partial file; one that is too long removes it.
fn check_length(request: &DownloadRequest<'_>, done: u64, total: Option<u64>) -> Result<()> {
    if let Some(total) = total.filter(|total| done < *total) {
        return Err(truncated_error(request, done, Some(total), "the connection closed early"));
    }
    if let Some(size) = request.expected_size.filter(|size| done > *size) {
        remove_partial(request.partial)?;
        return Err(Error::model(format!(
            "{} sent {done} bytes, more than the {size} expected; the download was deleted. \
             The file on the server differs from the pinned one: {}",
            request.url,
            place_by_hand(request)
        )));
    }
    Ok(())
}

/// Hash a partial file that already holds every byte.
fn finish_complete_partial(partial: &Path, bytes: u64) -> Result<Downloaded> {
    let mut hasher = Sha1::new();
    hash_file_into(partial, &mut hasher)?;
    Ok(Downloaded { bytes, sha1: hex(&hasher.finalize()), resumed_from: bytes })
}

fn open_partial(partial: &Path, append: bool) -> Result<File> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    options.open(partial).map_err(|error| Error::io("create", partial, error))
}

fn flush(file: &mut File, partial: &Path) -> Result<()> {
    file.flush().and_then(|()| file.sync_all()).map_err(|error| Error::io("write", partial, error))
}

/// The length of the partial file, 0 when there is none.
fn partial_length(partial: &Path) -> Result<u64> {
    match std::fs::metadata(partial) {
        Ok(metadata) => Ok(metadata.len()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(Error::io("read", partial, error)),
    }
}

/// Remove a partial file; one that is already gone is fine.
pub(crate) fn remove_partial(partial: &Path) -> Result<()> {
    match std::fs::remove_file(partial) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(Error::io("remove", partial, error)),
    }
}

/// Feed every byte of `path` to `hasher`.
pub(crate) fn hash_file_into(path: &Path, hasher: &mut Sha1) -> Result<()> {
    let mut file = File::open(path).map_err(|error| Error::io("open", path, error))?;
    let mut buffer = vec![0u8; BUFFER_BYTES];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(count) => hasher.update(&buffer[..count]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(Error::io("read", path, error)),
        }
    }
}

/// The SHA-1 of the file at `path`, lower-case hex.
pub(crate) fn sha1_of_file(path: &Path) -> Result<String> {
    let mut hasher = Sha1::new();
    hash_file_into(path, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

pub(crate) use opusclip_core::hex;

/// How to get the file without this downloader.
fn place_by_hand(request: &DownloadRequest<'_>) -> String {
    if let Some(alternative) = request.alternative {
        return alternative.to_string();
    }
    format!(
        "download {} on a machine that can reach it and copy the file to {}, or pass \
         --whisper-model PATH to use a model file you already have",
        request.url,
        request.destination.display()
    )
}

/// The server could not be reached at all (offline, DNS, refused, blocked, TLS).
fn unreachable_error(request: &DownloadRequest<'_>, cause: &str) -> Error {
    Error::model(format!(
        "cannot download {} ({cause}). If this machine is offline or the site is blocked, {}",
        request.url,
        place_by_hand(request)
    ))
    .with_details(json!({
        "url": request.url,
        "path": request.destination.display().to_string(),
    }))
}

/// The body stopped early; the partial file is kept so the next fetch resumes.
fn truncated_error(request: &DownloadRequest<'_>, done: u64, total: Option<u64>, cause: &str) -> Error {
    let of_total = total.map(|total| format!(" of {total}")).unwrap_or_default();
    Error::model(format!(
        "the download of {} stopped after {done}{of_total} bytes ({cause}); the partial file {} \
         is kept: run the same fetch again to resume it",
        request.url,
        request.partial.display()
    ))
    .with_details(json!({
        "url": request.url,
        "partial": request.partial.display().to_string(),
        "bytes": done,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        assert_eq!(parse_content_range("bytes 100-199/200"), Some((Some(100), Some(200))));
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((Some(0), None)));
        assert_eq!(parse_content_range("bytes */4096"), Some((None, Some(4096))));
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range("bytes x-1/2"), None);
    }

    #[test]
    fn sha1_of_a_known_string() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("abc");
        std::fs::write(&path, b"abc").expect("write");
        assert_eq!(sha1_of_file(&path).ok().as_deref(), Some("a9993e364706816aba3e25717850c26c9cd0d89d"));
    }
}
