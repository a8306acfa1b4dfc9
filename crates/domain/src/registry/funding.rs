//! Agreements (conventions) binding a post's partners, and its funding lines.

use crate::vocabulary;
use time::{Date, Duration};

vocabulary!(
    /// Who pays for a post (FIPD is the State's fund, run by the CIPDR).
    Funder, "financeur", {
        Fipd => ("fipd", "FIPD (CIPDR)"),
        Departement => ("departement", "Département"),
        Commune => ("commune", "Commune"),
        Epci => ("epci", "Intercommunalité (EPCI)"),
        Caf => ("caf", "CAF"),
        Other => ("autre", "Autre"),
    }
);

vocabulary!(
    /// How an agreement is renewed.
    Renewal, "renouvellement", {
        Tacit => ("tacite", "Tacite reconduction"),
        Express => ("expresse", "Renouvellement exprès"),
        None => ("aucun", "Sans renouvellement"),
    }
);

/// The alert thresholds before an agreement's end: 60 then 30 days (issue of the steering).
pub const ALERT_DAYS: [i64; 2] = [60, 30];

/// How urgent an agreement's end is on `today`: None when further than 60 days or over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementAlert {
    Within60Days,
    Within30Days,
}

impl AgreementAlert {
    pub fn label(self) -> &'static str {
        match self {
            AgreementAlert::Within60Days => "échéance à moins de 60 jours",
            AgreementAlert::Within30Days => "échéance à moins de 30 jours",
        }
    }
}

pub fn alert_on(ends_on: Date, today: Date) -> Option<AgreementAlert> {
    let left = ends_on - today;
    if left < Duration::ZERO {
        None
    } else if left <= Duration::days(ALERT_DAYS[1]) {
        Some(AgreementAlert::Within30Days)
    } else if left <= Duration::days(ALERT_DAYS[0]) {
        Some(AgreementAlert::Within60Days)
    } else {
        None
    }
}

/// "12 345,67 €" from cents.
pub fn euros(cents: i64) -> String {
    let units = i64::try_from(cents.unsigned_abs() / 100).unwrap_or(i64::MAX);
    format!(
        "{}{},{:02}\u{a0}€",
        if cents < 0 { "-" } else { "" },
        crate::numbers::thousands(units),
        cents.unsigned_abs() % 100
    )
}

/// Parses an amount typed in euros ("12 000", "12000,50", "12 000.5 €") into cents.
pub fn parse_euros(text: &str) -> Result<i64, crate::ParseError> {
    let error = || {
        crate::ParseError::new(
            "montant",
            format!(
                "« {} » n'est pas un montant en euros (exemple : 12 000,50)",
                text.trim()
            ),
        )
    };
    let cleaned: String = text
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}')
        .collect();
    let cleaned = cleaned.replace(',', ".");
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((cleaned.as_str(), ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(error());
    }
    let whole: i64 = whole.parse().map_err(|_| error())?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().map_err(|_| error())?
    };
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .filter(|c| *c <= 100_000_000_00)
        .ok_or_else(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn alerts_at_60_then_30_days() {
        let end = date!(2026 - 12 - 31);
        assert_eq!(alert_on(end, date!(2026 - 10 - 01)), None);
        assert_eq!(
            alert_on(end, date!(2026 - 11 - 01)),
            Some(AgreementAlert::Within60Days)
        );
        assert_eq!(
            alert_on(end, date!(2026 - 12 - 01)),
            Some(AgreementAlert::Within30Days)
        );
        assert_eq!(alert_on(end, end), Some(AgreementAlert::Within30Days));
        assert_eq!(alert_on(end, date!(2027 - 01 - 01)), None);
    }

    #[test]
    fn amounts_in_french() {
        assert_eq!(parse_euros("12 000,50 €").unwrap(), 1_200_050);
        assert_eq!(parse_euros("12000.5").unwrap(), 1_200_050);
        assert_eq!(euros(1_200_050), "12\u{202f}000,50\u{a0}€");
        for bad in ["", "douze", "-5", "1,234", "1.2.3", "99999999999999"] {
            assert_eq!(parse_euros(bad).unwrap_err().field, "montant", "{bad}");
        }
    }

    proptest! {
        #[test]
        fn amounts_round_trip(cents in 0i64..1_000_000_000) {
            let text = euros(cents).replace('\u{a0}', " ");
            prop_assert_eq!(parse_euros(&text).unwrap(), cents);
        }
    }
}
