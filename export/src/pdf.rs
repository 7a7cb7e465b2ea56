//! A minimal PDF 1.7 writer: pages of text and rules, two subsetted TrueType fonts embedded as
//! Type0/CIDFontType2 with Identity-H encoding, and a ToUnicode CMap per font so text
//! extractors (and copy-paste) recover the original characters.

use crate::font::{Font, Fonts};
use crate::layout::{Op, Page, PAGE_H, PAGE_W};
use crate::{Doc, ExportError};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use subsetter::GlyphRemapper;

/// Fixed object numbers; fonts and pages follow.
const CATALOG: usize = 1;
const PAGES: usize = 2;
const INFO: usize = 3;
const FIRST_FONT: usize = 4;
/// Objects per font: Type0, CIDFont, descriptor, font file, ToUnicode.
const FONT_OBJS: usize = 5;

/// A font as embedded: the old→new glyph mapping of its subset.
struct Embedded<'a> {
    font: &'a Font,
    map: GlyphRemapper,
    /// New glyph id → the character it stands for, for the ToUnicode CMap.
    unicode: BTreeMap<u16, char>,
}

impl Embedded<'_> {
    /// Hex string of new glyph ids, as shown with Identity-H (two bytes per glyph).
    fn encode(&self, text: &str) -> String {
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let gid = self.map.get(self.font.glyph(c)).unwrap_or(0);
            let _ = write!(hex, "{gid:04X}");
        }
        hex
    }
}

struct Writer {
    buf: Vec<u8>,
    /// Byte offset of each object, indexed by object number (0 is the free-list head).
    offsets: Vec<usize>,
}

impl Writer {
    fn obj(&mut self, id: usize, dict: &str) {
        self.offsets[id] = self.buf.len();
        self.buf
            .extend_from_slice(format!("{id} 0 obj\n{dict}\nendobj\n").as_bytes());
    }

    /// Writes a Flate-compressed stream; `extra` holds additional dictionary entries.
    fn stream(&mut self, id: usize, extra: &str, data: &[u8]) {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
        self.offsets[id] = self.buf.len();
        let head = format!(
            "{id} 0 obj\n<< /Length {} /Filter /FlateDecode {extra}>>\nstream\n",
            packed.len()
        );
        self.buf.extend_from_slice(head.as_bytes());
        self.buf.extend_from_slice(&packed);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }
}

pub(crate) fn write(doc: &Doc, pages: &[Page], fonts: &Fonts) -> Result<Vec<u8>, ExportError> {
    let fonts = [
        embed(&fonts.regular, pages, false),
        embed(&fonts.bold, pages, true),
    ];
    let first_page = FIRST_FONT + FONT_OBJS * fonts.len();
    let count = first_page + 2 * pages.len();
    let mut w = Writer {
        buf: Vec::with_capacity(64 * 1024),
        offsets: vec![0; count],
    };
    // The binary comment line tells transfer tools the file is not text.
    w.buf.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");

    let lang: String = doc
        .lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    w.obj(
        CATALOG,
        &format!("<< /Type /Catalog /Pages {PAGES} 0 R /Lang ({lang}) >>"),
    );
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page + 2 * i))
        .collect();
    w.obj(
        PAGES,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ),
    );
    // No creation date: identical input gives identical bytes.
    let title = text_string(&doc.title);
    w.obj(
        INFO,
        &format!("<< /Title {title} /Producer (Lifeline export) >>"),
    );

    for (i, font) in fonts.iter().enumerate() {
        write_font(&mut w, FIRST_FONT + FONT_OBJS * i, font)?;
    }
    let font_res = format!(
        "<< /F0 {} 0 R /F1 {} 0 R >>",
        FIRST_FONT,
        FIRST_FONT + FONT_OBJS
    );
    for (i, page) in pages.iter().enumerate() {
        let id = first_page + 2 * i;
        w.obj(
            id,
            &format!(
                "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                 /Resources << /Font {font_res} >> /Contents {} 0 R >>",
                id + 1
            ),
        );
        w.stream(id + 1, "", content(page, &fonts).as_bytes());
    }

    let xref = w.buf.len();
    let mut tail = format!("xref\n0 {count}\n0000000000 65535 f \n");
    for offset in &w.offsets[1..] {
        let _ = writeln!(tail, "{offset:010} 00000 n ");
    }
    let _ = write!(tail, "trailer\n<< /Size {count} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
    w.buf.extend_from_slice(tail.as_bytes());
    Ok(w.buf)
}

