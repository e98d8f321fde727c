//! [`Json`] with the browser's own `JSON` object: the WebAssembly carries only the conversions
//! between JavaScript values and the domain's types (`serde-wasm-bindgen`), where `serde_json`
//! brought its own parser (measured: 12 KiB less compressed WebAssembly).

use incident_report::json::{Json, WriteError};
use js_sys::{Array, JSON, Reflect};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// The browser's `JSON`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserJson;

impl Json for BrowserJson {
    type Value = JsValue;

    fn parse(&self, text: &str) -> Option<JsValue> {
        JSON::parse(text).ok()
    }

    fn member(&self, object: &JsValue, name: &str) -> Option<JsValue> {
        if !object.is_object() || Array::is_array(object) {
            return None;
        }
        Reflect::get(object, &JsValue::from_str(name))
            .ok()
            .filter(|value| !value.is_undefined())
    }

    fn elements(&self, array: &JsValue) -> Option<Vec<JsValue>> {
        array.dyn_ref::<Array>().map(|array| array.iter().collect())
    }

    // A record set aside is written back out from its parsed value: the same text the phone
    // stored, since it stores records compactly, but for how a number is spelt or a key repeated.
    fn text(&self, value: &JsValue) -> String {
        JSON::stringify(value)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }

    fn read<T: DeserializeOwned>(&self, value: &JsValue) -> Result<T, String> {
        serde_wasm_bindgen::from_value(value.clone()).map_err(|error| error.to_string())
    }

    fn write<T: Serialize>(&self, value: &T) -> Result<String, WriteError> {
        // Objects rather than `Map`s and `null` for a missing value: the JSON serde_json writes.
        let value = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|error| WriteError(error.to_string()))?;
        JSON::stringify(&value)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or_else(|| WriteError("the browser's JSON.stringify failed".to_owned()))
    }
}
