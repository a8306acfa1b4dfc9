//! One error type for every handler: the person gets a DSFR page with a safe French message,
//! the log gets the cause.

use crate::http::layout::Shell;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page non trouvée")]
    NotFound,
    /// The policy said no. The page says so without telling what exists.
    #[error("accès refusé")]
    Forbidden,
    /// A form or a link carried something unusable; the message names it, in French.
    #[error("requête invalide : {0}")]
    BadRequest(String),
    /// The form's anti-forgery token is missing or wrong.
    #[error("jeton anti-falsification absent ou invalide")]
    Csrf,
    #[error("envoi trop volumineux")]
    TooLarge,
    /// Not logged in (or the session ended): to the login page, then back to `next`.
    #[error("connexion requise")]
    LoginRequired { next: String },
    /// Somewhere else first (second factor, role chooser…).
    #[error("redirection vers {0}")]
    Redirect(String),
    #[error("erreur interne : {0}")]
    Internal(#[from] anyhow::Error),
    /// A machine client (`http::bearer`) refused: its token unknown, expired or revoked
    /// (401), or the policy's no (403). Answered in JSON, in French.
    #[error("appel de l'API refusé : {message}")]
    Api { status: u16, message: String },
}

impl From<passerelle_store::StoreError> for WebError {
    fn from(error: passerelle_store::StoreError) -> Self {
        WebError::Internal(error.into())
    }
}

/// The one answer to a write the store refused: the French message the form shows again
/// (`Ok`), or the error page (`Err`: not found, or a storage failure).
pub fn refusal(error: passerelle_store::WriteError) -> WebResult<String> {
    match error {
        passerelle_store::WriteError::Refused(error) => Ok(format!("{error}.")),
        passerelle_store::WriteError::NotFound(_) => Err(WebError::NotFound),
        passerelle_store::WriteError::Store(error) => Err(error.into()),
    }
}

impl From<sqlx::Error> for WebError {
    fn from(error: sqlx::Error) -> Self {
        WebError::Internal(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Shell,
    status: u16,
    title: &'a str,
    lead: &'a str,
    advice: &'a str,
}

fn page(status: StatusCode, title: &str, lead: &str, advice: &str) -> Response {
    let page = ErrorPage {
        shell: Shell::public(title),
        status: status.as_u16(),
        title,
        lead,
        advice,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, title.to_string()).into_response(),
    }
}

const NOTHING_SAVED: &str =
    "Revenez à la page précédente, corrigez et recommencez. Rien n'a été enregistré.";

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound => page(
                StatusCode::NOT_FOUND,
                "Page non trouvée",
                "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
                "Si vous avez tapé l'adresse web dans le navigateur, vérifiez qu'elle est correcte. La page n'est peut-être plus disponible.",
            ),
            WebError::Forbidden => page(
                StatusCode::FORBIDDEN,
                "Accès refusé",
                "Vous n'avez pas accès à cette page avec le rôle que vous utilisez.",
                "Si vous avez plusieurs rôles, changez de rôle depuis « Mon compte ». Sinon, adressez-vous à la personne qui gère votre compte.",
            ),
            WebError::BadRequest(message) => page(
                StatusCode::BAD_REQUEST,
                "Requête invalide",
                &message,
                NOTHING_SAVED,
            ),
            WebError::Csrf => page(
                StatusCode::FORBIDDEN,
                "Formulaire expiré",
                "Le formulaire a expiré ou ne provient pas de Passerelle (jeton de sécurité absent ou invalide).",
                "Rechargez la page et recommencez. Rien n'a été enregistré.",
            ),
            WebError::TooLarge => page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Envoi trop volumineux",
                "Les données envoyées dépassent la taille autorisée.",
                NOTHING_SAVED,
            ),
            // Only a local path is carried over: the login page would refuse anything else.
            WebError::LoginRequired { next } => Redirect::to(&format!(
                "/connexion?suite={}",
                crate::http::auth::encode_component(&crate::http::local_path::safe_next(Some(
                    &next
                )))
            ))
            .into_response(),
            WebError::Redirect(target) => Redirect::to(&target).into_response(),
            WebError::Api { status, message } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
                let mut response =
                    (status, axum::Json(serde_json::json!({ "erreur": message }))).into_response();
                if status == StatusCode::UNAUTHORIZED {
                    response.headers_mut().insert(
                        axum::http::header::WWW_AUTHENTICATE,
                        axum::http::HeaderValue::from_static(r#"Bearer realm="passerelle""#),
                    );
                }
                response
            }
            WebError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                internal_error_page()
            }
        }
    }
}

fn internal_error_page() -> Response {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Erreur inattendue",
        "Désolé, le service rencontre un problème, nous travaillons pour le résoudre le plus rapidement possible.",
        "Essayez de rafraîchir la page ou bien réessayez plus tard. Aucune donnée n'a été enregistrée partiellement.",
    )
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
    internal_error_page()
}

pub type WebResult<T> = Result<T, WebError>;
