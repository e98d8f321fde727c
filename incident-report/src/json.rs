//! JSON through whichever parser the caller has. The phone's stored reports and the server's
//! answers are read through [`Json`]: the browser passes its own `JSON` object, so that its
//! WebAssembly carries no JSON parser; everything else uses [`SerdeJson`].

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// Why a value could not be written as JSON, in the writer's words (which name types and
/// positions, never a value: the domain's types carry no maps with non-string keys, so in
/// practice only a failing writer gets here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not write JSON: {0}")]
pub struct WriteError(pub String);

/// A JSON parser and writer, with just what the phone's formats need.
pub trait Json {
    /// A parsed JSON value.
    type Value;

    /// The value `text` holds, or `None` when it is not JSON.
    fn parse(&self, text: &str) -> Option<Self::Value>;
    /// An object's member `name`; `None` when it is missing or `object` is not an object.
    fn member(&self, object: &Self::Value, name: &str) -> Option<Self::Value>;
    /// An array's elements; `None` when `array` is not an array.
    fn elements(&self, array: &Self::Value) -> Option<Vec<Self::Value>>;
    /// `value` as JSON text.
    fn text(&self, value: &Self::Value) -> String;
    /// `value` read as a `T`, or why it cannot be, in the parser's words.
    fn read<T: DeserializeOwned>(&self, value: &Self::Value) -> Result<T, String>;
    /// `value` as JSON text, or why it could not be written (never an empty text in its place:
    /// a caller that stores the result must not store nothing over something).
    fn write<T: Serialize>(&self, value: &T) -> Result<String, WriteError>;

    /// `text` read as a `T`, or `None` when it is not JSON or not a `T`.
    fn read_text<T: DeserializeOwned>(&self, text: &str) -> Option<T> {
        self.parse(text).and_then(|value| self.read(&value).ok())
    }
}

/// [`Json`] with `serde_json`. Values are kept as their text, so a record that cannot be read is
/// kept exactly as it was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct SerdeJson;

impl Json for SerdeJson {
    type Value = Box<RawValue>;

    fn parse(&self, text: &str) -> Option<Box<RawValue>> {
        serde_json::from_str(text).ok()
    }

    fn member(&self, object: &Box<RawValue>, name: &str) -> Option<Box<RawValue>> {
        serde_json::from_str::<HashMap<String, Box<RawValue>>>(object.get())
            .ok()?
            .remove(name)
    }

    fn elements(&self, array: &Box<RawValue>) -> Option<Vec<Box<RawValue>>> {
        serde_json::from_str(array.get()).ok()
    }

    fn text(&self, value: &Box<RawValue>) -> String {
        value.get().to_owned()
    }

    fn read<T: DeserializeOwned>(&self, value: &Box<RawValue>) -> Result<T, String> {
        serde_json::from_str(value.get()).map_err(|error| error.to_string())
    }

    fn write<T: Serialize>(&self, value: &T) -> Result<String, WriteError> {
        serde_json::to_string(value).map_err(|error| WriteError(error.to_string()))
    }

    fn read_text<T: DeserializeOwned>(&self, text: &str) -> Option<T> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value no JSON writer can write.
    struct Unwritable;

    impl Serialize for Unwritable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot be written"))
        }
    }

    #[test]
    fn a_value_that_cannot_be_written_is_an_error_not_an_empty_text() {
        assert!(SerdeJson.write(&Unwritable).is_err());
        assert_eq!(SerdeJson.write(&[1, 2]).as_deref(), Ok("[1,2]"));
    }

    #[test]
    fn members_and_elements_keep_their_text() {
        let json = SerdeJson;
        let value = json
            .parse(r#"{ "a": [1, {"b" : 2}], "c": null }"#)
            .expect("json");
        let items = json
            .member(&value, "a")
            .and_then(|a| json.elements(&a))
            .expect("an array");
        assert_eq!(json.text(&items[1]), r#"{"b" : 2}"#);
        assert_eq!(json.read::<u64>(&items[0]), Ok(1));
        assert!(json.member(&value, "missing").is_none());
        assert!(
            json.member(&items[0], "a").is_none(),
            "a number has no members"
        );
        assert!(json.elements(&value).is_none(), "an object is not an array");
        assert!(json.parse("{").is_none());
    }
}
