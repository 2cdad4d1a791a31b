//! What spans files: each mapping to its framework's control (and the reverse), related
//! guidelines and their backlinks, examples to guidelines, tags.

use super::*;
use crate::model::Spanned;

/// A guideline's `controls:` resolved against the frameworks (the controls' `mapped_by` is
/// filled by the caller, in guideline order, so this can run for many guidelines at once).
pub(super) fn resolve_mappings(
    guideline: &Guideline,
    frameworks: &[Framework],
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<ResolvedMapping> {
    let source = &guideline.source;
    let mut resolved: Vec<ResolvedMapping> = Vec::new();
    for mapping in &guideline.meta.controls {
        let fw_id = &mapping.framework.value;
        let Some(f) = frameworks.iter().position(|f| &f.id == fw_id) else {
            if unloaded.covers(fw_id) {
                continue;
            }
            let ids = || frameworks.iter().map(|f| f.id.as_str());
            let hint = did_you_mean(fw_id, ids(), || known_list("frameworks", ids()));
            diagnostics.push(
                Diagnostic::error(
                    "unknown-framework",
                    &source.path,
                    source.at(&mapping.framework),
                    format!("unknown framework `{fw_id}`"),
                )
                .with_help(hint),
            );
            continue;
        };
        let control_id = &mapping.control.value;
        let Some(c) = frameworks[f].control(control_id) else {
            let framework = &frameworks[f];
            let ids = framework.controls.iter().map(|c| c.id.as_str());
            let hint = did_you_mean(control_id, ids, || {
                let catalog = framework.source.path.display();
                format!("add it to {catalog} or check the id")
            });
            diagnostics.push(
                Diagnostic::error(
                    "unknown-control",
                    &source.path,
                    source.at(&mapping.control),
                    format!("framework `{fw_id}` has no control `{control_id}`"),
                )
                .with_help(hint),
            );
            continue;
        };
        if frameworks[f].is_threats() {
            diagnostics.push(
                Diagnostic::error(
                    "threat-as-mapping",
                    &source.path,
                    source.at(&mapping.framework),
                    format!("`{fw_id}` is a threat catalog: its entries are not mapping targets"),
                )
                .with_help(format!("list `{control_id}` under `threats:` instead")),
            );
            continue;
        }
        let target = &frameworks[f].controls[c];
        if target.withdrawn {
            let help = if target.replaced_by.is_empty() {
                "remove this mapping".to_string()
            } else {
                format!("map to {} instead", target.replaced_by.join(" or "))
            };
            diagnostics.push(
                Diagnostic::error(
                    "withdrawn-control",
                    &source.path,
                    source.at(&mapping.control),
                    format!(
                        "`{}` of `{fw_id}` is withdrawn and cannot be a mapping target",
                        target.id
                    ),
                )
                .with_help(help),
            );
            continue;
        }
        if resolved.iter().any(|m| m.framework == f && m.control == c) {
            diagnostics.push(
                Diagnostic::warning(
                    "duplicate-mapping",
                    &source.path,
                    source.at(&mapping.control),
                    format!("`{control_id}` of `{fw_id}` is mapped twice"),
                )
                .with_help("keep one mapping per control"),
            );
            continue;
        }
        resolved.push(ResolvedMapping {
            framework: f,
            control: c,
            relationship: mapping.relationship,
            rationale: mapping.rationale.clone(),
            confidence: mapping.confidence,
        });
    }
    if guideline.meta.controls.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                "no-mappings",
                &source.path,
                source.at(&guideline.meta.id),
                format!("guideline `{}` maps to no control", guideline.meta.id.value),
            )
            .with_help("add a `controls:` list mapping it to the frameworks in content/frameworks"),
        );
    }
    resolved
}

