//! Values as coordinators write them: French labels and abbreviations, « 100% », « 0,5 »,
//! département « 1 ». Each reader answers the value or a French reason.

use passerelle_domain::registry::territory::DepartementCode;

/// A label as people type it: case, accents, apostrophes, underscores and spaces do not matter.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'î' | 'ï' | 'í' => folded.push('i'),
            'ô' | 'ö' | 'ó' => folded.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => folded.push('u'),
            'ç' => folded.push('c'),
            'ÿ' => folded.push('y'),
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            '’' | '`' | '´' => folded.push('\''),
            '_' | '\u{a0}' | '\u{202f}' | '\t' | '\n' | '\r' => folded.push(' '),
            c => folded.push(c),
        }
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value of a vocabulary: its code, its French label or one of its aliases.
pub fn vocabulary<T: Copy>(
    text: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    aliases: &[(&str, T)],
) -> Result<T, String> {
    let wanted = fold(text);
    let found = all
        .iter()
        .copied()
        .find(|v| fold(code(*v)) == wanted || fold(label(*v)) == wanted)
        .or_else(|| {
            aliases
                .iter()
                .find(|(alias, _)| fold(alias) == wanted)
                .map(|(_, v)| *v)
        });
    found.ok_or_else(|| {
        let labels: Vec<&str> = all.iter().map(|v| label(*v)).collect();
        if text.trim().is_empty() {
            format!(
                "valeur manquante (valeurs possibles : {})",
                labels.join(", ")
            )
        } else {
            format!(
                "« {} » n'est pas une valeur connue (valeurs possibles : {})",
                text.trim().chars().take(60).collect::<String>(),
                labels.join(", ")
            )
        }
    })
}

/// A full-time equivalent: « 1 », « 0,5 », « 0.8 », « 100% », « 50 % » (or « 80 », read as a
/// percentage), from 0,1 to 1.
pub fn fte(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, percent) = match trimmed.strip_suffix('%') {
        Some(number) => (number.trim(), true),
        None => (trimmed, false),
    };
    let value = number
        .replace(',', ".")
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite());
    let value = match value {
        Some(v) if percent || (v > 1.0 && v <= 100.0) => Some(v / 100.0),
        other => other,
    };
    match value {
        Some(v) if (0.1 - 1e-9..=1.0 + 1e-9).contains(&v) => Ok((v * 1000.0).round() / 1000.0),
        _ => Err(format!(
            "« {} » : un temps de travail de 0,1 à 1 (ou de 10 % à 100 %) est attendu",
            trimmed.chars().take(40).collect::<String>()
        )),
    }
}

/// A département code; « 1 » to « 9 » are read as « 01 » to « 09 » (a spreadsheet drops the
/// zero), with a notice to say so.
pub fn departement(text: &str) -> Result<(String, Option<String>), String> {
    let trimmed = text.trim();
    if trimmed.len() == 1 && trimmed.bytes().all(|b| b.is_ascii_digit()) && trimmed != "0" {
        let padded = format!("0{trimmed}");
        let code = DepartementCode::parse(&padded).map_err(|e| e.reason)?;
        return Ok((
            code.to_string(),
            Some(format!(
                "« {trimmed} » lu comme le département « {padded} »"
            )),
        ));
    }
    DepartementCode::parse(trimmed)
        .map(|code| (code.to_string(), None))
        .map_err(|e| e.reason)
}

/// A day jj/mm/aaaa within the years a form accepts (see `passerelle_domain::day`).
pub fn date(text: &str) -> Option<time::Date> {
    let mut parts = text.trim().split('/');
    let (day, month, year) = (
        parts.next()?.trim().parse().ok()?,
        parts.next()?.trim().parse::<u8>().ok()?,
        parts.next()?.trim(),
    );
    if parts.next().is_some() || year.len() != 4 {
        return None;
    }
    let year = year.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day)
        .ok()
        .filter(|date| {
            (passerelle_domain::day::FIRST_YEAR..=passerelle_domain::day::LAST_YEAR)
                .contains(&date.year())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_domain::registry::post::{PostStatus, STATUS_ALIASES, ZONE_ALIASES, Zone};

    fn zone(text: &str) -> Result<Zone, String> {
        vocabulary(text, Zone::ALL, Zone::code, Zone::label, ZONE_ALIASES)
    }

    #[test]
    fn zones_and_statuses_read_as_people_write_them() {
        for (text, expected) in [
            ("Gendarmerie", Zone::Gendarmerie),
            ("G", Zone::Gendarmerie),
            ("mixte", Zone::Mixed),
            ("P/G", Zone::Mixed),
            ("POLICE", Zone::Police),
            ("mixed", Zone::Mixed),
            ("Zone police", Zone::Police),
        ] {
            assert_eq!(zone(text), Ok(expected), "{text}");
        }
        assert!(zone("Marine").unwrap_err().contains("Zone police"));
        let status = |t| {
            vocabulary(
                t,
                PostStatus::ALL,
                PostStatus::code,
                PostStatus::label,
                STATUS_ALIASES,
            )
        };
        assert_eq!(status("pourvu"), Ok(PostStatus::Filled));
        assert_eq!(status("Financé"), Ok(PostStatus::Funded));
        assert_eq!(status("EN RECRUTEMENT"), Ok(PostStatus::Recruiting));
    }

    #[test]
    fn full_time_equivalents_in_every_usual_form() {
        for (text, expected) in [
            ("1", 1.0),
            ("100%", 1.0),
            ("50 %", 0.5),
            ("0,5", 0.5),
            ("0.8", 0.8),
            ("80", 0.8),
        ] {
            assert_eq!(fte(text), Ok(expected), "{text}");
        }
        for wrong in ["", "0", "150%", "abc", "NaN", "2"] {
            assert!(fte(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_one_digit_departement_gets_its_zero_and_a_notice() {
        assert_eq!(departement("35").unwrap(), ("35".into(), None));
        let (code, notice) = departement("1").unwrap();
        assert_eq!(code, "01");
        assert!(notice.unwrap().contains("« 01 »"));
        assert!(departement("0").is_err());
        assert_eq!(departement("2a").unwrap().0, "2A");
    }

    #[test]
    fn imported_days_are_within_the_years_a_form_accepts() {
        assert_eq!(
            date("01/09/2021"),
            Some(time::macros::date!(2021 - 09 - 01))
        );
        for far in [
            "31/12/9999",
            "01/01/0001",
            "31/12/1899",
            "01/01/2201",
            "01/11/20",
        ] {
            assert_eq!(date(far), None, "{far}");
        }
    }
}
