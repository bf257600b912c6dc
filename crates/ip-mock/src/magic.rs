//! Values in a request that choose what happens to it, like a payment
//! sandbox's test card numbers: no set-up call, any client language.
//!
//! Recipient postcodes choose a letter's fate; the job `reference` chooses
//! the response to the create or update request that carries it. The `ZZ`
//! postcode area does not exist in the UK, so no real address matches.

use ip_status::ErrorCode;

/// The effect of a magic postcode on a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterMagic {
    /// Returned 28 hours after `sent`, with this reason.
    Returned(&'static str),
    /// Rejected by the carrier at collection (tracked services); untracked
    /// letters are sent and come back as "Addressee Unknown".
    InvalidAddress,
    /// Never leaves `printing` on its own.
    StuckInPrinting,
}

/// Every magic postcode and what it does, in the order of the README table.
pub const POSTCODES: [(&str, LetterMagic); 7] = [
    ("ZZ1 1DR", LetterMagic::Returned("Delivery Refused")),
    ("ZZ1 1GA", LetterMagic::Returned("Addressee Gone Away")),
    ("ZZ1 1NC", LetterMagic::Returned("Not Called For")),
    ("ZZ1 1AU", LetterMagic::Returned("Addressee Unknown")),
    ("ZZ1 1AI", LetterMagic::Returned("Address Inaccessible")),
    ("ZZ2 1IA", LetterMagic::InvalidAddress),
    ("ZZ3 1SP", LetterMagic::StuckInPrinting),
];

/// The reason an untracked letter with an invalid address comes back with.
pub const UNTRACKED_INVALID_ADDRESS_REASON: &str = "Addressee Unknown";

/// Every magic reference and the error the request carrying it gets.
pub const REFERENCES: [(&str, ErrorCode); 3] = [
    ("mock:payment_error", ErrorCode::PaymentError),
    ("mock:internal_error", ErrorCode::InternalError),
    ("mock:rate_limited", ErrorCode::RateLimited),
];

/// Finds a magic postcode in an address's `postcode` or at the end of its
/// `line`, compared without case or spaces.
pub fn letter_magic(line: &str, postcode: Option<&str>) -> Option<LetterMagic> {
    POSTCODES.iter().find_map(|(code, magic)| {
        let in_postcode = postcode.is_some_and(|postcode| squash(postcode).eq(squash(code)));
        let mut line_end = squash(line).rev();
        let ends_line = squash(code).rev().all(|c| line_end.next() == Some(c));
        (in_postcode || ends_line).then_some(*magic)
    })
}

/// Returns the error that a magic job `reference` selects.
pub fn reference_magic(reference: Option<&str>) -> Option<ErrorCode> {
    let reference = reference?.trim();
    REFERENCES
        .iter()
        .find(|(value, _)| *value == reference)
        .map(|(_, code)| *code)
}

/// Yields the characters of `text` without white space, in upper case.
fn squash(text: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcode_field_matches_without_case_or_space() {
        let magic = letter_magic("1 High St", Some("zz11dr"));
        assert_eq!(magic, Some(LetterMagic::Returned("Delivery Refused")));
    }

    #[test]
    fn postcode_at_end_of_line_matches() {
        let magic = letter_magic("1 High St, Testville, zz3 1sp ", None);
        assert_eq!(magic, Some(LetterMagic::StuckInPrinting));
    }

    #[test]
    fn real_postcode_has_no_magic() {
        assert_eq!(letter_magic("10 Downing St", Some("SW1A 2AA")), None);
        assert_eq!(letter_magic("ZZ1 1DR, 1 High St", Some("")), None);
        assert_eq!(letter_magic("R", None), None);
    }

    #[test]
    fn reference_magic_is_exact() {
        assert_eq!(
            reference_magic(Some("mock:payment_error")),
            Some(ErrorCode::PaymentError)
        );
        assert_eq!(reference_magic(Some("invoice mock:payment_error")), None);
    }
}
