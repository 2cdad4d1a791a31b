//! Coverage views, drawn at build time as SVG (no script needed to see them), each with the same
//! numbers as an HTML table for screen readers and for anyone who prefers text:
//!
//! - a matrix of guidelines × frameworks (cell = number of mappings, shade = strongest confidence);
//! - per framework, the controls no guideline maps to, by group (a gap view);
//! - the cross-reference graph of guidelines (who requires, supports or cites whom).

use serde_json::{Value, json};

use crate::markdown::escape_html as esc;
use crate::model::Confidence;
use crate::resolve::Site;

/// A cell's shade: 0 none, 1 low, 2 medium, 3 high (the strongest mapping in the cell).
fn strength(confidence: Option<Confidence>) -> u8 {
    match confidence {
        Some(Confidence::High) => 3,
        Some(Confidence::Medium) | None => 2,
        Some(Confidence::Low) => 1,
    }
}

/// The page data: SVGs and the tables that say the same.
pub fn data(site: &Site, root: &str) -> Value {
    json!({
        "matrix": matrix(site, root),
        "gaps": gaps(site, root),
        "graph": graph(site, root),
    })
}

fn matrix(site: &Site, root: &str) -> Value {
    let frameworks = &site.frameworks;
    let rows: Vec<Value> = site
        .guidelines
        .iter()
        .enumerate()
        .map(|(g, resolved)| {
            let cells: Vec<Value> = (0..frameworks.len())
                .map(|f| {
                    let maps: Vec<_> = resolved
                        .mappings
                        .iter()
                        .filter(|m| m.framework == f)
                        .collect();
                    let shade = maps
                        .iter()
                        .map(|m| strength(m.confidence))
                        .max()
                        .unwrap_or(0);
                    json!({ "count": maps.len(), "shade": shade })
                })
                .collect();
            json!({
                "id": resolved.guideline.meta.id.value,
                "title": resolved.guideline.meta.title,
                "url": format!("{root}{}", super::urls::guideline(site, g)),
                "cells": cells,
            })
        })
        .collect();
    let (label_w, cell_w, cell_h, head_h) = (90.0, 108.0, 26.0, 64.0);
    let width = label_w + cell_w * frameworks.len() as f64 + 4.0;
    let height = head_h + cell_h * rows.len() as f64 + 4.0;
    let mut svg = format!(
        "<svg class=\"coverage-matrix\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"matrix-title\"><title id=\"matrix-title\">Mappings per guideline and framework</title>"
    );
    for (f, framework) in frameworks.iter().enumerate() {
        let x = label_w + cell_w * f as f64 + cell_w / 2.0;
        svg.push_str(&format!(
            "<text class=\"cov-head\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            head_h - 10.0,
            esc(&short_name(&framework.id))
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        let y = head_h + cell_h * r as f64;
        svg.push_str(&format!(
            "<a href=\"{}\"><text class=\"cov-label\" x=\"4\" y=\"{}\">{}</text></a>",
            esc(row["url"].as_str().unwrap_or_default()),
            y + cell_h * 0.68,
            esc(row["id"].as_str().unwrap_or_default())
        ));
        for (f, cell) in row["cells"].as_array().into_iter().flatten().enumerate() {
            let x = label_w + cell_w * f as f64;
            let count = cell["count"].as_u64().unwrap_or(0);
            svg.push_str(&format!(
                "<rect class=\"cov-cell cov-{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/><text class=\"cov-count\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                cell["shade"],
                x + 2.0,
                y + 2.0,
                cell_w - 4.0,
                cell_h - 4.0,
                x + cell_w / 2.0,
                y + cell_h * 0.68,
                if count == 0 { "–".to_string() } else { count.to_string() }
            ));
        }
    }
    svg.push_str("</svg>");
    let heads: Vec<Value> = frameworks
        .iter()
        .enumerate()
        .map(|(f, fw)| json!({ "id": fw.id, "name": fw.name, "short": short_name(&fw.id), "url": format!("{root}{}", super::urls::framework(site, f)) }))
        .collect();
    json!({ "svg": svg, "rows": rows, "frameworks": heads })
}

/// Column labels short enough for a cell: the framework id without its vendor prefix.
fn short_name(id: &str) -> String {
    id.trim_start_matches("nist-").to_uppercase()
}

fn gaps(site: &Site, root: &str) -> Vec<Value> {
    site.frameworks
        .iter()
        .enumerate()
        .map(|(f, framework)| {
            let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
            if !framework.loose_controls.is_empty() {
                groups.push(("(no group)".into(), framework.loose_controls.clone()));
            }
            for section in framework.sections.iter().filter(|s| !s.controls.is_empty()) {
                groups.push((section.title.clone(), section.controls.clone()));
            }
            let rows: Vec<Value> = groups
                .iter()
                .map(|(title, controls)| {
                    let active: Vec<usize> = controls.iter().copied().filter(|&c| !framework.controls[c].withdrawn).collect();
                    let unmapped: Vec<Value> = active
                        .iter()
                        .filter(|&&c| framework.controls[c].mapped_by.is_empty())
                        .map(|&c| {
                            let control = &framework.controls[c];
                            json!({ "id": control.id, "title": control.title,
                                    "url": format!("{root}{}#{}", super::urls::framework(site, f), control.slug) })
                        })
                        .collect();
                    json!({ "group": title, "total": active.len(), "mapped": active.len() - unmapped.len(), "unmapped": unmapped })
                })
                .collect();
            let total: u64 = rows.iter().map(|r| r["total"].as_u64().unwrap_or(0)).sum();
            let mapped: u64 = rows.iter().map(|r| r["mapped"].as_u64().unwrap_or(0)).sum();
            json!({
                "id": framework.id, "name": framework.name,
                "url": format!("{root}{}", super::urls::framework(site, f)),
                "total": total, "mapped": mapped, "rows": rows,
                "svg": gap_bars(&framework.id, &rows),
            })
        })
        .collect()
}

fn gap_bars(id: &str, rows: &[Value]) -> String {
    let (label_w, bar_w, row_h) = (260.0, 300.0, 22.0);
    let width = label_w + bar_w + 70.0;
    let height = row_h * rows.len() as f64 + 6.0;
    let mut svg = format!(
        "<svg class=\"coverage-gaps\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"gaps-{0}\"><title id=\"gaps-{0}\">Controls of {0} mapped by a guideline, by group</title>",
        esc(id)
    );
    for (r, row) in rows.iter().enumerate() {
        let y = row_h * r as f64 + 3.0;
        let total = row["total"].as_f64().unwrap_or(0.0);
        let mapped = row["mapped"].as_f64().unwrap_or(0.0);
        let filled = if total > 0.0 {
            bar_w * mapped / total
        } else {
            0.0
        };
        let group = row["group"].as_str().unwrap_or_default();
        let label: String = if group.chars().count() > 36 {
            group.chars().take(35).chain(std::iter::once('…')).collect()
        } else {
            group.to_string()
        };
        svg.push_str(&format!(
            "<text class=\"gap-label\" x=\"0\" y=\"{}\">{}</text><rect class=\"gap-total\" x=\"{label_w}\" y=\"{}\" width=\"{bar_w}\" height=\"{}\" rx=\"3\"/><rect class=\"gap-mapped\" x=\"{label_w}\" y=\"{}\" width=\"{filled:.1}\" height=\"{}\" rx=\"3\"/><text class=\"cov-count\" x=\"{}\" y=\"{}\">{mapped}/{total}</text>",
            y + row_h * 0.62,
            esc(&label),
            y + 3.0,
            row_h - 8.0,
            y + 3.0,
            row_h - 8.0,
            label_w + bar_w + 8.0,
            y + row_h * 0.62,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Guidelines on a circle, grouped by domain; an arrow for each cross-reference.
fn graph(site: &Site, root: &str) -> Value {
    let n = site.guidelines.len().max(1);
    let size = 520.0_f64;
    let (cx, cy, radius) = (size / 2.0, size / 2.0, size / 2.0 - 60.0);
    let position = |g: usize| {
        let angle = std::f64::consts::TAU * g as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
        (cx + radius * angle.cos(), cy + radius * angle.sin())
    };
    let mut svg = format!(
        "<svg class=\"coverage-graph\" viewBox=\"0 0 {size} {size}\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-labelledby=\"graph-title\"><title id=\"graph-title\">Cross-references between guidelines</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"18\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"graph-arrow\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>"
    );
    let mut rows = Vec::new();
    for (g, resolved) in site.guidelines.iter().enumerate() {
        let (x1, y1) = position(g);
        for link in &resolved.related {
            let (x2, y2) = position(link.guideline);
            svg.push_str(&format!(
                "<line class=\"graph-edge edge-{}\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" marker-end=\"url(#arrow)\"/>",
                link.kind.as_str()
            ));
        }
        let id_of =
            |l: &crate::resolve::Link| site.guidelines[l.guideline].guideline.meta.id.value.clone();
        rows.push(json!({
            "id": resolved.guideline.meta.id.value,
            "url": format!("{root}{}", super::urls::guideline(site, g)),
            "cites": resolved.related.iter().map(|l| format!("{} ({})", id_of(l), l.kind.as_str().replace('-', " "))).collect::<Vec<_>>(),
            "cited_by": resolved.backlinks.iter().map(id_of).collect::<Vec<_>>(),
        }));
    }
    for (g, resolved) in site.guidelines.iter().enumerate() {
        let (x, y) = position(g);
        let (lx, ly) = (cx + (x - cx) * 1.16, cy + (y - cy) * 1.16);
        svg.push_str(&format!(
            "<a href=\"{}\"><circle class=\"graph-node domain-{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\"/><text class=\"graph-label\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" dominant-baseline=\"middle\">{}</text></a>",
            esc(&format!("{root}{}", super::urls::guideline(site, g))),
            resolved.domain % 6,
            esc(&resolved.guideline.meta.id.value)
        ));
    }
    svg.push_str("</svg>");
    json!({ "svg": svg, "rows": rows })
}
