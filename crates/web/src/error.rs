//! One error type for every handler: the person gets a DSFR page with a safe French message,
//! the log gets the cause.

use crate::layout::Shell;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page non trouvée")]
    NotFound,
    #[error("erreur interne : {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<passerelle_store::StoreError> for WebError {
    fn from(error: passerelle_store::StoreError) -> Self {
        WebError::Internal(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shell: Shell,
    status: u16,
    title: &'static str,
    lead: &'static str,
    advice: &'static str,
}

fn error_page(status: StatusCode) -> Response {
    let (title, lead, advice) = match status {
        StatusCode::NOT_FOUND => (
            "Page non trouvée",
            "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
            "Si vous avez tapé l'adresse web dans le navigateur, vérifiez qu'elle est correcte. La page n'est peut-être plus disponible.",
        ),
        _ => (
            "Erreur inattendue",
            "Désolé, le service rencontre un problème, nous travaillons pour le résoudre le plus rapidement possible.",
            "Essayez de rafraîchir la page ou bien réessayez plus tard. Aucune donnée n'a été enregistrée partiellement.",
        ),
    };
    let page = ErrorPage { shell: Shell::public(title), status: status.as_u16(), title, lead, advice };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, title).into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match &self {
            WebError::NotFound => error_page(StatusCode::NOT_FOUND),
            WebError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                error_page(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// The fallback for every unknown path.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// Turns a panic in a handler into the DSFR 500 page (the cause goes to the log).
pub fn panic_page(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    tracing::error!(panic = message, "handler panicked");
    error_page(StatusCode::INTERNAL_SERVER_ERROR)
}

pub type WebResult<T> = Result<T, WebError>;
