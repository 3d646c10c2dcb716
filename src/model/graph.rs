//! The journey graph: nodes keyed by id and links keyed by (node, output port).
//!
//! Invariants: at most one link per output port (the map key makes a second one
//! impossible); maps are ordered, so saving is deterministic. A link may point to a node
//! or port that does not exist: files load such links so nothing is lost, and validation
//! reports them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::NodeId;
use super::node::{KindTag, Node, Port};

/// One output port of one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputRef {
    /// The node.
    pub node: NodeId,
    /// Its port.
    pub port: Port,
}

/// A link from an output port to a node's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Source node.
    pub from: NodeId,
    /// Source port.
    pub port: Port,
    /// Target node.
    pub to: NodeId,
}

/// Nodes and links.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Graph {
    /// Nodes by id.
    pub nodes: BTreeMap<NodeId, Node>,
    /// Link targets by source port.
    pub links: BTreeMap<OutputRef, NodeId>,
}

impl Graph {
    /// The node with this id.
    #[must_use]
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// Where a port leads, if linked.
    #[must_use]
    pub fn target(&self, node: NodeId, port: Port) -> Option<NodeId> {
        self.links.get(&OutputRef { node, port }).copied()
    }

    /// All links, ordered by source.
    pub fn link_list(&self) -> impl Iterator<Item = Link> + '_ {
        self.links.iter().map(|(o, to)| Link { from: o.node, port: o.port, to: *to })
    }

    /// Links leaving `node`.
    pub fn links_from(&self, node: NodeId) -> impl Iterator<Item = Link> + '_ {
        self.link_list().filter(move |l| l.from == node)
    }

    /// Links arriving at `node`.
    pub fn links_into(&self, node: NodeId) -> impl Iterator<Item = Link> + '_ {
        self.link_list().filter(move |l| l.to == node)
    }

    /// The entry nodes (validation wants exactly one).
    pub fn entries(&self) -> impl Iterator<Item = &Node> + '_ {
        self.nodes.values().filter(|n| n.kind.tag() == KindTag::Entry)
    }

    /// The single entry node, if there is exactly one.
    #[must_use]
    pub fn entry(&self) -> Option<&Node> {
        let mut it = self.entries();
        match (it.next(), it.next()) {
            (Some(n), None) => Some(n),
            _ => None,
        }
    }

    /// A fresh node id, one above the highest in use.
    #[must_use]
    pub fn next_node_id(&self) -> NodeId {
        NodeId(self.nodes.keys().next_back().map_or(1, |id| id.0.saturating_add(1)))
    }

    /// Adds or replaces a link from `from.port` to `to`, returning the previous target.
    pub fn connect(&mut self, from: NodeId, port: Port, to: NodeId) -> Option<NodeId> {
        self.links.insert(OutputRef { node: from, port }, to)
    }

    /// Removes a node and every link touching it.
    pub fn remove_node(&mut self, id: NodeId) -> Option<Node> {
        self.links.retain(|o, to| o.node != id && *to != id);
        self.nodes.remove(&id)
    }
}

// The file keeps nodes and links as lists (readable, diff-friendly), checked while
// reading so that a duplicate is reported at its own line.

#[derive(Serialize)]
struct GraphOut<'a> {
    nodes: Vec<&'a Node>,
    links: Vec<Link>,
}

impl Serialize for Graph {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        GraphOut { nodes: self.nodes.values().collect(), links: self.link_list().collect() }.serialize(s)
    }
}

#[derive(Deserialize)]
#[serde(rename = "Graph", deny_unknown_fields)]
struct GraphIn {
    nodes: NodeList,
    links: LinkList,
}

struct NodeList(BTreeMap<NodeId, Node>);
struct LinkList(BTreeMap<OutputRef, NodeId>);

impl<'de> Deserialize<'de> for NodeList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NodeList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of nodes")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<NodeList, A::Error> {
                let mut map = BTreeMap::new();
                while let Some(node) = seq.next_element::<Node>()? {
                    let id = node.id;
                    if map.insert(id, node).is_some() {
                        return Err(serde::de::Error::custom(format!("duplicate node id {id}")));
                    }
                }
                Ok(NodeList(map))
            }
        }
        d.deserialize_seq(V)
    }
}

impl<'de> Deserialize<'de> for LinkList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LinkList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of links")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<LinkList, A::Error> {
                let mut map = BTreeMap::new();
                while let Some(link) = seq.next_element::<Link>()? {
                    let key = OutputRef { node: link.from, port: link.port };
                    if map.insert(key, link.to).is_some() {
                        return Err(serde::de::Error::custom(format!(
                            "a second link on output {} of node {}: an output port holds at most one link",
                            link.port, link.from
                        )));
                    }
                }
                Ok(LinkList(map))
            }
        }
        d.deserialize_seq(V)
    }
}

impl<'de> Deserialize<'de> for Graph {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let g = GraphIn::deserialize(d)?;
        Ok(Self { nodes: g.nodes.0, links: g.links.0 })
    }
}
