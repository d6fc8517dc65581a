//! Dates the UK way: `29 November 2026`.

use time::Date;

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

pub fn uk_date(d: Date) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month() as usize - 1], d.year())
}

/// A date as a user types it in the product's forms: `07/03/1990`.
pub fn typed(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// `n` calendar months on (or back, when negative) from `d`, on the same day or the month's
/// last (31 January + 3 → 30 April), as PostgreSQL's `date + interval 'n months'` gives it.
pub fn add_months(d: Date, n: i32) -> Date {
    let months = d.year() * 12 + (u8::from(d.month()) as i32 - 1) + n;
    let (year, month) = (months.div_euclid(12), time::Month::try_from((months.rem_euclid(12) + 1) as u8).unwrap_or(time::Month::January));
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn formats_the_uk_way() {
        assert_eq!(uk_date(date!(2026 - 11 - 29)), "29 November 2026");
        assert_eq!(uk_date(date!(2024 - 01 - 05)), "5 January 2024");
        assert_eq!(typed(date!(1990 - 03 - 07)), "07/03/1990");
    }

    #[test]
    fn months_on_and_back() {
        assert_eq!(add_months(date!(2027 - 01 - 31), 3), date!(2027 - 04 - 30));
        assert_eq!(add_months(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 12 - 01), 3), date!(2027 - 03 - 01));
        assert_eq!(add_months(date!(2027 - 05 - 31), -3), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2027 - 02 - 15), -3), date!(2026 - 11 - 15));
    }
}
