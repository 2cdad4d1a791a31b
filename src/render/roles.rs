//! The contexts of the role pages (`roles.yaml`): the roles listing, each role with what it
//! owns, its guidelines and their checks, and the self-assessment checklist of every check.

use super::context::{Found, Renderer};
use super::deps::{Fact, hash_of, record};
use super::ser::*;
use super::urls;

impl<'a> Renderer<'a> {
    /// A guideline's roles as chips: linked to their pages when the book declares roles.
    pub(super) fn role_links(&self, g: usize, root: &str) -> Vec<RoleLink<'a>> {
        let site = self.site;
        let resolved = &site.guidelines[g];
        if site.roles.is_empty() {
            let free = resolved.guideline.meta.roles.iter();
            return free
                .map(|role| RoleLink {
                    id: &role.value,
                    title: role.value.replace('-', " ").into(),
                    url: None,
                })
                .collect();
        }
        (resolved.roles.iter())
            .map(|&r| {
                let role = &site.roles[r];
                RoleLink {
                    id: &role.id,
                    title: role.title.as_str().into(),
                    url: Some(format!("{root}{}", urls::role(&role.id))),
                }
            })
            .collect()
    }

    pub(super) fn roles(&self, root: &str) -> PageData<'a> {
        record(Fact::Roles);
        let roles = self.site.roles.iter().map(|role| RoleSummary {
            id: &role.id,
            title: &role.title,
            summary: &role.summary,
            url: format!("{root}{}", urls::role(&role.id)),
            guidelines: role.guidelines.len(),
            checks: (role.guidelines.iter())
                .map(|&g| self.site.guidelines[g].guideline.checks.len())
                .sum(),
        });
        PageData::Roles {
            roles: roles.collect(),
            self_assessment: format!("{root}{}", urls::SELF_ASSESSMENT),
        }
    }

    pub(super) fn role(&self, r: usize, root: &str, found: &mut Found) -> (String, PageData<'a>) {
        let site = self.site;
        let role = &site.roles[r];
        record(Fact::Role(hash_of(role.id.as_str())));
        let description =
            self.inline_markdown(role.description.as_deref(), &role.source, root, found);
        let guidelines = (role.guidelines.iter()).map(|&g| CheckedGuideline {
            card: self.guideline_card(g, root),
            roles: Vec::new(),
            checks: &site.guidelines[g].guideline.checks,
        });
        let data = RolePage {
            id: &role.id,
            title: &role.title,
            summary: &role.summary,
            owns: &role.owns,
            description,
            guidelines: guidelines.collect(),
            self_assessment: format!("{root}{}?role={}", urls::SELF_ASSESSMENT, role.id),
        };
        (format!("Role: {}", role.title), PageData::Role(data))
    }

    /// Every check of every guideline, by domain, each with the guideline's roles.
    pub(super) fn self_assessment(&self, root: &str) -> PageData<'a> {
        record(Fact::Everything);
        let site = self.site;
        let domains = (0..site.domains.len()).map(|d| {
            let guidelines = (site.guidelines_of(d))
                .filter(|&g| !site.guidelines[g].guideline.checks.is_empty())
                .map(|g| CheckedGuideline {
                    card: self.guideline_card(g, root),
                    roles: self.role_links(g, root),
                    checks: &site.guidelines[g].guideline.checks,
                });
            CheckedDomain {
                title: &site.domains[d].meta.title,
                guidelines: guidelines.collect(),
            }
        });
        let roles = site.roles.iter().map(|role| RoleLink {
            id: &role.id,
            title: role.title.as_str().into(),
            url: Some(format!("{root}{}", urls::role(&role.id))),
        });
        PageData::SelfAssessment {
            domains: domains.filter(|d| !d.guidelines.is_empty()).collect(),
            roles: roles.collect(),
            csv: format!("{root}exports/self-assessment.csv"),
        }
    }
}
