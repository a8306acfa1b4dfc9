//! A device trusted for a shift: after the second factor, an officer may tick « Faire
//! confiance à cet appareil pendant mon service (12 h) ». The device then keeps a cookie (a
//! random token; the server keeps its hash, bound to the account, revocable) and, until 12
//! hours after that second factor, a login there asks the password only. Another device,
//! the end of the shift, « se déconnecter partout » or a new password: the second factor again.

use crate::AppState;
use crate::http::auth::{cookie, set_cookie};
use axum::http::{HeaderMap, HeaderValue};
use passerelle_domain::access;
use passerelle_domain::identity::account::TRUSTED_DEVICE_DURATION;
use passerelle_store::identity::account::RoleRow;
use passerelle_store::identity::trusted_device;
use passerelle_store::{Db, StoreError};

pub const DEVICE_COOKIE: &str = "passerelle_appareil";

/// Whether an account with these roles may trust a device: every role it can act through
/// must allow it (`domain::access::may_trust_device`), since a session may switch roles.
pub fn may_trust(roles: &[RoleRow]) -> bool {
    !roles.is_empty()
        && roles
            .iter()
            .all(|row| row.role().is_ok_and(access::may_trust_device))
}

/// The end of the trust of the device the request comes from, if it is trusted for this
/// account and the account's roles still allow it.
pub async fn trusted_until(
    db: &Db,
    headers: &HeaderMap,
    account_id: &str,
    roles: &[RoleRow],
) -> Result<Option<String>, StoreError> {
    let Some(token) = cookie(headers, DEVICE_COOKIE) else {
        return Ok(None);
    };
    if !may_trust(roles) {
        return Ok(None);
    }
    trusted_device::trusted_until(db, &token, account_id).await
}

/// The cookie of a device just trusted: it lasts as long as the trust, not a second more.
pub fn device_cookie(state: &AppState, token: &str) -> HeaderValue {
    set_cookie(
        DEVICE_COOKIE,
        token,
        state.config.secure_cookies,
        Some(TRUSTED_DEVICE_DURATION.whole_seconds()),
    )
}
