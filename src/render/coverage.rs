//! Coverage views, drawn at build time as SVG (no script needed to see them), each with the same
//! numbers as an HTML table for screen readers and for anyone who prefers text:
//!
//! - a matrix of guidelines × frameworks (cell = number of mappings, shade = strongest confidence);
//! - per framework, the controls no guideline maps to, by group (a gap view); for a threat
//!   catalog, the threats no guideline addresses;
//! - the cross-reference graph of guidelines (who requires, supports or cites whom).

use serde::Serialize;

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

/// Past this many guidelines, the matrix and the cross-references are drawn per domain: a row
/// or a node per guideline would make the page megabytes long and unreadable (each domain's
/// page lists its guidelines, and each guideline's page its mappings).
const DETAIL_LIMIT: usize = 200;

/// The page data: SVGs and the tables that say the same.
#[derive(Serialize)]
pub struct Coverage<'a> {
    /// Rows and nodes are domains, not guidelines (see [`DETAIL_LIMIT`]).
    summarised: bool,
    guidelines: usize,
    matrix: Matrix<'a>,
    gaps: Vec<Gaps<'a>>,
    graph: Graph<'a>,
}

#[derive(Serialize)]
struct Matrix<'a> {
    svg: String,
    rows: Vec<MatrixRow<'a>>,
    frameworks: Vec<Head<'a>>,
}

#[derive(Serialize)]
struct MatrixRow<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Cell {
    count: usize,
    shade: u8,
}

#[derive(Serialize)]
struct Head<'a> {
    id: &'a str,
    name: &'a str,
    short: String,
    url: String,
}

#[derive(Serialize)]
struct Gaps<'a> {
    id: &'a str,
    /// A threat catalog: its gaps are threats no guideline addresses.
    threats: bool,
    name: &'a str,
    url: String,
    total: usize,
    mapped: usize,
    rows: Vec<GapRow<'a>>,
    svg: String,
}

#[derive(Serialize)]
struct GapRow<'a> {
    group: &'a str,
    total: usize,
    mapped: usize,
    unmapped: Vec<Unmapped<'a>>,
}

#[derive(Serialize)]
struct Unmapped<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct Graph<'a> {
    svg: String,
    rows: Vec<GraphRow<'a>>,
    /// The colour of each domain's nodes, for the legend.
    domains: Vec<LegendEntry<'a>>,
}

#[derive(Serialize)]
struct LegendEntry<'a> {
    class: String,
    label: &'a str,
}

#[derive(Serialize)]
struct GraphRow<'a> {
    id: &'a str,
    url: String,
    cites: Vec<String>,
    cited_by: Vec<String>,
}

pub fn data<'a>(site: &'a Site, root: &str) -> Coverage<'a> {
    use super::deps::{Fact, record};
    for g in 0..site.guidelines.len() {
        record(Fact::GuidelineCard(g));
        record(Fact::Guideline(g));
    }
    for f in 0..site.frameworks.len() {
        record(Fact::Framework(f));
    }
    let summarised = site.guidelines.len() > DETAIL_LIMIT;
    let mut matrix = matrix(site, root);
    let graph = if summarised {
        matrix = by_domain(site, root, matrix);
        matrix.svg = matrix_svg(&matrix.rows, &matrix.frameworks, 190.0, "domain");
        domain_graph(site, root)
    } else {
        matrix.svg = matrix_svg(&matrix.rows, &matrix.frameworks, 90.0, "guideline");
        graph(site, root)
    };
    Coverage {
        summarised,
        guidelines: site.guidelines.len(),
        matrix,
        gaps: gaps(site, root),
        graph,
    }
}

