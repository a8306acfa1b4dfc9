//! CPU-heavy answers leave the async workers free: while eight annual reports (Typst, about
//! a second of CPU each) are drawn at once, `/healthz` keeps answering quickly. On one async
//! worker, the harshest case: a report laid out on it would hold `/healthz` for seconds. SQLite only: what is measured is the runtime, not the database. A test program
//! of its own, so that no other test shares the machine's cores while it measures.

mod helpers;

use helpers::TestApp;
use passerelle_domain::identity::role::Role;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn eight_annual_reports_being_drawn_leave_healthz_quick() {
    let app = TestApp::spawn(passerelle_store::testing::sqlite().await).await;
    let session = app.session_for(Role::National).await;
    // The same probes with nothing else to do, for the record (printed beside the figure).
    let mut idle = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        app.client.get(app.url("/healthz")).send().await.unwrap();
        idle.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    idle.sort();
    let mut reports = Vec::new();
    for _ in 0..8 {
        let (url, cookie) = (
            app.url("/statistiques/rapport.pdf"),
            format!("passerelle_session={session}"),
        );
        reports.push(tokio::spawn(async move {
            let answer = reqwest::Client::new()
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status().as_u16(), 200);
            answer.bytes().await.unwrap().len()
        }));
    }
    // Give the reports their head start: their queries are read, their layout under way.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut timings = Vec::new();
    while reports.iter().any(|report| !report.is_finished()) {
        let started = Instant::now();
        let answer = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        timings.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for report in reports {
        assert!(report.await.unwrap() > 10_000, "a real PDF");
    }
    assert!(
        timings.len() >= 20,
        "the reports took long enough to measure: {} samples",
        timings.len()
    );
    timings.sort();
    let p99 = timings[(timings.len() * 99).div_ceil(100) - 1];
    eprintln!(
        "/healthz while 8 reports are drawn: {} samples, median {:?}, p99 {p99:?}; idle: median {:?}, max {:?}",
        timings.len(),
        timings[timings.len() / 2],
        idle[idle.len() / 2],
        idle[idle.len() - 1],
    );
    assert!(p99 < Duration::from_millis(50), "p99 {p99:?}");
    app.finish().await;
}
