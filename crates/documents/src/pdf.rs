//! Typst documents compiled to PDF: one engine per template, built once (fonts parsed once),
//! the data passed as JSON through `sys.inputs` and never spliced into the markup.

use crate::DocumentError;
use typst::foundations::{Bytes, Dict, IntoValue};
use typst_as_lib::TypstEngine;
use typst_as_lib::TypstTemplateMainFile;
use typst_layout::PagedDocument;

static SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
// Marianne, the State's font, as the DSFR ships it (decompressed to TrueType by
// scripts/assets.sh): the poster's font; DejaVu Sans stays for the other documents.
static MARIANNE: &[u8] = include_bytes!("../fonts/Marianne-Regular.ttf");
static MARIANNE_BOLD: &[u8] = include_bytes!("../fonts/Marianne-Bold.ttf");

/// A compiled template, ready to be filled many times.
pub struct Template {
    engine: TypstEngine<TypstTemplateMainFile>,
}

impl Template {
    pub fn new(source: &'static str) -> Self {
        Self {
            engine: TypstEngine::builder()
                .main_file(source)
                .fonts([SANS, SANS_BOLD, MARIANNE, MARIANNE_BOLD])
                .build(),
        }
    }

    /// Lays out the template with `data` (available as `sys.inputs.data`, a JSON text) and
    /// named binary inputs (images), and writes the PDF.
    pub fn render(
        &self,
        data: &impl serde::Serialize,
        images: &[(&str, Vec<u8>)],
    ) -> Result<Vec<u8>, DocumentError> {
        let json = serde_json::to_string(data)
            .map_err(|error| DocumentError::Layout(error.to_string()))?;
        let mut inputs = Dict::new();
        inputs.insert("data".into(), json.as_str().into_value());
        for (name, bytes) in images {
            inputs.insert((*name).into(), Bytes::new(bytes.clone()).into_value());
        }
        let document: PagedDocument = self
            .engine
            .compile_with_input(inputs)
            .output
            .map_err(|error| DocumentError::Layout(format!("{error:?}")))?;
        typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|errors| DocumentError::Pdf(format!("{errors:?}")))
    }
}
