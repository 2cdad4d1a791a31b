//! Crosswalks to pairs of controls, and the mappings they derive: a guideline mapped to control
//! s of a crosswalk's source framework also relates to each control t the crosswalk gives s
//! (and the other way round, with subset and superset swapped), by the composed relationship.
//! Derived mappings are kept apart from authored ones and never replace them.

use super::links::framework_named;
use super::*;
use crate::model::{CrosswalkFile, Spanned};

/// A crosswalk between two frameworks, as pairs of their controls.
#[derive(Debug, Clone)]
pub struct Crosswalk {
    pub name: String,
    pub title: String,
    pub source: usize,
    pub target: usize,
    /// (source control, target control, relationship of the source to the target).
    pub pairs: Vec<(usize, usize, Relationship)>,
    pub file: Source,
}

/// A mapping a guideline gets through a crosswalk.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedMapping {
    pub framework: usize,
    pub control: usize,
    pub relationship: Relationship,
    pub crosswalk: usize,
    /// The authored mapping it comes from (an index into the guideline's mappings).
    pub from: usize,
}

pub(super) fn resolve_crosswalks(
    files: Vec<CrosswalkFile>,
    frameworks: &[Framework],
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<Crosswalk> {
    let mut crosswalks = Vec::new();
    for file in files {
        let source = &file.source;
        let framework = |named: &Spanned<String>, diagnostics: &mut Diagnostics| {
            framework_named(named, source, frameworks, unloaded, diagnostics)
        };
        let (Some(s), Some(t)) = (
            framework(&file.meta.source, diagnostics),
            framework(&file.meta.target, diagnostics),
        ) else {
            continue;
        };
        if let Some(named) = [(s, &file.meta.source), (t, &file.meta.target)]
            .into_iter()
            .find_map(|(f, named)| frameworks[f].is_threats().then_some(named))
        {
            diagnostics.push(
                Diagnostic::error(
                    "threat-as-mapping",
                    &source.path,
                    source.at(named),
                    format!(
                        "`{}` is a threat catalog: a crosswalk relates control catalogs",
                        named.value
                    ),
                )
                .with_help("name a catalog of controls"),
            );
            continue;
        }
        let mut unresolved = [Vec::new(), Vec::new()];
        let mut pairs = Vec::new();
        for map in &file.maps {
            let mut find = |f: usize, ids: &[String], side: usize| -> Vec<usize> {
                (ids.iter())
                    .filter_map(|id| {
                        let found = frameworks[f].control(id);
                        if found.is_none() {
                            unresolved[side].push(id.clone());
                        }
                        // A withdrawn control is no mapping target, derived or not.
                        found.filter(|&c| !frameworks[f].controls[c].withdrawn)
                    })
                    .collect()
            };
            let sources = find(s, &map.sources, 0);
            let targets = find(t, &map.targets, 1);
            for &sc in &sources {
                pairs.extend(targets.iter().map(|&tc| (sc, tc, map.relationship)));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        if unresolved.iter().any(|ids| !ids.is_empty()) {
            diagnostics.push(unresolved_warning(&file, frameworks, s, t, unresolved));
        }
        crosswalks.push(Crosswalk {
            name: file.name,
            title: file.title,
            source: s,
            target: t,
            pairs,
            file: file.source,
        });
    }
    crosswalks
}

/// One warning for all the ids of a crosswalk that name no control, with counts and examples.
fn unresolved_warning(
    file: &CrosswalkFile,
    frameworks: &[Framework],
    s: usize,
    t: usize,
    mut unresolved: [Vec<String>; 2],
) -> Diagnostic {
    let mut parts = Vec::new();
    for (side, f) in [(0, s), (1, t)] {
        let ids = &mut unresolved[side];
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            continue;
        }
        let examples: Vec<&str> = ids.iter().take(4).map(String::as_str).collect();
        parts.push(format!(
            "{} {} id{} name no control of `{}` (e.g. {})",
            ids.len(),
            ["source", "target"][side],
            if ids.len() == 1 { "" } else { "s" },
            frameworks[f].id,
            examples.join(", ")
        ));
    }
    Diagnostic::warning(
        "crosswalk-ids",
        &file.source.path,
        file.source.at(&file.meta.oscal),
        format!("{}; their maps are skipped", parts.join("; ")),
    )
    .with_help("check the `ids:` rewrites, or the catalog may not hold those controls (an excerpt)")
}

/// The mappings each guideline gets through the crosswalks, in the order of its authored
/// mappings; none to a control it maps to itself, and each control once.
pub(super) fn derive(
    guideline: &ResolvedGuideline,
    crosswalks: &[Crosswalk],
) -> Vec<DerivedMapping> {
    let mut derived: Vec<DerivedMapping> = Vec::new();
    let authored = |f: usize, c: usize| {
        (guideline.mappings.iter()).any(|m| m.framework == f && m.control == c)
    };
    for (from, mapping) in guideline.mappings.iter().enumerate() {
        for (x, crosswalk) in crosswalks.iter().enumerate() {
            let forward = (crosswalk.source == mapping.framework)
                .then(|| crosswalk.pairs.iter().filter(|p| p.0 == mapping.control))
                .into_iter()
                .flatten()
                .map(|&(_, tc, r)| (crosswalk.target, tc, r));
            let backward = (crosswalk.target == mapping.framework)
                .then(|| crosswalk.pairs.iter().filter(|p| p.1 == mapping.control))
                .into_iter()
                .flatten()
                .map(|&(sc, _, r)| (crosswalk.source, sc, r.reversed()));
            for (f, c, step) in forward.chain(backward) {
                let Some(relationship) = mapping.relationship.then(step) else {
                    continue;
                };
                if authored(f, c) || derived.iter().any(|d| d.framework == f && d.control == c) {
                    continue;
                }
                derived.push(DerivedMapping {
                    framework: f,
                    control: c,
                    relationship,
                    crosswalk: x,
                    from,
                });
            }
        }
    }
    derived
}

#[cfg(test)]
mod tests {
    use crate::model::Relationship::{self, *};

    #[test]
    fn relationships_compose_as_the_crosswalk_rules_say() {
        let compose = |a: Relationship, b: Relationship| a.then(b);
        assert_eq!(compose(EqualTo, SubsetOf), Some(SubsetOf));
        assert_eq!(compose(SupersetOf, EquivalentTo), Some(SupersetOf));
        assert_eq!(compose(SubsetOf, SubsetOf), Some(SubsetOf));
        assert_eq!(compose(SupersetOf, SupersetOf), Some(SupersetOf));
        assert_eq!(compose(SubsetOf, SupersetOf), Some(IntersectsWith));
        assert_eq!(compose(IntersectsWith, EqualTo), Some(IntersectsWith));
        assert_eq!(compose(NoRelationship, EqualTo), None);
        assert_eq!(compose(EqualTo, NoRelationship), None);
        // Read backwards, subset and superset swap.
        assert_eq!(SubsetOf.reversed(), SupersetOf);
        assert_eq!(IntersectsWith.reversed(), IntersectsWith);
        assert_eq!(compose(SubsetOf, SupersetOf.reversed()), Some(SubsetOf));
    }
}
