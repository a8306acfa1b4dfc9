//! The e-mail of a forgotten password: the link (computed here from the reset's id with the
//! key, never stored) and its expiry; for an account that signs in with ProConnect only, no
//! link but the reminder that it has no Passerelle password.

use crate::http::clock::french_instant_of;
use passerelle_store::identity::password_reset::{self as stored, DueReset};
use passerelle_store::seal::KeyRing;
use passerelle_store::{Db, StoreError};
use time::OffsetDateTime;

/// Resets due now (see `passerelle_store::identity::password_reset::due`).
pub async fn due(db: &Db, now: OffsetDateTime, limit: i64) -> Result<Vec<DueReset>, StoreError> {
    stored::due(db, now, limit).await
}

/// Subject and body of a reset's e-mail.
pub fn text(reset: &DueReset, keys: &KeyRing, public_url: &str) -> (String, String) {
    if reset.proconnect_only != 0 {
        return (
            "Passerelle — votre compte se connecte avec ProConnect".to_string(),
            format!(
                "Bonjour {name},\n\n\
                 Une réinitialisation du mot de passe a été demandée pour votre compte \
                 Passerelle. Votre compte se connecte avec ProConnect : il n'a pas de mot de \
                 passe Passerelle. Connectez-vous avec le bouton « Se connecter avec \
                 ProConnect » : {public_url}/connexion\n\n\
                 Si vous n'avez rien demandé, vous pouvez ignorer ce message.\n",
                name = reset.to_name,
            ),
        );
    }
    let link = format!(
        "{public_url}{}",
        crate::identity::password_reset::link_path(keys, &reset.id)
    );
    (
        "Passerelle — choisir un nouveau mot de passe".to_string(),
        format!(
            "Bonjour {name},\n\n\
             Une réinitialisation du mot de passe de votre compte Passerelle a été demandée. \
             Pour choisir un nouveau mot de passe, ouvrez ce lien :\n\n{link}\n\n\
             Il ne sert qu'une fois et expire le {until} (heure de Paris), 30 minutes après la demande. \
             Le code de votre application d'authentification restera demandé à la connexion.\n\n\
             Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n",
            name = reset.to_name,
            until = french_instant_of(&reset.expires_at),
        ),
    )
}
