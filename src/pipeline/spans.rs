//! Where each number of a pipeline file is written, so that `source` can look at its text:
//! TOML gives `9.7e1` and `97.0` the same value, and only the text tells them apart.
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// A TOML document as a tree of values with their byte ranges in the text (floats only keep
/// their place; other leaves are dropped).
pub(crate) enum Node {
    Table(Vec<(String, Spanned<Node>)>),
    Array(Vec<Spanned<Node>>),
    Float,
    Other,
}

impl Node {
    /// Calls `f` with the dotted key and the text range of every float under `prefix`.
    pub(crate) fn floats(&self, prefix: &str, f: &mut dyn FnMut(&str, Range<usize>)) {
        let at = |k: &str| match prefix {
            "" => k.to_string(),
            _ => format!("{prefix}.{k}"),
        };
        match self {
            Node::Table(entries) => {
                for (k, v) in entries {
                    v.get_ref().visit(&at(k), v.span(), f);
                }
            }
            Node::Array(items) => {
                for v in items {
                    v.get_ref().visit(prefix, v.span(), f);
                }
            }
            Node::Float | Node::Other => {}
        }
    }

    fn visit(&self, key: &str, span: Range<usize>, f: &mut dyn FnMut(&str, Range<usize>)) {
        match self {
            Node::Float => f(key, span),
            _ => self.floats(key, f),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a TOML value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Float)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Node::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    // A TOML date arrives as a map with toml's private key: not a number.
                    if k.starts_with("$__toml_private") {
                        map.next_value::<IgnoredAny>()?;
                        return Ok(Node::Other);
                    }
                    entries.push((k, map.next_value()?));
                }
                Ok(Node::Table(entries))
            }
        }
        d.deserialize_any(NodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_float_is_found_with_its_text() {
        let text = "a = 1\nb = 9.7e1\nd = 2026-11-20\n[t]\nc = [0.5, 2]\ns = \"1e5\"\n";
        let tree: Node = toml::from_str(text).unwrap();
        let mut found = Vec::new();
        tree.floats("", &mut |k, span| found.push((k.to_string(), &text[span])));
        assert_eq!(found, vec![("b".into(), "9.7e1"), ("t.c".into(), "0.5")]);
    }
}
