//! End-to-end checks of both outputs; the PDF is read back with an independent text extractor.

use export::{to_html, to_pdf, Block, Doc, TreeNode};

const FOOTER: &str = "Version 3, approved by Ann on 2026-11-20 · generated 2026-11-26 10:00 UTC";

fn people() -> Vec<(String, String, String)> {
    let first = [
        "Zoë", "Ann", "Jérôme", "Daan", "Fenna", "Kees", "Noëlle", "Bram",
    ];
    let last = [
        "de Vries",
        "Jansen",
        "van den Berg",
        "Bakker",
        "Smit",
        "Meijer",
        "Visser",
        "de Boer",
    ];
    (0..40)
        .map(|i| {
            let name = format!("{} {} {}", first[i % 8], last[(i / 8 + i) % 8], i + 1);
            let phone = format!("+31 6 {:04} {:04}", 1234 + i, 5678 - i);
            let role = if i % 5 == 0 {
                "Crisis manager, calls the next tier".to_string()
            } else {
                format!("Team {}", i % 7)
            };
            (name, phone, role)
        })
        .collect()
}

fn tree() -> Vec<TreeNode> {
    let leaf = |s: &str| TreeNode {
        label: s.into(),
        children: vec![],
    };
    vec![TreeNode {
        label: "Ann Jansen (+31 6 1111 2222)".into(),
        children: vec![
            TreeNode {
                label: "Bram Smit".into(),
                children: vec![leaf("Kees Meijer"), leaf("Fenna Visser")],
            },
            leaf("Daan Bakker"),
        ],
    }]
}

fn doc() -> Doc {
    let rows = people()
        .into_iter()
        .map(|(n, p, r)| vec![n, r, p])
        .collect();
    Doc {
        title: "Continuity plan — Acme BV".into(),
        footer: FOOTER.into(),
        lang: "nl".into(),
        blocks: vec![
            Block::Heading { level: 1, text: "Overzicht".into() },
            Block::Paragraph("Dit plan beschrijft wat we doen als het kantoor in Zoetermeer uitvalt. Budget € 2.500 per dag; café → noodlocatie — zie hieronder.".into()),
            Block::KeyValues(vec![("Eigenaar".into(), "Ann Jansen".into()), ("Hersteltijd (RTO)".into(), "4 uur".into())]),
            Block::Bullets(vec!["Geen toegang tot het pand".into(), "Uitval van e-mail • telefonie".into()]),
            Block::Numbered((1..=12).map(|i| format!("Stap {i}: bel de volgende persoon in de belboom")).collect()),
            Block::Heading { level: 2, text: "Contactpersonen".into() },
            Block::Table { header: vec!["Naam".into(), "Rol".into(), "Telefoon".into()], rows },
            Block::Heading { level: 2, text: "Belboom".into() },
            Block::Tree(tree()),
            Block::PageBreak,
            Block::Heading { level: 3, text: "Bijlage".into() },
            Block::Paragraph("Einde.".into()),
        ],
    }
}

fn pages_text(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("pdf-extract reads the PDF")
}

#[test]
fn pdf_has_header_and_embedded_font() {
    let pdf = to_pdf(&doc()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.windows(9).any(|w| w == b"FontFile2"));
    assert!(pdf.windows(10).any(|w| w == b"/ToUnicode"));
    assert!(pdf.ends_with(b"%%EOF\n"));
}

#[test]
fn pdf_contains_every_table_string() {
    let text = pages_text(&to_pdf(&doc()).unwrap()).concat();
    for (name, phone, role) in people() {
        assert!(text.contains(&name), "missing name {name:?}");
        assert!(text.contains(&phone), "missing phone {phone:?}");
        // Long roles wrap inside their cell, so check them word by word.
        for word in role.split_whitespace() {
            assert!(text.contains(word), "missing role word {word:?}");
        }
    }
    assert!(text.contains("Ann Jansen (+31 6 1111 2222)"), "tree label");
    assert!(
        text.contains("Stap 12: bel de volgende persoon"),
        "numbered step"
    );
}

#[test]
fn pdf_footer_title_and_page_number_on_every_page() {
    let pages = pages_text(&to_pdf(&doc()).unwrap());
    let n = pages.len();
    assert!(n > 1, "the sample spans several pages");
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(FOOTER),
            "footer missing on page {}: {page}",
            i + 1
        );
        assert!(
            page.contains(&format!("pagina {} van {n}", i + 1)),
            "page label on page {}",
            i + 1
        );
        assert!(
            page.contains("Continuity plan — Acme BV"),
            "title on page {}",
            i + 1
        );
    }
}

