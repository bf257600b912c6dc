//! The price table the mock charges from.
//!
//! Intelliprint does not publish a machine-readable tariff, so these are
//! plausible 2026 UK prices, not Intelliprint's. Amounts are in units of
//! 10^-8 GBP, as on the wire (`45_000_000` is £0.45), before 20% VAT.

use ip_status::{Envelope, JobType, PostageService, Printing};

/// One penny in wire units.
const PENNY: i64 = 1_000_000;

/// Postage per item.
pub const fn postage(service: PostageService) -> i64 {
    let pence = match service {
        PostageService::UkSecondClass => 68,
        PostageService::UkFirstClass => 92,
        PostageService::UkSecondClassSignedFor => 245,
        PostageService::UkFirstClassSignedFor => 270,
        PostageService::UkSpecialDelivery => 845,
        PostageService::UkSpecialDelivery9am => 2690,
        PostageService::International => 210,
        PostageService::Tracked24 => 145,
        PostageService::Tracked48 => 120,
    };
    pence * PENNY
}

/// Handling per item, by envelope (postcards include the card).
pub const fn handling(envelope: Envelope) -> i64 {
    let pence = match envelope {
        Envelope::C5 => 25,
        Envelope::C4 => 40,
        Envelope::C4Plus => 50,
        Envelope::A4Box => 105,
        Envelope::PostcardA6 => 30,
        Envelope::PostcardA5 => 45,
        Envelope::PostcardA5Enveloped => 60,
    };
    pence * PENNY
}

/// Printing per page: 5p colour or 3p black and white, 2p more for premium
/// quality. Postcards pay for printing in their handling price.
pub fn printing(job_type: JobType, pages: u32, options: &Printing) -> i64 {
    if job_type == JobType::Postcard {
        return 0;
    }
    let mut per_page = if options.black_and_white { 3 } else { 5 };
    if options.premium_quality {
        per_page += 2;
    }
    i64::from(pages) * per_page * PENNY
}

/// The price of one item before VAT.
pub fn item(
    job_type: JobType,
    service: PostageService,
    envelope: Envelope,
    pages: u32,
    options: &Printing,
) -> i64 {
    postage(service) + handling(envelope) + printing(job_type, pages, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_class_one_page_letter() {
        let price = item(
            JobType::Letter,
            PostageService::UkSecondClass,
            Envelope::C5,
            1,
            &Printing::default(),
        );
        assert_eq!(price, 98 * PENNY);
    }

    #[test]
    fn postcard_has_no_page_price() {
        let price = item(
            JobType::Postcard,
            PostageService::UkFirstClass,
            Envelope::PostcardA6,
            1,
            &Printing::default(),
        );
        assert_eq!(price, 122 * PENNY);
    }
}
