//! A review sheet: pairs as one self-contained HTML page (pictures inline
//! as JPEG data, no file or network reference), for producers who never
//! open an NLE. Each pair shows the outgoing frame beside the incoming one,
//! with titles, timecodes, rates, where the team stands and its notes. It
//! prints one pair block per page area (never split across pages).

use base64::Engine;
use std::fmt::Write;

/// One side of a pair on the sheet.
#[derive(Clone, Debug)]
pub struct SheetSide {
    /// The file's name.
    pub name: String,
    pub timecode: String,
    pub frame: u64,
    /// As editors write it (`23.976`).
    pub frame_rate: String,
    /// The frame as JPEG, or why it could not be shown.
    pub jpeg: Result<Vec<u8>, String>,
}

/// One pair on the sheet.
#[derive(Clone, Debug)]
pub struct SheetPair {
    pub pair_id: String,
    pub score: f32,
    /// `approved`, `rejected`, `conflict` or `undecided`.
    pub state: String,
    pub out: SheetSide,
    pub incoming: SheetSide,
    pub approved_by: Vec<String>,
    pub rejected_by: Vec<String>,
    /// `editor: note`.
    pub notes: Vec<String>,
    /// Where it sits on the exported sequence (record timecode), if it does.
    pub record: Option<String>,
}

/// `text` safe inside HTML text and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font: 13px/1.45 system-ui, sans-serif; color: #1d1f23; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.sub { color: #5d636b; margin-bottom: 20px; }
.pair { border-top: 1px solid #d5d8dc; padding: 14px 0; break-inside: avoid; page-break-inside: avoid; }
.head { display: flex; gap: 14px; align-items: baseline; margin-bottom: 8px; }
.n { font-weight: 600; font-size: 15px; }
.state { text-transform: uppercase; font-size: 11px; letter-spacing: .05em; padding: 1px 6px; border-radius: 3px; }
.approved { background: #d8f0dc; color: #1f6b2c; } .rejected { background: #f7dada; color: #8a1f1f; }
.conflict { background: #fbe8c8; color: #7a4a00; } .undecided { background: #e6e8eb; color: #444; }
.frames { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
figure { margin: 0; } img { width: 100%; display: block; background: #000; }
.missing { aspect-ratio: 16/9; background: #eee; color: #8a1f1f; display: flex; align-items: center; justify-content: center; }
figcaption { font-size: 12px; margin-top: 4px; } .tc { font-variant-numeric: tabular-nums; font-weight: 600; }
.meta { color: #5d636b; font-size: 12px; margin-top: 6px; } .note { margin-top: 4px; font-style: italic; }
";

fn side(html: &mut String, label: &str, side: &SheetSide) {
    let _ = write!(html, "<figure>");
    match &side.jpeg {
        Ok(jpeg) => {
            let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
            let _ = write!(
                html,
                r#"<img alt="{label}: {} frame {}" src="data:image/jpeg;base64,{data}">"#,
                escape(&side.name),
                side.frame
            );
        }
        Err(why) => {
            let _ = write!(html, r#"<div class="missing">{}</div>"#, escape(why));
        }
    }
    let _ = write!(
        html,
        r#"<figcaption>{label} · {} · <span class="tc">{}</span> · frame {} · {} fps</figcaption></figure>"#,
        escape(&side.name),
        escape(&side.timecode),
        side.frame,
        escape(&side.frame_rate)
    );
}

fn pair(html: &mut String, n: usize, p: &SheetPair) {
    let _ = write!(
        html,
        r#"<section class="pair" data-pair="{}"><div class="head"><span class="n">{n}</span><span class="state {}">{}</span><span>score {:.3}</span>"#,
        escape(&p.pair_id),
        escape(&p.state),
        escape(&p.state),
        p.score
    );
    if let Some(record) = &p.record {
        let _ = write!(
            html,
            r#"<span>record <span class="tc">{}</span></span>"#,
            escape(record)
        );
    }
    let _ = write!(
        html,
        r#"<span class="meta">{}</span></div><div class="frames">"#,
        escape(&p.pair_id)
    );
    side(html, "Out", &p.out);
    side(html, "In", &p.incoming);
    html.push_str("</div>");
    let mut who = Vec::new();
    if !p.approved_by.is_empty() {
        who.push(format!("approved by {}", p.approved_by.join(", ")));
    }
    if !p.rejected_by.is_empty() {
        who.push(format!("rejected by {}", p.rejected_by.join(", ")));
    }
    if !who.is_empty() {
        let _ = write!(
            html,
            r#"<div class="meta">{}</div>"#,
            escape(&who.join(" · "))
        );
    }
    for note in &p.notes {
        let _ = write!(html, r#"<div class="note">{}</div>"#, escape(note));
    }
    html.push_str("</section>\n");
}

/// The sheet's HTML: `title` as its heading, `subtitle` under it.
pub fn review_sheet_html(title: &str, subtitle: &str, pairs: &[SheetPair]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1><div class=\"sub\">{}</div>\n",
        escape(title),
        escape(title),
        escape(subtitle)
    );
    for (n, p) in pairs.iter().enumerate() {
        pair(&mut html, n + 1, p);
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(name: &str, jpeg: Result<Vec<u8>, String>) -> SheetSide {
        SheetSide {
            name: name.into(),
            timecode: "01:00:00:00".into(),
            frame: 7,
            frame_rate: "25/1".into(),
            jpeg,
        }
    }

    #[test]
    fn text_is_escaped_and_pictures_inline() {
        let pair = SheetPair {
            pair_id: "p1".into(),
            score: 0.5,
            state: "approved".into(),
            out: side("<b>a.mov", Ok(vec![0xff, 0xd8, 0xff])),
            incoming: side("b.mov", Err("b.mov: file not found".into())),
            approved_by: vec!["ann".into()],
            rejected_by: vec![],
            notes: vec!["ann: <script>alert(1)</script>".into()],
            record: Some("01:00:02:00".into()),
        };
        let html = review_sheet_html("Cuts & more", "2 pairs", &[pair]);
        assert!(html.contains("<h1>Cuts &amp; more</h1>"));
        assert!(html.contains("&lt;b&gt;a.mov") && !html.contains("<b>a.mov"));
        assert!(!html.contains("<script>"));
        assert_eq!(html.matches("src=\"data:image/jpeg;base64,/9j/").count(), 1);
        assert!(html.contains("b.mov: file not found"));
        assert!(!html.contains("src=\"http") && !html.contains("src=\"file"));
    }
}
