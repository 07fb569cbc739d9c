//! The dictionary compiled for the receive path: a dense table of field
//! checks indexed by tag (a hash lookup only past [`DENSE_TAGS`]), and
//! single-byte enumerations as bitmaps.

use super::{DataDictionary, FieldType, TagMap};

/// Tags below this have a slot in the dense table.
const DENSE_TAGS: u32 = 8192;

/// One field's checks.
#[derive(Clone, Debug)]
pub(super) struct FieldSlot {
    pub(super) kind: FieldType,
    /// Allowed values (empty: not enumerated).
    values: Vec<Vec<u8>>,
    /// The same as a bitmap when every value is one byte.
    one_byte: Option<[u64; 4]>,
}

impl FieldSlot {
    /// Whether the field is enumerated.
    pub(super) fn enumerated(&self) -> bool {
        !self.values.is_empty()
    }

    /// `v` is one of the allowed values.
    #[inline]
    pub(super) fn allows(&self, v: &[u8]) -> bool {
        match (&self.one_byte, v) {
            (Some(bits), &[b]) => bits[usize::from(b / 64)] >> (b % 64) & 1 != 0,
            (Some(_), _) => false,
            (None, _) => self.values.iter().any(|x| x == v),
        }
    }
}

/// Every field of one dictionary, by tag.
#[derive(Clone, Debug, Default)]
pub(super) struct FieldTable {
    dense: Vec<Option<FieldSlot>>,
    sparse: TagMap<FieldSlot>,
}

impl FieldTable {
    pub(super) fn new(d: &DataDictionary) -> Self {
        let top = d.fields.keys().copied().filter(|&t| t < DENSE_TAGS).max();
        let mut t = FieldTable {
            dense: vec![None; top.map_or(0, |m| m as usize + 1)],
            sparse: TagMap::default(),
        };
        for (&tag, def) in &d.fields {
            let one_byte = (!def.values.is_empty() && def.values.iter().all(|v| v.len() == 1))
                .then(|| {
                    let mut bits = [0u64; 4];
                    for v in &def.values {
                        bits[usize::from(v[0] / 64)] |= 1 << (v[0] % 64);
                    }
                    bits
                });
            let slot = FieldSlot {
                kind: def.kind,
                values: def.values.clone(),
                one_byte,
            };
            match t.dense.get_mut(tag as usize) {
                Some(s) if tag < DENSE_TAGS => *s = Some(slot),
                _ => _ = t.sparse.insert(tag, slot),
            }
        }
        t
    }

    #[inline]
    pub(super) fn get(&self, tag: u32) -> Option<&FieldSlot> {
        match self.dense.get(tag as usize) {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(&tag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::FieldDef;

    #[test]
    fn the_table_answers_as_the_definitions_do_for_dense_sparse_and_missing_tags() {
        let mut d = DataDictionary::default();
        let def = |kind, values: &[&[u8]]| FieldDef {
            name: "x".into(),
            kind,
            values: values.iter().map(|v| v.to_vec()).collect(),
        };
        d.fields
            .insert(54, def(FieldType::Char, &[b"1", b"2", b"~"]));
        d.fields
            .insert(20_000, def(FieldType::Other, &[b"AB", b"C"]));
        d.fields.insert(58, def(FieldType::Other, &[]));
        let t = FieldTable::new(&d);
        let side = t.get(54).unwrap();
        assert!(
            side.allows(b"1") && side.allows(b"~") && !side.allows(b"3") && !side.allows(b"12")
        );
        let high = t.get(20_000).unwrap();
        assert!(high.allows(b"AB") && high.allows(b"C") && !high.allows(b"A"));
        assert!(!t.get(58).unwrap().enumerated());
        assert!(t.get(55).is_none() && t.get(9_000).is_none() && t.get(20_001).is_none());
    }
}