/// The matrix with a row per domain: its guidelines' mappings added up, the strongest shade.
fn by_domain<'a>(site: &'a Site, root: &str, matrix: Matrix<'a>) -> Matrix<'a> {
    let columns = matrix.frameworks.len();
    let mut rows: Vec<MatrixRow<'a>> = (site.domains.iter().enumerate())
        .map(|(d, domain)| MatrixRow {
            id: &domain.folder,
            title: &domain.meta.title,
            url: format!("{root}{}", super::urls::domain(site, d)),
            cells: (0..columns).map(|_| Cell { count: 0, shade: 0 }).collect(),
        })
        .collect();
    for (g, row) in matrix.rows.into_iter().enumerate() {
        let domain = &mut rows[site.guidelines[g].domain];
        for (total, cell) in domain.cells.iter_mut().zip(row.cells) {
            total.count += cell.count;
            total.shade = total.shade.max(cell.shade);
        }
    }
    Matrix {
        svg: String::new(),
        rows,
        frameworks: matrix.frameworks,
    }
}

/// Cross-references counted between domains (the graph of a large site), as rows.
fn domain_graph<'a>(site: &'a Site, root: &str) -> Graph<'a> {
    let n = site.domains.len();
    let mut counts = vec![vec![0usize; n]; n];
    for resolved in &site.guidelines {
        for link in &resolved.related {
            counts[resolved.domain][site.guidelines[link.guideline].domain] += 1;
        }
    }
    let named = |pairs: Vec<(usize, usize)>| -> Vec<String> {
        (pairs.into_iter().filter(|&(_, count)| count > 0))
            .map(|(d, count)| format!("{} ({count})", site.domains[d].folder))
            .collect()
    };
    let rows = (site.domains.iter().enumerate())
        .map(|(d, domain)| GraphRow {
            id: &domain.folder,
            url: format!("{root}{}", super::urls::domain(site, d)),
            cites: named((0..n).map(|to| (to, counts[d][to])).collect()),
            cited_by: named((0..n).map(|from| (from, counts[from][d])).collect()),
        })
        .collect();
    Graph {
        svg: String::new(),
        rows,
        domains: Vec::new(),
    }
}

fn matrix<'a>(site: &'a Site, root: &str) -> Matrix<'a> {
    let frameworks = &site.frameworks;
    // A column per framework, then one per baseline (mappings to its selected controls).
    let selections: Vec<std::collections::HashSet<usize>> = (site.baselines.iter())
        .map(|b| b.controls.iter().copied().collect())
        .collect();
    let columns = frameworks.len() + site.baselines.len();
    let rows: Vec<MatrixRow> = site
        .guidelines
        .iter()
        .enumerate()
        .map(|(g, resolved)| {
            let cells: Vec<Cell> = (0..columns)
                .map(|k| {
                    if k >= frameworks.len() {
                        let b = k - frameworks.len();
                        let baseline = &site.baselines[b];
                        let maps: Vec<_> = (resolved.mappings.iter())
                            .filter(|m| {
                                m.framework == baseline.framework
                                    && selections[b].contains(&m.control)
                            })
                            .collect();
                        let shade = maps.iter().map(|m| strength(m.confidence)).max();
                        return Cell {
                            count: maps.len(),
                            shade: shade.unwrap_or(0),
                        };
                    }
                    let f = k;
                    if frameworks[f].is_threats() {
                        // Threats addressed carry no confidence: a plain medium shade.
                        let count = resolved.threats.iter().filter(|t| t.framework == f).count();
                        let shade = if count == 0 { 0 } else { 2 };
                        return Cell { count, shade };
                    }
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
                    Cell {
                        count: maps.len(),
                        shade,
                    }
                })
                .collect();
            MatrixRow {
                id: &resolved.guideline.meta.id.value,
                title: &resolved.guideline.meta.title,
                url: format!("{root}{}", super::urls::guideline(site, g)),
                cells,
            }
        })
        .collect();
    let mut heads: Vec<Head> = (frameworks.iter().enumerate())
        .map(|(f, fw)| Head {
            id: &fw.id,
            name: &fw.name,
            short: short_name(&fw.id),
            url: format!("{root}{}", super::urls::framework(site, f)),
        })
        .collect();
    heads.extend(site.baselines.iter().map(|b| Head {
        id: &b.id,
        name: &b.title,
        short: b.id.to_uppercase(),
        url: format!("{root}{}", super::urls::baseline(&b.id)),
    }));
    Matrix {
        svg: String::new(),
        rows,
        frameworks: heads,
    }
}

