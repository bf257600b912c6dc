//! Micro-benchmarks of the status checks and of parsing a print job.
//!
//! Run `cargo bench -p ip-status --bench status`; docs/benchmarks.md at the
//! workspace root records the results. Under `cargo test` each benchmark runs
//! once, as a smoke test.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ip_status::{JobProgress, PrintJob, Status};
use serde_json::{json, Value};

/// The number of letters in the benchmarked print job.
const LETTERS: usize = 1_000;

fn status_checks(c: &mut Criterion) {
    let mut group = c.benchmark_group("status");

    group.bench_function("can_transition_to", |b| {
        b.iter(|| black_box(Status::Shipping).can_transition_to(black_box(Status::InvalidAddress)))
    });
    group.bench_function("can_reach", |b| {
        b.iter(|| black_box(Status::Draft).can_reach(black_box(Status::Returned)))
    });
    group.bench_function("parse", |b| {
        b.iter(|| black_box("waiting_to_print").parse::<Status>())
    });
    // A jump over four statuses: the client stored `draft` and a webhook reports `sent`.
    group.bench_function("observe", |b| {
        b.iter(|| black_box(Status::Draft).observe(black_box(Status::Sent)))
    });

    group.finish();
}

fn print_job_parsing(c: &mut Criterion) {
    let bytes = print_job_json(LETTERS);
    check_print_job(&bytes);

    let mut group = c.benchmark_group("print_job_1000_letters");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("PrintJob", |b| {
        b.iter(|| serde_json::from_slice::<PrintJob>(black_box(&bytes)).unwrap())
    });
    group.bench_function("Value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&bytes)).unwrap())
    });
    group.finish();
}

/// Checks that the generated job parses with every name known, so that the
/// benchmark measures the path that real responses take.
fn check_print_job(bytes: &[u8]) {
    let job: PrintJob = serde_json::from_slice(bytes).expect("the generated job parses");
    assert_eq!(job.letters.len(), LETTERS);

    let progress = JobProgress::of_letters(&job.letters);
    assert_eq!(progress.unknown(), 0, "every generated status is known");
    assert!(
        job.letters
            .iter()
            .all(|letter| letter.envelope.known().is_some()
                && letter.postage_service.known().is_some()),
        "every generated envelope and postage service is known"
    );
}

/// A small xorshift generator, so that the job is the same on every run
/// without a dependency on a random-number crate.
struct Xorshift(u64);

impl Xorshift {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Builds the JSON of a confirmed print job with `letters` letters, shaped
/// like an API response: most letters `sent`, the rest spread over the
/// other statuses, tracking numbers on tracked services from `shipping` on.
fn print_job_json(letters: usize) -> Vec<u8> {
    const CREATED: i64 = 1_717_000_000;
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);

    let items: Vec<Value> = (0..letters)
        .map(|i| letter_json(&mut random, i, CREATED))
        .collect();
    let pages: u64 = items
        .iter()
        .map(|item| item["pages"].as_u64().unwrap())
        .sum();
    let sheets: u64 = items
        .iter()
        .map(|item| item["sheets"].as_u64().unwrap())
        .sum();

    let job = json!({
        "id": "print_5f2b8c1d9e0a4b7c8d3e6f10",
        "object": "print",
        "account": "acc_81d3f0c2",
        "created": CREATED,
        "testmode": false,
        "confirmed": true,
        "confirmed_at": CREATED + 120,
        "type": "letter",
        "reference": "Invoices June 2024",
        "pages": pages,
        "sheets": sheets,
        "letters": items,
        "cost": {"amount": 45_000_000_i64 * letters as i64, "tax": 9_000_000_i64 * letters as i64,
                 "after_tax": 54_000_000_i64 * letters as i64, "currency": "GBP"},
        "splitting": {"method": "split_on_phrase", "phrase": "Dear ", "pages": null},
        "printing": {"double_sided": "yes", "double_sided_specific_pages": null,
                     "premium_quality": false, "black_and_white": false, "matt_finish": false},
        "postage": {"service": "uk_second_class", "ideal_envelope": "c5", "mail_date": null},
        "background": {"first_page": "bg_4c1e9a7d", "other_pages": null},
        "confidential": false,
        "remove_letters": {"with_phrase": null},
        "nudge": {"x": 0.0, "y": -1.5},
        "confirmation_email": true,
        "metadata": {"batch": "2024-06", "source": "billing"},
        "address_window": "left",
    });
    serde_json::to_vec(&job).expect("a Value serialises")
}

fn letter_json(random: &mut Xorshift, index: usize, created: i64) -> Value {
    const STATUSES: [&str; 9] = [
        "sent",
        "sent",
        "sent",
        "sent",
        "sent",
        "printing",
        "shipping",
        "returned",
        "invalid_address",
    ];
    const SERVICES: [&str; 4] = [
        "uk_second_class",
        "uk_first_class",
        "tracked_24",
        "tracked_48",
    ];
    const ENVELOPES: [&str; 3] = ["c5", "c5", "c4"];
    const NAMES: [&str; 6] = [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
        "Tim Berners-Lee",
        "Karen Spärck Jones",
        "Sophie Wilson",
    ];
    const STREETS: [&str; 5] = [
        "High Street",
        "Station Road",
        "Church Lane",
        "Mill Road",
        "Park Avenue",
    ];
    const TOWNS: [(&str, &str); 5] = [
        ("London", "SW1A 1AA"),
        ("Leeds", "LS1 4AP"),
        ("Bristol", "BS1 5TR"),
        ("Manchester", "M1 1AE"),
        ("Glasgow", "G1 1XQ"),
    ];

    let service = random.pick(&SERVICES);
    let tracked = service.starts_with("tracked");
    let mut status = random.pick(&STATUSES);
    // Only tracked items can fail on address.
    if status == "invalid_address" && !tracked {
        status = "sent";
    }
    let pages = 1 + random.below(6);
    let (town, postcode) = TOWNS[random.below(TOWNS.len())];
    let shipped = matches!(status, "sent" | "returned");

    let mut letter = json!({
        "id": format!("ltr_{:016x}{:08x}", random.next_u64(), index),
        "status": status,
        "envelope": random.pick(&ENVELOPES),
        "postage_service": service,
        "shipped_date": if shipped { Some(created + 86_400) } else { None },
        "pages": pages,
        "sheets": pages.div_ceil(2),
        "address": {
            "name": random.pick(&NAMES),
            "line": format!("{} {}, {}", 1 + random.below(200), random.pick(&STREETS), town),
            "postcode": postcode,
            "country": "GB",
        },
    });

    if tracked && status != "printing" {
        letter["tracking_number"] = json!(format!("TR{:09}GB", random.below(1_000_000_000)));
    }
    if status == "returned" {
        letter["returned"] = json!({"date": created + 7 * 86_400, "reason": "Addressee Gone Away"});
    }
    letter
}

/// Uses short measurement times, so that the six benchmarks take about 30 s
/// in all. Command-line options such as `--measurement-time` override them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = status_checks, print_job_parsing
}
criterion_main!(benches);
