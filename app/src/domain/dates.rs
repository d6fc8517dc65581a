//! Dates the UK way: `29 November 2026`.

use time::Date;

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

pub fn uk_date(d: Date) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month() as usize - 1], d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn formats_the_uk_way() {
        assert_eq!(uk_date(date!(2026 - 11 - 29)), "29 November 2026");
        assert_eq!(uk_date(date!(2024 - 01 - 05)), "5 January 2024");
    }
}