/// Each id under `threats:` to its entry in a threat catalog (the entries' `addressed_by` is
/// filled by the caller, in guideline order).
pub(super) fn resolve_threats(
    guideline: &Guideline,
    frameworks: &[Framework],
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<ThreatRef> {
    let source = &guideline.source;
    let mut resolved: Vec<ThreatRef> = Vec::new();
    for id in &guideline.meta.threats {
        let found = (frameworks.iter().enumerate())
            .filter(|(_, f)| f.is_threats())
            .find_map(|(f, fw)| {
                fw.control(&id.value).map(|c| ThreatRef {
                    framework: f,
                    control: c,
                })
            });
        let Some(threat) = found else {
            // With no threat catalog loaded and some file failed, that failure is the cause.
            let no_catalog = !frameworks.iter().any(|f| f.is_threats());
            if unloaded.covers(&id.value) || (no_catalog && !unloaded.names.is_empty()) {
                continue;
            }
            let threats = frameworks.iter().filter(|f| f.is_threats());
            let known = threats.flat_map(|f| f.controls.iter().map(|c| c.id.as_str()));
            let hint = did_you_mean(&id.value, known, || {
                "threat ids come from a catalog with `kind: threats` in content/frameworks".into()
            });
            diagnostics.push(
                Diagnostic::error(
                    "unknown-threat",
                    &source.path,
                    source.at(id),
                    format!("no threat catalog has `{}`", id.value),
                )
                .with_help(hint),
            );
            continue;
        };
        let entry = &frameworks[threat.framework].controls[threat.control];
        if entry.withdrawn {
            diagnostics.push(
                Diagnostic::error(
                    "withdrawn-control",
                    &source.path,
                    source.at(id),
                    format!("threat `{}` is withdrawn", entry.id),
                )
                .with_help(match entry.replaced_by.is_empty() {
                    true => "remove it".to_string(),
                    false => format!("name {} instead", entry.replaced_by.join(" or ")),
                }),
            );
            continue;
        }
        if resolved.contains(&threat) {
            diagnostics.push(
                Diagnostic::warning(
                    "duplicate-threat",
                    &source.path,
                    source.at(id),
                    format!("threat `{}` is listed twice", id.value),
                )
                .with_help("keep one"),
            );
            continue;
        }
        resolved.push(threat);
    }
    resolved
}

/// The roles of `roles.yaml` (ids checked), and each guideline's roles checked against them.
/// Without the file, roles stay free text: nothing is checked and no role has a page.
pub(super) fn resolve_roles(
    file: Option<crate::model::RolesFile>,
    guidelines: &mut [ResolvedGuideline],
    diagnostics: &mut Diagnostics,
) -> Vec<Role> {
    let Some(file) = file else {
        return Vec::new();
    };
    let source = &file.source;
    let mut roles: Vec<Role> = Vec::new();
    for meta in file.meta.roles {
        let id = &meta.id.value;
        let problem = if !crate::model::is_safe_name(id) {
            Some((
                "invalid-id",
                format!("`{id}` is not a valid role id"),
                "role ids name pages: start with a letter or digit and use only letters, digits, `.`, `_` and `-`",
            ))
        } else if roles.iter().any(|r| &r.id == id) {
            Some((
                "duplicate-role",
                format!("role `{id}` is declared twice"),
                "keep one",
            ))
        } else {
            None
        };
        if let Some((code, message, help)) = problem {
            diagnostics.push(
                Diagnostic::error(code, &source.path, source.at(&meta.id), message).with_help(help),
            );
            continue;
        }
        roles.push(Role {
            id: meta.id.value,
            title: meta.title,
            summary: meta.summary,
            owns: meta.owns,
            description: meta.description,
            source: source.clone(),
            guidelines: Vec::new(),
        });
    }
    let index: HashMap<&str, usize> = (roles.iter().enumerate())
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); roles.len()];
    for (g, resolved) in guidelines.iter_mut().enumerate() {
        let guideline = &resolved.guideline;
        for role in &guideline.meta.roles {
            match index.get(role.value.as_str()) {
                Some(&r) if !resolved.roles.contains(&r) => {
                    resolved.roles.push(r);
                    members[r].push(g);
                }
                Some(_) => {}
                None => {
                    let ids = roles.iter().map(|r| r.id.as_str());
                    let hint = did_you_mean(&role.value, ids, || {
                        format!(
                            "add it to {} or name a declared role",
                            source.path.display()
                        )
                    });
                    diagnostics.push(
                        Diagnostic::error(
                            "unknown-role",
                            &guideline.source.path,
                            guideline.source.at(role),
                            format!("unknown role `{}`", role.value),
                        )
                        .with_help(hint),
                    );
                }
            }
        }
    }
    for (role, guidelines) in roles.iter_mut().zip(members) {
        role.guidelines = guidelines;
    }
    roles
}

pub(super) fn check_reference_urls(guideline: &Guideline, diagnostics: &mut Diagnostics) {
    for reference in &guideline.meta.references {
        if !is_safe_url(reference.url.trim()) {
            diagnostics.push(
                Diagnostic::error(
                    "unsafe-url",
                    &guideline.source.path,
                    guideline.source.at(&guideline.meta.id),
                    format!(
                        "reference `{}` has a URL that is not http, https or mailto: {}",
                        reference.title, reference.url
                    ),
                )
                .with_help("link to the source with an https:// URL"),
            );
        }
    }
}

