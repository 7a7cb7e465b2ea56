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

/// What a duration field says when it cannot read what was typed.
pub const DURATION: &str = "must be a duration such as 15 min, 4 h or 1 d";
/// A moment as a form takes it, in UTC.
pub const MOMENT: &str = "must be a moment such as 2026-12-07 08:30 (UTC)";

/// Minutes from a duration as people type it, in English or Dutch: a bare number is minutes;
/// otherwise a number (a decimal point or comma allowed: "1.5 h", "1,5 uur") and a unit, with or
/// without a space: min, h / hour / uur / u, d / day / dag, w / week. Rounded to the minute; up
/// to a year. `None` when empty.
pub fn duration(v: &str) -> Result<Option<u32>, &'static str> {
    let v = v.trim().to_lowercase();
    if v.is_empty() {
        return Ok(None);
    }
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(end);
    let per: f64 = match unit.trim() {
        "" | "m" | "min" | "mins" | "minute" | "minutes" | "minuut" | "minuten" => 1.0,
        "h" | "hr" | "hrs" | "hour" | "hours" | "u" | "uur" => 60.0,
        "d" | "day" | "days" | "dag" | "dagen" => 1440.0,
        "w" | "wk" | "week" | "weeks" | "weken" => 10_080.0,
        _ => return Err(DURATION),
    };
    let number = number.replace(',', ".");
    if number.is_empty() || number.starts_with('.') || number.matches('.').count() > 1 {
        return Err(DURATION);
    }
    let n: f64 = number.parse().map_err(|_| DURATION)?;
    let minutes = (n * per).round();
    if !(0.0..=525_600.0).contains(&minutes) {
        return Err(DURATION);
    }
    Ok(Some(minutes as u32))
}

/// Minutes written exactly, for a form field to show (and `duration` to read back unchanged):
/// whole days as days, whole hours as hours, anything else in minutes.
pub fn duration_text(lang: crate::i18n::Lang, minutes: u32) -> String {
    let hours = match lang {
        crate::i18n::Lang::Nl => "uur",
        crate::i18n::Lang::En => "h",
    };
    match minutes {
        0 => "0 min".into(),
        m if m % 1440 == 0 => format!("{} d", m / 1440),
        m if m % 60 == 0 => format!("{} {hours}", m / 60),
        m => format!("{m} min"),
    }
}

#[cfg(test)]
mod duration_tests {
    use super::*;

    #[test]
    fn a_duration_shown_in_a_form_reads_back_unchanged() {
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Nl] {
            for m in [
                0, 1, 15, 59, 60, 90, 150, 240, 1440, 1500, 2880, 10_080, 525_600,
            ] {
                assert_eq!(duration(&duration_text(lang, m)), Ok(Some(m)), "{m}");
            }
        }
        assert_eq!(duration_text(crate::i18n::Lang::Nl, 240), "4 uur");
    }

    #[test]
    fn durations_are_read_as_people_type_them_in_either_language() {
        for (typed, minutes) in [
            ("15", 15),
            (" 15 min ", 15),
            ("24 h", 1440),
            ("24h", 1440),
            ("4 uur", 240),
            ("4 u", 240),
            ("1 D", 1440),
            ("2 dagen", 2880),
            ("1.5 h", 90),
            ("1,5 uur", 90),
            ("1 week", 10_080),
            ("2 weken", 20_160),
            ("0", 0),
        ] {
            assert_eq!(duration(typed), Ok(Some(minutes)), "{typed}");
        }
        assert_eq!(duration("  "), Ok(None));
        for bad in [
            "daily",
            "-5",
            "h",
            "3 fortnights",
            "99999999 d",
            "1.2.3 h",
            ".5 h",
            "1e9",
            "2 years",
        ] {
            assert_eq!(duration(bad), Err(DURATION), "{bad}");
        }
    }
}