#[test]
fn pdf_table_header_repeats_on_continuation_pages() {
    let pages = pages_text(&to_pdf(&doc()).unwrap());
    let with_rows: Vec<&String> = pages.iter().filter(|p| p.contains("+31 6 12")).collect();
    assert!(
        with_rows.len() > 1,
        "the 40-person table continues on a new page"
    );
    assert!(with_rows.iter().all(|p| p.contains("Telefoon")));
}

#[test]
fn pdf_keeps_dutch_and_symbols() {
    let text = pages_text(&to_pdf(&doc()).unwrap()).concat();
    for s in [
        "Zoë",
        "Jérôme",
        "Noëlle",
        "€ 2.500",
        "café → noodlocatie — zie",
        "•",
        "e-mail • telefonie",
    ] {
        assert!(text.contains(s), "missing {s:?}");
    }
}

#[test]
fn pdf_handles_edge_cases() {
    let empty = Doc {
        title: String::new(),
        footer: String::new(),
        lang: "en".into(),
        blocks: vec![],
    };
    assert_eq!(pages_text(&to_pdf(&empty).unwrap()).len(), 1);

    // A cell taller than a page, a word wider than the page, characters DejaVu lacks,
    // markup-like text, an empty table and page breaks in a row.
    let huge = "lorem ipsum ".repeat(1500);
    let doc = Doc {
        title: "Edge".into(),
        footer: "f".into(),
        lang: "en".into(),
        blocks: vec![
            Block::PageBreak,
            Block::Table {
                header: vec!["A".into()],
                rows: vec![vec![huge, "extra".into()], vec![]],
            },
            Block::Paragraph(format!("{} 漢 <b>&amp;</b>", "x".repeat(400))),
            Block::Table {
                header: vec![],
                rows: vec![],
            },
            Block::PageBreak,
            Block::PageBreak,
            Block::Heading {
                level: 9,
                text: "Deep".into(),
            },
        ],
    };
    let pages = pages_text(&to_pdf(&doc).unwrap());
    assert!(pages.len() > 2);
    assert!(pages
        .iter()
        .all(|p| p.contains(&format!("of {}", pages.len()))));
    let all = pages.concat();
    // 漢 is not in DejaVu Sans: it is drawn (and extracted) as "?".
    assert!(all.contains("x ?") && all.contains("<b>&amp;</b>"));
    assert!(all.contains("Deep") && all.contains("extra"));
}

#[test]
fn pdf_is_deterministic() {
    assert_eq!(to_pdf(&doc()).unwrap(), to_pdf(&doc()).unwrap());
}

#[test]
fn pdf_twenty_pages_render_quickly() {
    let mut long = doc();
    for _ in 0..9 {
        long.blocks.extend(doc().blocks);
    }
    let start = std::time::Instant::now();
    let pdf = to_pdf(&long).unwrap();
    let elapsed = start.elapsed();
    assert!(pages_text(&pdf).len() >= 20);
    // Generous so an unoptimised build on a busy machine passes; release is far faster.
    assert!(elapsed.as_secs_f32() < 5.0, "took {elapsed:?}");
}

fn html_doc() -> Doc {
    let mut d = doc();
    d.lang = "en".into();
    if let Block::Table { rows, .. } = &mut d.blocks[6] {
        rows[3][0] = "Eve <script>alert('x')</script> & Co".into();
    }
    d
}

#[test]
fn html_escapes_text() {
    let html = to_html(&html_doc());
    assert!(!html.contains("<script"));
    assert!(html.contains("Eve &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\">"));
}

#[test]
fn html_contains_every_phone_number_and_the_footer() {
    let html = to_html(&html_doc());
    for (_, phone, _) in people() {
        assert!(html.contains(&phone), "missing {phone}");
    }
    // Footer at top and bottom of the page (its "·" is not escaped, so it appears verbatim).
    assert_eq!(html.matches(FOOTER).count(), 2);
    assert!(html.contains("Zoë") && html.contains("€ 2.500"));
}

#[test]
fn html_is_self_contained() {
    let html = to_html(&html_doc()).to_lowercase();
    for needle in [
        "http://", "https://", "<link", "<script", "<img", "<iframe", "url(", "@import", "src=",
    ] {
        assert!(!html.contains(needle), "found {needle}");
    }
    assert!(html.contains("@page") && html.contains("size: a4"));
    assert!(html.contains("break-inside: avoid"));
}
