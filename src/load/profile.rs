//! Baselines: `baselines/<id>.json` holding an OSCAL profile (NIST's LOW baseline, say), with an
//! optional sidecar `baselines/<id>.yaml` naming the framework it selects from. Only what
//! selects controls is read: `include-all`, or `include-controls` by `with-ids`; other profile
//! features (`matching`, `exclude-controls`, child controls, several imports) are refused with
//! an error that says so, because a baseline read half-way would count the wrong controls.

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Position};
use crate::model::{BaselineFile, BaselineSelection, Source};

#[derive(Deserialize)]
struct ProfileFile {
    profile: Profile,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Profile {
    metadata: Metadata,
    imports: Vec<Import>,
    #[serde(default)]
    back_matter: Option<BackMatter>,
}

#[derive(Deserialize)]
struct Metadata {
    title: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Import {
    href: String,
    #[serde(default)]
    include_all: Option<serde_json::Value>,
    #[serde(default)]
    include_controls: Vec<Selection>,
    #[serde(default)]
    exclude_controls: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Selection {
    #[serde(default)]
    with_ids: Vec<String>,
    #[serde(default)]
    matching: Vec<serde_json::Value>,
    #[serde(default)]
    with_child_controls: Option<String>,
}

#[derive(Deserialize)]
struct BackMatter {
    #[serde(default)]
    resources: Vec<Resource>,
}

#[derive(Deserialize)]
struct Resource {
    uuid: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rlinks: Vec<Rlink>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Rlink {
    href: String,
    #[serde(default)]
    media_type: Option<String>,
}

/// Reads an OSCAL profile; `id` (the file stem) becomes the baseline id.
pub fn parse(text: &str, id: &str, source: &Source) -> Result<BaselineFile, Diagnostic> {
    let file: ProfileFile = super::oscal::from_json(text, source, |_| {
        "baselines/ takes OSCAL profiles: a top-level \"profile\" with metadata and imports".into()
    })?;
    let profile = file.profile;
    let refuse = |what: &str| {
        Diagnostic::error(
            "profile",
            &source.path,
            Position::new(1, 1),
            format!("this profile uses {what}, which guidebook does not resolve"),
        )
        .with_help(
            "use a profile with one import selecting controls by `include-all` or \
             `include-controls` `with-ids`, or its resolved catalog in frameworks/",
        )
    };
    let [import] = profile.imports.as_slice() else {
        return Err(refuse("several imports (or none)"));
    };
    if !import.exclude_controls.is_empty() {
        return Err(refuse("`exclude-controls`"));
    }
    if import
        .include_controls
        .iter()
        .any(|s| !s.matching.is_empty())
    {
        return Err(refuse("`matching` patterns"));
    }
    if (import.include_controls.iter())
        .any(|s| s.with_child_controls.as_deref().is_some_and(|w| w != "no"))
    {
        return Err(refuse("`with-child-controls`"));
    }
    let selection = match (&import.include_all, import.include_controls.as_slice()) {
        (Some(_), []) => BaselineSelection::All,
        (None, selections) if !selections.is_empty() => {
            BaselineSelection::Ids(selections.iter().flat_map(|s| s.with_ids.clone()).collect())
        }
        _ => {
            return Err(refuse(
                "neither or both of `include-all` and `include-controls`",
            ));
        }
    };
    // What the import names: a back-matter resource (`#uuid`), or a file.
    let resources = profile.back_matter.map(|b| b.resources).unwrap_or_default();
    let imported = import
        .href
        .strip_prefix('#')
        .and_then(|uuid| resources.iter().find(|r| r.uuid == uuid));
    let nested = match imported {
        Some(resource) => (resource.rlinks.iter()).any(|l| {
            l.media_type
                .as_deref()
                .is_some_and(|m| m.contains("profile"))
        }),
        None => file_name(&import.href)
            .to_ascii_lowercase()
            .contains("profile"),
    };
    if nested {
        return Err(refuse("an import of another profile (nested imports)"));
    }
    let (files, names) = match import.href.strip_prefix('#') {
        Some(uuid) => {
            let resource = resources.iter().find(|r| r.uuid == uuid);
            let files = (resource.iter().flat_map(|r| &r.rlinks))
                .map(|l| file_name(&l.href))
                .collect();
            let names = (resource.iter())
                .flat_map(|r| [r.title.clone(), r.description.clone()])
                .flatten()
                .collect();
            (files, names)
        }
        None => (vec![file_name(&import.href)], Vec::new()),
    };
    Ok(BaselineFile {
        id: id.to_string(),
        title: profile.metadata.title.trim().to_string(),
        selection,
        catalog_files: files,
        catalog_names: names,
        source: source.clone(),
    })
}

/// `../../nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json` -> its last segment.
fn file_name(href: &str) -> String {
    href.rsplit(['/', '\\']).next().unwrap_or(href).to_string()
}
