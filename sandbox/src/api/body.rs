//! Request bodies: parsed strictly, with errors that name the failing field.

use axum::body::Bytes;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Parses a JSON body; a malformed or misshapen one is 422 with the path of the bad field.
pub fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::Unprocessable(format!("The request body could not be processed: {inner}."))
        } else {
            ApiError::Unprocessable(format!(
                "The request body could not be processed at {path}: {inner}."
            ))
        }
    })
}
