//! `POST /dbconnections/signup` (reference §3.1): reads the JSON or form body, calls
//! [`crate::custom_db::flows::signup`] (the tenant's signup, with a custom database's scripts), and answers 200 with the new user or a signup error body.
//!
//! The success body is `{"_id":"<24 hex>","email_verified":false,"email":…}` followed by the
//! attributes the request set, in the order of Auth0's documented response sample (DOCS1
//! `_sign-up.md`, DOCS2 create-a-new-user.mdx) and the 2023 recording (go-auth0
//! `TestDatabaseSignUp.yaml`): `username`, `given_name`, `family_name`, `name`, `nickname`,
//! `picture`, then `phone_number`/`phone_verified` and `user_metadata` (placement of these three
//! **unverified**). Newer recordings put `email_verified` after `username`; key order does not
//! matter to any SDK. `email_verified` is present only with an email, as recorded.
//!
//! Form bodies may carry metadata in bracket notation (`user_metadata[plan]=silver`), which is
//! how Auth0's `qs` body parser reads them; a plain `user_metadata=…` string is a non-object.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::SignupError;
use crate::authn::error::AuthError;
use crate::authn::params::Params;
use crate::state::AppState;
use crate::tenant::logs::{Event, EventType};
use crate::custom_db::flows;
use crate::tenant::signup::{SignedUp, SignupRequest};

/// The 200 body; absent attributes are omitted.
#[derive(Debug, Serialize)]
struct SignupResponse<'a> {
    #[serde(rename = "_id")]
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    family_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nickname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_metadata: Option<&'a Map<String, Value>>,
}

impl<'a> From<&'a SignedUp> for SignupResponse<'a> {
    fn from(user: &'a SignedUp) -> Self {
        Self {
            id: user.bare_id(),
            email_verified: user.email.as_ref().map(|_| false),
            email: user.email.as_deref(),
            username: user.username.as_deref(),
            given_name: user.given_name.as_deref(),
            family_name: user.family_name.as_deref(),
            name: user.name.as_deref(),
            nickname: user.nickname.as_deref(),
            picture: user.picture.as_deref(),
            phone_number: user.phone_number.as_deref(),
            phone_verified: user.phone_number.as_ref().map(|_| false),
            user_metadata: user.user_metadata.as_ref(),
        }
    }
}

pub async fn signup(State(state): State<AppState>, params: Result<Params, AuthError>) -> Result<Response, SignupError> {
    let request = request_of(&params?);
    let mut event = Event {
        client_id: request.client_id.clone(),
        connection: request.connection.clone(),
        user_name: request.email.clone().or_else(|| request.username.clone()),
        ..Event::default()
    };
    let now = state.clock().now_ms();
    let created = match flows::signup(&state, request).await {
        Ok(created) => created,
        Err(e) => {
            event.description = Some(e.to_string());
            state.tenant().logs.record(EventType::FailedSignup, event, state.rng().hex(24), now);
            return Err(e.into());
        }
    };
    event.user_id = Some(created.user_id.clone());
    event.description = Some("Successful signup".into());
    state.tenant().logs.record(EventType::SuccessSignup, event, state.rng().hex(24), now);
    tracing::debug!(user_id = %created.user_id, "user signed up");
    Ok(Json(SignupResponse::from(&created)).into_response())
}

fn request_of(params: &Params) -> SignupRequest {
    SignupRequest {
        client_id: params.str("client_id"),
        connection: params.str("connection"),
        email: params.str("email"),
        password: params.str("password"),
        username: params.str("username"),
        phone_number: params.str("phone_number"),
        given_name: params.str("given_name"),
        family_name: params.str("family_name"),
        name: params.str("name"),
        nickname: params.str("nickname"),
        picture: params.str("picture"),
        user_metadata: user_metadata_of(params),
    }
}

/// `user_metadata` as sent, or gathered from `user_metadata[key]` form fields.
fn user_metadata_of(params: &Params) -> Option<Value> {
    if let Some(value) = params.0.get("user_metadata") {
        return Some(value.clone());
    }
    let bracketed: Map<String, Value> = params
        .0
        .iter()
        .filter_map(|(key, value)| {
            let inner = key.strip_prefix("user_metadata[")?.strip_suffix(']')?;
            Some((inner.to_owned(), value.clone()))
        })
        .collect();
    (!bracketed.is_empty()).then_some(Value::Object(bracketed))
}
