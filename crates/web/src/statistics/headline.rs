//! The headline figures above the tables: the persons received and the share of them no
//! social service knew, and the delay from referral to first contact (its median and 90th
//! percentile, withheld outside the post when measured on too few referrals).

use passerelle_domain::statistics::suppression::Shown;

/// The persons received in the year (the grand total of the "known to a social service"
/// table) and the share of them no service knew (its row `unknown_row`), as published.
pub(super) fn persons_summary(known: &[Vec<Shown>], unknown_row: usize) -> (String, String) {
    let total_of = |row: Option<&Vec<Shown>>| row.and_then(|cells| cells.last()).copied();
    let total = total_of(known.last());
    let unknown = total_of(known.get(unknown_row));
    let share = match (unknown, total) {
        (Some(Shown::Count(no)), Some(Shown::Count(all))) if all > 0 => {
            format!("{} %", (no * 100 + all / 2) / all)
        }
        _ => "—".into(),
    };
    (total.map(Shown::text).unwrap_or_else(|| "0".into()), share)
}

/// The delay from referral to first contact: how many referrals it is measured on, its
/// median and 90th percentile in days ("—" when not published).
pub struct DelayView {
    pub contacted: String,
    pub median: String,
    pub p90: String,
}

/// Percentiles of fewer than 5 referrals would point at them: not published outside the post.
pub(super) fn delay_view(lines: &[(String, String, i64)], suppressed: bool) -> DelayView {
    let distribution: Vec<(i64, u64)> = lines
        .iter()
        .filter_map(|(_, days, n)| Some((days.parse().ok()?, u64::try_from(*n).ok()?)))
        .collect();
    let contacted: u64 = distribution.iter().map(|(_, n)| n).sum();
    let days = |d: i64| {
        if d >= passerelle_domain::statistics::CONTACT_DELAY_CAP {
            format!("{d} jours ou plus")
        } else {
            format!("{d} j")
        }
    };
    match passerelle_domain::statistics::median_and_p90(&distribution) {
        Some(_) if suppressed && contacted < passerelle_domain::statistics::suppression::SMALL => {
            DelayView {
                contacted: Shown::Secret.text(),
                median: "—".into(),
                p90: "—".into(),
            }
        }
        Some((median, p90)) => DelayView {
            contacted: contacted.to_string(),
            median: days(median),
            p90: days(p90),
        },
        None => DelayView {
            contacted: "0".into(),
            median: "—".into(),
            p90: "—".into(),
        },
    }
}

/// The activity figures a steering home shows of its scope for `year`: the referrals (the
/// year's total of the activity table) and the median delay to first contact, with how many
/// referrals it is measured on, exactly as the scope's dashboard publishes them — the same
/// small-cell suppression, and the calendar year only: a rolling twelve months, set beside
/// the published quarters of two years, would give a secret cell away by difference.
pub struct ScopeHeadline {
    pub referrals: String,
    pub median_delay: String,
    pub contacted: String,
}

pub(crate) async fn scope_headline(
    state: &crate::AppState,
    scope: &passerelle_domain::access::Scope,
    year: i32,
) -> crate::http::error::WebResult<ScopeHeadline> {
    let scope = super::figures::report_scope(scope)?;
    let dashboard = super::figures::figures(state, &scope, year, "").await?;
    // The activity table is published first; its first row is the referrals, its last
    // cell the row's total.
    let referrals = dashboard
        .tables
        .first()
        .and_then(|table| table.rows.first())
        .and_then(|(_, cells)| cells.last())
        .map(|shown| match shown {
            Shown::Count(n) => {
                crate::registry::map::french_thousands(i64::try_from(*n).unwrap_or(i64::MAX))
            }
            Shown::Secret => Shown::Secret.text(),
        })
        .unwrap_or_else(|| "0".into());
    Ok(ScopeHeadline {
        referrals,
        median_delay: dashboard.delay.median,
        contacted: dashboard.delay.contacted,
    })
}
