//! Writing the demo with progress bars, for `passerelle demo`, `serve --demo` and the
//! benchmarks.

use crate::activity::ActivityStep;
use crate::{DemoPlan, DemoReport, insert, plan};
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::Db;
use passerelle_store::registry::territory::Referentials;

/// Computes and writes the demo for `seed`, with a progress bar when `show_progress`.
pub async fn seed_demo(
    db: &Db,
    seed: u64,
    show_progress: bool,
) -> anyhow::Result<(DemoPlan, DemoReport)> {
    let referentials = Referentials::embedded()?;
    let plan = plan(&referentials, seed);
    let hashes = plan
        .logins
        .iter()
        .map(|login| passerelle_store::identity::account::hash_password(&login.password))
        .collect::<Result<Vec<_>, _>>()?;
    let bar = if show_progress {
        ProgressBar::new(plan.row_count() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} lignes")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Démonstration");
    let report = insert(db, &plan, &hashes, &|rows| bar.set_position(rows)).await?;
    bar.finish_and_clear();
    Ok((plan, report))
}

/// A bar over the posts, for writing activity and then counting it.
pub fn activity_bar(posts: u64, message: impl Into<std::borrow::Cow<'static, str>>) -> ProgressBar {
    let bar = ProgressBar::new(posts);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} postes ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// Moves `bar` with the activity's steps: the posts written, then the posts counted into the
/// statistics (the bar starts again, under another message).
pub fn activity_progress(bar: &ProgressBar) -> impl Fn(ActivityStep) + Sync + '_ {
    move |step| match step {
        ActivityStep::Written(posts) => bar.set_position(posts),
        ActivityStep::Counted(posts) => {
            if posts == 1 {
                bar.set_message("Statistiques");
                bar.reset_eta();
            }
            bar.set_position(posts)
        }
    }
}
