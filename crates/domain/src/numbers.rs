//! Numbers as French readers expect them: thousands grouped by a narrow no-break space
//! (U+202F, as the Imprimerie nationale and the DSFR write them), a decimal comma, a
//! narrow no-break space before « % ». One place, so that every page, report and amount
//! groups its digits the same way.

/// The narrow no-break space between groups of three digits and before « % ».
pub const THIN_SPACE: char = '\u{202f}';

/// 68350798 → "68 350 798" (narrow no-break spaces).
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(THIN_SPACE);
        }
        out.push(digit);
    }
    out
}

/// A count, grouped: 34658 → "34 658".
pub fn count(value: u64) -> String {
    thousands(i64::try_from(value).unwrap_or(i64::MAX))
}

/// `part` of `whole` as a percentage to one decimal, with a comma: "12,5 %"; `None` when
/// `whole` is zero.
pub fn percent(part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    // Tenths of a percent, rounded half up, in integers.
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    let tenths = u64::try_from(tenths).unwrap_or(u64::MAX);
    Some(format!(
        "{},{}{THIN_SPACE}%",
        count(tenths / 10),
        tenths % 10
    ))
}

/// The change from `from` to `to` in percent, to one decimal, signed: "+12,5 %",
/// "−4,0 %" (a minus sign); `None` when `from` is zero.
pub fn change(from: u64, to: u64) -> Option<String> {
    if from == 0 {
        return None;
    }
    let (from, to) = (i128::from(from), i128::from(to));
    let difference = (to - from) * 1000;
    // Tenths of a percent, rounded half away from zero.
    let tenths = (difference.abs() + from / 2) / from;
    let sign = match (difference.signum(), tenths) {
        (_, 0) => "",
        (-1, _) => "\u{2212}",
        _ => "+",
    };
    let tenths = u64::try_from(tenths).unwrap_or(u64::MAX);
    Some(format!(
        "{sign}{},{}{THIN_SPACE}%",
        count(tenths / 10),
        tenths % 10
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_a_narrow_no_break_space() {
        assert_eq!(thousands(68_350_798), "68\u{202f}350\u{202f}798");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1\u{202f}000");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(-34_658), "-34\u{202f}658");
        assert_eq!(
            thousands(i64::MIN),
            "-9\u{202f}223\u{202f}372\u{202f}036\u{202f}854\u{202f}775\u{202f}808"
        );
        assert_eq!(count(160_844), "160\u{202f}844");
    }

    #[test]
    fn percentages_have_a_comma_and_one_decimal() {
        assert_eq!(percent(1, 8).as_deref(), Some("12,5\u{202f}%"));
        assert_eq!(percent(1, 3).as_deref(), Some("33,3\u{202f}%"));
        assert_eq!(percent(2, 3).as_deref(), Some("66,7\u{202f}%"));
        assert_eq!(percent(5, 5).as_deref(), Some("100,0\u{202f}%"));
        assert_eq!(percent(0, 5).as_deref(), Some("0,0\u{202f}%"));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn changes_are_signed_with_a_comma() {
        assert_eq!(change(8, 9).as_deref(), Some("+12,5\u{202f}%"));
        assert_eq!(change(100, 96).as_deref(), Some("\u{2212}4,0\u{202f}%"));
        assert_eq!(change(7, 7).as_deref(), Some("0,0\u{202f}%"));
        assert_eq!(change(10, 25).as_deref(), Some("+150,0\u{202f}%"));
        assert_eq!(change(0, 3), None);
    }
}
