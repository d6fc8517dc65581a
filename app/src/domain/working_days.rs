//! Working days (domain.md, "Reporting worker activity"): a report is due within 10 working
//! days of the event; weekends and England and Wales bank holidays do not count. The holidays
//! come from the `bank_holidays` table (migration 000013).

use time::{Date, Duration, Weekday};

/// How many working days a sponsor has to report an event.
pub const DUE_WITHIN: u32 = 10;

pub fn is_working_day(d: Date, holidays: &[Date]) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(&d)
}

/// The last day a report of an event on `event` is on time: the 10th working day after it.
pub fn deadline(event: Date, holidays: &[Date]) -> Date {
    let mut d = event;
    let mut counted = 0;
    while counted < DUE_WITHIN {
        d += Duration::days(1);
        if is_working_day(d, holidays) {
            counted += 1;
        }
    }
    d
}

/// How many working days after `deadline` a report made on `reported` is (0: on time).
pub fn working_days_late(deadline: Date, reported: Date, holidays: &[Date]) -> u32 {
    let mut d = deadline;
    let mut late = 0;
    while d < reported {
        d += Duration::days(1);
        if is_working_day(d, holidays) {
            late += 1;
        }
    }
    late
}

/// How a report's lateness reads: "on time", "1 working day late", "3 working days late".
pub fn lateness(days_late: u32) -> String {
    match days_late {
        0 => "on time".to_string(),
        1 => "1 working day late".to_string(),
        n => format!("{n} working days late"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// England and Wales, as in the migration: Christmas 2026 falls on a Friday and Boxing Day on
    /// the Saturday (its substitute is Monday 28 December); Easter 2027 is 26 and 29 March.
    const HOLIDAYS: [Date; 6] = [
        date!(2026 - 12 - 25), date!(2026 - 12 - 28), date!(2027 - 01 - 01),
        date!(2027 - 03 - 26), date!(2027 - 03 - 29), date!(2027 - 05 - 03),
    ];

    #[test]
    fn known_deadlines() {
        for (event, due) in [
            // Two plain weeks: Tuesday → the Tuesday a fortnight on.
            (date!(2026 - 11 - 03), date!(2026 - 11 - 17)),
            // An event on a Saturday counts from the Monday.
            (date!(2026 - 11 - 07), date!(2026 - 11 - 20)),
            // Across Christmas, the Boxing Day substitute and New Year's Day.
            (date!(2026 - 12 - 18), date!(2027 - 01 - 06)),
            // Across Easter.
            (date!(2027 - 03 - 22), date!(2027 - 04 - 07)),
            // Across the early May bank holiday.
            (date!(2027 - 04 - 26), date!(2027 - 05 - 11)),
        ] {
            assert_eq!(deadline(event, &HOLIDAYS), due, "event {event}");
        }
    }

    #[test]
    fn lateness_counts_working_days_only() {
        let due = date!(2026 - 12 - 24);
        assert_eq!(working_days_late(due, due, &HOLIDAYS), 0, "on the day is on time");
        assert_eq!(working_days_late(due, date!(2026 - 12 - 20), &HOLIDAYS), 0, "early is on time");
        // 25 (holiday), 26–27 (weekend), 28 (substitute holiday), 29: one working day late.
        assert_eq!(working_days_late(due, date!(2026 - 12 - 29), &HOLIDAYS), 1);
        // 29, 30, 31 December, then 1 January (a holiday), then Monday 4 January.
        assert_eq!(working_days_late(due, date!(2027 - 01 - 04), &HOLIDAYS), 4);
    }
}
