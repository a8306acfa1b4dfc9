//! The headline figures at the top of the pages and of the annual report, one piece for
//! both: the delay from referral to first contact and the share of persons no social service
//! knew first, then the persons received and the year's activity. Also how the persons and
//! the delay are read from their published cells (the delay's median and 90th percentile are
//! withheld outside the post when measured on too few referrals).

use crate::statistics::Dashboard;
use passerelle_domain::numbers;
use passerelle_domain::statistics::suppression::Shown;

/// The persons received in the year (the grand total of the "known to a social service"
/// table) and, when both cells are published, (no service knew them, all of them).
pub(super) fn persons_summary(
    known: &[Vec<Shown>],
    unknown_row: usize,
) -> (Shown, Option<(u64, u64)>) {
    let total_of = |row: Option<&Vec<Shown>>| row.and_then(|cells| cells.last()).copied();
    let total = total_of(known.last());
    let unknown = total_of(known.get(unknown_row));
    let share = match (unknown, total) {
        (Some(Shown::Count(no)), Some(Shown::Count(all))) if all > 0 => Some((no, all)),
        _ => None,
    };
    (total.unwrap_or(Shown::Count(0)), share)
}

/// The share as printed: « 12,5 % », or « — » when not published.
pub fn share_text(share: Option<(u64, u64)>) -> String {
    share
        .and_then(|(part, whole)| numbers::percent(part, whole))
        .unwrap_or_else(|| "—".into())
}

/// The delay from referral to first contact: how many referrals it is measured on, its
/// median and 90th percentile in days ("—" when not published), and the two in days for the
/// chart.
pub struct DelayView {
    pub contacted: String,
    pub median: String,
    pub p90: String,
    pub days: Option<(i64, i64)>,
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
                days: None,
            }
        }
        Some((median, p90)) => DelayView {
            contacted: numbers::count(contacted),
            median: days(median),
            p90: days(p90),
            days: Some((median, p90)),
        },
        None => DelayView {
            contacted: "0".into(),
            median: "—".into(),
            p90: "—".into(),
            days: None,
        },
    }
}

/// One headline figure: its value as printed, what it counts, and the same figure for
/// another scope when the page places one beside it (« France entière : 3 j »).
pub struct Tile {
    pub id: &'static str,
    pub value: String,
    pub label: &'static str,
    pub beside: Option<String>,
}

/// The year's total of one row of the activity table (published first; its last cell is the
/// row's total), as printed: 0 referrals, 1 closures, 2 interviews, 3 actions, 4 orientations.
fn activity_total(figures: &Dashboard, row: usize) -> String {
    figures
        .tables
        .first()
        .and_then(|activity| activity.rows.get(row))
        .and_then(|(_, cells)| cells.last())
        .map(|cell| cell.french())
        .unwrap_or_else(|| "0".into())
}

/// The headline figures of a dashboard, in the order they are read: how fast and whom the
/// social workers reach first, then how much.
pub fn tiles(figures: &Dashboard) -> Vec<Tile> {
    let activity_total = |row: usize| activity_total(figures, row);
    let tile = |id, value, label| Tile {
        id,
        value,
        label,
        beside: None,
    };
    vec![
        tile(
            "tile-delai",
            figures.delay.median.clone(),
            "délai médian entre le signalement et le premier contact",
        ),
        tile(
            "tile-inconnues",
            share_text(figures.unknown_share),
            "des personnes reçues inconnues de tout service social à l'accueil",
        ),
        tile(
            "tile-personnes",
            figures.persons.french(),
            "personnes reçues",
        ),
        tile("tile-saisines", activity_total(0), "signalements reçus"),
        tile("tile-entretiens", activity_total(2), "entretiens"),
        tile("tile-actions", activity_total(3), "actions"),
        tile(
            "tile-orientations",
            activity_total(4),
            "orientations vers des partenaires",
        ),
        tile("tile-clotures", activity_total(1), "dossiers clôturés"),
    ]
}

/// The tiles of `figures` with the same figures of `other` beside them, named `other_label`.
pub fn tiles_beside(figures: &Dashboard, other: &Dashboard, other_label: &str) -> Vec<Tile> {
    tiles(figures)
        .into_iter()
        .zip(tiles(other))
        .map(|(mut tile, theirs)| {
            tile.beside = Some(format!("{other_label} : {}", theirs.value));
            tile
        })
        .collect()
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
    Ok(ScopeHeadline {
        referrals: activity_total(&dashboard, 0),
        median_delay: dashboard.delay.median,
        contacted: dashboard.delay.contacted,
    })
}
