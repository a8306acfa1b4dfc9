//! Every date a person types, with the window of days that makes sense for it.
//!
//! [`crate::day::read_day`] says whether a text is a day at all (four-digit years only);
//! [`DateField`] says whether that day fits its field: an interview is not in the future, an
//! agreement does not start in year 0, a birth is not before 1900. Forms and imports read
//! their dates here, so one file and one typed line obey the same rules, and every refusal
//! names the field in French.

use crate::ParseError;
use crate::day::{DayProblem, four_digit_hint, read_day};
use time::{Date, Month};

/// Passerelle's scheme began in the 2000s: work, registry steps and agreements before 2000
/// can only be typing errors.
pub const SCHEME_START: Date = match Date::from_calendar_date(2000, Month::January, 1) {
    Ok(day) => day,
    Err(_) => Date::MIN,
};

/// The first birth day accepted: nobody followed today was born before it.
pub const EARLIEST_BIRTH: Date = match Date::from_calendar_date(1900, Month::January, 1) {
    Ok(day) => day,
    Err(_) => Date::MIN,
};

/// A date field of a form or an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    /// The day of an interview: done, so not after today, and not before the case.
    Interview,
    /// The day of an action on a case: same window as an interview.
    Action,
    /// The day an orientation was proposed: same window as an interview.
    Orientation,
    /// The day planned for the case's next step: within about two years.
    NextStep,
    /// The first day of an agreement (convention).
    AgreementStart,
    /// The last day of an agreement: conventions run a few years, ~15 at the very most.
    AgreementEnd,
    /// The day of a step of a post's lifecycle (funded, recruiting, filled…): recorded once it
    /// happened.
    PostStep,
    /// The first day of a weekly presence slot.
    PresenceFrom,
    /// The last day of a weekly presence slot.
    PresenceUntil,
    /// The first day of an absence (leave, training…).
    AbsenceFirst,
    /// The last day of an absence.
    AbsenceLast,
    /// The last day a temporary notice is shown.
    NoticeUntil,
    /// A person's birth date.
    BirthDate,
    /// The day of an appointment being booked: today or later, within a year.
    Appointment,
    /// The last day an API token is accepted: from tomorrow, within a year (a token must be
    /// renewed, never forgotten).
    TokenExpiry,
}

/// The first and last day a field accepts, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub earliest: Date,
    pub latest: Date,
    /// Whether `earliest` is the day the case was received (said so when refusing).
    pub from_case: bool,
}

