//! Code frames: the creation line with the two lines before it, as a person sees them in an editor.
//!
//! Reads the user's source file (the original `.ts`, since positions were mapped through source maps before they
//! got here). A file that cannot be read or a line past its end gives no code frame, never an error: the report
//! still names the position.

use std::collections::HashMap;
use std::fs;

const LINES_BEFORE: u32 = 2;
const MAX_LINE_CHARS: usize = 160;

/// Renders code frames, reading each file once per report.
#[derive(Default)]
pub struct CodeFrameRenderer {
    sources: HashMap<String, Option<Vec<String>>>,
}

impl CodeFrameRenderer {
    /// The lines `line - 2 ..= line` of `file` (1-based), marked and numbered, each prefixed by `indent`.
    pub fn render(&mut self, file: &str, line: u32, indent: &str) -> Option<String> {
        let lines = self
            .sources
            .entry(file.to_owned())
            .or_insert_with(|| read_lines(file))
            .as_ref()?;
        render_lines(lines, line, indent)
    }
}

fn read_lines(file: &str) -> Option<Vec<String>> {
    let text = fs::read_to_string(file).ok()?;
    Some(text.lines().map(str::to_owned).collect())
}

fn render_lines(lines: &[String], line: u32, indent: &str) -> Option<String> {
    let target = usize::try_from(line).ok()?;
    if target == 0 || target > lines.len() {
        return None;
    }
    let first = target.saturating_sub(LINES_BEFORE as usize).max(1);
    let number_width = target.to_string().len();
    let mut out = String::new();
    for number in first..=target {
        let marker = if number == target { '>' } else { ' ' };
        let text = truncate(lines[number - 1].trim_end(), MAX_LINE_CHARS);
        out.push_str(&format!(
            "{indent}{marker} {number:>number_width$} | {text}\n"
        ));
    }
    Some(out)
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn marks_the_line_with_two_before() {
        let source = lines("a\nb\nc\nd\n");
        let frame = render_lines(&source, 3, "  ").expect("a frame");
        assert_eq!(frame, "    1 | a\n    2 | b\n  > 3 | c\n");
    }

    #[test]
    fn first_line_and_number_widths() {
        let source: Vec<String> = (1..=12).map(|n| format!("line {n}")).collect();
        assert_eq!(
            render_lines(&source, 1, "").expect("a frame"),
            "> 1 | line 1\n"
        );
        let frame = render_lines(&source, 10, "").expect("a frame");
        assert_eq!(frame, "   8 | line 8\n   9 | line 9\n> 10 | line 10\n");
    }

    #[test]
    fn out_of_range_and_missing_files_give_nothing() {
        let source = lines("only\n");
        assert!(render_lines(&source, 0, "").is_none());
        assert!(render_lines(&source, 2, "").is_none());
        let mut renderer = CodeFrameRenderer::default();
        assert!(renderer.render("/no/such/file.ts", 1, "").is_none());
    }

    #[test]
    fn long_lines_are_cut() {
        let source = vec!["x".repeat(500)];
        let frame = render_lines(&source, 1, "").expect("a frame");
        assert!(frame.chars().count() < 200);
        assert!(frame.contains('…'));
    }
}
