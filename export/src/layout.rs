//! Flows a [`Doc`] onto A4 pages as positioned drawing operations, which `pdf` then serialises.
//! Coordinates are PDF points with the origin at the bottom left of the page.

use crate::font::Fonts;
use crate::{Block, Doc, TreeNode};

pub(crate) const PAGE_W: f32 = 595.28; // A4: 210 mm
pub(crate) const PAGE_H: f32 = 841.89; // A4: 297 mm
const MARGIN: f32 = 51.02; // 18 mm
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_W - MARGIN;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = PAGE_H - MARGIN;
const BOTTOM: f32 = MARGIN;

const BODY: f32 = 10.0;
const SMALL: f32 = 7.5;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.4;
const CELL_PAD: f32 = 3.0;
const TREE_INDENT: f32 = 16.0;

/// One drawing operation. `gray` is 0 (black) ..= 1 (white).
#[derive(Debug)]
pub(crate) enum Op {
    /// A single line of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: f32,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
}

pub(crate) type Page = Vec<Op>;

/// A full-width horizontal rule.
fn hline(y: f32, width: f32, gray: f32) -> Op {
    let (x1, x2) = (LEFT, RIGHT);
    Op::Line {
        x1,
        y1: y,
        x2,
        y2: y,
        width,
        gray,
    }
}

/// Wrapped text placed in a column of a row.
struct Cell {
    x: f32,
    lines: Vec<String>,
    bold: bool,
    size: f32,
    /// If set, lines are right-aligned to this x (list numbers).
    align_right: Option<f32>,
}

/// A table header, redrawn at the top of every page the table continues on.
struct Head {
    cells: Vec<Cell>,
    height: f32,
}

struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    /// Top of the free space on the current page.
    y: f32,
}

/// Lays out the whole document, including the running title and footer on every page.
pub(crate) fn layout(doc: &Doc, fonts: &Fonts) -> Vec<Page> {
    let mut l = Layout {
        fonts,
        pages: vec![Vec::new()],
        y: TOP,
    };
    l.paragraph(&doc.title, 18.0, true);
    l.y -= 6.0;
    for block in &doc.blocks {
        l.block(block);
    }
    let mut pages = l.pages;
    furniture(doc, fonts, &mut pages);
    pages
}

/// Running title at the top, a rule, the footer text and "page N of M" at the bottom.
fn furniture(doc: &Doc, fonts: &Fonts, pages: &mut [Page]) {
    let f = &fonts.regular;
    let total = pages.len();
    let title = f.wrap(&doc.title, SMALL, WIDTH).swap_remove(0);
    for (i, page) in pages.iter_mut().enumerate() {
        let label = crate::page_label(&doc.lang, i + 1, total);
        let label_w = f.width(&label, SMALL);
        let text = |x: f32, y: f32, text: String| Op::Text {
            x,
            y,
            size: SMALL,
            bold: false,
            gray: 0.35,
            text,
        };
        page.push(text(LEFT, TOP + 20.0, title.clone()));
        page.push(hline(TOP + 15.0, 0.4, 0.7));
        page.push(hline(BOTTOM - 12.0, 0.4, 0.7));
        // Footer before the label, so extracted text reads "footer … page N of M".
        let footer = f.wrap(&doc.footer, SMALL, WIDTH - label_w - 12.0);
        for (n, line) in footer.into_iter().take(3).enumerate() {
            page.push(text(LEFT, BOTTOM - 22.0 - n as f32 * SMALL * 1.25, line));
        }
        page.push(text(RIGHT - label_w, BOTTOM - 22.0, label));
    }
}

