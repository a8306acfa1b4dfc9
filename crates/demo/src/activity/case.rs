//! One demonstration case: its intake (source, unit, urgency, category, the person and their
//! consent) and its follow-up (statuses, interviews, actions, orientations), drawn from
//! weights close to the scheme's published activity.

use crate::plan::PostRow;
use passerelle_domain::referral::case::{
    ActionKind, InterviewPlace, KnownToSocialServices, OrientationStatus, PartnerType, Sex,
};
use passerelle_domain::referral::person::Identity;
use passerelle_domain::referral::person_name::blocking_keys;
use passerelle_domain::referral::{
    AgeBand, ClosureOutcome, PersonRole, ProblemCategory, ReferralSource, ReferralStatus, Urgency,
};
use passerelle_store::db::bulk::Value;
use passerelle_store::db::time_text::{date_to_text, instant_to_text};
use passerelle_store::seal::KeyRing;
use rand::distr::weighted::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

use super::Rows;
use crate::names::{FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES};
fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, f64)]) -> T {
    let weights = WeightedIndex::new(items.iter().map(|(_, w)| *w)).expect("positive weights");
    items[weights.sample(rng)].0
}

fn random_day(rng: &mut ChaCha8Rng, from: Date, to: Date) -> Date {
    let span = (to - from).whole_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

fn instant(day: Date, hour: u8) -> String {
    match day.with_hms(hour, 0, 0) {
        Ok(at) => instant_to_text(at.assume_utc()),
        Err(_) => instant_to_text(day.midnight().assume_utc()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn generate_case(
    rng: &mut ChaCha8Rng,
    keys: &KeyRing,
    post: &PostRow,
    from: Date,
    today: Date,
    n: usize,
    recorded: &str,
    rows: &mut Rows,
) {
    use ProblemCategory as C;
    let case_id = format!("{}-case-{n}", post.id);
    let person_id = format!("{}-person-{n}", post.id);
    let received = random_day(rng, from, today);
    let category = pick(
        rng,
        &[
            (C::DomesticViolence, 34.0),
            (C::IntrafamilyViolence, 9.0),
            (C::ChildInDanger, 7.0),
            (C::RunawayMinor, 3.0),
            (C::FamilyConflict, 12.0),
            (C::NeighbourConflict, 6.0),
            (C::VulnerablePerson, 6.0),
            (C::SocialDistress, 9.0),
            (C::Housing, 4.0),
            (C::MentalHealth, 6.0),
            (C::Addiction, 2.0),
            (C::SuicideRisk, 2.0),
        ],
    );
    let mut categories = vec![category.code()];
    if rng.random_bool(0.25) {
        let second = pick(
            rng,
            &[
                (C::SocialDistress, 3.0),
                (C::MentalHealth, 2.0),
                (C::Housing, 2.0),
                (C::Addiction, 1.0),
            ],
        );
        if second != category {
            categories.push(second.code());
        }
    }
    let urgency = pick(
        rng,
        &[
            (Urgency::Immediate, 15.0),
            (Urgency::Within48h, 30.0),
            (Urgency::Normal, 55.0),
        ],
    );
    let source = pick(
        rng,
        &[
            (ReferralSource::Intervention, 40.0),
            (ReferralSource::Complaint, 25.0),
            (ReferralSource::MainCouranteReview, 15.0),
            (ReferralSource::OutsideService, 8.0),
            (ReferralSource::Spontaneous, 12.0),
        ],
    );
    let direct = source == ReferralSource::Spontaneous;
    // A post without host units (none in the demo) gets direct cases only.
    let unit = (!direct && !post.host_units.is_empty()).then(|| {
        post.host_units[rng.random_range(0..post.host_units.len())]
            .0
            .clone()
    });
    let consent = direct || rng.random_bool(0.85);
    let sex = if category == C::DomesticViolence {
        pick(rng, &[(Sex::Female, 86.0), (Sex::Male, 14.0)])
    } else {
        pick(
            rng,
            &[(Sex::Female, 60.0), (Sex::Male, 38.0), (Sex::Unknown, 2.0)],
        )
    };
    let age_years = match category {
        C::ChildInDanger | C::RunawayMinor => rng.random_range(6..18),
        C::VulnerablePerson => rng.random_range(65..95),
        _ => rng.random_range(18..75),
    };
    let birth = received - Duration::days(age_years * 365 + rng.random_range(0..365));
    let known = pick(
        rng,
        &[
            (KnownToSocialServices::Yes, 45.0),
            (KnownToSocialServices::No, 40.0),
            (KnownToSocialServices::Unknown, 15.0),
        ],
    );
    let age_since_received = (today - received).whole_days();
    let at = instant(received, rng.random_range(6..20));

    // The follow-up: without consent, an anonymous count; otherwise older cases are closed.
    let mut statuses = vec![(ReferralStatus::Received, at.clone())];
    let (status, outcome, last_contact) = if !consent {
        statuses.push((ReferralStatus::Closed, at.clone()));
        (
            ReferralStatus::Closed,
            Some(ClosureOutcome::NoFollowUp),
            None,
        )
    } else {
        let contact_day = (received + Duration::days(rng.random_range(0..4))).min(today);
        let reached = rng.random_bool(0.85);
        let step = if reached {
            ReferralStatus::InContact
        } else {
            ReferralStatus::Unreachable
        };
        statuses.push((ReferralStatus::ContactAttempted, instant(contact_day, 9)));
        statuses.push((step, instant(contact_day, 10)));
        let closed =
            age_since_received > 21 && rng.random_bool((age_since_received as f64 / 90.0).min(0.9));
        if closed {
            let closing = (contact_day + Duration::days(rng.random_range(7..40))).min(today);
            statuses.push((ReferralStatus::Closed, instant(closing, 16)));
            let outcome = if reached {
                pick(
                    rng,
                    &[
                        (ClosureOutcome::Oriented, 50.0),
                        (ClosureOutcome::Resolved, 35.0),
                        (ClosureOutcome::Transferred, 5.0),
                        (ClosureOutcome::NoFollowUp, 10.0),
                    ],
                )
            } else {
                ClosureOutcome::NoFollowUp
            };
            (
                ReferralStatus::Closed,
                Some(outcome),
                Some(instant(contact_day, 10)),
            )
        } else {
            (step, None, Some(instant(contact_day, 10)))
        }
    };
    let status_changed = statuses
        .last()
        .map(|(_, at)| at.clone())
        .unwrap_or_else(|| at.clone());
    let context = consent.then(|| {
        let text = format!(
            "Situation fictive de démonstration : {}.",
            category.label().to_lowercase()
        );
        keys.seal(
            text.as_bytes(),
            &passerelle_store::referral::CONTEXT.associated_data(&case_id),
        )
    });
    for (position, code) in categories.iter().enumerate() {
        rows.case_categories.push(vec![
            case_id.as_str().into(),
            (*code).into(),
            (position as i64).into(),
        ]);
    }
    rows.cases.push(vec![
        case_id.as_str().into(),
        post.id.as_str().into(),
        unit.into(),
        source.code().into(),
        urgency.code().into(),
        i64::from(consent).into(),
        status.code().into(),
        outcome.map(|o| o.code().to_string()).into(),
        Value::Blob(context),
        at.as_str().into(),
        status_changed.into(),
        last_contact.clone().into(),
        recorded.into(),
        Value::OptInt(consent.then(|| {
            i64::from(matches!(
                category,
                C::DomesticViolence | C::IntrafamilyViolence | C::ChildInDanger
            ))
        })),
    ]);
    for (step, (status, at)) in statuses.iter().enumerate() {
        rows.history.push(vec![
            format!("{case_id}-h{step}").into(),
            case_id.as_str().into(),
            status.code().into(),
            at.as_str().into(),
        ]);
    }
    let role = if matches!(category, C::ChildInDanger | C::RunawayMinor) {
        PersonRole::Child
    } else {
        PersonRole::Victim
    };
    if consent {
        let first = match sex {
            Sex::Male => MALE_FIRST_NAMES[rng.random_range(0..MALE_FIRST_NAMES.len())],
            _ => FEMALE_FIRST_NAMES[rng.random_range(0..FEMALE_FIRST_NAMES.len())],
        };
        let identity = Identity {
            last_name: Some(LAST_NAMES[rng.random_range(0..LAST_NAMES.len())].to_string()),
            birth_name: (sex == Sex::Female && rng.random_bool(0.2))
                .then(|| LAST_NAMES[rng.random_range(0..LAST_NAMES.len())].to_string()),
            first_names: Some(first.to_string()),
            birth_date: Some(birth),
            phone: Some(format!("+336{:08}", rng.random_range(0..100_000_000u32))),
            commune: None,
        };
        let json = serde_json::to_string(&identity).unwrap_or_default();
        let sealed = keys.seal(
            json.as_bytes(),
            &passerelle_store::referral::person::IDENTITY.associated_data(&person_id),
        );
        rows.persons.push(vec![
            person_id.as_str().into(),
            post.id.as_str().into(),
            Value::Blob(Some(sealed)),
            sex.code().into(),
            AgeBand::of(birth, received)
                .map(|b| b.code().to_string())
                .into(),
            known.code().into(),
            recorded.into(),
        ]);
        for key in blocking_keys(&identity.key()) {
            rows.person_keys.push(vec![
                post.id.as_str().into(),
                keys.blind_index(&format!("person_keys:{}", post.id), &key)
                    .into(),
                person_id.as_str().into(),
            ]);
        }
        rows.case_persons.push(vec![
            format!("{case_id}-p").into(),
            case_id.as_str().into(),
            role.code().into(),
            recorded.into(),
            Some(person_id.clone()).into(),
        ]);
    } else {
        rows.case_persons.push(vec![
            format!("{case_id}-p").into(),
            case_id.as_str().into(),
            role.code().into(),
            recorded.into(),
            None::<String>.into(),
        ]);
    }
    if let Some(contact) = last_contact.filter(|_| status != ReferralStatus::Unreachable) {
        let contact_day =
            passerelle_store::db::time_text::text_to_date(&contact[..10]).unwrap_or(received);
        for i in 0..rng.random_range(1..=3) {
            let day = (contact_day + Duration::days(i * rng.random_range(3..15))).min(today);
            let place = pick(
                rng,
                &[
                    (InterviewPlace::AtUnit, 45.0),
                    (InterviewPlace::Phone, 35.0),
                    (InterviewPlace::AtHome, 8.0),
                    (InterviewPlace::Visio, 4.0),
                    (InterviewPlace::Office, 8.0),
                ],
            );
            rows.interviews.push(vec![
                format!("{case_id}-i{i}").into(),
                case_id.as_str().into(),
                date_to_text(day).into(),
                place.code().into(),
                rng.random_range(15..90i64).into(),
                recorded.into(),
            ]);
        }
        for i in 0..rng.random_range(1..=2) {
            let kind = pick(
                rng,
                &[
                    (ActionKind::Listening, 40.0),
                    (ActionKind::RightsInformation, 25.0),
                    (ActionKind::ProceduresHelp, 15.0),
                    (ActionKind::ComplaintSupport, 8.0),
                    (ActionKind::EmergencyShelter, 5.0),
                    (ActionKind::InformationPreoccupante, 4.0),
                    (ActionKind::ProsecutorReport, 3.0),
                ],
            );
            rows.actions.push(vec![
                format!("{case_id}-a{i}").into(),
                case_id.as_str().into(),
                kind.code().into(),
                date_to_text(contact_day).into(),
                recorded.into(),
            ]);
        }
        if outcome == Some(ClosureOutcome::Oriented) || rng.random_bool(0.2) {
            let partner = pick(
                rng,
                &[
                    (PartnerType::Cidff, 20.0),
                    (PartnerType::FranceVictimes, 20.0),
                    (PartnerType::DepartementSocial, 20.0),
                    (PartnerType::Ccas, 10.0),
                    (PartnerType::AseCrip, 6.0),
                    (PartnerType::Siao, 6.0),
                    (PartnerType::Cmp, 8.0),
                    (PartnerType::Lawyer, 5.0),
                    (PartnerType::Other, 5.0),
                ],
            );
            let status = if status == ReferralStatus::Closed {
                pick(
                    rng,
                    &[
                        (OrientationStatus::Done, 75.0),
                        (OrientationStatus::Failed, 25.0),
                    ],
                )
            } else {
                OrientationStatus::Proposed
            };
            let day = date_to_text(contact_day);
            rows.orientations.push(vec![
                format!("{case_id}-o").into(),
                case_id.as_str().into(),
                partner.code().into(),
                "".into(),
                status.code().into(),
                day.as_str().into(),
                day.as_str().into(),
                recorded.into(),
            ]);
        }
    }
}
