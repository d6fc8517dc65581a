//! Lays out a printed CoS on A4 pages and writes the PDF with krilla. The text is real text
//! in an embedded (subset) DejaVu Sans, so a reader can select, search and copy it.

use app::api::cos::CosView;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use std::sync::LazyLock;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The fonts parsed once: one face to measure text with, one font to draw it with.
struct Face {
    metrics: ttf_parser::Face<'static>,
    font: Font,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        Face {
            metrics: ttf_parser::Face::parse(data, 0).expect("the bundled font parses"),
            font: Font::new(data.to_vec().into(), 0).expect("the bundled font loads"),
        }
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.metrics
                    .glyph_index(c)
                    .and_then(|g| self.metrics.glyph_hor_advance(g))
                    .unwrap_or(self.metrics.units_per_em() / 2) as u32
            })
            .sum();
        units as f32 * size / self.metrics.units_per_em() as f32
    }
}

static FACES: LazyLock<[Face; 2]> = LazyLock::new(|| [Face::load(REGULAR), Face::load(BOLD)]);

// A4 in points, with 2 cm margins.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.7;
const BODY: f32 = 9.5;
const LINE: f32 = 13.0;
const LABEL_W: f32 = 165.0;
const FOOTER_Y: f32 = PAGE_H - MARGIN / 2.0;

#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Regular = 0,
    Bold = 1,
}

/// One line of text placed on a page (y is the baseline, from the top).
struct Text {
    x: f32,
    y: f32,
    weight: Weight,
    size: f32,
    text: String,
}

/// A horizontal rule under a heading.
struct Rule {
    y: f32,
}

#[derive(Default)]
struct PageContent {
    texts: Vec<Text>,
    rules: Vec<Rule>,
}

/// Places text top to bottom, starting a new page when the next block would not fit.
struct Layout {
    pages: Vec<PageContent>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![PageContent::default()], y: MARGIN }
    }

    fn page(&mut self) -> &mut PageContent {
        self.pages.last_mut().expect("there is always a page")
    }

    /// Makes room for `height` points, on a new page if need be.
    fn need(&mut self, height: f32) {
        if self.y + height > FOOTER_Y - LINE * 1.5 {
            self.pages.push(PageContent::default());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f32, dy: f32, weight: Weight, size: f32, text: &str) {
        let y = self.y + dy;
        self.page().texts.push(Text { x, y, weight, size, text: text.to_string() });
    }

    fn heading(&mut self, size: f32, text: &str) {
        self.need(size * 1.6 + LINE * 2.0);
        self.y += size * 0.6;
        self.text(MARGIN, size, Weight::Bold, size, text);
        self.y += size * 1.35;
        let y = self.y;
        self.page().rules.push(Rule { y });
        self.y += LINE * 0.6;
    }

    /// A label and its value side by side; the value wraps within its column. On a row
    /// that runs over a page end, the rest of the value continues on the next page.
    fn row(&mut self, label: &str, value: &str) {
        let label_lines = wrap(label, Weight::Bold, BODY, LABEL_W - 12.0);
        let value_lines = wrap(value, Weight::Regular, BODY, PAGE_W - 2.0 * MARGIN - LABEL_W);
        // Keep a row of up to six lines on one page; a longer one may run over.
        self.need(LINE * label_lines.len().max(value_lines.len()).min(6) as f32);
        for i in 0..label_lines.len().max(value_lines.len()) {
            self.need(LINE);
            if let Some(l) = label_lines.get(i) {
                self.text(MARGIN, BODY, Weight::Bold, BODY, l);
            }
            if let Some(v) = value_lines.get(i) {
                self.text(MARGIN + LABEL_W, BODY, Weight::Regular, BODY, v);
            }
            self.y += LINE;
        }
        self.y += 3.0;
    }

    /// A paragraph across the full width.
    fn paragraph(&mut self, weight: Weight, size: f32, text: &str) {
        for line in wrap(text, weight, size, PAGE_W - 2.0 * MARGIN) {
            self.need(LINE);
            self.text(MARGIN, size, weight, size, &line);
            self.y += size * 1.4;
        }
    }
}

