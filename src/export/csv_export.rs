//! Every mapping, and every check for a self-assessment, as CSV: RFC 4180 (CRLF, quoted where needed), UTF-8, and safe to open in a
//! spreadsheet: a cell that would start a formula is prefixed with `'`.

use crate::resolve::Site;

pub const HEADER: [&str; 8] = [
    "guideline_id",
    "guideline_title",
    "framework",
    "control_id",
    "control_title",
    "relationship",
    "confidence",
    "rationale",
];

pub fn mappings(site: &Site) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = writer.write_record(HEADER);
    for resolved in &site.guidelines {
        let meta = &resolved.guideline.meta;
        for m in &resolved.mappings {
            let framework = &site.frameworks[m.framework];
            let control = &framework.controls[m.control];
            let confidence = m
                .confidence
                .map(|c| format!("{c:?}").to_lowercase())
                .unwrap_or_default();
            let record = [
                meta.id.value.as_str(),
                meta.title.as_str(),
                framework.id.as_str(),
                control.id.as_str(),
                control.title.as_str(),
                m.relationship.as_str(),
                confidence.as_str(),
                m.rationale.as_deref().unwrap_or(""),
            ];
            let _ = writer.write_record(record.iter().map(|cell| neutralize(cell)));
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

pub const SELF_ASSESSMENT_HEADER: [&str; 7] = [
    "guideline_id",
    "guideline_title",
    "check",
    "roles",
    "status",
    "owner",
    "evidence",
];

/// Every check (task-list item) of every guideline, in reading order, with the guideline's
/// roles; status, owner and evidence are left blank for the team to fill in.
pub fn self_assessment(site: &Site) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = writer.write_record(SELF_ASSESSMENT_HEADER);
    for resolved in &site.guidelines {
        let guideline = &resolved.guideline;
        let meta = &guideline.meta;
        let roles: Vec<&str> = meta.roles.iter().map(|r| r.value.as_str()).collect();
        let roles = roles.join("; ");
        for check in &guideline.checks {
            let record = [
                meta.id.value.as_str(),
                &meta.title,
                check,
                &roles,
                "",
                "",
                "",
            ];
            let _ = writer.write_record(record.iter().map(|cell| neutralize(cell)));
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is read as a formula by
/// spreadsheets (CSV injection); prefixing `'` makes it text.
pub fn neutralize(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas_become_text() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert!(neutralize(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(
            neutralize("Plain text, with = inside"),
            "Plain text, with = inside"
        );
    }
}
