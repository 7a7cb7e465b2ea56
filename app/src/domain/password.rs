//! What makes a password too weak, after NIST SP 800-63B: long enough, and not blank,
//! repetitive, sequential or one that everybody uses. Nothing else is demanded (no required
//! mix of character classes, no expiry): length beats composition rules.
pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;

/// Base words of the passwords found most often in breach lists. A password that is one of
/// them (or one repeated), whatever digits and symbols surround it and whatever letters are
/// written as look-alike digits, is refused.
const COMMON_WORDS: &[&str] = &[
    "password",
    "passwort",
    "wachtwoord",
    "welcome",
    "welkom",
    "letmein",
    "qwerty",
    "qwertz",
    "azerty",
    "iloveyou",
    "admin",
    "administrator",
    "changeme",
    "lifeline",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "soccer",
    "sunshine",
    "princess",
    "superman",
    "batman",
    "master",
    "shadow",
    "trustno",
    "secret",
    "login",
    "hello",
    "freedom",
    "whatever",
    "starwars",
    "computer",
    "internet",
    "pass",
    "test",
    "default",
    "guest",
    "root",
    "user",
    "summer",
    "winter",
    "spring",
    "autumn",
    "zomer",
    "lente",
    "herfst",
    "voorjaar",
];

/// Whole passwords from breach lists that the rules below would not catch.
const COMMON: &[&str] = &[
    "1q2w3e4r5t6y",
    "q1w2e3r4t5y6",
    "1qaz2wsx3edc",
    "qazwsxedcrfv",
    "zaq12wsxcde3",
    "zaq1zaq1zaq1",
    "1q2w3e4r5t6y7u",
    "qwertyuiop[]",
    "asdfghjkl;'",
    "iloveyou1234",
    "trustno1trustno1",
];

/// Why `s` is too weak to be a password, or `None` when it will do.
pub fn weakness(s: &str) -> Option<&'static str> {
    let n = s.chars().count();
    if n < MIN_LEN {
        return Some("must be at least 12 characters");
    }
    if n > MAX_LEN {
        return Some("must be at most 256 characters");
    }
    if s.trim().is_empty() {
        return Some("must not be blank");
    }
    let lower = s.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    if repetitive(&chars) {
        return Some("is too repetitive: use more different characters");
    }
    if sequential(&chars) {
        return Some(
            "is a sequence (like 123456789012 or qwertyuiop): choose something less predictable",
        );
    }
    if common(&lower) {
        return Some("is one of the most common passwords: choose another");
    }
    None
}

/// Three or fewer different characters, or one short piece over and over ("abcabcabcabc").
fn repetitive(chars: &[char]) -> bool {
    let mut distinct = chars.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 3 {
        return true;
    }
    (1..=chars.len() / 2).any(|unit| {
        chars.len().is_multiple_of(unit) && chars.chunks(unit).all(|c| c == &chars[..unit])
    })
}

/// The rows of a keyboard, in which neighbours are a "sequence" too.
const ROWS: &[&str] = &[
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "yxcvbnm",
];

fn step(a: char, b: char) -> bool {
    let (x, y) = (a as i64, b as i64);
    if (x - y).abs() == 1 {
        return true; // abc, cba, 123, 321
    }
    if matches!((a, b), ('9', '0') | ('0', '9')) {
        return true; // 7890 1234
    }
    ROWS.iter().any(|row| {
        let r: Vec<char> = row.chars().collect();
        r.windows(2)
            .any(|w| (w[0] == a && w[1] == b) || (w[0] == b && w[1] == a))
    })
}

/// Four in five of its neighbouring characters are steps of a sequence.
fn sequential(chars: &[char]) -> bool {
    let pairs = chars.len().saturating_sub(1);
    let steps = chars.windows(2).filter(|w| step(w[0], w[1])).count();
    pairs > 0 && steps * 5 >= pairs * 4
}

/// A known password, or a common word dressed up with digits, symbols and look-alikes.
fn common(lower: &str) -> bool {
    if COMMON.contains(&lower) {
        return true;
    }
    // Digits and symbols around the word go; inside it, look-alikes are read as the letters
    // they stand for ("P@ssw0rd2024!" is "password").
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let letters: String = core
        .chars()
        .filter_map(|c| match c {
            '0' => Some('o'),
            '1' | '!' => Some('i'),
            '3' => Some('e'),
            '4' | '@' => Some('a'),
            '5' | '$' => Some('s'),
            '7' => Some('t'),
            c if c.is_alphabetic() => Some(c),
            _ => None,
        })
        .collect();
    // And the letters alone ("pass word 123").
    let plain: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    [letters, plain].iter().any(|word| {
        COMMON_WORDS.iter().any(|w| {
            !word.is_empty()
                && word.len().is_multiple_of(w.len())
                && word.as_bytes().chunks(w.len()).all(|c| c == w.as_bytes())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::weakness;

    #[test]
    fn weak_passwords_are_named_for_what_is_wrong() {
        for (pw, why) in [
            ("short", "at least 12"),
            ("elevenchars", "at least 12"),
            ("            ", "blank"),
            ("aaaaaaaaaaaa", "repetitive"),
            ("abcabcabcabc", "repetitive"),
            ("ab12ab12ab12", "repetitive"),
            ("123456789012", "sequence"),
            ("987654321098", "sequence"),
            ("abcdefghijkl", "sequence"),
            ("qwertyuiop12", "sequence"),
            ("Password1234", "common"),
            ("P@ssw0rd2024!", "common"),
            ("Welkom123456", "common"),
            ("1q2w3e4r5t6y", "common"),
            ("iloveyou1234", "common"),
            ("passwordpassword", "repetitive"),
            ("Summer2026!!", "common"),
        ] {
            let got = weakness(pw).unwrap_or_else(|| panic!("{pw:?} was accepted"));
            assert!(got.contains(why), "{pw:?}: {got}");
        }
        assert!(weakness(&"x".repeat(257)).unwrap().contains("at most 256"));
    }

    #[test]
    fn ordinary_good_passwords_pass() {
        for pw in [
            "correct horse battery",
            "another password",
            "lifeline-demo-2026",
            "Zeilboot op de Waal 7",
            "my cat eats 3 carrots",
            "tR9#kL2$wQ8!",
        ] {
            assert_eq!(weakness(pw), None, "{pw:?}");
        }
    }
}
