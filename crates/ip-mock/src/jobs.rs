//! Building print jobs from checked request parameters: letters, pages,
//! sheets, envelopes and cost.

use base64::Engine;
use ip_status::{
    Address, AddressWindow, Background, Cost, DoubleSided, Envelope, JobType, KnownOrUnknown,
    MailItem, Nudge, Postage, PostageService, PrintJob, Printing, RemoveLetters, Splitting,
    SplittingMethod, Status,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::body::UploadedFile;
use crate::api::error::ApiFailure;
use crate::prices;

/// The parameters of `POST /v1/prints` after the schema check. Updates use the
/// same type, read from the stored job merged with the update.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrintRequest {
    pub testmode: bool,
    #[serde(rename = "type")]
    pub job_type: Option<JobType>,
    pub reference: Option<String>,
    pub confirmed: bool,
    pub content: Option<String>,
    pub file: Option<FileParam>,
    pub template: Option<String>,
    pub recipients: Option<Vec<Recipient>>,
    pub mailing_list: Option<String>,
    pub splitting: Option<Splitting>,
    pub printing: Option<Printing>,
    pub postage: Option<Postage>,
    pub background: Option<Background>,
    pub confidential: Option<bool>,
    pub remove_letters: Option<RemoveLetters>,
    pub nudge: Option<Nudge>,
    pub confirmation_email: Option<bool>,
    pub metadata: Option<Map<String, Value>>,
    pub address_window: Option<AddressWindow>,
}

/// `file`: a URL or base64 content.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileParam {
    pub url: Option<String>,
    pub content: Option<String>,
    pub name: Option<String>,
}

/// One entry of `recipients`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Recipient {
    pub address: Option<RecipientAddress>,
    pub variables: Option<Map<String, Value>>,
}

/// `recipients[].address`; `line` is required.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecipientAddress {
    pub name: Option<String>,
    pub line: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
}

/// What the document behind a job looks like: its page count and, for
/// `content`, its text (to split on a phrase).
#[derive(Debug, Clone)]
pub struct Document {
    pub pages: u32,
    pub text: Option<String>,
}

/// Works out the document from `content`, `file` or `template`; exactly one
/// must be given.
pub fn document(
    request: &PrintRequest,
    upload: Option<&UploadedFile>,
) -> Result<Document, ApiFailure> {
    let given = [
        request.content.is_some(),
        request.file.is_some() || upload.is_some(),
        request.template.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        0 => return Err(ApiFailure::missing(
            "content",
            "Missing required parameter: You must provide either 'content', 'file', or 'template'",
        )),
        1 => {}
        _ => {
            return Err(ApiFailure::invalid(
                "content",
                "Provide only one of 'content', 'file' or 'template'",
            ))
        }
    }

    if let Some(content) = &request.content {
        return Ok(Document {
            pages: 1,
            text: Some(content.clone()),
        });
    }
    if let Some(upload) = upload {
        return Ok(Document {
            pages: count_pdf_pages(&upload.bytes),
            text: None,
        });
    }
    if let Some(file) = &request.file {
        return match (&file.url, &file.content) {
            (_, Some(content)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content.trim())
                    .map_err(|err| {
                        ApiFailure::invalid(
                            "file.content",
                            format!("Invalid base64 in file.content: {err}"),
                        )
                    })?;
                Ok(Document {
                    pages: count_pdf_pages(&bytes),
                    text: None,
                })
            }
            // The mock never fetches URLs, so a linked file counts as one page.
            (Some(_), None) => Ok(Document {
                pages: 1,
                text: None,
            }),
            (None, None) => Err(ApiFailure::missing(
                "file.url",
                "Missing required parameter: file needs 'url' or 'content'",
            )),
        };
    }
    Ok(Document {
        pages: 1,
        text: None,
    })
}

