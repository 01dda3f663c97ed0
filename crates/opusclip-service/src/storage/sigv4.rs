//! AWS Signature Version 4 for S3 requests (header form, unsigned payload), as specified in
//! "Signing AWS API requests"; checked against AWS's published example below.

use crate::util::{hex, hmac_sha256, sha256_hex};

/// The credentials and place a request is signed for.
#[derive(Debug, Clone)]
pub struct Signer {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
    pub region: String,
    pub service: String,
}

/// One request to sign: header names lower-case, path already URI-encoded.
#[derive(Debug)]
pub struct Unsigned<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub encoded_path: &'a str,
    pub query: &'a [(String, String)],
    /// Extra `x-amz-*` (or other) headers to sign, lower-case names.
    pub headers: &'a [(String, String)],
    pub payload_hash: &'a str,
}

impl Signer {
    /// The headers to add: `x-amz-date`, `x-amz-content-sha256`, maybe
    /// `x-amz-security-token`, and `authorization`. `amz_date` is `YYYYMMDDTHHMMSSZ`.
    pub fn sign(&self, request: &Unsigned<'_>, amz_date: &str) -> Vec<(String, String)> {
        let date = &amz_date[..8];
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), request.host.to_string()),
            ("x-amz-content-sha256".into(), request.payload_hash.to_string()),
            ("x-amz-date".into(), amz_date.to_string()),
        ];
        if let Some(token) = &self.session_token {
            headers.push(("x-amz-security-token".into(), token.clone()));
        }
        headers.extend(request.headers.iter().cloned());
        headers.sort();
        let signed_headers: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        let signed_headers = signed_headers.join(";");
        let canonical_headers: String =
            headers.iter().map(|(name, value)| format!("{name}:{}\n", value.trim())).collect();
        let canonical_request = format!(
            "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
            request.method,
            request.encoded_path,
            canonical_query(request.query),
            request.payload_hash
        );
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let string_to_sign =
            format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()));
        let key = self.signing_key(date);
        let signature = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            self.access_key
        );
        let mut out: Vec<(String, String)> = headers.into_iter().filter(|(name, _)| name != "host").collect();
        out.push(("authorization".into(), authorization));
        out
    }

    fn signing_key(&self, date: &str) -> Vec<u8> {
        let k_date = hmac_sha256(format!("AWS4{}", self.secret_key).as_bytes(), date.as_bytes());
        let k_region = hmac_sha256(&k_date, self.region.as_bytes());
        let k_service = hmac_sha256(&k_region, self.service.as_bytes());
        hmac_sha256(&k_service, b"aws4_request")
    }
}

/// Percent-encode per SigV4: everything but `A-Z a-z 0-9 - _ . ~` (and `/` when `keep_slash`).
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let plain = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        if plain || (keep_slash && byte == b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The query string, encoded and sorted, as signed and as sent.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> =
        query.iter().map(|(k, v)| (uri_encode(k, false), uri_encode(v, false))).collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time in seconds.
pub fn amz_date(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let seconds = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example: GET /test.txt with `Range: bytes=0-9` from examplebucket,
    /// 20130524T000000Z, us-east-1 (S3 "Signature calculation: Authorization header", example 1).
    #[test]
    fn matches_the_aws_example_signature() {
        let signer = Signer {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            region: "us-east-1".into(),
            service: "s3".into(),
        };
        let empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let headers = [("range".to_string(), "bytes=0-9".to_string())];
        let request = Unsigned {
            method: "GET",
            host: "examplebucket.s3.amazonaws.com",
            encoded_path: "/test.txt",
            query: &[],
            headers: &headers,
            payload_hash: empty_hash,
        };
        let signed = signer.sign(&request, "20130524T000000Z");
        let authorization = &signed.iter().find(|(n, _)| n == "authorization").unwrap().1;
        assert!(
            authorization.ends_with("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
            "{authorization}"
        );
        assert!(authorization.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date"));
    }

    #[test]
    fn dates_and_encoding() {
        assert_eq!(amz_date(1_369_353_600), "20130524T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(uri_encode("a b/c~", true), "a%20b/c~");
        assert_eq!(
            canonical_query(&[("prefix".into(), "jobs/1".into()), ("list-type".into(), "2".into())]),
            "list-type=2&prefix=jobs%2F1"
        );
    }
}
