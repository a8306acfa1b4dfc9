//! Static assets (DSFR and our own stylesheet), embedded in the binary and served under a
//! content-derived version so that they can be cached for a year.

use crate::http::route_table::RouteTable;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/assets/{version}/{*path}", serve_asset)
}

/// A short hash of every embedded file: changes whenever any asset changes.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        let mut names: Vec<_> = Assets::iter().collect();
        names.sort();
        for name in names {
            if let Some(file) = Assets::get(&name) {
                hasher.update(name.as_bytes());
                hasher.update(file.metadata.sha256_hash());
            }
        }
        hex::encode(&hasher.finalize()[..6])
    })
}

/// The URL of an embedded asset, e.g. `url("dsfr/dsfr.min.css")`.
pub fn url(path: &str) -> String {
    format!("/assets/{}/{path}", version())
}

async fn serve_asset(Path((requested_version, path)): Path<(String, String)>) -> Response {
    let Some(file) = Assets::get(&path) else {
        return crate::http::error::WebError::NotFound.into_response();
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    // Only a URL with the current version may be cached forever; an old one is served fresh.
    let cache = if requested_version == version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The bytes of an embedded file, for the server's own use (the map's shapes).
pub fn embedded(path: &str) -> Option<Vec<u8>> {
    Assets::get(path).map(|file| file.data.into_owned())
}