impl Layout<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= TOP
    }

    /// Vertical space between blocks; dropped at the top of a page so pages start flush.
    fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y -= h;
        }
    }

    fn push(&mut self, op: Op) {
        self.pages
            .last_mut()
            .expect("there is always a page")
            .push(op);
    }

    fn cell(&self, x: f32, w: f32, text: &str, size: f32, bold: bool) -> Cell {
        let lines = self.fonts.get(bold).wrap(text, size, w);
        Cell {
            x,
            lines,
            bold,
            size,
            align_right: None,
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text } => {
                let size = match level {
                    0 | 1 => 15.0,
                    2 => 12.5,
                    _ => 11.0,
                };
                self.gap(size * 0.8);
                // Keep a heading with at least three lines of what follows it.
                let cell = self.cell(LEFT, WIDTH, text, size, true);
                let need = cell.lines.len() as f32 * size * LEADING + 3.0 * BODY * LEADING;
                if self.y - need < BOTTOM {
                    self.new_page();
                }
                self.row(&[cell], 0.0, None, None);
                self.y -= 2.0;
            }
            Block::Paragraph(text) => {
                self.gap(BODY * 0.6);
                self.paragraph(text, BODY, false);
            }
            Block::Bullets(items) => {
                self.gap(BODY * 0.4);
                for item in items {
                    self.list_item("•", 10.0, item);
                }
            }
            Block::Numbered(items) => {
                self.gap(BODY * 0.4);
                let widest = format!("{}.", items.len());
                let gutter = self.fonts.regular.width(&widest, BODY) + 2.0;
                for (i, item) in items.iter().enumerate() {
                    self.list_item(&format!("{}.", i + 1), gutter, item);
                }
            }
            Block::Table { header, rows } => {
                self.gap(BODY * 0.8);
                self.table(header, rows);
            }
            Block::KeyValues(pairs) => {
                self.gap(BODY * 0.6);
                self.key_values(pairs);
            }
            Block::Tree(nodes) => {
                self.gap(BODY * 0.6);
                self.tree(nodes, 0, None);
            }
            Block::PageBreak => {
                if !self.at_top() {
                    self.new_page();
                }
            }
            Block::Chart {
                caption,
                points,
                threshold,
                x_labels,
                y_labels,
            } => {
                self.gap(BODY * 0.8);
                self.chart(caption, points, *threshold, x_labels, y_labels);
            }
        }
    }

    /// A framed line chart with its labels, kept on one page with its caption under it.
    fn chart(
        &mut self,
        caption: &str,
        points: &[(f32, f32)],
        threshold: Option<f32>,
        x_labels: &[(f32, String)],
        y_labels: &[(f32, String)],
    ) {
        const PLOT_H: f32 = 100.0;
        const LABEL_W: f32 = 42.0;
        let caption_cell = self.cell(LEFT, WIDTH, caption, SMALL, false);
        let need = PLOT_H + 16.0 + caption_cell.lines.len() as f32 * SMALL * LEADING;
        if self.y - need < BOTTOM {
            self.new_page();
        }
        let (x0, x1) = (LEFT + LABEL_W, RIGHT);
        let (y1, y0) = (self.y - 2.0, self.y - 2.0 - PLOT_H);
        let x = |f: f32| x0 + f.clamp(0.0, 1.0) * (x1 - x0);
        let y = |f: f32| y0 + f.clamp(0.0, 1.0) * (y1 - y0);
        let line = |x1, y1, x2, y2, width, gray| Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            gray,
        };
        for (f, label) in x_labels {
            self.push(line(x(*f), y0, x(*f), y1, 0.3, 0.85));
            self.push(Op::Text {
                x: x(*f) + 2.0,
                y: y0 - 9.0,
                size: SMALL,
                bold: false,
                gray: 0.35,
                text: label.clone(),
            });
        }
        for (f, label) in y_labels {
            let w = self.fonts.regular.width(label, SMALL);
            self.push(Op::Text {
                x: x0 - 4.0 - w,
                y: y(*f) - 2.5,
                size: SMALL,
                bold: false,
                gray: 0.35,
                text: label.clone(),
            });
        }
        for (a, b, c, d) in [
            (x0, y0, x1, y0),
            (x0, y1, x1, y1),
            (x0, y0, x0, y1),
            (x1, y0, x1, y1),
        ] {
            self.push(line(a, b, c, d, 0.5, 0.6));
        }
        if let Some(t) = threshold {
            // Dashed: 5 pt drawn, 3 pt left out.
            let mut from = x0;
            while from < x1 {
                self.push(line(from, y(t), (from + 5.0).min(x1), y(t), 0.8, 0.35));
                from += 8.0;
            }
        }
        for pair in points.windows(2) {
            let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
            self.push(line(x(ax), y(ay), x(bx), y(by), 0.9, 0.0));
        }
        self.y = y0 - 14.0;
        self.row(&[caption_cell], 0.0, None, None);
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool) {
        let cell = self.cell(LEFT, WIDTH, text, size, bold);
        self.row(&[cell], 0.0, None, None);
    }

    /// A bullet or number right-aligned in a gutter, the text wrapped beside it.
    fn list_item(&mut self, marker: &str, gutter: f32, text: &str) {
        let indent = 8.0;
        let text_x = LEFT + indent + gutter + 6.0;
        let marker = Cell {
            x: LEFT,
            lines: vec![marker.to_string()],
            bold: false,
            size: BODY,
            align_right: Some(LEFT + indent + gutter),
        };
        let body = self.cell(text_x, RIGHT - text_x, text, BODY, false);
        self.row(&[marker, body], 1.0, None, None);
    }

    fn key_values(&mut self, pairs: &[(String, String)]) {
        let bold = &self.fonts.bold;
        let widest = pairs
            .iter()
            .map(|(k, _)| bold.width(k, BODY))
            .fold(0.0, f32::max);
        // Labels get what they need up to 40 % of the width; longer ones wrap.
        let label_w = widest.min(WIDTH * 0.4);
        let value_x = LEFT + label_w + 12.0;
        for (k, v) in pairs {
            let label = self.cell(LEFT, label_w, k, BODY, true);
            let value = self.cell(value_x, RIGHT - value_x, v, BODY, false);
            self.row(&[label, value], 1.0, None, None);
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let ncols = rows
            .iter()
            .map(Vec::len)
            .chain([header.len()])
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        let widths = self.column_widths(header, rows, ncols);
        let xs: Vec<f32> = widths
            .iter()
            .scan(LEFT, |x, w| {
                let at = *x;
                *x += w;
                Some(at)
            })
            .collect();
        let cells = |l: &Self, row: &[String], bold: bool| -> Vec<Cell> {
            (0..ncols)
                .map(|c| {
                    let text = row.get(c).map_or("", String::as_str);
                    l.cell(
                        xs[c] + CELL_PAD,
                        widths[c] - 2.0 * CELL_PAD,
                        text,
                        BODY,
                        bold,
                    )
                })
                .collect()
        };
        let head = (!header.is_empty()).then(|| {
            let cells = cells(self, header, true);
            let lines = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1);
            Head {
                height: lines as f32 * BODY * LEADING + 2.0 * CELL_PAD,
                cells,
            }
        });
        // Start on a new page if not even the header and one row fit here.
        let first = head.as_ref().map_or(0.0, |h| h.height) + BODY * LEADING + 2.0 * CELL_PAD;
        if self.y - first < BOTTOM {
            self.new_page();
        }
        if let Some(head) = &head {
            self.draw_head(head);
        }
        for row in rows {
            let cells = cells(self, row, false);
            self.row(&cells, CELL_PAD, head.as_ref(), Some(0.8));
        }
    }

    /// Column widths proportional to content, the way HTML's auto table layout does it: each
    /// column gets at least its longest word, and the rest of the width is shared in
    /// proportion to how much more its longest cell would like.
    fn column_widths(&self, header: &[String], rows: &[Vec<String>], ncols: usize) -> Vec<f32> {
        let (reg, bold) = (&self.fonts.regular, &self.fonts.bold);
        let pad = 2.0 * CELL_PAD + 0.5;
        let mut min = vec![0.0f32; ncols];
        let mut max = vec![0.0f32; ncols];
        let all = std::iter::once((header, true)).chain(rows.iter().map(|r| (r.as_slice(), false)));
        for (row, is_head) in all {
            let f = if is_head { bold } else { reg };
            for (c, text) in row.iter().enumerate() {
                let longest_word = text
                    .split_whitespace()
                    .map(|w| f.width(w, BODY))
                    .fold(0.0, f32::max);
                let longest_line = text
                    .split('\n')
                    .map(|l| f.width(l.trim(), BODY))
                    .fold(0.0, f32::max);
                min[c] = min[c].max(longest_word + pad);
                max[c] = max[c].max(longest_line + pad);
            }
        }
        let (min_sum, max_sum): (f32, f32) = (min.iter().sum(), max.iter().sum());
        if max_sum <= WIDTH {
            // Everything fits unwrapped: share the slack equally so narrow tables stay tidy.
            let extra = (WIDTH - max_sum) / ncols as f32;
            return max.iter().map(|w| w + extra).collect();
        }
        if min_sum >= WIDTH {
            // Even single words do not fit: scale down and let words break.
            return min.iter().map(|w| w * WIDTH / min_sum).collect();
        }
        let slack = WIDTH - min_sum;
        let want = max_sum - min_sum;
        min.iter()
            .zip(&max)
            .map(|(lo, hi)| lo + (hi - lo) / want * slack)
            .collect()
    }

    fn draw_head(&mut self, head: &Head) {
        self.push(Op::Rect {
            x: LEFT,
            y: self.y - head.height,
            w: WIDTH,
            h: head.height,
            gray: 0.92,
        });
        self.draw_lines(&head.cells, 0, usize::MAX, CELL_PAD);
        self.y -= head.height;
        self.push(hline(self.y, 0.8, 0.45));
    }

    /// Places `cells` side by side. A row that does not fit moves to the next page whole; one
    /// taller than a page is split between lines. `head` is redrawn after each page break and
    /// `rule` (a gray level) draws a hairline under the row.
    fn row(&mut self, cells: &[Cell], pad: f32, head: Option<&Head>, rule: Option<f32>) {
        let lh = |c: &Cell| c.size * LEADING;
        let height = |from: usize, to: usize| {
            let h = cells
                .iter()
                .map(|c| lh(c) * (c.lines.len().min(to).saturating_sub(from)) as f32);
            h.fold(0.0, f32::max) + 2.0 * pad
        };
        let total = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        let head_h = head.map_or(0.0, |h| h.height);
        if self.y - height(0, total) < BOTTOM && height(0, total) <= TOP - BOTTOM - head_h {
            self.break_page(head);
        }
        let mut start = 0;
        while start < total {
            // How many lines fit here (at least one, so progress is guaranteed).
            let mut end = start + 1;
            while end < total && self.y - height(start, end + 1) >= BOTTOM {
                end += 1;
            }
            if self.y - height(start, end) < BOTTOM && self.y < TOP - head_h {
                self.break_page(head);
                continue;
            }
            self.draw_lines(cells, start, end, pad);
            self.y -= height(start, end);
            if let Some(gray) = rule {
                self.push(hline(self.y, 0.4, gray));
            }
            start = end;
            if start < total {
                self.break_page(head);
            }
        }
    }

    fn break_page(&mut self, head: Option<&Head>) {
        self.new_page();
        if let Some(head) = head {
            self.draw_head(head);
        }
    }

    /// Draws lines `from..to` of each cell, starting `pad` below the current y.
    fn draw_lines(&mut self, cells: &[Cell], from: usize, to: usize, pad: f32) {
        for cell in cells {
            let lh = cell.size * LEADING;
            let lines = cell.lines.iter().skip(from).take(to.saturating_sub(from));
            for (i, line) in lines.enumerate() {
                // Baseline roughly centres capitals in the line box.
                let y = self.y - pad - i as f32 * lh - lh / 2.0 - cell.size * 0.36;
                let x = match cell.align_right {
                    Some(r) => r - self.fonts.get(cell.bold).width(line, cell.size),
                    None => cell.x,
                };
                let (size, bold) = (cell.size, cell.bold);
                self.push(Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    gray: 0.0,
                    text: line.clone(),
                });
            }
        }
    }

    /// Draws `nodes` at `depth`. Each node gets an elbow connector from the stem of its parent;
    /// `stem` is (page, y) where that stem currently ends, so the vertical line is continued
    /// from there (or from the top of the page if the tree crossed a page break).
    fn tree(&mut self, nodes: &[TreeNode], depth: usize, mut stem: Option<(usize, f32)>) {
        // Capped so absurdly deep trees still leave room for their labels.
        let x = LEFT + (depth as f32 * TREE_INDENT).min(WIDTH / 2.0);
        for node in nodes {
            let cell = self.cell(x, RIGHT - x, &node.label, BODY, depth == 0);
            let lines = cell.lines.len() as f32;
            self.row(&[cell], 1.0, None, None);
            let page = self.pages.len() - 1;
            // Middle of the node's first line: the row sits just above the new y.
            let lh = BODY * LEADING;
            let mid = self.y + lines * lh + 1.0 - lh / 2.0;
            if let Some((stem_page, stem_y)) = stem {
                let sx = x - TREE_INDENT + 4.0;
                let from = if stem_page == page { stem_y } else { TOP };
                let line = |x1, y1, x2, y2| Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width: 0.6,
                    gray: 0.5,
                };
                self.push(line(sx, from, sx, mid));
                self.push(line(sx, mid, x - 3.0, mid));
                stem = Some((page, mid));
            }
            if !node.children.is_empty() {
                self.tree(&node.children, depth + 1, Some((page, mid - BODY * 0.5)));
            }
        }
    }
}
