//! The binary form of what crosses the page ↔ worker channel (postcard): far less code
//! on the page than JSON readers, since no field names are matched. One encoder and one strict
//! decoder (every byte must be read) serve every message.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// `value` in postcard's binary form.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(value).map_err(|e| format!("cannot encode: {e}"))
}

/// Reads [`encode`]'s bytes back; bytes left over are an error.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Ok(value),
        Ok(_) => Err("cannot decode: bytes left over".into()),
        Err(e) => Err(format!("cannot decode: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn round_trips_and_refuses_leftovers_and_garbage() {
        let value = (7u32, String::from("한국어"), vec![Some(1u8), None]);
        let bytes = encode(&value).expect("encodes");
        assert_eq!(decode::<(u32, String, Vec<Option<u8>>)>(&bytes), Ok(value));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode::<(u32, String, Vec<Option<u8>>)>(&longer),
            Err("cannot decode: bytes left over".into())
        );
        assert!(decode::<(u32, String, Vec<Option<u8>>)>(&bytes[..bytes.len() - 2]).is_err());
        assert!(decode::<String>(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    }
}
