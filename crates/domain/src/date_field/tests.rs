use super::*;
use proptest::prelude::*;
use time::macros::date;

const TODAY: Date = date!(2026 - 12 - 04);

fn refusal(field: DateField, text: &str) -> String {
    field.read(text, TODAY).unwrap_err().to_string()
}

#[test]
fn an_interview_typed_with_a_two_digit_year_asks_for_four_digits() {
    assert_eq!(
        refusal(DateField::Interview, "04/12/26"),
        "Date de l'entretien : écrivez l'année sur quatre chiffres (04/12/2026)"
    );
    assert!(refusal(DateField::PostStep, "01/11/20").contains("(01/11/2020)"));
    // The example is a day the field accepts: a birth typed « 12/05/64 » is shown in 1964.
    assert!(refusal(DateField::BirthDate, "12/05/64").contains("(12/05/1964)"));
    assert!(refusal(DateField::Appointment, "12/05/64").contains("(jj/mm/aaaa)"));
    assert_eq!(DateField::Interview.read("04/12/2026", TODAY), Ok(TODAY));
}

#[test]
fn work_on_a_case_is_neither_in_the_future_nor_before_the_case() {
    let received = date!(2026 - 11 - 20);
    for field in [
        DateField::Interview,
        DateField::Action,
        DateField::Orientation,
    ] {
        assert!(refusal(field, "05/12/2026").ends_with("elle ne peut pas être dans le futur"));
        let early = field
            .read_for_case("19/11/2026", TODAY, received)
            .unwrap_err();
        assert_eq!(early.field, field.label());
        assert!(
            early.reason.contains("réception du dossier, le 20/11/2026"),
            "{early}"
        );
        assert_eq!(
            field.read_for_case("20/11/2026", TODAY, received),
            Ok(received)
        );
        assert!(refusal(field, "31/12/1999").contains("pas avant le 01/01/2000"));
    }
    assert_eq!(
        DateField::NextStep.read_for_case("04/12/2028", TODAY, received),
        Ok(date!(2028 - 12 - 04))
    );
    assert!(refusal(DateField::NextStep, "05/12/2028").contains("pas après le 04/12/2028"));
}

#[test]
fn agreements_start_after_2000_and_end_within_fifteen_years() {
    for text in ["0000-01-01", "01/01/1899", "31/12/1999"] {
        let error = DateField::AgreementStart.read(text, TODAY).unwrap_err();
        assert_eq!(error.field, "Début de la convention", "{text}");
        assert!(error.reason.contains("01/01/2000"), "{text}: {error}");
    }
    assert!(DateField::AgreementEnd.read("04/12/2041", TODAY).is_ok());
    assert!(refusal(DateField::AgreementEnd, "05/12/2041").contains("pas après le 04/12/2041"));
}

#[test]
fn births_appointments_presence_and_post_steps_keep_to_their_windows() {
    assert!(DateField::BirthDate.read("01/01/1900", TODAY).is_ok());
    assert!(refusal(DateField::BirthDate, "31/12/1899").contains("01/01/1900"));
    assert!(refusal(DateField::BirthDate, "05/12/2026").contains("dans le futur"));
    assert!(DateField::Appointment.read("04/12/2026", TODAY).is_ok());
    assert!(refusal(DateField::Appointment, "03/12/2026").contains("dans le passé"));
    assert!(refusal(DateField::Appointment, "05/12/2027").contains("pas après le 04/12/2027"));
    assert!(DateField::AbsenceLast.read("04/12/2029", TODAY).is_ok());
    assert!(refusal(DateField::PresenceFrom, "05/12/2029").contains("04/12/2029"));
    assert!(refusal(DateField::PostStep, "05/12/2026").contains("dans le futur"));
    assert!(
        refusal(DateField::PostStep, "9999-12-31").contains("entre le 01/01/2000 et aujourd'hui")
    );
}

#[test]
fn a_leap_day_plus_years_falls_on_the_28th() {
    let window = DateField::NextStep.window(date!(2028 - 02 - 29), None);
    assert_eq!(window.latest, date!(2030 - 02 - 28));
}

/// What people type and mistype: real and impossible days in both forms, short years, years
/// 0000 and 9999, other scripts' digits, and any text at all.
fn typed_text() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        Just("0000".to_string()),
        Just("9999".to_string()),
        (0u32..100).prop_map(|y| format!("{y:02}")),
        (0u32..1000).prop_map(|y| y.to_string()),
        (1890u32..2060).prop_map(|y| y.to_string()),
    ];
    let typed =
        (year, 0u8..=32, 0u8..=13, 0u8..3).prop_map(|(year, day, month, form)| match form {
            0 => format!("{day:02}/{month:02}/{year}"),
            1 => format!("{day}/{month}/{year}"),
            _ => format!("{year}-{month:02}-{day:02}"),
        });
    prop_oneof![
        4 => typed,
        1 => Just("31/02/2026".to_string()),
        1 => Just("٠٤/١٢/٢٠٢٦".to_string()),
        1 => Just("０４/１２/２０２６".to_string()),
        2 => "\\PC{0,20}",
        1 => "[0-9/\\-+ ]{0,12}",
    ]
}

proptest! {
    /// Over every date field: a text is accepted only when it is a four-digit day inside the
    /// field's window, everything else is refused with the field's name, and nothing panics.
    #[test]
    fn every_date_field_accepts_only_its_window(
        field in proptest::sample::select(DateField::ALL),
        text in typed_text(),
        today_offset in 0i64..(40 * 366),
        received_before in proptest::option::of(0i64..3_000),
    ) {
        let today = date!(2000 - 01 - 01) + time::Duration::days(today_offset);
        let received = received_before.map(|days| today - time::Duration::days(days));
        let window = field.window(today, received);
        let result = match received {
            Some(received) => field.read_for_case(&text, today, received),
            None => field.read(&text, today),
        };
        match (read_day(&text), result) {
            (Ok(day), Ok(read)) => {
                prop_assert_eq!(day, read);
                prop_assert!(window.contains(read));
                prop_assert!(read.year() >= 1900);
            }
            (Ok(day), Err(error)) => {
                prop_assert!(!window.contains(day), "{day} refused: {error}");
                prop_assert_eq!(error.field, field.label());
                prop_assert!(error.to_string().starts_with(field.label()));
            }
            (Err(problem), Err(error)) => {
                prop_assert_eq!(error.field, field.label());
                if problem == DayProblem::ShortYear {
                    prop_assert!(error.reason.contains("quatre chiffres"), "{error}");
                }
            }
            (Err(problem), Ok(read)) => prop_assert!(false, "{text:?} ({problem:?}) read as {read}"),
        }
    }
}
