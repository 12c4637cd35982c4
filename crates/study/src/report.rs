//! `report.md` and its charts, from a [`StudyDoc`] alone.

use crate::doc::StudyDoc;

/// The report's Markdown and its SVG charts (file name, document).
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// The charts, linked from the Markdown by file name.
    pub charts: Vec<(String, String)>,
}

/// Renders the study.
pub fn render(doc: &StudyDoc) -> Rendered {
    Rendered { markdown: format!("# Quantization study\n\nReference: {}\n", doc.reference), charts: Vec::new() }
}
