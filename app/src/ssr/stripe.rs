//! Stripe's webhook signature, checked exactly as Stripe specifies it: the `Stripe-Signature`
//! header carries `t=<unix seconds>` and one or more `v1=<hex>` signatures (during a secret's
//! rotation, several); a valid one is the HMAC-SHA256 of `"{t}.{raw body}"` under the endpoint's
//! signing secret. The comparison takes the same time whatever matches, and a timestamp more than
//! the tolerance away from now is refused (a replayed event).
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own libraries allow five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// No `t=` or no `v1=` in the header, or a part that is not what Stripe sends.
    Malformed,
    /// The timestamp is further from now than the tolerance.
    Stale,
    /// No `v1` signature matches.
    Mismatch,
}

impl SignatureError {
    pub fn message(&self) -> &'static str {
        match self {
            SignatureError::Malformed => "the Stripe-Signature header is missing or malformed",
            SignatureError::Stale => "the Stripe-Signature timestamp is outside the tolerance",
            SignatureError::Mismatch => "no signature in Stripe-Signature matches the payload",
        }
    }
}

/// The signature Stripe would send for `payload` at `timestamp` (for tests and the fake).
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, payload).finalize().into_bytes())
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut m =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(payload);
    m
}

/// Checks `header` against `payload` (the raw body, byte for byte) at `now` (unix seconds).
pub fn verify(secret: &str, header: &str, payload: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            "v1" => signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            // v0 (test-mode legacy) and unknown schemes are ignored, as Stripe's libraries do.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    // `verify_slice` compares in constant time; every candidate is tried.
    let matched = signatures.iter().fold(false, |found, sig| {
        mac(secret, timestamp, payload).verify_slice(sig).is_ok() | found
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

    #[test]
    fn a_signature_made_with_the_secret_over_t_and_the_body_is_accepted() {
        let t = 1_800_000_000;
        let header = format!("t={t},v1={}", sign(SECRET, t, BODY));
        assert_eq!(verify(SECRET, &header, BODY, t + 10), Ok(()));
        // Several v1 (a rotated secret) and a v0: any matching v1 will do.
        let header = format!(
            "t={t},v1={},v0=abcd,v1={}",
            "00".repeat(32),
            sign(SECRET, t, BODY)
        );
        assert_eq!(verify(SECRET, &header, BODY, t), Ok(()));
    }

    #[test]
    fn a_changed_body_another_secret_or_an_old_timestamp_is_refused() {
        let t = 1_800_000_000;
        let header = format!("t={t},v1={}", sign(SECRET, t, BODY));
        assert_eq!(
            verify(SECRET, &header, b"{\"id\":\"evt_2\"}", t),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", &header, BODY, t),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, BODY, t + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, &header, BODY, t - 301),
            Err(SignatureError::Stale)
        );
        // The signature of another moment does not carry over to this one.
        let moved = format!("t={},v1={}", t + 1, sign(SECRET, t, BODY));
        assert_eq!(
            verify(SECRET, &moved, BODY, t),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_header_without_its_parts_is_malformed() {
        for header in [
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1800000000",
            "t=1800000000,v1=zz",
        ] {
            assert_eq!(
                verify(SECRET, header, BODY, 1_800_000_000),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }
}
