//! CSV cells that spreadsheets take as text, never as formulas (OWASP's CSV-injection rule): a
//! system or client name typed as `=HYPERLINK(...)` must not run when an MSP opens an export.
//! Every CSV Lifeline writes builds its text cells here.

/// One text cell, quoted, with a leading `'` when it starts with a character a spreadsheet reads
/// as the start of a formula (`=`, `+`, `-`, `@`, tab, carriage return).
pub fn cell(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let body = s.replace('"', "\"\"");
    if risky {
        format!("\"'{body}\"")
    } else {
        format!("\"{body}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_text_and_quotes_are_doubled() {
        assert_eq!(cell("ERP"), "\"ERP\"");
        assert_eq!(cell("=1+1"), "\"'=1+1\"");
        assert_eq!(cell("+31 6 1234"), "\"'+31 6 1234\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell(""), "\"\"");
    }
}