/// Collects the glyphs that the pages draw in this font and maps them to a compact subset.
fn embed<'a>(font: &'a Font, pages: &[Page], bold: bool) -> Embedded<'a> {
    let mut used = BTreeMap::new();
    for op in pages.iter().flatten() {
        if let Op::Text { text, bold: b, .. } = op {
            if *b == bold {
                for c in text.chars() {
                    used.entry(font.glyph(c)).or_insert(c);
                }
            }
        }
    }
    let gids: Vec<u16> = used.keys().copied().collect();
    let map = GlyphRemapper::new_from_glyphs_sorted(&gids);
    let unicode = used
        .iter()
        .filter_map(|(gid, c)| Some((map.get(*gid)?, *c)))
        .collect();
    Embedded { font, map, unicode }
}

fn write_font(w: &mut Writer, id: usize, e: &Embedded) -> Result<(), ExportError> {
    let face = &e.font.face;
    let data = subsetter::subset(e.font.data, 0, &e.map)
        .map_err(|err| ExportError::Subset(err.to_string()))?;
    // Subset fonts are named with a tag derived from their glyph set (PDF 32000 §9.6.4).
    let name = format!("{}+{}", subset_tag(&e.map), e.font.name);
    let widths: Vec<String> = e
        .map
        .remapped_gids()
        .map(|g| format!("{:.0}", e.font.advance_1000(g)))
        .collect();
    let scale = |v: i16| (f32::from(v) * 1000.0 / f32::from(face.units_per_em())).round();
    let b = face.global_bounding_box();

    w.obj(
        id,
        &format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H \
             /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
            id + 1,
            id + 4
        ),
    );
    w.obj(
        id + 1,
        &format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor {} 0 R /DW 1000 /W [0 [{}]] /CIDToGIDMap /Identity >>",
            id + 2,
            widths.join(" ")
        ),
    );
    w.obj(
        id + 2,
        &format!(
            "<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{} {} {} {}] \
             /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {} 0 R >>",
            scale(b.x_min),
            scale(b.y_min),
            scale(b.x_max),
            scale(b.y_max),
            scale(face.ascender()),
            scale(face.descender()),
            scale(face.capital_height().unwrap_or(face.ascender())),
            id + 3
        ),
    );
    w.stream(id + 3, &format!("/Length1 {} ", data.len()), &data);
    w.stream(id + 4, "", to_unicode(&e.unicode).as_bytes());
    Ok(())
}

/// Six capital letters from a hash of the subset's glyphs: stable for the same content.
fn subset_tag(map: &GlyphRemapper) -> String {
    let hash = map.remapped_gids().fold(0xcbf2_9ce4_8422_2325u64, |h, g| {
        (h ^ u64::from(g)).wrapping_mul(0x100_0000_01b3)
    });
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect()
}

/// The CMap mapping each 2-byte glyph code to its UTF-16BE text (PDF 32000 §9.10.3).
fn to_unicode(map: &BTreeMap<u16, char>) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = map.iter().collect();
    // At most 100 entries per bfchar section.
    for chunk in entries.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", chunk.len());
        for (gid, c) in chunk {
            let utf16: String = c
                .encode_utf16(&mut [0; 2])
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(out, "<{gid:04X}> <{utf16}>");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n");
    out
}

/// A page's content stream.
fn content(page: &Page, fonts: &[Embedded; 2]) -> String {
    let mut s = String::with_capacity(page.len() * 64);
    for op in page {
        let _ = match op {
            Op::Text {
                x,
                y,
                size,
                bold,
                gray,
                text,
            } => {
                let (f, hex) = (usize::from(*bold), fonts[usize::from(*bold)].encode(text));
                writeln!(
                    s,
                    "BT /F{f} {size:.1} Tf {gray:.2} g {x:.2} {y:.2} Td <{hex}> Tj ET"
                )
            }
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                gray,
            } => {
                writeln!(
                    s,
                    "{gray:.2} G {width:.2} w {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S"
                )
            }
            Op::Rect { x, y, w, h, gray } => {
                writeln!(s, "{gray:.2} g {x:.2} {y:.2} {w:.2} {h:.2} re f")
            }
        };
    }
    s
}

/// A PDF text string: UTF-16BE with a byte-order mark, hex-encoded so nothing needs escaping.
fn text_string(s: &str) -> String {
    let hex: String = s.encode_utf16().map(|u| format!("{u:04X}")).collect();
    format!("<FEFF{hex}>")
}