/// Counts the page objects of a PDF (`/Type /Page`, not `/Pages`); anything
/// that is not a PDF counts as one page.
pub fn count_pdf_pages(bytes: &[u8]) -> u32 {
    if !bytes.starts_with(b"%PDF") {
        return 1;
    }
    let mut pages = 0u32;
    for (i, window) in bytes.windows(5).enumerate() {
        if window != b"/Type" {
            continue;
        }
        let rest = &bytes[i + 5..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if rest.starts_with(b"/Page") && !rest[5..].starts_with(b"s") {
            pages += 1;
        }
    }
    pages.max(1)
}

/// The settings a job is stored with, defaults filled in and checked against
/// each other.
#[derive(Debug, Clone)]
pub struct Settings {
    pub job_type: JobType,
    pub service: PostageService,
    pub envelope: Envelope,
    pub postage: Postage,
    pub printing: Printing,
    pub splitting: Splitting,
}

/// Fills defaults into the postage, printing and splitting settings and checks
/// the rules that span several parameters.
pub fn settings(request: &PrintRequest) -> Result<Settings, ApiFailure> {
    let job_type = request.job_type.unwrap_or_default();
    let mut postage = request.postage.clone().unwrap_or_default();
    let service = postage.service.known().unwrap_or_default();
    if !service.allows(job_type) {
        return Err(ApiFailure::invalid(
            "postage.service",
            format!("Invalid value for postage.service: {service:?} cannot post a {job_type}. Postcards can only use uk_first_class or uk_second_class", service = service.as_str()),
        ));
    }

    let envelope = match postage
        .ideal_envelope
        .as_ref()
        .and_then(KnownOrUnknown::known)
    {
        Some(envelope) if !envelope.fits(job_type) => {
            return Err(ApiFailure::invalid(
                "postage.ideal_envelope",
                format!(
                    "Invalid value for postage.ideal_envelope: {:?} does not fit a {job_type}",
                    envelope.as_str()
                ),
            ))
        }
        Some(envelope) => envelope,
        None => Envelope::default_for(job_type),
    };
    postage.service = service.into();

    let splitting = request.splitting.clone().unwrap_or_default();
    match splitting.method.known().unwrap_or_default() {
        SplittingMethod::SplitOnPhrase if splitting.phrase.as_deref().is_none_or(str::is_empty) => {
            return Err(ApiFailure::missing(
                "splitting.phrase",
                "Missing required parameter: splitting.phrase is needed for split_on_phrase",
            ));
        }
        SplittingMethod::SplitOnPages if splitting.pages.is_none() => {
            return Err(ApiFailure::missing(
                "splitting.pages",
                "Missing required parameter: splitting.pages is needed for split_on_pages",
            ));
        }
        _ => {}
    }

    Ok(Settings {
        job_type,
        service,
        envelope,
        postage,
        printing: request.printing.clone().unwrap_or_default(),
        splitting,
    })
}

/// Maximum number of letters in one job. Intelliprint documents no limit.
/// This one stops a single request from making millions of letters, for
/// example by splitting a long text on a one-character phrase.
pub const MAX_LETTERS: usize = 100_000;

/// Maximum number of pages summed over a job's letters. It keeps the page
/// totals (`u32`) and the cost (`i64` units of 10^-8 GBP) far from overflow.
pub const MAX_TOTAL_PAGES: u64 = 10_000_000;

/// Rejects a job of `letters` letters of `pages_per_letter` pages each when it
/// is over [`MAX_LETTERS`] or [`MAX_TOTAL_PAGES`]. `param` names the
/// parameter that made the letters.
fn check_job_size(letters: usize, pages_per_letter: u64, param: &str) -> Result<(), ApiFailure> {
    if letters > MAX_LETTERS {
        return Err(ApiFailure::invalid(
            param,
            format!("The print job would have {letters} letters; the maximum is {MAX_LETTERS}"),
        ));
    }
    let total_pages = (letters as u64).saturating_mul(pages_per_letter);
    if total_pages > MAX_TOTAL_PAGES {
        return Err(ApiFailure::invalid(
            param,
            format!(
                "The print job would have {total_pages} pages in all; the maximum is {MAX_TOTAL_PAGES}"
            ),
        ));
    }
    Ok(())
}

/// The recipients' addresses, or one document-addressed letter per split of
/// the document when no recipients are given.
pub fn addresses(
    request: &PrintRequest,
    document: &Document,
    splitting: &Splitting,
) -> Result<Vec<(Address, u32)>, ApiFailure> {
    if request.recipients.is_some() && request.mailing_list.is_some() {
        return Err(ApiFailure::invalid(
            "mailing_list",
            "Provide either 'recipients' or 'mailing_list', not both",
        ));
    }
    if let Some(id) = &request.mailing_list {
        return Err(
            ApiFailure::not_found(format!("No such mailing list: {id}")).with_param("mailing_list")
        );
    }

    if let Some(recipients) = &request.recipients {
        if recipients.is_empty() {
            return Err(ApiFailure::invalid(
                "recipients",
                "recipients must list at least one recipient",
            ));
        }
        check_job_size(recipients.len(), u64::from(document.pages), "recipients")?;
        return recipients
            .iter()
            .enumerate()
            .map(|(i, recipient)| Ok((address(recipient, i)?, document.pages)))
            .collect();
    }

    // Without recipients the address is read from each letter's first page,
    // which the mock cannot do, so these letters carry an empty address line.
    let letters = split_count(document, splitting);
    let pages_per_letter = (u64::from(document.pages) / letters as u64).max(1);
    let param = match splitting.method.known().unwrap_or_default() {
        SplittingMethod::None => "file",
        SplittingMethod::SplitOnPages | SplittingMethod::SplitOnPhrase => "splitting",
    };
    check_job_size(letters, pages_per_letter, param)?;
    // MAX_TOTAL_PAGES fits in u32, so this cast cannot truncate.
    let pages_per_letter = pages_per_letter as u32;
    let blank = Address {
        country: "GB".to_owned(),
        ..Address::default()
    };
    Ok(vec![(blank, pages_per_letter); letters])
}

/// Counts the letters that a document without recipients is split into.
fn split_count(document: &Document, splitting: &Splitting) -> usize {
    match splitting.method.known().unwrap_or_default() {
        SplittingMethod::None => 1,
        SplittingMethod::SplitOnPages => {
            let per_letter = splitting.pages.unwrap_or(1).max(1);
            document.pages.div_ceil(per_letter) as usize
        }
        SplittingMethod::SplitOnPhrase => {
            let phrase = splitting.phrase.as_deref().unwrap_or_default();
            let found = document
                .text
                .as_deref()
                .map_or(0, |text| text.matches(phrase).count());
            found.max(1)
        }
    }
}

fn address(recipient: &Recipient, index: usize) -> Result<Address, ApiFailure> {
    let param = format!("recipients.{index}.address");
    let Some(address) = &recipient.address else {
        return Err(ApiFailure::missing(
            &param,
            format!("Missing required parameter: {param}"),
        ));
    };
    let line = address.line.as_deref().unwrap_or_default().trim();
    if line.is_empty() {
        let param = format!("{param}.line");
        return Err(ApiFailure::missing(
            &param,
            format!("Missing required parameter: {param}"),
        ));
    }

    let country = address
        .country
        .as_deref()
        .unwrap_or("GB")
        .trim()
        .to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        let param = format!("{param}.country");
        return Err(ApiFailure::invalid(
            &param,
            format!("Invalid value for {param}: expected an ISO 3166-1 alpha-2 code such as GB"),
        ));
    }

    Ok(Address {
        name: address.name.clone(),
        line: line.to_owned(),
        postcode: address.postcode.clone(),
        country,
    })
}

