//! The workspace README documents every magic value and every flag.

use std::process::Command;

use ip_mock::magic::{LetterMagic, POSTCODES, REFERENCES};

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));

fn table_row(value: &str) -> &'static str {
    let cell = format!("| `{value}` |");
    README
        .lines()
        .find(|line| line.starts_with(&cell))
        .unwrap_or_else(|| panic!("the README has no table row for {value}"))
}

#[test]
fn readme_lists_every_magic_postcode() {
    for (postcode, magic) in POSTCODES {
        let row = table_row(postcode);
        if let LetterMagic::Returned(reason) = magic {
            assert!(
                row.contains(reason),
                "the row of {postcode} does not name {reason:?}"
            );
        }
    }
}

#[test]
fn readme_lists_every_magic_reference() {
    for (reference, code) in REFERENCES {
        let row = table_row(reference);
        assert!(
            row.contains(&code.to_string()),
            "the row of {reference} does not name {code}"
        );
    }
}

#[test]
fn readme_lists_every_environment_variable() {
    let help = Command::new(env!("CARGO_BIN_EXE_ip-mock"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let variables: Vec<&str> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("IP_MOCK_"))
        .collect();
    assert!(variables.len() >= 10, "{variables:?}");
    for variable in variables {
        assert!(
            README.contains(&format!("`{variable}`")),
            "the README does not document {variable}"
        );
    }
}
