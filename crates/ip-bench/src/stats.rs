//! Percentiles and medians of measured samples.

use std::time::Duration;

/// Latencies of one measured run, sorted ascending, in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    sorted_us: Vec<u32>,
}

impl Latencies {
    /// Sorts `samples_us` and keeps them.
    pub fn from_unsorted(mut samples_us: Vec<u32>) -> Self {
        samples_us.sort_unstable();
        Latencies {
            sorted_us: samples_us,
        }
    }

    /// Adds the samples of `other`.
    pub fn merge(&mut self, other: &Latencies) {
        self.sorted_us.extend_from_slice(&other.sorted_us);
        self.sorted_us.sort_unstable();
    }

    /// Returns the number of samples.
    pub fn len(&self) -> usize {
        self.sorted_us.len()
    }

    /// Returns whether no sample was taken.
    pub fn is_empty(&self) -> bool {
        self.sorted_us.is_empty()
    }

    /// The `p`-th percentile (0 to 100) by the nearest-rank method, or zero
    /// without samples.
    pub fn percentile(&self, p: f64) -> Duration {
        Duration::from_micros(u64::from(nearest_rank(&self.sorted_us, p)))
    }
}

/// Returns the nearest-rank percentile of an ascending slice: the smallest
/// value with at least `p` percent of the samples at or below it.
pub fn nearest_rank<T: Copy + Default>(sorted: &[T], p: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Returns the median of `values`, the mean of the middle two for an even
/// count, or zero when empty.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    }
}

/// Returns the median of `durations`.
pub fn median_duration(durations: &[Duration]) -> Duration {
    let seconds: Vec<f64> = durations.iter().map(Duration::as_secs_f64).collect();
    Duration::from_secs_f64(median(&seconds))
}

/// Formats a duration in the unit that suits its size: ns, µs, ms or s.
pub fn format_duration(duration: Duration) -> String {
    let ns = duration.as_nanos();
    if ns < 1_000 {
        format!("{ns} ns")
    } else if ns < 1_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else if ns < 1_000_000_000 {
        format!("{:.2} ms", ns as f64 / 1e6)
    } else {
        format!("{:.2} s", ns as f64 / 1e9)
    }
}

/// Formats a count with thousands separators: `1234567` as `1,234,567`.
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(nearest_rank(&values, 50.0), 50);
        assert_eq!(nearest_rank(&values, 99.0), 99);
        assert_eq!(nearest_rank(&values, 100.0), 100);
        assert_eq!(nearest_rank(&values, 0.0), 1);
    }

    #[test]
    fn nearest_rank_of_nothing_is_zero() {
        assert_eq!(nearest_rank::<u32>(&[], 50.0), 0);
    }

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn latencies_sorted_on_creation() {
        let latencies = Latencies::from_unsorted(vec![30, 10, 20]);
        assert_eq!(latencies.percentile(50.0), Duration::from_micros(20));
        assert_eq!(latencies.len(), 3);
    }

    #[test]
    fn merged_latencies_stay_sorted() {
        let mut latencies = Latencies::from_unsorted(vec![30, 10]);
        latencies.merge(&Latencies::from_unsorted(vec![20, 40]));
        assert_eq!(latencies.percentile(50.0), Duration::from_micros(20));
        assert_eq!(latencies.percentile(100.0), Duration::from_micros(40));
        assert_eq!(latencies.len(), 4);
    }

    #[test]
    fn duration_units() {
        assert_eq!(format_duration(Duration::from_nanos(850)), "850 ns");
        assert_eq!(format_duration(Duration::from_micros(12)), "12.0 µs");
        assert_eq!(format_duration(Duration::from_micros(2_500)), "2.50 ms");
        assert_eq!(format_duration(Duration::from_millis(3_250)), "3.25 s");
    }

    #[test]
    fn count_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_000), "1,000");
        assert_eq!(format_count(1_234_567), "1,234,567");
    }
}
