//! the tenant as a graph: nodes for users, groups and resources, edges for
//! membership, ownership, assignment and blocks, each in the order of the object lists.

use crate::model::Principal;
use crate::tenant::Tenant;
use serde::Serialize;

/// A node of the tenant's graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    /// The object's id.
    pub id: String,
    /// `user`, `group` or `resource`.
    #[serde(rename = "type")]
    pub node_type: &'static str,
    /// The upn of a user, the name of a group or resource.
    pub name: String,
    /// The same as `name`.
    pub label: String,
    /// The kind of a group or a resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Whether a user is enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Whether a group is synced from on-premises.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_premises: Option<bool>,
}

/// An edge of the tenant's graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    /// The id the edge leaves.
    pub source: String,
    /// The id the edge reaches.
    pub target: String,
    /// `member` (group → member), `owner` (owner → group or resource), `assigned`
    /// (principal → resource) or `blocked` (user → resource).
    #[serde(rename = "type")]
    pub edge_type: &'static str,
}

impl Tenant {
    /// nodes (users, live groups, resources) and edges (member, owner, assigned,
    /// blocked), in the order of the object lists.
    pub fn graph(&self) -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let mut nodes = Vec::with_capacity(self.users.len() + self.groups.len() + self.resources.len());
        for u in &self.users {
            nodes.push(GraphNode {
                id: u.id.clone(),
                node_type: "user",
                name: u.upn.clone(),
                label: u.upn.clone(),
                kind: None,
                enabled: Some(u.enabled),
                on_premises: None,
            });
        }
        for (_, g) in self.groups() {
            nodes.push(GraphNode {
                id: g.id.clone(),
                node_type: "group",
                name: g.name.clone(),
                label: g.name.clone(),
                kind: Some(g.kind.as_str()),
                enabled: None,
                on_premises: Some(g.on_premises),
            });
        }
        for r in &self.resources {
            nodes.push(GraphNode {
                id: r.id.clone(),
                node_type: "resource",
                name: r.name.clone(),
                label: r.name.clone(),
                kind: Some(r.kind.as_str()),
                enabled: None,
                on_premises: None,
            });
        }
        let mut edges = Vec::new();
        let edge = |source: &str, target: &str, edge_type| GraphEdge {
            source: source.into(),
            target: target.into(),
            edge_type,
        };
        let uid = |u: u32| self.users[u as usize].id.as_str();
        let pid = |p: Principal| self.principal_id(p);
        for (_, g) in self.groups() {
            edges.extend(g.members.iter().map(|m| edge(&g.id, pid(*m), "member")));
        }
        for (_, g) in self.groups() {
            edges.extend(g.owners.iter().map(|u| edge(uid(*u), &g.id, "owner")));
        }
        for r in &self.resources {
            edges.extend(r.owners.iter().map(|u| edge(uid(*u), &r.id, "owner")));
        }
        for r in &self.resources {
            edges.extend(r.assigned.iter().map(|p| edge(pid(*p), &r.id, "assigned")));
        }
        for r in &self.resources {
            edges.extend(r.blocked.iter().map(|u| edge(uid(*u), &r.id, "blocked")));
        }
        (nodes, edges)
    }

    /// the graph as Graphviz DOT text: ids quoted, names as labels; the same text
    /// for two tenants of the same state (the tenant's name is a label, not state).
    pub fn to_dot(&self) -> String {
        let (nodes, edges) = self.graph();
        let mut out = String::from("digraph ssgm {\n");
        for n in &nodes {
            // The name is the label (an attribute called `name` trips common DOT readers).
            let mut attrs = vec![("type", n.node_type.to_string()), ("label", n.label.clone())];
            if let Some(k) = n.kind {
                attrs.push(("kind", k.to_string()));
            }
            if let Some(e) = n.enabled {
                attrs.push(("enabled", e.to_string()));
            }
            if let Some(o) = n.on_premises {
                attrs.push(("on_premises", o.to_string()));
            }
            let shown: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect();
            out.push_str(&format!("  {} [{}];\n", quote(&n.id), shown.join(", ")));
        }
        for e in &edges {
            out.push_str(&format!(
                "  {} -> {} [type={}, label={}];\n",
                quote(&e.source),
                quote(&e.target),
                quote(e.edge_type),
                quote(e.edge_type)
            ));
        }
        out.push_str("}\n");
        out
    }
}

/// A DOT quoted string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
