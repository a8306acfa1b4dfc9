//! The danger grid's result on both backends: sealed with the facts and read back only under
//! the case's journaled read, its code clear for the ranking and the counts, the inbox and
//! the home's new cases ranking a characterised danger before every urgency, an anonymous
//! count keeping the code only, the retention purge erasing the sealed result.

mod common;

use passerelle_domain::ids::{AccountId, CaseId, PostId, UnitId};
use passerelle_domain::referral::category::CategoryGrid;
use passerelle_domain::referral::danger::{
    DangerAssessment, DangerConclusion, DangerGridResult, DangerInput,
};
use passerelle_domain::referral::{PersonInput, ReferralInput, validate_referral};
use passerelle_store::seal::KeyRing;
use passerelle_store::testing::{self, TestDb};

struct Place {
    post: String,
    unit: String,
    account: String,
}

async fn place(test: &TestDb) -> Place {
    let plan = common::demo_registry(test).await;
    let one = |sql: &'static str| async move {
        let (id,): (String,) = sqlx::query_as(sql).fetch_one(test.db.pool()).await.unwrap();
        id
    };
    Place {
        post: one("SELECT id FROM posts WHERE status = 'filled' ORDER BY code LIMIT 1").await,
        unit: one("SELECT id FROM units ORDER BY id LIMIT 1").await,
        account: plan.logins[0].id.clone(),
    }
}

async fn refer(
    test: &TestDb,
    ring: &KeyRing,
    at: &Place,
    urgency: &str,
    consent: &str,
    danger: DangerInput,
) -> String {
    let input = ReferralInput {
        source: "intervention".into(),
        urgency: urgency.into(),
        categories: vec!["domestic_violence".into()],
        context: "Faits".into(),
        persons: vec![PersonInput {
            role: "victim".into(),
            last_name: "Durand".into(),
            first_name: "Alix".into(),
            phone: String::new(),
        }],
        consent: consent.into(),
        contact_channel: "via_unit".into(),
        contact_hours: String::new(),
        procedure_reference: String::new(),
        danger,
    };
    let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    passerelle_store::referral::create_referral(
        &test.db,
        ring,
        &passerelle_store::referral::NewReferral {
            id: CaseId::new(id.clone()),
            post_id: &PostId::new(&at.post),
            unit_id: Some(&UnitId::new(&at.unit)),
            referred_by: &AccountId::new(&at.account),
            referral: &referral,
            notify_referrer: false,
        },
        passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::PersonalDataWritten,
        ),
    )
    .await
    .unwrap();
    id
}

fn grid(filled: &str, conclusion: &str, criteria: &str) -> DangerInput {
    DangerInput {
        filled: filled.into(),
        conclusion: conclusion.into(),
        alarm_criteria: criteria.into(),
    }
}

#[tokio::test]
async fn the_danger_grid_is_sealed_read_under_journal_ranked_first_and_purged() {
    for test in testing::all_backends().await {
        let ring = testing::key_ring();
        let at = place(&test).await;
        let immediate = refer(
            &test,
            &ring,
            &at,
            "immediate",
            "yes",
            DangerInput::default(),
        )
        .await;
        let danger = refer(
            &test,
            &ring,
            &at,
            "normal",
            "yes",
            grid("yes", "characterised", "11"),
        )
        .await;
        let anonymous = refer(&test, &ring, &at, "normal", "no", grid("no", "", "")).await;

        let case = passerelle_store::referral::find_case(&test.db, &CaseId::new(&danger))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(case.danger_grid, Some(DangerGridResult::Characterised));
        let read = passerelle_store::journal::read::journal_read(
            &test.db,
            &PostId::new(&at.post),
            passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::PersonalDataRead,
            )
            .on("case", &danger),
        )
        .await
        .unwrap();
        assert_eq!(
            case.danger_assessment(&ring, &read).unwrap(),
            Some(DangerAssessment::Filled {
                conclusion: DangerConclusion::Characterised,
                alarm_criteria: passerelle_domain::referral::danger::AlarmCriteria::new(11),
            }),
            "{:?}",
            test.backend()
        );
        let sealed = case.danger_assessment_sealed.clone().unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("characterised"));

        // Without consent: counted by its code, nothing sealed.
        let (code, sealed): (Option<String>, Option<Vec<u8>>) =
            sqlx::query_as("SELECT danger_grid, danger_assessment_sealed FROM cases WHERE id = $1")
                .bind(&anonymous)
                .fetch_one(test.db.pool())
                .await
                .unwrap();
        assert_eq!((code.as_deref(), sealed), (Some("not_filled"), None));

        // The danger before the immediate referral, in the inbox and in the home's new cases.
        let (rows, _) = passerelle_store::referral::inbox(
            &test.db,
            &at.post,
            passerelle_store::referral::InboxFilter::default(),
            1,
        )
        .await
        .unwrap();
        let position = |id: &str| rows.iter().position(|row| row.id.as_str() == id).unwrap();
        assert!(
            position(&danger) < position(&immediate),
            "{:?}",
            test.backend()
        );
        assert_eq!(position(&danger), 0);
        let day = passerelle_store::referral::day_of_post(
            &test.db,
            &at.post,
            "2000-01-01",
            "2000-01-01",
            50,
        )
        .await
        .unwrap();
        assert_eq!(day.new[0].id.as_str(), danger);

        // The retention purge erases the sealed result with the facts; the code stays counted.
        let later = time::OffsetDateTime::now_utc().date() + time::Duration::days(5 * 366);
        passerelle_store::referral::retention::purge(&test.db, &ring, later, 2, false, &|_| {})
            .await
            .unwrap();
        let (code, sealed): (Option<String>, Option<Vec<u8>>) =
            sqlx::query_as("SELECT danger_grid, danger_assessment_sealed FROM cases WHERE id = $1")
                .bind(&danger)
                .fetch_one(test.db.pool())
                .await
                .unwrap();
        assert_eq!(
            (code.as_deref(), sealed),
            (Some("danger"), None),
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}