/// Breaks `text` into lines no wider than `width`: at spaces, at the text's own line
/// breaks, and inside a word only when the word alone is too wide.
fn wrap(text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let face = &FACES[weight as usize];
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if face.width(&line, size) > width {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Who the certificate belongs to and who printed it, beside the CoS itself.
pub struct Printing<'a> {
    pub sponsor_name: &'a str,
    pub licence_number: &'a str,
    /// e.g. "29 November 2026 at 14:05 (UK time) by Jane Smith (jsmith)"
    pub printed: &'a str,
    /// The reports of migrant activity, oldest first: (what and when, details, further lines).
    pub activities: &'a [(String, String, Vec<String>)],
}

/// The PDF of one CoS: every field of the View CoS screen, grouped as on the screen.
pub fn render(cos: &CosView, p: &Printing) -> Result<Vec<u8>, String> {
    let l = lay_out(cos, p);
    let total = l.pages.len();
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("Certificate of Sponsorship {}", cos.cos_number))
            .creator("Sponsorship Management System".to_string())
            .language("en-GB".to_string()),
    );
    let settings = || PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size");
    for (n, content) in l.pages.iter().enumerate() {
        let mut page = document.start_page_with(settings());
        let mut surface = page.surface();
        for t in &content.texts {
            draw(&mut surface, t.x, t.y, t.weight, t.size, &t.text);
        }
        let footer = format!("Printed on {}. Page {} of {total}.", p.printed, n + 1);
        for (i, line) in wrap(&footer, Weight::Regular, 8.0, PAGE_W - 2.0 * MARGIN).iter().enumerate() {
            draw(&mut surface, MARGIN, FOOTER_Y + i as f32 * 10.0, Weight::Regular, 8.0, line);
        }
        surface.set_stroke(Some(Stroke { width: 0.6, ..Default::default() }));
        for r in &content.rules {
            let mut path = PathBuilder::new();
            path.move_to(MARGIN, r.y);
            path.line_to(PAGE_W - MARGIN, r.y);
            if let Some(path) = path.finish() {
                surface.draw_path(&path);
            }
        }
        surface.set_stroke(None);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

fn lay_out(cos: &CosView, p: &Printing) -> Layout {
    let mut l = Layout::new();
    l.text(MARGIN, 9.0, Weight::Regular, 9.0, "Sponsorship Management System");
    l.y += 14.0;
    l.heading(18.0, "Certificate of Sponsorship");
    l.row("Sponsor", p.sponsor_name);
    l.row("Sponsor licence number", p.licence_number);
    for section in &cos.sections {
        l.heading(12.0, &section.title);
        for (label, value) in &section.rows {
            l.row(label, if value.is_empty() { "Not given" } else { value });
        }
    }
    l.heading(12.0, "Sponsor notes");
    if cos.notes.is_empty() {
        l.paragraph(Weight::Regular, BODY, "There are no sponsor notes.");
    }
    for (when, by, note) in &cos.notes {
        l.need(LINE * 3.0);
        l.paragraph(Weight::Regular, BODY, note);
        l.paragraph(Weight::Regular, 8.0, &format!("Added {when} by {by}"));
        l.y += 4.0;
    }
    l.heading(12.0, "Reported activity");
    if p.activities.is_empty() {
        l.paragraph(Weight::Regular, BODY, "No migrant activity has been reported.");
    }
    for (what, details, more) in p.activities {
        l.need(LINE * 3.0);
        l.paragraph(Weight::Bold, BODY, what);
        l.paragraph(Weight::Regular, BODY, details);
        for line in more {
            l.paragraph(Weight::Regular, 8.0, line);
        }
        l.y += 4.0;
    }
    l
}

fn draw(surface: &mut krilla::surface::Surface, x: f32, y: f32, weight: Weight, size: f32, text: &str) {
    let font = FACES[weight as usize].font.clone();
    surface.draw_text(Point::from_xy(x, y), font, size, text, false, TextDirection::Auto);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_inside_very_long_words() {
        let lines = wrap("one two three four five six seven", Weight::Regular, BODY, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "one two three four five six seven");
        for l in &lines {
            assert!(FACES[0].width(l, BODY) <= 60.0, "{l}");
        }
        let long = "x".repeat(200);
        let lines = wrap(&long, Weight::Regular, BODY, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap("a\nb", Weight::Regular, BODY, 300.0), vec!["a", "b"]);
    }

    #[test]
    fn a_long_cos_runs_onto_more_pages() {
        let view = CosView {
            cos_number: "C2G7K9Q4R8T".into(),
            status: "ASSIGNED".into(),
            sections: vec![app::api::cos::Section {
                title: "Job".into(),
                rows: (0..120).map(|i| (format!("Field {i}"), "Some value ".repeat(20))).collect(),
            }],
            notes: vec![],
        };
        let p = Printing { sponsor_name: "Acme", licence_number: "ABC123", printed: "now", activities: &[] };
        let pages = lay_out(&view, &p).pages;
        assert!(pages.len() > 1, "several pages");
        // Nothing is placed below the footer line.
        assert!(pages.iter().flat_map(|p| &p.texts).all(|t| t.y < FOOTER_Y - LINE));
        assert!(render(&view, &p).unwrap().starts_with(b"%PDF-"));
    }
}