impl DateField {
    pub const ALL: &'static [DateField] = &[
        DateField::Interview,
        DateField::Action,
        DateField::Orientation,
        DateField::NextStep,
        DateField::AgreementStart,
        DateField::AgreementEnd,
        DateField::PostStep,
        DateField::PresenceFrom,
        DateField::PresenceUntil,
        DateField::AbsenceFirst,
        DateField::AbsenceLast,
        DateField::NoticeUntil,
        DateField::BirthDate,
        DateField::Appointment,
        DateField::TokenExpiry,
    ];

    /// The field's French name, as refusals start with it.
    pub fn label(self) -> &'static str {
        match self {
            DateField::Interview => "Date de l'entretien",
            DateField::Action => "Date de l'action",
            DateField::Orientation => "Date de l'orientation",
            DateField::NextStep => "Date de la prochaine étape",
            DateField::AgreementStart => "Début de la convention",
            DateField::AgreementEnd => "Fin de la convention",
            DateField::PostStep => "Date de l'étape du poste",
            DateField::PresenceFrom => "Présence à partir du",
            DateField::PresenceUntil => "Présence jusqu'au",
            DateField::AbsenceFirst => "Premier jour d'absence",
            DateField::AbsenceLast => "Dernier jour d'absence",
            DateField::NoticeUntil => "Annonce affichée jusqu'au",
            DateField::BirthDate => "Date de naissance",
            DateField::Appointment => "Date du rendez-vous",
            DateField::TokenExpiry => "Date d'expiration du jeton",
        }
    }

    /// Whether the field belongs to a case, whose received day is its earliest day.
    pub fn is_case_work(self) -> bool {
        matches!(
            self,
            DateField::Interview | DateField::Action | DateField::Orientation | DateField::NextStep
        )
    }

    /// The days the field accepts on `today` (Paris) for a case received on `received`
    /// (ignored by fields outside a case; a case received "in the future" by a skewed clock
    /// counts as received today).
    pub fn window(self, today: Date, received: Option<Date>) -> Window {
        let window = |earliest, latest| Window {
            earliest,
            latest,
            from_case: false,
        };
        let base = match self {
            DateField::Interview | DateField::Action | DateField::Orientation => {
                window(SCHEME_START, today)
            }
            DateField::NextStep => window(SCHEME_START, years_after(today, 2)),
            DateField::AgreementStart | DateField::AgreementEnd => {
                window(SCHEME_START, years_after(today, 15))
            }
            DateField::PostStep => window(SCHEME_START, today),
            DateField::PresenceFrom
            | DateField::PresenceUntil
            | DateField::AbsenceFirst
            | DateField::AbsenceLast
            | DateField::NoticeUntil => window(SCHEME_START, years_after(today, 3)),
            DateField::BirthDate => window(EARLIEST_BIRTH, today),
            DateField::Appointment => window(today, years_after(today, 1)),
            DateField::TokenExpiry => {
                window(today.next_day().unwrap_or(today), years_after(today, 1))
            }
        };
        match received {
            Some(received) if self.is_case_work() && received.min(today) > base.earliest => {
                Window {
                    earliest: received.min(today),
                    from_case: true,
                    ..base
                }
            }
            _ => base,
        }
    }

    /// Reads a day typed in this field on `today`; the error names the field and says what to
    /// type instead.
    pub fn read(self, text: &str, today: Date) -> Result<Date, ParseError> {
        self.read_in(text, self.window(today, None), today)
    }

    /// Reads a day of work on a case received on `received`.
    pub fn read_for_case(
        self,
        text: &str,
        today: Date,
        received: Date,
    ) -> Result<Date, ParseError> {
        self.read_in(text, self.window(today, Some(received)), today)
    }

    fn read_in(self, text: &str, window: Window, today: Date) -> Result<Date, ParseError> {
        let field = self.label();
        let day = read_day(text).map_err(|problem| match problem {
            // The day parses but its year is far off: say which days fit this field.
            DayProblem::OutOfRange => ParseError::new(field, window.describe(today)),
            DayProblem::ShortYear => ParseError::new(
                field,
                format!(
                    "écrivez l'année sur quatre chiffres ({})",
                    four_digit_hint(text, |day| window.contains(day))
                ),
            ),
            other => ParseError::new(field, other.reason()),
        })?;
        if day < window.earliest {
            let reason = if window.from_case {
                format!(
                    "pas avant la réception du dossier, le {}",
                    french(window.earliest)
                )
            } else if window.earliest == today {
                "elle ne peut pas être dans le passé".into()
            } else {
                format!("pas avant le {}", french(window.earliest))
            };
            return Err(ParseError::new(field, reason));
        }
        if day > window.latest {
            let reason = if window.latest == today {
                "elle ne peut pas être dans le futur".into()
            } else {
                format!("pas après le {}", french(window.latest))
            };
            return Err(ParseError::new(field, reason));
        }
        Ok(day)
    }
}

impl Window {
    pub fn contains(&self, day: Date) -> bool {
        (self.earliest..=self.latest).contains(&day)
    }

    /// The window in words, for a day far outside it.
    fn describe(&self, today: Date) -> String {
        let latest = if self.latest == today {
            "aujourd'hui".into()
        } else {
            format!("le {}", french(self.latest))
        };
        format!(
            "la date doit être comprise entre le {} et {latest}",
            french(self.earliest)
        )
    }
}

/// The same day `years` later (28 February for a 29th without its leap year).
fn years_after(day: Date, years: i32) -> Date {
    let year = day.year().saturating_add(years);
    Date::from_calendar_date(year, day.month(), day.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(Date::MAX)
}

fn french(day: Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        day.day(),
        u8::from(day.month()),
        day.year()
    )
}

#[cfg(test)]
mod tests;
