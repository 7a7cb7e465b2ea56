//! The two compiled-in faces, their metrics, and word wrapping by real advance widths.

use crate::ExportError;
use ttf_parser::{Face, GlyphId};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

pub(crate) struct Font {
    pub data: &'static [u8],
    pub face: Face<'static>,
    /// PostScript name, used as the PDF `/BaseFont`.
    pub name: &'static str,
    units_per_em: f32,
    /// Glyph drawn for characters the face lacks, so they stay visible and extractable as `?`.
    fallback: u16,
}

impl Font {
    fn load(data: &'static [u8], name: &'static str) -> Result<Self, ExportError> {
        let face = Face::parse(data, 0).map_err(|e| ExportError::Font(e.to_string()))?;
        let fallback = face.glyph_index('?').map_or(0, |g| g.0);
        Ok(Self {
            data,
            units_per_em: f32::from(face.units_per_em()),
            face,
            name,
            fallback,
        })
    }

    /// The character actually drawn for `c`: control characters become spaces, characters
    /// without a glyph become `?`. Layout and the ToUnicode map both use this, so they agree.
    pub fn display_char(&self, c: char) -> char {
        if c.is_control() {
            ' '
        } else if self.face.glyph_index(c).is_some() {
            c
        } else {
            '?'
        }
    }

    pub fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(self.fallback, |g| g.0)
    }

    /// Advance width of a glyph in PDF glyph space (1/1000 em).
    pub fn advance_1000(&self, gid: u16) -> f32 {
        let adv = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        f32::from(adv) * 1000.0 / self.units_per_em
    }

    /// Width of `text` in points at `size`. No kerning: the PDF is written without it too.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text.chars().map(|c| self.advance_1000(self.glyph(c))).sum();
        units * size / 1000.0
    }

    /// Greedy word wrap into lines no wider than `max` points. `\n` forces a break; a word
    /// wider than a line is split between characters. Always returns at least one line.
    pub fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let space = self.width(" ", size);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in para.split_whitespace() {
                let word: String = word.chars().map(|c| self.display_char(c)).collect();
                let w = self.width(&word, size);
                if !line.is_empty() && line_w + space + w <= max {
                    line.push(' ');
                    line.push_str(&word);
                    line_w += space + w;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if w <= max {
                    line = word;
                    line_w = w;
                } else {
                    // Too long for any line (a URL, an IBAN): break it wherever it overflows.
                    line_w = 0.0;
                    for c in word.chars() {
                        let cw = self.width(c.encode_utf8(&mut [0; 4]), size);
                        if !line.is_empty() && line_w + cw > max {
                            lines.push(std::mem::take(&mut line));
                            line_w = 0.0;
                        }
                        line.push(c);
                        line_w += cw;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Regular and bold DejaVu Sans.
pub(crate) struct Fonts {
    pub regular: Font,
    pub bold: Font,
}

impl Fonts {
    pub fn load() -> Result<Self, ExportError> {
        Ok(Self {
            regular: Font::load(REGULAR, "DejaVuSans")?,
            bold: Font::load(BOLD, "DejaVuSans-Bold")?,
        })
    }

    pub fn get(&self, bold: bool) -> &Font {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width_and_keeps_words() {
        let fonts = Fonts::load().unwrap();
        let f = &fonts.regular;
        let text = "Bel eerst de crisismanager, daarna het hoofd ICT en tenslotte de leverancier.";
        let lines = f.wrap(text, 10.0, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| f.width(l, 10.0) <= 120.0));
        assert_eq!(lines.join(" "), text);
        // An unbreakable word is split rather than overflowing.
        let long = f.wrap(&"x".repeat(200), 10.0, 50.0);
        assert!(long.len() > 1 && long.iter().all(|l| f.width(l, 10.0) <= 50.0));
        // Hard breaks and empty input.
        assert_eq!(f.wrap("a\nb", 10.0, 500.0), vec!["a", "b"]);
        assert_eq!(f.wrap("", 10.0, 500.0), vec![""]);
    }

    #[test]
    fn missing_glyphs_fall_back_to_question_mark() {
        let fonts = Fonts::load().unwrap();
        assert_eq!(fonts.regular.display_char('ë'), 'ë');
        assert_eq!(fonts.regular.display_char('漢'), '?');
        assert_eq!(fonts.regular.display_char('\t'), ' ');
    }
}
