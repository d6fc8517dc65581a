//! Property tests of every parser of request data in `domain`: whatever arrives, none panics,
//! and what each accepts reads back the same.

use app::domain::advanced_search::{query_pairs, AdvancedForm, Cursor, Sort};
use app::domain::batch_search::BatchSearchForm;
use app::domain::paths::{header_safe, safe_next};
use app::domain::search::{parse_date, CosSearchForm};
use app::domain::selection::Selection;
use app::domain::work_address::{AddressForm, Postcode};
use app::domain::{CosNumber, LicenceNumber};
use proptest::prelude::*;

/// Any text, weighted towards what trips parsers: multi-byte characters, separators, controls.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ A-Za-z0-9/~&=%+._\\-\t\n\r\u{0}€ÉＭ％＿＼ß]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn cos_numbers(s in text()) {
        if let Ok(n) = CosNumber::parse(&s) {
            prop_assert_eq!(CosNumber::parse(n.as_str()).map(|m| m.as_str().to_string()), Ok(n.as_str().to_string()));
        }
    }

    #[test]
    fn cos_numbers_from_sequences_parse(n in 0u64..u64::MAX) {
        let c = CosNumber::from_sequence(n);
        prop_assert_eq!(CosNumber::parse(c.as_str()).map(|m| m.as_str().to_string()), Ok(c.as_str().to_string()));
    }

    #[test]
    fn licence_numbers(s in text()) {
        if let Ok(l) = LicenceNumber::parse(&s) {
            prop_assert_eq!(LicenceNumber::parse(l.as_str()).map(|m| m.as_str().to_string()).ok(), Some(l.as_str().to_string()));
        }
    }

    #[test]
    fn postcodes(s in text()) {
        if let Ok(p) = Postcode::parse(&s) {
            prop_assert_eq!(Postcode::parse(p.as_str()), Ok(p.clone()));
            prop_assert!(p.as_str().is_ascii());
        }
    }

    #[test]
    fn dates(s in text(), d in 1i32..=31, m in 1i32..=12, y in 1900i32..=2100) {
        let _ = parse_date(&s);
        let typed = format!("{d:02}/{m:02}/{y}");
        if let Some(date) = parse_date(&typed) {
            prop_assert_eq!((date.day() as i32, date.month() as i32, date.year()), (d, m, y));
        }
    }

    #[test]
    fn selections(q in text(), numbers in prop::collection::vec(0u64..1_000_000, 0..600)) {
        let _ = Selection::from_query(&q);
        let ticked: Vec<String> = numbers.iter().map(|n| format!("cos={}", CosNumber::from_sequence(*n).as_str())).collect();
        match Selection::from_query(&ticked.join("&")) {
            Ok(Selection::Numbers(got)) => {
                prop_assert!(!got.is_empty() && got.len() <= 500 && got.windows(2).all(|w| w[0] < w[1]));
            }
            Ok(other) => prop_assert!(false, "{other:?}"),
            Err(_) => prop_assert!(numbers.is_empty() || numbers.len() > 500),
        }
    }

    #[test]
    fn search_forms(fields in prop::collection::vec(text(), 7)) {
        let form = CosSearchForm {
            cos_number: fields[0].clone(),
            family_name: fields[1].clone(),
            given_name: fields[2].clone(),
            date_of_birth: fields[3].clone(),
            nationality: fields[4].clone(),
            passport_number: fields[5].clone(),
            page: 1,
        };
        if form.parse().is_ok() {
            // What is accepted holds no control character, and its URL reads back the same.
            let back = query_pairs(&form.to_query(1));
            let again = AdvancedForm::from_pairs(back.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            prop_assert_eq!(again.basic.parse(), form.parse());
        }
        let batch = BatchSearchForm { reference: fields[6].clone(), owner: fields[0].clone(), route: fields[1].clone(),
            created_from: fields[2].clone(), created_to: fields[3].clone(), page: 1 };
        let _ = batch.parse();
    }

    #[test]
    fn advanced_search_queries(q in text(), key in text(), id in any::<i64>()) {
        let pairs = query_pairs(&q);
        let _ = AdvancedForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).parse();
        for sort in Sort::ALL {
            let c = Cursor { id, key: key.clone() };
            let _ = c.fits(sort);
            prop_assert_eq!(Cursor::parse(&c.to_param()), Some(c.clone()));
        }
    }

    #[test]
    fn work_address_forms(fields in prop::collection::vec(text(), 7)) {
        let form = AddressForm {
            identifier: fields[0].clone(),
            line1: fields[1].clone(),
            line2: fields[2].clone(),
            line3: fields[3].clone(),
            town: fields[4].clone(),
            county: fields[5].clone(),
            postcode: fields[6].clone(),
        };
        if let Ok(a) = form.parse() {
            prop_assert_eq!(a.to_form().parse(), Ok(a));
        }
    }

    #[test]
    fn redirect_targets(s in text()) {
        let next = safe_next(Some(&s));
        prop_assert!(next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'));
        prop_assert!(next.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        prop_assert!(header_safe(&s).bytes().all(|b| (0x21..=0x7e).contains(&b)));
    }
}
