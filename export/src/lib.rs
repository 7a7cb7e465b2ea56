//! Renders a simple structured document — a continuity plan — to printable standalone HTML and
//! to an A4 PDF.
//!
//! The PDF is produced in pure Rust by a small writer in this crate: DejaVu Sans (regular and
//! bold) is compiled in, subsetted to the glyphs a document uses and embedded, with a ToUnicode
//! map so that text can be searched and copied. Nothing runs outside the process: no browser,
//! no external program, no network.
//!
//! ```
//! use export::{Block, Doc};
//! let doc = Doc {
//!     title: "Continuity plan — Acme BV".into(),
//!     footer: "Version 3, approved by Ann on 2026-11-20".into(),
//!     lang: "nl".into(),
//!     blocks: vec![
//!         Block::Heading { level: 1, text: "Contactpersonen".into() },
//!         Block::Table { header: vec!["Naam".into(), "Telefoon".into()],
//!                        rows: vec![vec!["Zoë de Vries".into(), "+31 6 1234 5678".into()]] },
//!     ],
//! };
//! assert!(export::to_html(&doc).contains("Zoë de Vries"));
//! assert!(export::to_pdf(&doc)?.starts_with(b"%PDF-"));
//! # Ok::<(), export::ExportError>(())
//! ```

mod font;
mod html;
mod layout;
mod pdf;

/// A document to export: a title, a footer line and a sequence of blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// Shown as the main heading, as the HTML `<title>` and small at the top of every PDF page.
    pub title: String,
    /// Printed on every page of the PDF, and at the top and bottom of the HTML.
    pub footer: String,
    /// Language of the text, `"en"` or `"nl"`: sets `<html lang>` and the "page N of M" wording.
    pub lang: String,
    pub blocks: Vec<Block>,
}

/// One piece of content. Text is plain text; anything markup-like is shown literally.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section heading; `level` is 1..=3 (values outside are clamped).
    Heading {
        level: u8,
        text: String,
    },
    /// Word-wrapped text; a `\n` forces a line break.
    Paragraph(String),
    Bullets(Vec<String>),
    /// Numbered steps.
    Numbered(Vec<String>),
    /// A table; rows may be shorter or longer than the header.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// `label: value` lines.
    KeyValues(Vec<(String, String)>),
    /// A call tree, drawn indented with connector lines.
    Tree(Vec<TreeNode>),
    /// Starts a new page (in print); ignored at the top of a page.
    PageBreak,
    /// A line chart in a frame. `points` and `threshold` are fractions (0..=1) of the frame's
    /// width and height from its bottom left; `x_labels` sit under the frame at their fraction
    /// of the width, `y_labels` beside it at their fraction of the height. `caption` says in
    /// words what the chart shows: it is printed under it and is the picture's text alternative.
    Chart {
        caption: String,
        points: Vec<(f32, f32)>,
        threshold: Option<f32>,
        x_labels: Vec<(f32, String)>,
        y_labels: Vec<(f32, String)>,
    },
}

/// A node of a [`Block::Tree`].
#[derive(Clone, Debug, PartialEq)]
pub struct TreeNode {
    pub label: String,
    pub children: Vec<TreeNode>,
}

/// Why a PDF could not be produced. Both cases mean the embedded fonts are unusable, which the
/// tests rule out; they are errors rather than panics because this runs inside a server.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("embedded font could not be read: {0}")]
    Font(String),
    #[error("embedded font could not be subsetted: {0}")]
    Subset(String),
}

/// Renders `doc` as a complete `<!doctype html>` page with inline CSS only (no external links,
/// scripts or fonts) and print rules for A4. All text is HTML-escaped.
pub fn to_html(doc: &Doc) -> String {
    html::render(doc)
}

/// Renders `doc` as A4 PDF bytes with embedded, subsetted fonts.
pub fn to_pdf(doc: &Doc) -> Result<Vec<u8>, ExportError> {
    let fonts = font::Fonts::load()?;
    let pages = layout::layout(doc, &fonts);
    pdf::write(doc, &pages, &fonts)
}

/// The page label shown at the bottom of each PDF page, in the document's language.
fn page_label(lang: &str, page: usize, pages: usize) -> String {
    if lang.eq_ignore_ascii_case("nl") {
        format!("pagina {page} van {pages}")
    } else {
        format!("page {page} of {pages}")
    }
}
