use chrono::{DateTime, Months, SecondsFormat, Utc};

/// `start` plus `months` calendar months, clamped to the last day of the target month
/// (Jan 31 + 1 month = Feb 28 or 29, never March 2 or 3 as JavaScript's `setMonth` gives).
pub fn add_months(start: DateTime<Utc>, months: u8) -> DateTime<Utc> {
    start
        .checked_add_months(Months::new(u32::from(months)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// UTC ISO-8601 with milliseconds, as JavaScript's `Date#toISOString`: `2024-01-01T00:00:00.000Z`.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate, TimeZone};

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 13, 45, 30).unwrap()
    }

    fn last_day_of(year: i32, month: u32) -> u32 {
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        NaiveDate::from_ymd_opt(ny, nm, 1)
            .unwrap()
            .pred_opt()
            .unwrap()
            .day()
    }

    #[test]
    fn formats_like_javascript_to_iso_string() {
        let t = Utc.timestamp_millis_opt(1_704_067_200_007).unwrap();
        assert_eq!(format_timestamp(t), "2024-01-01T00:00:00.007Z");
    }

    #[test]
    fn the_seed_example_expires_a_year_later() {
        let issued = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            format_timestamp(add_months(issued, 12)),
            "2025-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn month_ends_clamp_to_the_last_day_of_the_target_month() {
        assert_eq!(add_months(at(2024, 1, 31), 1), at(2024, 2, 29), "leap year");
        assert_eq!(
            add_months(at(2023, 1, 31), 1),
            at(2023, 2, 28),
            "common year"
        );
        assert_eq!(
            add_months(at(2100, 1, 31), 1),
            at(2100, 2, 28),
            "century, not leap"
        );
        assert_eq!(
            add_months(at(2000, 1, 31), 1),
            at(2000, 2, 29),
            "400-year leap"
        );
        assert_eq!(add_months(at(2024, 2, 29), 12), at(2025, 2, 28));
        assert_eq!(add_months(at(2024, 3, 31), 1), at(2024, 4, 30));
        assert_eq!(add_months(at(2024, 8, 31), 6), at(2025, 2, 28));
        assert_eq!(add_months(at(2024, 12, 31), 2), at(2025, 2, 28));
    }

    #[test]
    fn every_month_end_plus_every_duration_lands_on_a_valid_clamped_day() {
        for year in [2023, 2024] {
            for month in 1..=12 {
                let start = at(year, month, last_day_of(year, month));
                for months in 1..=12u8 {
                    let end = add_months(start, months);
                    let total = month + u32::from(months) - 1;
                    let (ey, em) = (year + (total / 12) as i32, total % 12 + 1);
                    assert_eq!((end.year(), end.month()), (ey, em), "{start} + {months}");
                    assert_eq!(
                        end.day(),
                        start.day().min(last_day_of(ey, em)),
                        "{start} + {months}"
                    );
                    assert_eq!(end.time(), start.time(), "time of day is kept");
                }
            }
        }
    }

    #[test]
    fn mid_month_dates_keep_their_day() {
        assert_eq!(add_months(at(2024, 5, 15), 7), at(2024, 12, 15));
        assert_eq!(add_months(at(2024, 11, 15), 3), at(2025, 2, 15));
    }
}