/// Sheets of paper for `pages` pages printed with `printing`.
pub fn sheets(pages: u32, printing: &Printing) -> u32 {
    match printing.double_sided.known().unwrap_or_default() {
        DoubleSided::Yes => pages.div_ceil(2),
        DoubleSided::No | DoubleSided::Mixed => pages,
    }
}

/// Recomputes everything that follows from a job's settings and letters:
/// envelopes, services, sheets, page totals and cost.
pub fn refresh_derived_fields(job: &mut PrintJob, settings: &Settings) {
    let mut amount = 0;
    for letter in &mut job.letters {
        letter.envelope = settings.envelope.into();
        letter.postage_service = settings.service.into();
        letter.sheets = sheets(letter.pages, &settings.printing);
        amount += prices::item(
            settings.job_type,
            settings.service,
            settings.envelope,
            letter.pages,
            &settings.printing,
        );
    }

    job.pages = job.letters.iter().map(|l| l.pages).sum();
    job.sheets = job.letters.iter().map(|l| l.sheets).sum();
    // Test jobs are free.
    job.cost = Cost::with_uk_vat(if job.testmode { 0 } else { amount });
}

/// A new draft letter.
pub fn draft_letter(id: String, address: Address, pages: u32) -> MailItem {
    MailItem {
        id,
        status: Status::Draft.into(),
        pages,
        address,
        ..MailItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ip_status::ErrorCode;

    fn phrase_split(phrase: &str) -> Splitting {
        Splitting {
            method: SplittingMethod::SplitOnPhrase.into(),
            phrase: Some(phrase.to_owned()),
            ..Splitting::default()
        }
    }

    fn text_document(text: String) -> Document {
        Document {
            pages: 1,
            text: Some(text),
        }
    }

    #[test]
    fn phrase_split_at_letter_limit() {
        let document = text_document("a".repeat(MAX_LETTERS));
        let letters = addresses(&PrintRequest::default(), &document, &phrase_split("a")).unwrap();
        assert_eq!(letters.len(), MAX_LETTERS);
    }

    #[test]
    fn phrase_split_over_letter_limit() {
        let document = text_document("a".repeat(MAX_LETTERS + 1));
        let err = addresses(&PrintRequest::default(), &document, &phrase_split("a")).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ParameterInvalid));
        assert_eq!(err.body.error.param.as_deref(), Some("splitting"));
    }

    #[test]
    fn recipients_times_pages_over_limit() {
        let recipient = Recipient {
            address: Some(RecipientAddress {
                line: Some("1 High Street".to_owned()),
                ..RecipientAddress::default()
            }),
            variables: None,
        };
        let request = PrintRequest {
            recipients: Some(vec![recipient, Recipient::default()]),
            ..PrintRequest::default()
        };
        let pages = u32::try_from(MAX_TOTAL_PAGES / 2 + 1).unwrap();
        let document = Document { pages, text: None };
        let err = addresses(&request, &document, &Splitting::default()).unwrap_err();
        assert_eq!(err.body.error.param.as_deref(), Some("recipients"));
        assert!(err.body.error.message.contains("pages in all"));
    }

    #[test]
    fn large_pdf_one_letter_within_limit() {
        let document = Document {
            pages: 9_000_000,
            text: None,
        };
        let letters =
            addresses(&PrintRequest::default(), &document, &Splitting::default()).unwrap();
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0].1, 9_000_000);
    }
}
