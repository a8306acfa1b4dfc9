//! QR codes as SVG, for pages and printed documents.

use qrcode::QrCode;
use qrcode::render::svg;

/// A QR code of `text` as a standalone SVG document (black on white, with its quiet zone).
/// `None` only when the text is too long for a QR code (over ~2,900 bytes).
pub fn svg_of(text: &str, module_pixels: u32) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .module_dimensions(module_pixels, module_pixels)
            .quiet_zone(true)
            .build(),
    )
}