/// The matrix as SVG: a label column `label_w` wide, a row `per` guideline or domain, a cell per
/// framework (or baseline).
fn matrix_svg(rows: &[MatrixRow<'_>], heads: &[Head<'_>], label_w: f64, per: &str) -> String {
    let columns = heads.len();
    let (cell_w, cell_h, head_h) = (108.0, 26.0, 64.0);
    let width = label_w + cell_w * columns as f64 + 4.0;
    let height = head_h + cell_h * rows.len() as f64 + 4.0;
    let mut svg = format!(
        "<svg class=\"coverage-matrix\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"group\" aria-labelledby=\"matrix-title\"><title id=\"matrix-title\">Mappings per {per} and framework</title>"
    );
    for (k, head) in heads.iter().enumerate() {
        let x = label_w + cell_w * k as f64 + cell_w / 2.0;
        svg.push_str(&format!(
            "<text class=\"cov-head\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            head_h - 10.0,
            esc(&head.short)
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        let y = head_h + cell_h * r as f64;
        svg.push_str(&format!(
            "<a href=\"{}\"><text class=\"cov-label\" x=\"4\" y=\"{}\">{}</text></a>",
            esc(&row.url),
            y + cell_h * 0.68,
            esc(row.id)
        ));
        for (f, cell) in row.cells.iter().enumerate() {
            let x = label_w + cell_w * f as f64;
            let count = cell.count;
            svg.push_str(&format!(
                "<rect class=\"cov-cell cov-{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/><text class=\"cov-count\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                cell.shade,
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
    svg
}

/// Column labels short enough for a cell: the framework id without its vendor prefix.
fn short_name(id: &str) -> String {
    id.trim_start_matches("nist-").to_uppercase()
}

fn gaps<'a>(site: &'a Site, root: &str) -> Vec<Gaps<'a>> {
    site.frameworks
        .iter()
        .enumerate()
        .map(|(f, framework)| {
            let mut groups: Vec<(&str, &[usize])> = Vec::new();
            if !framework.loose_controls.is_empty() {
                groups.push(("(no group)", &framework.loose_controls));
            }
            for section in framework.sections.iter().filter(|s| !s.controls.is_empty()) {
                groups.push((&section.title, &section.controls));
            }
            let rows: Vec<GapRow> = groups
                .iter()
                .map(|(title, controls)| {
                    let active: Vec<usize> = controls
                        .iter()
                        .copied()
                        .filter(|&c| !framework.controls[c].withdrawn)
                        .collect();
                    let unmapped: Vec<Unmapped> = active
                        .iter()
                        .filter(|&&c| !framework.controls[c].has_page())
                        .map(|&c| {
                            let control = &framework.controls[c];
                            Unmapped {
                                id: &control.id,
                                title: &control.title,
                                url: format!(
                                    "{root}{}#{}",
                                    super::urls::framework(site, f),
                                    control.slug
                                ),
                            }
                        })
                        .collect();
                    GapRow {
                        group: title,
                        total: active.len(),
                        mapped: active.len() - unmapped.len(),
                        unmapped,
                    }
                })
                .collect();
            Gaps {
                id: &framework.id,
                threats: framework.is_threats(),
                name: &framework.name,
                url: format!("{root}{}", super::urls::framework(site, f)),
                total: rows.iter().map(|r| r.total).sum(),
                mapped: rows.iter().map(|r| r.mapped).sum(),
                svg: gap_bars(&framework.id, &rows),
                rows,
            }
        })
        .collect()
}

fn gap_bars(id: &str, rows: &[GapRow]) -> String {
    let (label_w, bar_w, row_h) = (260.0, 300.0, 22.0);
    let width = label_w + bar_w + 70.0;
    let height = row_h * rows.len() as f64 + 6.0;
    let mut svg = format!(
        "<svg class=\"coverage-gaps\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"gap-title-{0}\"><title id=\"gap-title-{0}\">Controls of {0} mapped by a guideline, by group</title>",
        esc(id)
    );
    for (r, row) in rows.iter().enumerate() {
        let y = row_h * r as f64 + 3.0;
        let (total, mapped) = (row.total, row.mapped);
        let filled = if total > 0 {
            bar_w * mapped as f64 / total as f64
        } else {
            0.0
        };
        let group = row.group;
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

/// Guidelines on a circle, each domain an arc of its own with a gap before the next; a curved
/// arrow (bent towards the centre, ending at the node's rim) for each cross-reference.
fn graph<'a>(site: &'a Site, root: &str) -> Graph<'a> {
    const GAP: f64 = 1.5; // empty slots between two domains
    const NODE_RADIUS: f64 = 9.0;
    let n = site.guidelines.len().max(1);
    let slots = n as f64 + GAP * site.domains.len() as f64;
    let size = 520.0_f64;
    let (cx, cy, radius) = (size / 2.0, size / 2.0, size / 2.0 - 60.0);
    let position = |g: usize| {
        let domain = site.guidelines.get(g).map_or(0, |r| r.domain);
        let slot = g as f64 + GAP * domain as f64;
        let angle = std::f64::consts::TAU * slot / slots - std::f64::consts::FRAC_PI_2;
        (cx + radius * angle.cos(), cy + radius * angle.sin())
    };
    let edge = |(x1, y1): (f64, f64), (x2, y2): (f64, f64)| {
        // The control point: the chord's middle, pulled most of the way to the centre.
        let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        let (qx, qy) = (mx + (cx - mx) * 0.6, my + (cy - my) * 0.6);
        // End on the rim, along the curve's direction at its end.
        let (dx, dy) = (x2 - qx, y2 - qy);
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let back = NODE_RADIUS + 2.0;
        let (ex, ey) = (x2 - dx / length * back, y2 - dy / length * back);
        format!("M {x1:.1} {y1:.1} Q {qx:.1} {qy:.1} {ex:.1} {ey:.1}")
    };
    let mut svg = format!(
        "<svg class=\"coverage-graph\" viewBox=\"0 0 {size} {size}\" width=\"{size}\" height=\"{size}\" role=\"group\" aria-labelledby=\"graph-title\"><title id=\"graph-title\">Cross-references between guidelines</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path class=\"graph-arrow\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>"
    );
    let mut rows = Vec::new();
    for (g, resolved) in site.guidelines.iter().enumerate() {
        for link in &resolved.related {
            svg.push_str(&format!(
                "<path class=\"graph-edge edge-{}\" d=\"{}\" marker-end=\"url(#arrow)\"/>",
                link.kind.as_str(),
                edge(position(g), position(link.guideline))
            ));
        }
        let id_of = |l: &crate::resolve::Link| -> &'a str {
            &site.guidelines[l.guideline].guideline.meta.id.value
        };
        let cites = resolved.related.iter().map(|l| {
            let kind = l.kind.as_str().replace('-', " ");
            format!("{} ({kind})", id_of(l))
        });
        rows.push(GraphRow {
            id: &resolved.guideline.meta.id.value,
            url: format!("{root}{}", super::urls::guideline(site, g)),
            cites: cites.collect(),
            cited_by: resolved
                .backlinks
                .iter()
                .map(|l| id_of(l).to_string())
                .collect(),
        });
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
    let domains = (site.domains.iter().enumerate())
        .map(|(d, domain)| LegendEntry {
            class: format!("domain-{}", d % 6),
            label: &domain.meta.title,
        })
        .collect();
    Graph { svg, rows, domains }
}
