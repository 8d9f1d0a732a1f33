//! The serde side of `sentinel.rs`'s walk: [`super::Filler`] as a `Deserializer` (structs,
//! sequences, maps, enums, options), the values of "any" maps, and the access types serde reads
//! them through.

use super::*;

/// A value inside an "any" map.
#[derive(Clone, Debug)]
pub(super) enum AnyValue {
    Text(String),
    Int(u64),
    Float(f64),
    Bool(bool),
    Seq,
    Map,
    Null,
}

impl AnyValue {
    /// How serde's `Unexpected` shows this value.
    pub(super) fn unexpected(&self) -> String {
        match self {
            Self::Text(t) => de::Unexpected::Str(t).to_string(),
            Self::Int(n) => de::Unexpected::Unsigned(*n).to_string(),
            Self::Float(x) => de::Unexpected::Float(*x).to_string(),
            Self::Bool(b) => de::Unexpected::Bool(*b).to_string(),
            Self::Seq => de::Unexpected::Seq.to_string(),
            Self::Map => de::Unexpected::Map.to_string(),
            Self::Null => de::Unexpected::Unit.to_string(),
        }
    }
}

impl<'de> IntoDeserializer<'de, FillError> for AnyValue {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for AnyValue {
    type Error = FillError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        match self {
            Self::Text(t) => visitor.visit_string(t),
            Self::Int(n) => visitor.visit_u64(n),
            Self::Float(x) => visitor.visit_f64(x),
            Self::Bool(b) => visitor.visit_bool(b),
            Self::Seq => visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<
                AnyValue,
            >())),
            Self::Map => visitor.visit_map(de::value::MapDeserializer::new(std::iter::empty::<(
                AnyValue,
                AnyValue,
            )>())),
            Self::Null => visitor.visit_unit(),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> de::Deserializer<'de> for Filler<'_> {
    type Error = FillError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.any(visitor)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_bool(true)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i8(1)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i16(1)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i32(1)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_i64(1)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u8(1)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u16(1)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u32(1)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_u64(1)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_f32(0.5)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_f64(0.5)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_char('x')
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let text = self.shared.borrow_mut().marker(&self.place);
        visitor.visit_string(text)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.deserialize_byte_buf(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let text = self.shared.borrow_mut().marker(&self.place);
        visitor.visit_byte_buf(text.into_bytes())
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        if self.depth > MAX_DEPTH || self.shared.borrow().none.contains(&self.path) {
            return visitor.visit_none();
        }
        let path = self.path.clone();
        let me = self.clone();
        visitor
            .visit_some(self)
            .inspect_err(|e| me.leave_out(e, |s| &mut s.none, &path))
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let len = self.seq_len();
        visitor.visit_seq(Elements {
            filler: self,
            next: 0,
            len,
            skip_allowed: true,
        })
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_seq(Elements {
            filler: self,
            next: 0,
            len,
            skip_allowed: false,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, FillError> {
        self.deserialize_tuple(len, visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        let entry = format!("{}{{}}", self.path);
        let give = self.depth <= MAX_DEPTH && !self.shared.borrow().skip.contains(&entry);
        visitor.visit_map(Entries {
            filler: self,
            left: usize::from(give),
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_map(Fields {
            filler: self,
            fields,
            next: 0,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FillError> {
        let pick = {
            let mut s = self.shared.borrow_mut();
            s.most_variants = s.most_variants.max(variants.len());
            variants[s.choice % variants.len().max(1)]
        };
        visitor.visit_enum(Variant {
            filler: self.variant(pick),
            name: pick,
        })
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FillError> {
        visitor.visit_unit()
    }
}

/// A list's elements; one that cannot be built is left out next time.
struct Elements<'s> {
    filler: Filler<'s>,
    next: usize,
    len: usize,
    skip_allowed: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_> {
    type Error = FillError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FillError> {
        loop {
            if self.next >= self.len {
                return Ok(None);
            }
            let element = self.filler.element(self.next);
            self.next += 1;
            if self.skip_allowed && self.filler.shared.borrow().skip.contains(&element.path) {
                continue;
            }
            let path = element.path.clone();
            let filler = self.filler.clone();
            let skip_allowed = self.skip_allowed;
            return seed.deserialize(element).map(Some).inspect_err(|e| {
                if skip_allowed {
                    filler.leave_out(e, |s| &mut s.skip, &path);
                }
            });
        }
    }
}

/// A map's one entry (key and value built like anything else).
struct Entries<'s> {
    filler: Filler<'s>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = FillError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FillError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let key = Filler {
            place: format!("{}{{key}}", self.filler.place),
            ..self.filler.clone()
        };
        let entry = format!("{}{{}}", self.filler.path);
        let filler = self.filler.clone();
        seed.deserialize(key)
            .map(Some)
            .inspect_err(|e| filler.leave_out(e, |s| &mut s.skip, &entry))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FillError> {
        let value = Filler {
            path: format!("{}{{}}", self.filler.path),
            place: format!("{}{{}}", self.filler.place),
            depth: self.filler.depth + 1,
            ..self.filler.clone()
        };
        let entry = value.path.clone();
        let filler = self.filler.clone();
        seed.deserialize(value)
            .inspect_err(|e| filler.leave_out(e, |s| &mut s.skip, &entry))
    }
}

/// A struct's fields by name; one that cannot be built is left to its default next time.
struct Fields<'s> {
    filler: Filler<'s>,
    fields: &'static [&'static str],
    next: usize,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = FillError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FillError> {
        while let Some(name) = self.fields.get(self.next) {
            if self
                .filler
                .shared
                .borrow()
                .skip
                .contains(&self.filler.field(name).path)
            {
                self.next += 1;
                continue;
            }
            let key: de::value::StrDeserializer<'_, FillError> = name.into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FillError> {
        let name = self.fields[self.next];
        self.next += 1;
        let field = self.filler.field(name);
        let path = field.path.clone();
        let filler = self.filler.clone();
        seed.deserialize(field)
            .inspect_err(|e| filler.leave_out(e, |s| &mut s.skip, &path))
    }
}

/// The variant picked for an externally tagged enum.
struct Variant<'s> {
    filler: Filler<'s>,
    name: &'static str,
}

impl<'de, 's> de::EnumAccess<'de> for Variant<'s> {
    type Error = FillError;
    type Variant = Filler<'s>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Filler<'s>), FillError> {
        let name: de::value::StrDeserializer<'_, FillError> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, self.filler))
    }
}

impl<'de> de::VariantAccess<'de> for Filler<'_> {
    type Error = FillError;

    fn unit_variant(self) -> Result<(), FillError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, FillError> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, FillError> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FillError> {
        visitor.visit_map(Fields {
            filler: self,
            fields,
            next: 0,
        })
    }
}
