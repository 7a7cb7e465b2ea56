//! Parse, don't validate: user input becomes one of these types or a message saying what is wrong.
//! The same rules run in the browser (inline errors) and on the server (the authority).
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, &'static str> {
        let s = s.trim().to_lowercase();
        if s.len() > 254 {
            return Err("is too long");
        }
        let (local, domain) = s.split_once('@').ok_or("is not an e-mail address")?;
        let valid = !local.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.contains('.')
            && !domain.contains('@')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Email(s))
        } else {
            Err("is not an e-mail address")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as NIST SP 800-63B asks: long enough, not absurdly long, anything printable, and
/// not blank, repetitive, sequential or common (`super::password`).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

pub const MIN_PASSWORD_LEN: usize = super::password::MIN_LEN;

impl Password {
    pub fn parse(s: &str) -> Result<Password, &'static str> {
        match super::password::weakness(s) {
            Some(why) => Err(why),
            None => Ok(Password(s.to_string())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's or company's name: trimmed, not empty, at most 200 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub fn parse(s: &str) -> Result<Name, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            Err("must not be empty")
        } else if s.chars().count() > 200 {
            Err("must be at most 200 characters")
        } else if s.chars().any(|c| c.is_control()) {
            Err("must not contain control characters")
        } else {
            Ok(Name(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A path of this site to go on to (`/clients/…?x=1`), or `None` for anything that could lead
/// elsewhere: another origin (`//host`, `\\host`), a scheme, control characters.
pub fn site_path(p: &str) -> Option<&str> {
    let elsewhere = !p.starts_with('/')
        || p.starts_with("//")
        || p.contains('\\')
        || p.chars().any(char::is_control);
    (!elsewhere).then_some(p)
}

/// `s` with everything but unreserved characters and `/` percent-encoded, for a query value.
pub fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_gone_on_to() {
        assert_eq!(
            site_path("/clients/1/plan?x=1"),
            Some("/clients/1/plan?x=1")
        );
        for p in [
            "//evil.example/p",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/a\nb",
        ] {
            assert_eq!(site_path(p), None, "{p}");
        }
        assert_eq!(
            query_value("/clients/a b?x=1&y"),
            "/clients/a%20b%3Fx%3D1%26y"
        );
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.NL ").unwrap().as_str(),
            "ann@example.nl"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.nl",
            "ann@example",
            "a b@example.nl",
            "ann@.nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn password_length_bounds() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough pw").is_ok());
        assert!(Password::parse("Password1234").is_err());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("long enough pw").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Acme BV ").unwrap().as_str(), "Acme BV");
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"a".repeat(201)).is_err());
        assert!(Name::parse("a\u{0}b").is_err());
    }
}
