//! Standalone printable HTML: one file, inline CSS, no scripts and nothing fetched, so it can be
//! saved, mailed or printed offline exactly as it is.

use crate::{Block, Doc, TreeNode};

const CSS: &str = r#"
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
       color: #111; max-width: 50rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 19pt; margin: .4em 0 .6em; }
h2 { font-size: 15pt; } h3 { font-size: 12.5pt; } h4 { font-size: 11pt; }
h2, h3, h4 { margin: 1.2em 0 .35em; break-after: avoid; page-break-after: avoid; }
p { margin: .4em 0; white-space: pre-line; }
ul, ol { margin: .4em 0; padding-left: 1.8em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; }
thead { display: table-header-group; }
th, td { text-align: left; vertical-align: top; padding: .25em .45em; border-bottom: 1px solid #ccc; }
th { background: #eee; border-bottom: 1.5px solid #777; }
tr { break-inside: avoid; page-break-inside: avoid; }
dl.kv { display: grid; grid-template-columns: fit-content(40%) 1fr; gap: .15em 1em; margin: .5em 0; }
dl.kv dt { font-weight: bold; } dl.kv dd { margin: 0; }
figure.chart { margin: .6em 0 1.2em; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart figcaption { font-size: 9pt; color: #444; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding: 0; }
ul.tree { margin: .5em 0; }
ul.tree ul { margin-left: .35em; }
ul.tree li { position: relative; }
ul.tree ul > li { padding-left: 1.3em; }
ul.tree ul > li::before { content: ""; position: absolute; left: 0; top: 0; width: 1em; height: .75em;
                          border-left: 1px solid #888; border-bottom: 1px solid #888; }
ul.tree ul > li::after { content: ""; position: absolute; left: 0; top: .75em; bottom: 0; border-left: 1px solid #888; }
ul.tree ul > li:last-child::after { display: none; }
ul.tree > li > span { font-weight: bold; }
.doc-footer { font-size: 8.5pt; color: #555; }
.doc-footer.top { border-bottom: 1px solid #ccc; padding-bottom: .3em; }
.doc-footer.bottom { border-top: 1px solid #ccc; padding-top: .3em; margin-top: 2em; }
.page-break { break-after: page; page-break-after: always; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

pub(crate) fn render(doc: &Doc) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let lang = if doc
        .lang
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !doc.lang.is_empty()
    {
        doc.lang.as_str()
    } else {
        "en"
    };
    let (page, of) = if lang.eq_ignore_ascii_case("nl") {
        ("pagina ", " van ")
    } else {
        ("page ", " of ")
    };
    out.push_str(&format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n"
    ));
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    escape(&mut out, &doc.title);
    out.push_str("</title>\n<style>");
    out.push_str(CSS);
    // Page margin boxes repeat the footer and page number on every printed page.
    out.push_str(&format!(
        "@page {{ size: A4; margin: 18mm 18mm 22mm; font: 7.5pt \"DejaVu Sans\", Verdana, sans-serif; color: #555;\n  \
         @bottom-left {{ content: {}; }}\n  \
         @bottom-right {{ content: \"{page}\" counter(page) \"{of}\" counter(pages); }} }}\n",
        css_string(&doc.footer)
    ));
    out.push_str("</style>\n</head>\n<body>\n<div class=\"doc-footer top\">");
    escape(&mut out, &doc.footer);
    out.push_str("</div>\n<main>\n<h1>");
    escape(&mut out, &doc.title);
    out.push_str("</h1>\n");
    for block in &doc.blocks {
        render_block(&mut out, block);
    }
    out.push_str("</main>\n<div class=\"doc-footer bottom\">");
    escape(&mut out, &doc.footer);
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

fn render_block(out: &mut String, block: &Block) {
    // Open tag, escaped text, close tag.
    let el = |out: &mut String, tag: &str, text: &str| {
        out.push_str(&format!("<{tag}>"));
        escape(out, text);
        out.push_str(&format!("</{tag}>"));
    };
    match block {
        Block::Heading { level, text } => {
            // The document title is the <h1>, so section levels 1..=3 become h2..h4.
            let tag = format!("h{}", (*level).clamp(1, 3) + 1);
            el(out, &tag, text);
        }
        Block::Paragraph(text) => el(out, "p", text),
        Block::Bullets(items) | Block::Numbered(items) => {
            let tag = if matches!(block, Block::Bullets(_)) {
                "ul"
            } else {
                "ol"
            };
            out.push_str(&format!("<{tag}>"));
            for item in items {
                el(out, "li", item);
            }
            out.push_str(&format!("</{tag}>"));
        }
        Block::Table { header, rows } => {
            out.push_str("<table>");
            if !header.is_empty() {
                out.push_str("<thead><tr>");
                for h in header {
                    el(out, "th", h);
                }
                out.push_str("</tr></thead>");
            }
            out.push_str("<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    el(out, "td", cell);
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody></table>");
        }
        Block::KeyValues(pairs) => {
            out.push_str("<dl class=\"kv\">");
            for (k, v) in pairs {
                el(out, "dt", k);
                el(out, "dd", v);
            }
            out.push_str("</dl>");
        }
        Block::Tree(nodes) => {
            out.push_str("<ul class=\"tree\">");
            tree(out, nodes);
            out.push_str("</ul>");
        }
        Block::PageBreak => out.push_str("<div class=\"page-break\"></div>"),
        Block::Chart {
            caption,
            points,
            threshold,
            x_labels,
            y_labels,
        } => chart(out, caption, points, *threshold, x_labels, y_labels),
    }
    out.push('\n');
}

/// An inline SVG (nothing fetched, prints as drawn), its caption as the text alternative.
fn chart(
    out: &mut String,
    caption: &str,
    points: &[(f32, f32)],
    threshold: Option<f32>,
    x_labels: &[(f32, String)],
    y_labels: &[(f32, String)],
) {
    // The frame inside a 600 x 170 drawing, room left for the labels.
    let (left, right, top, bottom) = (56.0_f32, 594.0_f32, 6.0_f32, 146.0_f32);
    let x = |f: f32| left + f.clamp(0.0, 1.0) * (right - left);
    let y = |f: f32| bottom - f.clamp(0.0, 1.0) * (bottom - top);
    out.push_str("<figure class=\"chart\"><svg viewBox=\"0 0 600 170\" role=\"img\" aria-label=\"");
    escape(out, caption);
    out.push_str("\">");
    out.push_str(&format!(
        "<rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"#fbfcfe\" stroke=\"#bbb\"/>",
        right - left,
        bottom - top
    ));
    for (f, label) in x_labels {
        out.push_str(&format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#e3e3e3\"/><text x=\"{0:.1}\" y=\"162\" font-size=\"11\" fill=\"#555\">",
            x(*f)
        ));
        escape(out, label);
        out.push_str("</text>");
    }
    for (f, label) in y_labels {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">",
            left - 5.0,
            y(*f) + 4.0
        ));
        escape(out, label);
        out.push_str("</text>");
    }
    if let Some(t) = threshold {
        out.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#b3261e\" stroke-dasharray=\"6 4\"/>",
            y(t)
        ));
    }
    let line: Vec<String> = points
        .iter()
        .map(|(px, py)| format!("{:.1},{:.1}", x(*px), y(*py)))
        .collect();
    out.push_str(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b6e4f\" stroke-width=\"1.5\"/></svg><figcaption>",
        line.join(" ")
    ));
    escape(out, caption);
    out.push_str("</figcaption></figure>");
}

fn tree(out: &mut String, nodes: &[TreeNode]) {
    for node in nodes {
        out.push_str("<li><span>");
        escape(out, &node.label);
        out.push_str("</span>");
        if !node.children.is_empty() {
            out.push_str("<ul>");
            tree(out, &node.children);
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
}

/// Escapes text for element content and attribute values.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// A quoted CSS string for use inside `<style>`: everything but letters, digits and spaces is
/// written as a hex escape, so no quote, backslash or `</style>` can end it early.
fn css_string(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        if c.is_alphanumeric() || c == ' ' {
            s.push(c);
        } else {
            s.push_str(&format!("\\{:x} ", u32::from(c)));
        }
    }
    s.push('"');
    s
}
