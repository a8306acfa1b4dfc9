//! Passerelle's domain: types that can only hold valid values and the rules of the scheme.
//! Nothing here does I/O, so every rule can be unit- and property-tested in isolation.
//! One folder per capability, named as in the store and the web crate; the policy
//! (`access`), the journal's vocabulary and the value types every capability uses are at the
//! root.

pub mod access;
pub mod date_field;
pub mod day;
pub mod emergency;
pub mod identity;
pub mod ids;
pub mod journal;
pub mod network;
pub mod numbers;
pub mod plain_text;
pub mod presence;
pub mod referral;
pub mod registry;
pub mod statistics;
pub mod text;

/// Error raised when text from outside does not parse into a domain value.
/// The message is French because it ends up in front of a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {reason}")]
pub struct ParseError {
    pub field: &'static str,
    pub reason: String,
}

impl ParseError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// Declares an enum stored as a stable snake_case code, with a French label and parsing.
/// One macro so that every stored vocabulary behaves the same way.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used in URLs and files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The French label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Result<Self, $crate::ParseError> {
                match text.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::ParseError::new(
                        $field,
                        format!(
                            "« {} » n'est pas une valeur connue (valeurs possibles : {})",
                            other,
                            [$($code),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        $crate::ids::stored_as_text!($name, |text: String| $name::parse(&text), code);
    };
}
