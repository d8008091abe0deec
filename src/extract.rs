//! Request-body extraction that answers bad input with the surface's own error body.
//!
//! axum's `Json` rejects malformed JSON, wrong types and a missing content type with plain-text
//! bodies; every surface wraps it so the client sees the Auth0-shaped error instead.

use std::marker::PhantomData;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::IntoResponse;

/// A JSON body of `T`, whose rejection becomes the surface error `E`.
pub struct JsonBody<T, E>(pub T, pub PhantomData<fn() -> E>);

impl<S, T, E> FromRequest<S> for JsonBody<T, E>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    E: From<JsonRejection> + IntoResponse,
    S: Send + Sync,
{
    type Rejection = E;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value, PhantomData)),
            Err(rejection) => Err(E::from(rejection)),
        }
    }
}

/// The client-facing text of a JSON rejection, without axum's prefixes.
pub fn rejection_message(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::JsonDataError(e) => e.body_text().replace("Failed to deserialize the JSON body into the target type: ", ""),
        JsonRejection::JsonSyntaxError(e) => e.body_text().replace("Failed to parse the request body as JSON: ", "invalid JSON: "),
        JsonRejection::MissingJsonContentType(_) => "expected a request with Content-Type: application/json".into(),
        other => other.body_text(),
    }
}
