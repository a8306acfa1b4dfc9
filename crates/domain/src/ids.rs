//! Identifiers of the records, one type each, so that a case's id cannot be passed where a
//! post's is expected. They hold the stored text (a UUID, or a code for imported rows) and
//! are only ever compared, printed and stored; the store decodes them from its columns.

/// Declares an identifier newtype over the stored text.
macro_rules! identifier {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            /// A fresh identifier, ordered by creation time (UUID v7).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        $crate::ids::stored_as_text!($name, |text: String| Ok::<_, std::convert::Infallible>($name(text)), as_str);
    )+};
}

/// Stores a value as its text column on any sqlx backend: decoded by `$parse` (an unknown
/// value is a decoding error, never a default), encoded by `$text`.
#[cfg(feature = "sqlx")]
macro_rules! stored_as_text {
    ($name:ty, $parse:expr, $text:ident) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                let text: &str = self.$text();
                <String as sqlx::Encode<'q, DB>>::encode(text.to_string(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                ($parse)(text).map_err(|e| e.into())
            }
        }
    };
}

#[cfg(not(feature = "sqlx"))]
macro_rules! stored_as_text {
    ($name:ty, $parse:expr, $text:ident) => {};
}

pub(crate) use stored_as_text;

identifier! {
    /// A unit of the police or the gendarmerie (brigade, commissariat).
    UnitId;
    /// A social worker's post.
    PostId;
    /// An employer of social workers.
    EmployerId;
    /// A person's account.
    AccountId;
    /// A case file (a referral and its follow-up).
    CaseId;
    /// A person of a case.
    PersonId;
}