/// The framework `named` (a catalog id written in `source`), or an `unknown-framework` error at
/// it with "did you mean" (none when the file that would define it failed to load).
pub(super) fn framework_named(
    named: &Spanned<String>,
    source: &Source,
    frameworks: &[Framework],
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Option<usize> {
    let found = frameworks.iter().position(|f| f.id == named.value);
    if found.is_none() && !unloaded.covers(&named.value) {
        let ids = || frameworks.iter().map(|f| f.id.as_str());
        let hint = did_you_mean(&named.value, ids(), || known_list("frameworks", ids()));
        diagnostics.push(
            Diagnostic::error(
                "unknown-framework",
                &source.path,
                source.at(named),
                format!("unknown framework `{}`", named.value),
            )
            .with_help(hint),
        );
    }
    found
}

pub(super) fn known_list<'a>(what: &str, items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        format!("there are no {what} yet")
    } else {
        format!("known {what}: {}", items.join(", "))
    }
}

pub(super) fn resolve_related(
    guideline: &Guideline,
    ids: &HashMap<String, usize>,
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<Link> {
    let source = &guideline.source;
    let mut links = Vec::new();
    for related in &guideline.meta.related {
        let id = &related.id.value;
        if id == &guideline.meta.id.value {
            diagnostics.push(Diagnostic::warning(
                "self-reference",
                &source.path,
                source.at(&related.id),
                format!("`{id}` lists itself as related"),
            ));
            continue;
        }
        match ids.get(id) {
            Some(&target) => links.push(Link {
                guideline: target,
                kind: related.relationship,
                note: related.note.clone(),
            }),
            None if unloaded.covers(id) => {}
            None => diagnostics.push(unknown_guideline(id, ids, source, source.at(&related.id))),
        }
    }
    links
}

pub(super) fn unknown_guideline(
    id: &str,
    ids: &HashMap<String, usize>,
    source: &Source,
    position: Position,
) -> Diagnostic {
    let hint = did_you_mean(id, ids.keys().map(String::as_str), || {
        "check the id of the guideline you mean".to_string()
    });
    Diagnostic::error(
        "unknown-guideline",
        &source.path,
        position,
        format!("no guideline has the id `{id}`"),
    )
    .with_help(hint)
}

pub(super) fn resolve_examples(
    mut examples: Vec<Arc<Example>>,
    guideline_ids: &HashMap<String, usize>,
    unloaded: &Unloaded,
    ids: &mut IdRegistry,
    diagnostics: &mut Diagnostics,
) -> Vec<ResolvedExample> {
    examples.sort_by(|a, b| natural_cmp(&a.meta.id.value, &b.meta.id.value));
    let mut resolved = Vec::with_capacity(examples.len());
    for example in examples {
        let source = &example.source;
        if !ids.claim(
            &example.meta.id.value,
            source,
            source.at(&example.meta.id),
            diagnostics,
        ) {
            continue;
        }
        let mut guidelines = Vec::new();
        for id in &example.meta.guidelines {
            match guideline_ids.get(&id.value) {
                Some(&g) if !guidelines.contains(&g) => guidelines.push(g),
                Some(_) => {}
                None if unloaded.covers(&id.value) => {}
                None => diagnostics.push(unknown_guideline(
                    &id.value,
                    guideline_ids,
                    source,
                    source.at(id),
                )),
            }
        }
        if example.meta.guidelines.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    "orphan-example",
                    &source.path,
                    source.at(&example.meta.id),
                    format!(
                        "example `{}` illustrates no guideline",
                        example.meta.id.value
                    ),
                )
                .with_help("list the guideline ids it illustrates in `guidelines: [...]`"),
            );
        }
        resolved.push(ResolvedExample {
            example,
            guidelines,
        });
    }
    resolved
}

pub(super) fn collect_tags(
    guidelines: &[ResolvedGuideline],
    examples: &[ResolvedExample],
) -> BTreeMap<String, Tagged> {
    fn entry<'a>(tags: &'a mut BTreeMap<String, Tagged>, tag: &str) -> &'a mut Tagged {
        tags.entry(tag.to_string()).or_insert_with(|| Tagged {
            slug: crate::model::slug_or_digest(tag, "tag"),
            ..Tagged::default()
        })
    }
    let mut tags = BTreeMap::new();
    for (g, guideline) in guidelines.iter().enumerate() {
        for tag in &guideline.guideline.meta.tags {
            entry(&mut tags, tag).guidelines.push(g);
        }
    }
    for (e, example) in examples.iter().enumerate() {
        for tag in &example.example.meta.tags {
            entry(&mut tags, tag).examples.push(e);
        }
    }
    tags
}
